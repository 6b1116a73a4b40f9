"""Reading what people type (issue 15 §2), through the real wiring on the test database (SQLite,
or PostgreSQL in that run): what is stored, what is refused without a change, and figures that
never add one currency to another."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.outbox_cli import team_settings
from core.chat.messages import Incoming
from core.services.analytics import digest_extras
from storage.db import row_counts

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Chat:
    """boss is an admin by DEALBOT_ADMINS (the `wired` fixture)."""

    def __init__(self, wired):
        self.wired, self.n = wired, 0

    def say(self, text: str, user: str = "boss"):
        self.n += 1
        return self.wired.bot.handle(Incoming(platform="console", user_id=user, user_name=user, text=text,
                                              message_id=str(self.n)))

    def deal(self, deal_id: int):
        with self.wired.uow() as uow:
            return uow.deals.get(deal_id)

    def customer_of(self, deal_id: int) -> str:
        with self.wired.uow() as uow:
            return uow.customers.get(uow.deals.get(deal_id).customer_id).name


@pytest.fixture
def chat(wired):
    return Chat(wired)


def test_amounts_keep_their_currency_and_names_are_stored_as_typed(chat):
    typed = [
        ("new Acme USD 5000", "Acme", Decimal("5000.00"), "USD"),
        ("new Yahoo! 5000 USD", "Yahoo!", Decimal("5000.00"), "USD"),
        ("new E*TRADE 5k EUR", "E*TRADE", Decimal("5000.00"), "EUR"),
        ("新建 Café #1 RMB 5万", "Café #1", Decimal("50000.00"), "CNY"),
        ("new Acme; Inc $3.5k", "Acme; Inc", Decimal("3500.00"), "USD"),
        ('new """Quoted"" Name" 1.2m', '"Quoted" Name', Decimal("1200000.00"), "CNY"),
        ("new Acme'); DROP TABLE deals;-- 1k", "Acme'); DROP TABLE deals;--", Decimal("1000.00"), "CNY"),
    ]
    for deal_id, (text, customer, amount, currency) in enumerate(typed, start=1):
        assert not chat.say(text).is_error, text
        deal = chat.deal(deal_id)
        assert (chat.customer_of(deal_id), deal.amount, deal.currency) == (customer, amount, currency)
    assert "$5,000" in chat.say("show D-1").text()


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("new Neg -5k", "more than 0", "大于 0"),
        ("new Acme $5k EUR", "currency", "币种"),
        ("new Acme 1.2.3k", "not an amount", "不是有效金额"),
        ("new Acme\u2060Corp", "control or formatting", "控制字符"),
        ("new Acme close:next Fridya", "“Fridya”", "“Fridya”"),
        ("task call Acme due:in 3 dayz", "“dayz”", "“dayz”"),
    ],
)
def test_what_cannot_be_read_changes_nothing_and_says_so_in_each_language(chat, wired, text, en, zh):
    chat.say("new Acme 50k")
    before = row_counts(wired.engine)
    reply = chat.say(text)
    assert reply.is_error and en in reply.title
    chat.say("me lang zh")
    before = row_counts(wired.engine)
    reply = chat.say(text)
    assert reply.is_error and zh in reply.title
    assert row_counts(wired.engine) == before


def test_dates_without_quotes_are_stored_whole(chat):
    chat.say("new Acme close:end of quarter")
    chat.say("new Beta close:March 50k")
    chat.say("新建 华为 预计成交:下月底 5万")
    chat.say("task call Acme due:next Friday 3pm D-1")
    assert chat.deal(1).expected_close == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    beta = chat.deal(2)
    assert (beta.expected_close, beta.amount) == (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), Decimal("50000.00"))
    assert chat.deal(3).expected_close == datetime(2026, 4, 30, 9, 0, tzinfo=UTC)
    with chat.wired.uow() as uow:
        task = uow.tasks.get(1)
    assert (task.title, task.deal_id) == ("call Acme", 1)
    assert task.due_at.astimezone(SHANGHAI) == datetime(2026, 3, 13, 15, 0, tzinfo=SHANGHAI)


