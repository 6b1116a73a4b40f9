"""`review` (过单): a manager walks the team's open deals one card at a time and calls each one.

The walk keeps no state: the deals are in one order (the largest amount first, then the oldest
id), and each answer's reply shows the deal after the one answered. `review closing` walks only
the deals expected to close this month (the team's calendar). An answer is a forecast call
(core.performance.forecast_calls), kept with the deal's history (a `deal.forecast` audit entry
and a `forecast_calls` row), and a task for the deal's owner in their language; a slip moves the
expected close date too. Pressing the same answer again changes nothing (a double tap is one
call). `forecast` adds the categories' totals against the target (`forecast_lines`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.access import audit, permissions
from core.access.audit import task_snapshot
from core.analytics.reports import Forecast
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.amounts import format_money
from core.domain.model import Deal, DealStatus, Role, Task, Team
from core.domain.pipeline import Pipeline, pipeline_of
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.language.periods import Period, month_of
from core.performance import forecast_calls as fc
from core.performance.forecast_calls import ForecastCall
from core.replies import cards
from core.services.analytics import _team
from core.services.deals import load_deal

OPEN_DEALS = 100_000
TASK_DAYS = {fc.COMMIT: 0, fc.BEST_CASE: 2, fc.PIPELINE: 7, fc.LOST: 1, fc.SLIP: 2}
SLIP_DAYS = 30  # the [Slip] button's new date: a month after the close date (or today)


def _manager(ctx: Context) -> None:
    if ctx.actor.role == Role.REP:
        raise UserError("err.forbidden_review")


def _in_team(ctx: Context, team: Team) -> Context:
    """The context on the reviewed team's pipeline (an admin may review another team)."""
    if team.id == ctx.team.id:
        return ctx
    return replace(ctx, team=team, pipeline=pipeline_of(team.pipeline))


def _order(deal: Deal) -> tuple[Decimal, int]:
    return -(deal.amount or Decimal(0)), deal.saved_id


def _queue(ctx: Context, team: Team, closing: bool) -> list[Deal]:
    deals = [d for d in ctx.uow.deals.find(team_id=team.saved_id, status=DealStatus.OPEN)]
    if closing:
        start, end = month_of(ctx.now.astimezone(ZoneInfo(team.timezone)).date()).bounds(team.timezone)
        deals = [d for d in deals if d.expected_close is not None and start <= d.expected_close < end]
    return sorted(deals, key=_order)


def start_review(cmd: c.StartReview, ctx: Context) -> Reply:
    _manager(ctx)
    team = _team(ctx, cmd.team, "review")
    ctx = _in_team(ctx, team)
    deals = _queue(ctx, team, cmd.closing)
    if not deals:
        return Reply(title=t("review.empty_closing" if cmd.closing else "review.empty", ctx.lang, team=team.name),
                     language=ctx.lang)
    reply = Reply(title=t("review.title", ctx.lang, team=team.name, count=len(deals)), language=ctx.lang)
    _card(ctx, reply, deals[0], 1, len(deals), cmd.closing)
    return reply


def call_deal(cmd: c.CallDeal, ctx: Context) -> Reply:
    _manager(ctx)
    found = ctx.uow.deals.get(cmd.deal_id)
    if found is None:
        raise UserError("err.review_not_found", ref=f"D-{cmd.deal_id}")
    team = ctx.uow.teams.get(found.team_id)
    assert team is not None
    if not is_reviewer(ctx, team):
        raise UserError("err.review_other_team", deal=found.code)
    deal = load_deal(ctx, cmd.deal_id, change=True)
    ctx = _in_team(ctx, team)
    if not deal.is_open:
        raise UserError("err.review_closed", deal=deal.code)
    position = _order(deal)
    if cmd.answer == fc.SKIP:
        reply = Reply(title=t("review.skipped", ctx.lang, deal=deal.code), language=ctx.lang)
    else:
        reply = _answer(cmd, ctx, deal)
    rest = _queue(ctx, team, cmd.closing)
    following = [d for d in rest if _order(d) > position]
    if following:
        _card(ctx, reply, following[0], len(rest) - len(following) + 1, len(rest), cmd.closing)
    else:
        reply.lines.append(_done(ctx, team, rest))
        reply.buttons = [Button(t("button.forecast", ctx.lang), f'forecast team:"{team.name}"')]
    return reply


