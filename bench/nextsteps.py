"""Next-step detection (core.conversations.nextsteps): how right it is, and what it costs per message.

    python bench/nextsteps.py [--repeats 7] [--min-time 0.2] [--before COMMIT ...] [--cpu-time]

**Accuracy.** Precision, recall and due-date accuracy per language (en, zh, mixed) on the
labelled splits of tests/data/ (blind<round>: one per file tests/data/nextsteps_blind<round>.tsv,
written for that round by someone who never saw the rules, newest first, each scored once as it
came and tuned on from the next round (blind3: the third round's, tuned on in the fourth);
holdout: the second round's held-back split, tuned on in the third round; validation: held back
while the first round was tuned; dev: tuned on), for today's rules and, beside them, the rules as
they were before issue 22 (core/nextsteps.py at --before, default 20dff7f, with the core modules
it imported there, read from git and loaded as modules of their own; --before may be given again,
e.g. for the previous round's rules on main), then the confusion by kind on every split but dev.
Precision = suggested and right / suggested; recall = suggested / commitments; date accuracy =
exact due date / correctly suggested.

**Cost.**
Three kinds of chat message, 40 of each kind written like the test table's (English, Chinese and
mixed): chatter with nothing date-like in it (most of a group chat), messages with a date but no
commitment ("the demo moved to Friday"), and dated commitments ("好的，下周三前给报价").

For each kind, µs per message for:
- baseline: a bare `re.search` of one character class ([0-9]) over the message — the cheapest
  look at a message Python can make, measured in the same run as the scale to read the rest by;
- the pre-filter alone (core.language.dates.text.has_date_hint);
- full detection (core.conversations.nextsteps.detect), which for chatter must cost about the pre-filter;
- core.language.dates.text.find_date alone, i.e. what the pre-filter saves on chatter.

A last row times the previous rules' detect on the same messages, and a last column all the
labelled messages (all three splits), both rules.

Each figure is the median of --repeats timed passes; each pass loops over the kind's messages
until --min-time seconds have gone by, and the rows take turns pass by pass (a shared machine's
load then falls on each alike); --cpu-time counts this process's CPU time instead of the wall
clock, which leaves most of the other processes' load out. Never part of the test run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.conversations.nextsteps import detect  # noqa: E402
from core.language.dates.text import find_date, has_date_hint, warm_up  # noqa: E402
from tests.nextsteps_labelled import available, by_language, confusion_table  # noqa: E402
from tests.nextsteps_labelled import load as load_split  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "20dff7f"  # main before issue 22: the rules the issue measured (core/nextsteps.py then)
_CORE_IMPORT = re.compile(r"^(\s*from\s+)(core(?:\.\w+)+)(\s+import\b)", re.MULTILINE)
_SUBMODULE_IMPORT = re.compile(r"^from\s+(core(?:\.\w+)*)\s+import\s+(\w+(?:\s*,\s*\w+)*)\s*$", re.MULTILINE)

TZ = "Asia/Shanghai"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo(TZ))

CHATTER = [
    "Thanks, that helps a lot", "收到，谢谢", "OK 👍", "哈哈好的", "Can you share the deck again?",
    "我们内部再讨论一下", "Looping in Wei from procurement", "Sounds good to me",
    "请问报价里包含实施费用吗？", "Great call everyone", "Let me check with the team",
    "价格方面还有没有优惠空间", "We need the SOC2 report for security review", "好的没问题",
    "Is the API rate limited?", "这个方案我们老板比较认可", "Sent you the NDA via DocuSign",
    "麻烦再发一下合同模板", "I'll loop in our solutions engineer", "我们会尽快给您回复",
    "What's the difference between the pro and enterprise plans?", "可以的，辛苦了",
    "Can we get a discount for a three-year commitment?", "收到，我转给财务看一下",
    "Please see the attached proposal", "需要走一下采购流程", "Our CFO has a few questions on pricing",
    "好的，我了解一下", "Any references in the retail sector?", "这个功能支持私有化部署吗",
    "Appreciate the quick turnaround", "我们这边没问题", "Who else is on your side for the POC?",
    "你们的实施周期一般多久", "Let me know if anything is unclear", "嗯嗯", "Perfect, thank you!",
    "这个价格超出预算了", "Can you walk us through the integration?", "明白",
]
DATES = [
    "The meeting was moved to Friday.", "客户下周一开始休假", "Last Friday's demo went well",
    "我们公司3月15号搬家", "I will be out of office until Monday.", "他们财务下周一付款",
    "pls send me the deck by EOD", "Can you send the quote by Friday?", "能不能下周三前给我们报价？",
    "Reminder: the demo is tomorrow at 10am", "今天天气不错", "Happy Friday everyone!", "周末愉快！",
    "Thanks for the great meeting today!", "See you tomorrow!", "Good morning team",
    "我会议室订好了，明天见", "The budget review is on March 18", "你们明天发合同吗",
    "When will the contract be ready? Next week?", "Could we meet next Tuesday instead?",
    "周五之前能给报价吗？", "Sorry, I won't be able to send the quote by Friday.",
    "我们下周三前可能给不了报价", "明天来不及发合同了", "恐怕周五前没法把方案发给您",
    "Our fiscal year ends in March.", "Let me know by Friday if you need anything else.",
    "Could you please share the SOW before next Monday", "我昨天已经把报价发给您了",
    "Will you be able to join the demo tomorrow at 3pm?", "Shall I send the proposal by Friday?",
    "We will not be able to ship before March 20.", "I'll try, but I can't promise Friday.",
    "Good afternoon!", "下午好", "明天见", "Have a good weekend", "上周的会议纪要在群文件里",
    "The PO was signed on Monday",
]
COMMITMENTS = [
    "I'll send the revised quote by Friday.", "We will get back to you by Monday with the pricing.",
    "Let me check with legal and revert by tomorrow.", "Will send the contract tomorrow morning",
    "I'm going to call you at 3pm tomorrow.", "I'll have the updated deck ready by end of week.",
    "We'll ship the pilot units next Tuesday.", "You'll have the signed PO before March 20.",
    "Our team will get back to you by Thursday.", "I'm sending the invoice tomorrow.",
    "Sure, I'll set up the demo environment in 3 days.", "We plan to sign the contract on March 15.",
    "我会在周五前把修改后的报价发给你", "好的，下周三前给报价", "明天发合同", "我来安排，明天下午3点和你们技术开个会",
    "我们这边下周一前出方案", "回头我整理一下，周四给你", "我们会尽快，最晚月底前签合同", "收到，我明天上午把资料发您",
    "下周二我们过去拜访，顺便演示新版本", "我这边3月10号之前把合同盖章寄回", "OK，我明天把quote发给你",
    "我们周五之前会把POC报告发过去", "I'll send the 报价 by 下周一", "没问题，我们下周五之前给到正式报价",
    "我争取本周五前把测试账号开好", "我们会在3天后安排工程师上门", "明天下午我给您打电话确认细节",
    "那我们下周三上午10点开会过一下合同", "好的 我们下午3点准时上线", "我明天发给你，可以吗？",
    "I'll be there at 3pm tomorrow.", "I'll send the revised SOW by Friday, ok?",
    "If the PO arrives by Friday, we'll ship next week.", "I'll circle back early next week",
    "Will confirm the delivery date by Thursday.", "我们下周一安排培训", "收到！明早九点前回复您",
    "Can do Friday 3pm for the call, I'll send an invite",
]

_DIGIT = re.compile(r"[0-9]")


CLOCK = time.perf_counter  # --cpu-time: time.process_time


def one_pass_us(fn: Callable[[str], object], messages: list[str], min_time: float) -> float:
    """µs per message of one pass over `messages`, repeated until `min_time` s have gone by."""
    count, start = 0, CLOCK()
    while True:
        for text in messages:
            fn(text)
        count += len(messages)
        elapsed = CLOCK() - start
        if elapsed >= min_time:
            return elapsed / count * 1e6


def per_message_us(fns: list[Callable[[str], object]], messages: list[str], repeats: int,
                   min_time: float) -> list[float]:
    """For each function, the median over `repeats` passes of µs per message. The functions take
    turns pass by pass, so that a shared machine's changing load falls on all of them alike."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, taken in zip(fns, samples, strict=True):
            taken.append(one_pass_us(fn, messages, min_time))
    return [statistics.median(taken) for taken in samples]


