"""Knowledge (issue 20) on the test database (SQLite, or PostgreSQL in that run), through
Dealbot.handle as chat members say it: `summary`, `playbook` (from the pipeline file and from
chat, versioned, shown on a move), `faq` (ranked, [Not helpful], gaps), `retro` and `cases`, and
a new deal's similar won deals."""

from __future__ import annotations

from sqlalchemy import func, select

from core.chat.messages import Incoming
from core.conversations.capture import ChatEvent
from core.domain.pipeline import DEFAULT_PIPELINE, Pipeline
from core.services.capture import store_captured
from storage import tables as t

GROUP = "-100555"


class Chat:
    """Telegram accounts talking to the bot: boss (1000) is an admin of `sales`."""

    def __init__(self, wired):
        self.wired, self.count = wired, 0

    def __call__(self, user: str, text: str, *, chat: str = "", ok: bool = True):
        self.count += 1
        reply = self.wired.bot.handle(Incoming(platform="telegram", user_id=user, user_name=f"u{user}", text=text,
                                               chat_id=chat or user, message_id=str(self.count),
                                               is_direct=not chat))
        assert reply.is_error != ok, reply.text()
        return reply

    def captured(self, user_id: str, name: str, text: str, message_id: str) -> None:
        bot = self.wired.bot
        with bot.writing_uow_factory() as uow:
            store_captured(uow, [ChatEvent("telegram", GROUP, message_id, user_id=user_id, user_name=name,
                                           text=text, sent_at=bot.clock.now())],
                           bot.clock.now(), bot.defaults, bot.capture_hooks)
            uow.commit()

    def advance(self, **delta: float) -> None:
        self.wired.bot.clock.advance(**delta)


def _team(say: Chat) -> None:
    say("1000", "me")
    say("11", "hi", ok=False)  # alice asks
    say("1000", "member approve R-1 role:rep")


def test_summary_tells_the_path_the_promises_and_what_the_deal_waits_on(wired):
    say = Chat(wired)
    _team(say)
    say("1000", "new Acme 50k")  # Wed 4 Mar 10:00 Shanghai
    say("1000", "link D-1", chat=GROUP)
    say.advance(days=2)
    say("1000", "move D-1 demo")  # Fri 6 Mar
    say("1000", "log D-1 call: I'll send the revised quote by next Wednesday")  # T-1, due Wed 11 Mar
    say.captured("2001", "Wang", "We will confirm the budget by Monday.", "m1")
    say.captured("1000", "boss", "Great, thanks", "m2")
    say.advance(days=4)
    say("1000", "move D-1 quote")  # Tue 10 Mar
    say("1000", "done T-1")  # before its due time: kept
    say.advance(days=2)  # Thu 12 Mar
    say.captured("2001", "Wang", "I'll send the PO by next Friday", "m3")

    reply = say("1000", "summary D-1")
    assert reply.title == "Summary of D-1 · Acme"
    lines = reply.lines
    assert lines[0] == "Path: Lead 2d → Demo 4d → Quote 2d (now)"
    assert lines[1] == "Commitments (3):"
    assert lines[2].startswith("@u1000 promised “I'll send the revised quote by next Wednesday” by Wed 11 Mar")
    assert lines[2].endswith("— kept (T-1)")
    assert lines[3].startswith("Wang (contact) promised “We will confirm the budget by Monday.” by Mon 9 Mar")
    assert lines[3].endswith("— date passed, no task to confirm it")
    assert lines[4].startswith("Wang (contact) promised “I'll send the PO by next Friday” by Fri 20 Mar")
    assert lines[4].endswith("— not due yet")
    assert lines[5] == "Open tasks (0):"
    assert lines[6].startswith("Waiting on: us (@u1000) — Wang's message of Thu 12 Mar")
    assert lines[7] == "Customer's last message (Thu 12 Mar 10:00, Wang): I'll send the PO by next Friday"

    say.captured("1000", "boss", "Thanks, we'll wait for it", "m4")  # answered: now the customer owes the PO
    lines = say("1000", "summary D-1").lines
    assert lines[6] == "Waiting on: the customer (Wang) — “I'll send the PO by next Friday” by Fri 20 Mar."

    say("1000", "task call Wang about the PO D-1 due:tomorrow")  # T-2
    say.advance(days=2)  # Sat 14 Mar: T-2 overdue, which comes first
    lines = say("1000", "summary D-1").lines
    assert lines[5] == "Open tasks (1):" and lines[6].startswith("T-2 call Wang about the PO")
    assert lines[7].startswith("Waiting on: @u1000 — T-2 call Wang about the PO · D-1 · overdue since")

    zh = say("1000", "总结 D-1")  # the reader's language
    assert zh.title == "D-1 摘要 · Acme"
    assert zh.lines[0] == "阶段路径：线索 2 天 → 方案演示 4 天 → 报价 4 天（当前）"
    assert zh.lines[2].endswith("— 已兑现 (T-1)")
    assert say("1000", "summary D-1").lines == lines  # deterministic: the same records, the same summary

    say("1000", "link customer:Acme", chat="-100556")  # the customer's own group counts too
    bot = wired.bot
    with bot.writing_uow_factory() as uow:
        store_captured(uow, [ChatEvent("telegram", "-100556", "c1", user_id="2002", user_name="Li",
                                       text="Budget approved", sent_at=bot.clock.now())],
                       bot.clock.now(), bot.defaults, ())
        uow.commit()
    lines = say("1000", "summary D-1").lines
    assert lines[-1] == "Customer's last message (Sat 14 Mar 10:00, Li): Budget approved"

    say("1000", "won D-1")
    lines = say("1000", "summary D-1").lines
    assert lines[0] == "Path: Lead 2d → Demo 4d → Quote 4d → Signed"
    assert "Waiting on: nothing, the deal is closed." in lines


