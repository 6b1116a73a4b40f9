"""Fuzzing the `dealbot` command: random subcommands and arguments (paths that are missing, are
directories or hold bad bytes, unknown teams and revisions, malformed settings and periods, and
arbitrary text) run as real processes on the test database. Whatever the arguments, no traceback
reaches stdout, stderr or the log: an error is a sentence and an exit code. Piped console input is
fuzzed the same way.

Each run is a process forked from one that has imported the bot (tests/e2e/prestarted.py): the
same command, arguments, environment and exit, without paying the imports ~50 times."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fuzzing import write_line

pytestmark = pytest.mark.slow  # starts dealbot processes

SEEN = {"runs": 0, "console_lines": 0}
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12)
VALUES = [
    "sales", "nosuch", "销售", "", "-", "--", "-x", "0", "-1", "99999999999999999999", "head", "base", "0011",
    "2026-W10", "2026-W99", "Q3", "Q5", "next month", "下个月", "2026-13", "text", "json", "USD", "XYZ",
    "currency=usd", "currency=XYZ", "quiet_hours=25:00-99:99", "working_days=", "=", "mask_contacts=maybe",
    "capture_retention_days=0", "nosuch=1", "{missing}", "{directory}", "{binary}", "{gbk}", "{csv}", "{out}",
]
SUBCOMMANDS = {
    "migrate": [], "import": [], "export": ["--team"], "export-customer": ["--team"],
    "outbox": ["--status", "--limit"], "team-settings": [], "scorecard": ["--team", "--week", "--format", "--currency"],
    "funnel": ["--team", "--period", "--format"], "forecast": ["--team", "--period", "--format", "--currency"],
    "nextsteps": ["--status", "--team"],
    "backup": [], "restore": ["--force"], "doctor": [],
    "nosuch-command": [],
}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """The paths a `{name}` value stands for."""
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "gbk.csv").write_bytes("ref,title,customer\nD-1,报价,华为\n".encode("gb18030"))
    (tmp_path / "deals.csv").write_text("ref,title,customer,amount\n,Pilot,Acme,-5k\n,x,,abc\n", encoding="utf-8")
    return {"missing": str(tmp_path / "no-such.csv"), "directory": str(tmp_path / "a-directory"),
            "binary": str(tmp_path / "binary.csv"), "gbk": str(tmp_path / "gbk.csv"),
            "csv": str(tmp_path / "deals.csv"), "out": str(tmp_path / "out" / "x.csv")}


argument = st.one_of(st.sampled_from(VALUES), TEXT)
invocation = st.sampled_from(sorted(SUBCOMMANDS)).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.lists(argument, max_size=3),
        st.lists(st.tuples(st.sampled_from(SUBCOMMANDS[name] or ["--nosuch"]), argument), max_size=2),
    ))


def no_traceback(result, log: Path, offset: int) -> int:
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text[-2000:]
    logged = log.read_text(encoding="utf-8", errors="replace")[offset:] if log.exists() else ""
    assert "Traceback" not in logged, logged[-3000:]
    return offset + len(logged)


# Seeds the search with the mistakes operators make (hypothesis also runs them first every time).
@example(call=("import", ["{directory}"], []))
@example(call=("import", ["{gbk}"], []))
@example(call=("import", ["{binary}"], []))
@example(call=("import", ["{missing}"], []))
@example(call=("export", ["{out}"], []))
@example(call=("migrate", ["nosuch"], []))
@example(call=("migrate", [""], []))
@example(call=("team-settings", ["nosuch", "currency=XYZ"], []))
@example(call=("export", ["-"], [("--team", "nosuch")]))
@example(call=("nextsteps", ["export", "{directory}"], []))
@example(call=("nextsteps", ["export", "{out}"], [("--team", "nosuch")]))
@example(call=("backup", ["{directory}"], []))
@example(call=("restore", ["{binary}"], [("--force", "")]))
@example(call=("restore", ["{missing}"], []))
@given(call=invocation)
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_no_arguments_make_a_traceback(run_dealbot_forked, files, tmp_path, call):
    name, positional, options = call
    def real(value: str) -> str:  # "{binary}" names one of the files
        return files.get(value[1:-1], value) if value[:1] == "{" and value[-1:] == "}" else value

    args = [name, *map(real, positional)]
    for option, value in options:
        args += [option, real(value)]
    log = tmp_path / "dealbot.log"
    offset = log.stat().st_size if log.exists() else 0
    SEEN["runs"] += 1
    result = run_dealbot_forked(args, timeout=120)
    no_traceback(result, log, offset)
    if result.returncode not in (0, 130):
        assert result.stderr.strip() or result.stdout.strip(), args  # an error says something


@given(lines=st.lists(st.one_of(TEXT, st.sampled_from(["new Acme 50k", "new Neg -5k", "won D-1 USD 5k", "帮组",
                                                          "task x due:next Fridya", "记录 D-1 客户来电"])),
                      min_size=1, max_size=40))
@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_no_console_input_makes_a_traceback(run_dealbot_forked, tmp_path, lines):
    log = tmp_path / "dealbot.log"
    offset = log.stat().st_size if log.exists() else 0
    SEEN["console_lines"] += len(lines)
    stdin = "".join(f"@boss {' '.join(line.splitlines())}\n" for line in lines)
    result = run_dealbot_forked(["console"], stdin=stdin, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    no_traceback(result, log, offset)


@pytest.fixture(scope="module", autouse=True)
def report_the_count(request):
    """How many runs the fuzz made, in pytest's output (the issue asks for the figure)."""
    yield
    if SEEN["runs"]:
        write_line(request, f"CLI fuzz: {SEEN['runs']} dealbot runs with random arguments, "
                            f"{SEEN['console_lines']} random console lines")