def previous_detect(commit: str) -> Callable[[str, datetime, str], object] | None:
    """detect as it was at `commit` (core/nextsteps.py before core was regrouped, else
    core/conversations/nextsteps.py), with the core modules it imported at that commit: read from
    git and loaded under names of their own, so today's are untouched. None when git or the
    commit is not at hand."""
    prefix = "_at_" + re.sub(r"\W", "_", commit) + "_"

    def show(path: str) -> str | None:
        found = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, capture_output=True, text=True)
        return found.stdout if found.returncode == 0 else None

    def load(module: str) -> str:
        name = prefix + module.replace(".", "_")
        if name in sys.modules:
            return name
        path = module.replace(".", "/") + ".py"
        source = show(path)
        if source is None:
            raise LookupError(path)
        source = _SUBMODULE_IMPORT.sub(lambda m: submodules(m[1], m[2]), source)
        source = _CORE_IMPORT.sub(lambda m: m[1] + load(m[2]) + m[3], source)  # its imports first
        spec = importlib.util.spec_from_loader(name, loader=None)
        assert spec is not None
        module_object = importlib.util.module_from_spec(spec)
        sys.modules[name] = module_object
        exec(compile(source, f"{commit}:{path}", "exec"), module_object.__dict__)
        if callable(warm := module_object.__dict__.get("warm_up")):
            warm()  # as today's date rules are warmed up before timing
        return name

    def submodules(package: str, names: str) -> str:
        """from core.conversations import nextsteps_zh: a package's modules, each loaded."""
        if show(package.replace(".", "/") + ".py") is not None:
            return f"from {package} import {names}"  # a module, not a package: left to _CORE_IMPORT
        return "; ".join(f"import {load(package + '.' + each.strip())} as {each.strip()}"
                         for each in names.split(","))

    try:
        for module in ("core.nextsteps", "core.conversations.nextsteps"):
            if show(module.replace(".", "/") + ".py") is not None:
                return sys.modules[load(module)].detect
    except (OSError, LookupError):
        pass
    return None