def test_summary_refuses_what_is_not_theirs_and_bad_input_once(wired):
    say = Chat(wired)
    _team(say)
    say("1000", "team new east")
    say("12", "hi", ok=False)
    say("1000", "member approve R-2 role:rep team:east")
    say("1000", "new Acme 50k")
    assert say("12", "summary D-1", ok=False).title == "No permission: D-1 belongs to another team."
    assert say("11", "summary D-1").title.startswith("Summary of D-1")  # a teammate reads it
    assert say("11", "summary D-9", ok=False).title == "There is no deal D-9."
    assert say("11", "summary Acme", ok=False).title.startswith("“Acme” is not a deal id")
    assert say("11", "总结", ok=False).title.startswith("缺少商机编号")


PIPELINE_WITH_PLAYBOOK = """
[[stages]]
key = "lead"
en = "Lead"
zh = "线索"
sla_days = 3

[[stages]]
key = "quote"
en = "Quote"
zh = "报价"
sla_days = 7
[stages.playbook]
talk = [{ en = "Lead with the ROI sheet", zh = "先讲投资回报表" }]
checklist = ["Discount approved"]

[[stages]]
key = "won"
en = "Signed"
zh = "签约"

[[stages]]
key = "lost"
en = "Lost"
zh = "丢单"
"""


def _use_pipeline(wired, text: str) -> None:
    from core.files.pipeline_toml import adopt_pipeline_teams, read_pipeline_file

    with wired.bot.writing_uow_factory() as uow:
        adopt_pipeline_teams(uow, read_pipeline_file(text), "sales", wired.bot.clock.now())
        uow.commit()