def _done(ctx: Context, team: Team, queue: list[Deal]) -> str:
    """The walk's end: "every deal called" only when each deal of the walk has a call (the card's
    "not called yet" otherwise); deals answered out of order or skipped are named."""
    latest = ctx.uow.forecast_calls.latest([d.saved_id for d in queue])
    missing = [d.code for d in queue if d.saved_id not in latest]
    if not missing:
        return t("review.done", ctx.lang, team=team.name)
    return t("review.done_missing", ctx.lang, team=team.name, deals=", ".join(missing))


def _answer(cmd: c.CallDeal, ctx: Context, deal: Deal) -> Reply:
    category = fc.PIPELINE if cmd.answer == fc.SLIP else cmd.answer
    latest = ctx.uow.forecast_calls.latest([deal.saved_id]).get(deal.saved_id)
    if cmd.answer != fc.SLIP and latest is not None and latest.category == category:
        return Reply(title=t("review.already", ctx.lang, deal=deal.code, category=category_name(category, ctx.lang)),
                     language=ctx.lang)
    if cmd.answer == fc.SLIP and cmd.close == deal.expected_close:  # a double tap of [Slip]
        return Reply(title=t("review.already_slipped", ctx.lang, deal=deal.code,
                             when=cards.when(ctx, deal.expected_close, has_time=False)), language=ctx.lang)
    before = deal.expected_close
    if cmd.answer == fc.SLIP:
        assert cmd.close is not None
        if cmd.close <= ctx.now:
            raise UserError("err.review_slip_past", deal=deal.code)
        deal.expected_close = cmd.close
    call = ctx.uow.forecast_calls.add(ForecastCall(deal_id=deal.saved_id, team_id=deal.team_id, category=category,
                                            called_by=ctx.actor.id, called_at=ctx.now, close_before=before,
                                            close_after=deal.expected_close))
    change: dict[str, object] = {"category": category, "call": call.id}
    was: dict[str, object] = {"category": latest.category if latest else None}
    if cmd.answer == fc.SLIP:
        was["expected_close"], change["expected_close"] = _iso(before), _iso(deal.expected_close)
    audit.record(ctx.uow, action="deal.forecast", entity=deal.code, at=ctx.now, actor_id=ctx.actor.id,
                 source=ctx.source, before=was, after=change)
    task = _owner_task(ctx, deal, cmd.answer)
    owner = cards.member_name(ctx, deal.owner_id)
    if cmd.answer == fc.SLIP:
        title = t("review.slipped", ctx.lang, deal=deal.code, category=category_name(category, ctx.lang),
                  when=cards.when(ctx, deal.expected_close, has_time=False))
    else:
        title = t("review.called", ctx.lang, deal=deal.code, category=category_name(category, ctx.lang))
    reply = Reply(title=title, language=ctx.lang)
    reply.lines.append(t("review.task", ctx.lang, task=task.code, owner=owner, title=task.title))
    return reply


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _owner_task(ctx: Context, deal: Deal, answer: str) -> Task:
    owner = ctx.uow.members.get(deal.owner_id)
    team = ctx.team
    lang = (owner.language if owner and owner.language else team.language) or "en"
    customer = ctx.uow.customers.get(deal.customer_id)
    name = customer.name if customer else deal.title
    due = ctx.now + timedelta(days=TASK_DAYS[answer] or 2)
    if answer == fc.COMMIT and deal.expected_close is not None and deal.expected_close > ctx.now:
        due = deal.expected_close
    close = deal.expected_close.astimezone(ZoneInfo(team.timezone)).strftime("%Y-%m-%d") if deal.expected_close else "—"
    title = t(f"review.task_{answer}", lang, deal=deal.code, customer=name, close=close)[:200]
    task = ctx.uow.tasks.add(Task(title=title, assignee_id=deal.owner_id, team_id=deal.team_id, created_at=ctx.now,
                                  due_at=due, deal_id=deal.id))
    audit.record(ctx.uow, action="task.create", entity=task.code, at=ctx.now, actor_id=ctx.actor.id,
                 source=ctx.source, after={**task_snapshot(task), "review": answer})
    return task