def accuracy(before: list[tuple[str, Callable]]) -> None:
    rules = [("today", detect)] + [(f"at {commit}", fn) for commit, fn in before]
    print(f"{'split':<12}{'lang':<7}{'n':>4}  " + "".join(f"{name + ': P / R / date':>32}" for name, _ in rules))
    for split in available():
        rows = load_split(split)
        scores = [by_language(lambda text, fn=fn: _due(fn(text, NOW, TZ)), rows) for _, fn in rules]
        for lang in scores[0]:
            count = sum(row.lang == lang for row in rows)
            print(f"{split:<12}{lang:<7}{count:>4}  " + "".join(
                f"{f'{s[lang].precision:.3f} / {s[lang].recall:.3f} / {s[lang].date_accuracy:.3f}':>32}" for s in scores))
    for split in (name for name in available() if name != "dev"):
        print(f"\nconfusion by kind, {split} split, today's rules "
              "(right = suggested with the right date, date≠ = suggested with another date):")
        for line in confusion_table(by_language(lambda text: _due(detect(text, NOW, TZ)), load_split(split)).values()):
            print("  " + line)


def _due(step) -> datetime | None:
    return None if step is None else step.due


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--before", action="append", metavar="COMMIT",
                        help=f"a commit whose rules to compare with (repeatable; default {BEFORE})")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time this process's CPU time, not the wall clock (a loaded machine's other work left out)")
    args = parser.parse_args()
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    warm_up()
    before = []
    for commit in args.before or [BEFORE]:
        if (fn := previous_detect(commit)) is None:
            print(f"# the rules at {commit} could not be read from git")
        else:
            before.append((commit, fn))
    accuracy(before)
    print()
    hinted = {name: sum(has_date_hint(m) for m in msgs)
              for name, msgs in (("chatter", CHATTER), ("dates", DATES), ("commitments", COMMITMENTS))}
    found = {name: sum(detect(m, NOW, TZ) is not None for m in msgs)
             for name, msgs in (("chatter", CHATTER), ("dates", DATES), ("commitments", COMMITMENTS))}
    load = os.getloadavg()[0]
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
          f", load {load:.2f}")
    print(f"# messages: {len(CHATTER)} chatter ({hinted['chatter']} pass the pre-filter, {found['chatter']} found),"
          f" {len(DATES)} dated ({hinted['dates']} pass, {found['dates']} found),"
          f" {len(COMMITMENTS)} commitments ({hinted['commitments']} pass, {found['commitments']} found)")
    labelled = [row.text for split in available() for row in load_split(split)]
    print(f"{'µs per message':<30}{'chatter':>10}{'dates':>10}{'commitments':>13}{'labelled':>10}")
    rows = [
        ("baseline: re.search [0-9]", lambda m: _DIGIT.search(m)),
        ("pre-filter (has_date_hint)", has_date_hint),
        ("detect (full)", lambda m: detect(m, NOW, TZ)),
        ("find_date alone", lambda m: find_date(m, NOW, TZ)),
    ]
    rows += [(f"detect at {commit}", lambda m, fn=fn: fn(m, NOW, TZ)) for commit, fn in before]
    columns = [per_message_us([fn for _, fn in rows], msgs, args.repeats, args.min_time)
               for msgs in (CHATTER, DATES, COMMITMENTS, labelled)]
    for index, (label, _) in enumerate(rows):
        figures = [column[index] for column in columns]
        print(f"{label:<30}" + "".join(f"{f:>{10 if i != 2 else 13}.2f}" for i, f in enumerate(figures)))
    print(f"# load after: {os.getloadavg()[0]:.2f}; clock: {'CPU time' if args.cpu_time else 'wall'}")


if __name__ == "__main__":
    main()
