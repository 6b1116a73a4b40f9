"""`summary D-12` (总结): a deal in a few lines, in the reader's language, from what is stored.

The stage path with the days in each stage, the commitments found in its follow-ups and captured
chats, those linked to the deal and to its customer (core.knowledge.summary: who promised what by when, and whether it was kept), its open
tasks, what it is waiting on and from whom, and the customer's last message. The same records
give the same summary: nothing is generated, nothing leaves the database.
"""

from __future__ import annotations

from core.chat.context import Context
from core.chat.messages import Button, Field, Reply
from core.domain.model import Deal, Task
from core.knowledge import summary as sm
from core.language import commands as c
from core.language.i18n import t
from core.replies import cards
from core.services.deals import load_deal

HISTORY = 500  # follow-ups and captured messages read (newest); a summary of more says so
SHOWN = 5  # commitments and open tasks listed


def show_summary(cmd: c.ShowSummary, ctx: Context) -> Reply:
    deal = load_deal(ctx, cmd.deal_id, change=False)
    lang = ctx.lang
    customer = ctx.uow.customers.get(deal.customer_id)
    reply = Reply(title=t("summary.title", lang, deal=deal.code, name=cards.deal_name(deal, customer)),
                  language=lang)
    reply.fields = [Field(t("field.stage", lang), cards.stage_status(ctx, deal)),
                    Field(t("field.amount", lang), cards.money(ctx, deal)),
                    Field(t("field.owner", lang), cards.member_name(ctx, deal.owner_id))]
    path = sm.stage_path(ctx.uow.stage_changes.for_deal(deal.saved_id), ctx.now,
                         None if deal.is_open else deal.closed_at)
    if path:
        reply.lines.append(t("summary.path", lang, path=" → ".join(_stay(ctx, stay) for stay in path)))
    items = list(ctx.uow.interactions.for_deal(deal.saved_id, limit=HISTORY))
    customer_chats = list(ctx.uow.knowledge.customer_messages(deal.customer_id, HISTORY))  # chats linked to it
    tasks = list(ctx.uow.tasks.find(deal_id=deal.saved_id, open_only=False))
    team = ctx.uow.teams.get(deal.team_id) or ctx.team
    promises = sm.commitments(items + customer_chats, tasks, ctx.now, team.timezone)  # as said in the team's zone
    if promises:
        reply.lines.append(t("summary.commitments", lang, count=len(promises)))
        reply.lines += [_promise(ctx, promise) for promise in promises[-SHOWN:]]  # the latest
        if len(promises) > SHOWN:
            reply.lines.append(cards.more_line(lang, len(promises) - SHOWN))
    else:
        reply.lines.append(t("summary.no_commitments", lang))
    still_open = [task for task in tasks if task.done_at is None]
    still_open.sort(key=lambda task: (task.due_at is None, task.due_at or ctx.now, task.id or 0))
    reply.lines.append(t("card.open_tasks", lang, count=len(still_open)))
    reply.lines += [cards.task_line(ctx, task) for task in still_open[:SHOWN]]
    if len(still_open) > SHOWN:
        reply.lines.append(cards.more_line(lang, len(still_open) - SHOWN, f"tasks {deal.code}"))
    reply.lines.append(_waiting_on(ctx, deal, still_open, promises))
    last = sm.last_customer_message(items + customer_chats)
    if last is not None:
        reply.lines.append(t("summary.last_customer", lang, when=cards.when(ctx, last.occurred_at),
                             author=last.author_name or "?", text=cards.preview(last.text)))
    else:
        reply.lines.append(t("summary.no_customer_message", lang))
    if HISTORY in (len(items), len(customer_chats)):
        reply.lines.append(t("summary.older_left_out", lang, count=HISTORY))
    reply.buttons = [Button(t("button.show", lang, deal=deal.code), f"show {deal.code}"),
                     Button(t("button.tasks", lang), f"tasks {deal.code}")]
    return reply


def _stay(ctx: Context, stay: sm.StageStay) -> str:
    if stay.stage not in ctx.pipeline.keys:  # a stage the team's pipeline has since dropped
        return t("summary.stay", ctx.lang, stage=stay.stage, days=stay.days)
    stage = ctx.pipeline.get(stay.stage)
    name = stage.name(ctx.lang)
    if stage.is_closed:
        return name
    key = "summary.stay_now" if stay.current else "summary.stay"
    return t(key, ctx.lang, stage=name, days=stay.days)


def _who(ctx: Context, promise: sm.Commitment) -> str:
    if promise.contact is not None:
        return t("chat.contact", ctx.lang, name=promise.contact)
    return cards.member_name(ctx, promise.member_id)


def _promise(ctx: Context, promise: sm.Commitment) -> str:
    status = t(f"summary.status.{promise.status}", ctx.lang)
    if promise.task_id is not None:
        status = f"{status} (T-{promise.task_id})"
    return t("summary.promise", ctx.lang, who=_who(ctx, promise), what=cards.preview(promise.what),
             when=cards.when(ctx, promise.due, promise.has_time), status=status)


def _waiting_on(ctx: Context, deal: Deal, still_open: list[Task], promises: list[sm.Commitment]) -> str:
    """What the deal waits on, and from whom: an unanswered customer message (us), an overdue
    task (its assignee), a promise the customer has not met yet (them), the next task, or nothing."""
    lang = ctx.lang
    if not deal.is_open:
        return t("summary.waiting_closed", lang)
    wait = ctx.uow.conversations.unanswered(deal.saved_id, deal.customer_id)
    if wait is not None:
        return t("summary.waiting_reply", lang, who=cards.member_name(ctx, deal.owner_id),
                 author=wait.author_name or "?", when=cards.when(ctx, wait.asked_at))
    overdue = [task for task in still_open if task.is_overdue(ctx.now)]
    if overdue:
        return _waiting_task(ctx, overdue[0])
    theirs = [p for p in promises if not p.ours and p.status == sm.DUE]
    if theirs:
        promise = theirs[0]
        return t("summary.waiting_customer", lang, who=promise.contact, what=cards.preview(promise.what),
                 when=cards.when(ctx, promise.due, promise.has_time))
    if still_open:
        return _waiting_task(ctx, still_open[0])
    return t("summary.waiting_nothing", lang, deal=deal.code)


def _waiting_task(ctx: Context, task: Task) -> str:
    return t("summary.waiting_task", ctx.lang, who=cards.member_name(ctx, task.assignee_id),
             task=cards.task_line(ctx, task))