def test_playbooks_from_the_file_and_from_chat_versioned_and_shown_on_a_move(wired):
    say = Chat(wired)
    _team(say)
    _use_pipeline(wired, PIPELINE_WITH_PLAYBOOK)
    assert Pipeline.from_dict(DEFAULT_PIPELINE.to_dict()) == DEFAULT_PIPELINE  # no playbook: no key stored

    full = say("1000", "playbook quote")
    assert full.title == "Playbook · Quote"
    assert full.lines == ["Talking points:", "1. Lead with the ROI sheet", "Checklist:", "2. Discount approved"]
    assert say("1000", "话术 报价").lines[1] == "1. 先讲投资回报表"  # the file's lines in both languages

    say("1000", '话术 报价 异议 添加 "太贵了：先问预算范围"')
    say.advance(hours=1)
    added = say("1000", 'playbook quote add "Bring the case study"')
    assert added.title == "Added to the playbook of Quote (talking point)."
    assert added.lines[1:] == ["Talking points:", "1. Lead with the ROI sheet", "2. Bring the case study",
                               "Objection handling:", "3. 太贵了：先问预算范围", "Checklist:", "4. Discount approved"]
    assert say("1000", "playbook quote remove 1", ok=False).title == \
        "Line 1 comes from the pipeline file; change it there."
    assert say("1000", "playbook quote remove 7", ok=False).title == "Quote has no line 7: it has 4."
    assert say("11", 'playbook quote add "mine"', ok=False).title.startswith("No permission: playbooks are edited")
    say.advance(hours=1)
    say("1000", "playbook quote remove 3")

    history = say("11", "playbook quote history")  # reps read it
    assert history.lines[0] == "2 lines come from the pipeline file (changed with the file)."
    assert [line.split(" · ", 1)[1] for line in history.lines[1:]] == [
        "the pipeline file changed it: 0 → 2 lines",
        "@u1000 added (objection): 太贵了：先问预算范围",
        "@u1000 added (talking point): Bring the case study",
        "@u1000 removed (objection): 太贵了：先问预算范围"]
    with wired.engine.connect() as connection:
        rows = connection.execute(select(t.playbook_lines.c.text, t.playbook_lines.c.removed_at.is_not(None))
                                  .order_by(t.playbook_lines.c.id)).all()
        audited = connection.execute(select(func.count()).select_from(t.audit_entries)
                                     .where(t.audit_entries.c.action.like("playbook.%"))).scalar_one()
    assert [tuple(row) for row in rows] == [("太贵了：先问预算范围", True), ("Bring the case study", False)]
    assert audited == 4  # the file's playbook, two lines added and one removed in chat

    assert "Playbook for Lead:" not in say("11", "new Acme 50k").lines  # the lead stage has none
    new = say("11", "new Beta 5k stage:quote")  # a deal made in a stage enters it too
    assert new.lines[-4:-2] == ["Playbook for Quote:", "1. [talking point] Lead with the ROI sheet"]
    moved = say("11", "move D-1 quote")
    assert moved.lines[-4:] == ["Playbook for Quote:", "1. [talking point] Lead with the ROI sheet",
                                "2. [talking point] Bring the case study", "3. [checklist] Discount approved"]
    assert moved.buttons[-1].command == "playbook quote"  # [More]
    overview = say("11", "playbook")
    assert overview.lines == ["Lead: 0 talking points, 0 objections, 0 checklist, 0 templates",
                              "Quote: 2 talking points, 0 objections, 1 checklist, 0 templates"]
    assert say("1000", 'playbook won add "x"', ok=False).title.startswith("Signed is a closed stage")
    assert say("1000", "playbook quote dance", ok=False).title.startswith("After the stage: add")


def test_faq_ranks_in_both_languages_and_keeps_the_gaps(wired):
    say = Chat(wired)
    _team(say)
    say("1000", 'faq add "报价可以打折吗？" "超过 10 万可申请 5% 折扣" tags:报价,折扣')
    say("1000", 'faq add "Can we invoice monthly?" "Yes, for contracts over 50k a year." tags:billing')
    say("1000", 'faq add "合同模板在哪里" "共享盘 /合同/模板"')
    assert say("1000", 'faq add "Can we invoice monthly?" "again"', ok=False).title == \
        "F-2 already asks that question."
    assert say("11", 'faq add "q" "a"', ok=False).title.startswith("No permission: the FAQ is kept by managers")
    assert say("1000", 'faq add "only a question"', ok=False).title.startswith("Give the question and the answer")

    assert say("11", "问答 打折").title == "F-1 · 报价可以打折吗？"
    assert say("11", "faq baojia").title == "F-1 · 报价可以打折吗？"  # pinyin
    answer = say("11", "faq monthly invoices")  # English words, stemmed
    assert answer.title == "F-2 · Can we invoice monthly?"
    assert answer.lines[0] == "Yes, for contracts over 50k a year."
    assert answer.buttons[0].command == "faq unhelpful A-3"
    assert say("11", "问答 hetong muban").title == "F-3 · 合同模板在哪里"
    missed = say("11", "faq weather tomorrow")
    assert missed.title == "No good answer to “weather tomorrow” yet; the managers will see it in faq gaps."

    say("11", "faq unhelpful A-3")
    say("11", "faq weather tomorrow")
    assert say("11", "faq gaps", ok=False).title.startswith("No permission")
    gaps = say("1000", "faq gaps")
    assert gaps.title == "FAQ gaps, last 90 days (2)"
    assert gaps.lines[0].startswith("2× “weather tomorrow” — no good answer")
    assert gaps.lines[1].startswith("1× “monthly invoices” — F-2 did not help")

    say("1000", "faq remove F-1")
    assert say("11", "问答 打折").title.startswith("“打折”暂无合适的答案")
    assert say("1000", "faq remove F-1", ok=False).title == "There is no FAQ entry F-1 in your team."
    assert say("11", "faq unhelpful A-99", ok=False).title == "There is no question A-99 in your team."