def category_name(category: str | None, lang: str) -> str:
    return t(f"review.category.{category or 'none'}", lang)


def _card(ctx: Context, reply: Reply, deal: Deal, n: int, count: int, closing: bool) -> None:
    customer = ctx.uow.customers.get(deal.customer_id)
    latest = ctx.uow.forecast_calls.latest([deal.saved_id]).get(deal.saved_id)
    reply.lines.append(t("review.card", ctx.lang, n=n, count=count))
    reply.lines.append(cards.deal_line(ctx, deal, customer.name if customer else "—"))
    reply.lines.append(t("review.card_close", ctx.lang, when=cards.when(ctx, deal.expected_close, has_time=False),
                         category=category_name(latest.category if latest else None, ctx.lang)))
    reply.buttons = review_buttons(ctx, deal, closing)


def review_buttons(ctx: Context, deal: Deal, closing: bool) -> list[Button]:
    tail = " closing" if closing else ""
    code, lang = deal.code, ctx.lang
    base = deal.expected_close if deal.expected_close and deal.expected_close > ctx.now else ctx.now
    slip = (base + timedelta(days=SLIP_DAYS)).astimezone(ZoneInfo(ctx.team.timezone)).date()
    return [
        Button(t("button.review_commit", lang), f"review {code} commit{tail}"),
        Button(t("button.review_best", lang), f"review {code} best{tail}"),
        Button(t("button.review_pipeline", lang), f"review {code} pipeline{tail}"),
        Button(t("button.review_slip", lang, date=f"{slip:%m-%d}"), f"review {code} slip {slip.isoformat()}{tail}"),
        Button(t("button.review_lost", lang), f"review {code} lost{tail}"),
        Button(t("button.review_skip", lang), f"review {code} skip{tail}"),
    ]


# -- forecast: the categories against the target -------------------------------------------------------

def forecast_lines(ctx: Context, team: Team, pipeline: Pipeline, period: Period, report: Forecast) -> list[str]:
    """Commit, best case and the weighted pipeline of the period, with what is won, against the
    team's won-amount target in force (in the forecast's currency)."""
    lang, currency = ctx.lang, report.currency
    start, end = period.bounds(team.timezone)
    deals = ctx.uow.analytics.open_deals(team.saved_id, start, end, OPEN_DEALS)
    calls = ctx.uow.forecast_calls.latest([d.deal_id for d in deals]) if deals else {}
    totals = fc.category_totals(((d.deal_id, d.amount, d.currency) for d in deals), calls, currency)

    def money(amount: Decimal) -> str:
        return format_money(amount.quantize(Decimal(1)), currency, lang)

    lines = [t("forecast.categories", lang, commit=money(totals.commit), best=money(totals.best_case),
               weighted=money(report.expected), won=money(report.won_amount))]
    target = next((x for x in ctx.uow.targets.of_team(team.saved_id, period.start)
                   if x.member_id is None and x.metric == "won_amount" and x.currency == currency
                   and x.period_kind == period.kind), None)
    if target is not None and target.value:
        def share(amount: Decimal) -> str:
            return f"{float((report.won_amount + amount) / target.value):.0%}"

        lines.append(t("forecast.against_target", lang, target=money(target.value), commit=share(totals.commit),
                       best=share(totals.best_case), weighted=share(report.expected)))
    if totals.uncalled:
        lines.append(t("forecast.uncalled", lang, count=totals.uncalled))
    return lines


def is_reviewer(ctx: Context, team: Team) -> bool:
    return ctx.actor.role != Role.REP and (team.id == ctx.actor.team_id or permissions.is_admin(ctx.actor))