def test_a_date_outside_this_year_shows_its_year(chat):
    chat.say("new Acme close:2027-01-15")
    assert "15 Jan 2027" in chat.say("show D-1").text()
    chat.say("me lang zh")
    assert "2027年1月15日" in chat.say("查看 D-1").text()
    chat.say("new Beta close:2026-06-30")
    card = chat.say("查看 D-2").text()
    assert "6月30日" in card and "2026年" not in card


def test_jilu_with_a_deal_logs_a_follow_up(chat, wired):
    chat.say("new Acme 50k")
    reply = chat.say("记录 D-1 客户来电")
    assert not reply.is_error
    with wired.uow() as uow:
        texts = [i.text for i in uow.interactions.for_deal(1)]
    assert "客户来电" in texts


def test_verb_suggestions_reach_the_user_in_their_language(chat):
    assert "帮助" in chat.say("帮组").text()
    reply = chat.say("wn D-1")
    assert "“won”" in reply.text() and "Signed" not in reply.text()


# -- the team's currency and figures per currency -----------------------------------------------------

def settings_of(wired, *changes: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = team_settings(wired, "sales", list(changes), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_team_has_its_own_currency(chat, wired):
    chat.say("me")  # the team exists once someone has spoken
    code, out, _ = settings_of(wired, "currency=usd")
    assert code == 0 and "currency = USD" in out
    chat.say("new Acme 5000")
    chat.say("new Beta ¥8000")
    assert (chat.deal(1).currency, chat.deal(2).currency) == ("USD", "CNY")
    code, _, err = settings_of(wired, "currency=dollars")
    assert code == 2 and "'dollars' is not a currency" in err and "Traceback" not in err


def test_figures_keep_each_currency_apart(chat, wired):
    chat.say("new Acme 48k close:2026-03-20")
    chat.say("new Beta USD 5000 close:2026-03-20")
    chat.say("new Gamma EUR 700 close:2026-03-25")
    chat.say("new Delta 30k close:2026-03-25")
    chat.say("won D-1")
    chat.say("won D-2")
    scorecard = chat.say("scorecard this week").text()
    assert "¥48,000" in scorecard and "$5,000" in scorecard
    assert "¥48,000 + $5,000" in scorecard  # the rep's line: each currency shown, never added
    assert "53,000" not in scorecard and "¥53" not in scorecard
    forecast = chat.say("forecast").text()
    assert "from 1 open deals worth ¥30,000" in forecast
    assert "from 1 open deals worth €700" in forecast
    assert "Already won in the period: ¥48,000 + $5,000" in forecast
    with wired.uow() as uow:
        team = uow.teams.by_name("sales")
        now = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
        figures = uow.reminders.figures(team.id, now - timedelta(days=7), now + timedelta(hours=1), {})
    assert figures.won_amount == {"CNY": Decimal("48000.00"), "USD": Decimal("5000.00")}
    assert figures.open_amount == {"CNY": Decimal("30000.00"), "EUR": Decimal("700.00")}
    with wired.uow() as uow:  # the weekly digest's forecast lines
        lines, _ = digest_extras()(uow, team, now - timedelta(days=2), now + timedelta(days=1), "en")
    digest = "\n".join(lines)
    assert "worth ¥30,000" in digest and "worth €700" in digest
    assert "Already won in the period: ¥48,000 + $5,000" in digest


def test_the_forecast_reports_in_the_teams_currency(chat, wired):
    chat.say("me")
    settings_of(wired, "currency=USD")
    chat.say("new Acme 5000 close:2026-03-20")
    chat.say("new Beta ¥48k close:2026-03-20")
    forecast = chat.say("forecast").text()
    lines = [line for line in forecast.splitlines() if "open deals worth" in line]
    assert len(lines) == 2 and "$5,000" in lines[0] and "¥48,000" in lines[1]