def test_retros_cases_and_similar_won_deals(wired):
    say = Chat(wired)
    _team(say)
    _use_pipeline(wired, PIPELINE_WITH_PLAYBOOK)
    say("1000", 'playbook quote add "Bring the case study"')
    say("11", "new Acme 50k")
    say("1000", "customer Acme industry:energy source:expo tag:key")
    assert say("11", "retro D-1", ok=False).title == "D-1 is still open; a retro is written once it is won or lost."
    say.advance(days=3)
    say("11", "move D-1 quote")
    say.advance(days=5)
    won = say("11", "won D-1")
    assert 'Retro: why did it end so, what worked, the turning point? retro D-1 "…"' in won.lines  # beside csat's
    prompts = say("11", "retro D-1")
    assert prompts.lines[:3] == ["Why did we win or lose it?", "What worked, what did not?",
                                 "What was the turning point?"]
    say("11", 'retro D-1 "Won on the pilot; the CFO call was the turning point"')
    assert say("11", 'retro D-1 "Won on the pilot and the price"').title == \
        "Retro of D-1 replaced; it shows in cases."
    say("11", "new Beta 20k")
    say("11", "lost D-2 price")

    cases = say("11", "cases pilot")
    assert cases.title == "Cases (1) · pilot"
    assert cases.lines == [
        "D-1 · Acme · won ¥50,000 · energy, expo, key",
        "  Path (8d): Lead 3d → Quote 5d → Signed",
        "  Retro: Won on the pilot and the price",
        "  Playbook in force: Quote 3 (“Lead with the ROI sheet”…)"]
    assert say("11", "案例 行业:energy").title == "历史项目案例（1）· energy"
    assert say("11", "cases").title == "Cases (2) · —"
    lost = say("11", "cases price tag:none")
    assert lost.lines == ["No closed deal of your team matches. Try fewer words, or: cases"]
    assert say("11", "cases size:big", ok=False).title == "“size” is not an option of cases."

    assert not any("Similar" in line for line in say("11", "new Zeta 1k").lines)  # nothing alike
    say("1000", "customer Zeta industry:energy source:web")
    new = say("11", "new Zeta 40k")
    assert new.lines[-2:] == ["Similar won deals:",
                              "D-1 · Acme · ¥50,000 · won in 8d — same industry (energy), similar amount"]
    with wired.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.retros)).scalar_one() == 1


def test_cases_like_a_deal_say_why(wired):
    say = Chat(wired)
    _team(say)
    say("11", "new Acme 50k")
    say("1000", "customer Acme industry:energy source:expo")
    say("11", "won D-1")
    say("11", "new Beta 9k")
    say("11", "lost D-2 price")
    say("11", "new Acme 45k")  # D-3, open
    reply = say("11", "cases D-3")
    assert reply.title == "Closed deals like D-3 (1)"
    assert reply.lines[-1] == "  Why similar: same industry (energy), same source (expo), similar amount, same customer"
    assert say("11", "案例 D-2").title == "与 D-2 相似的已关闭商机（0）"
    assert say("11", "cases D-3 more", ok=False).title == "I don't know what to do with “more”."
