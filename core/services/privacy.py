"""Privacy: `forget @person` (admins), the daily retention purge, a customer's data export.

`forget` erases a person's captured messages and personal details everywhere dealbot keeps
them: the messages' text (and what was derived from it: suggestions, tasks kept from them, the
DMs that offered them), the name and platform id on each message, a member's display name and
e-mail, and matching entries in customers' contact lists. The audit log records that an erase
happened and how many messages it touched, never whose or what they said.

A member is named by handle (`forget @alice`); an external contact by the name they wrote
under (`forget @Wang Wei`). When several contacts share that name the reply lists them as
`contact:<platform>:<user id>`, each a button that erases that one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.access import permissions
from core.access.audit import record
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.conversations.capture import AuthorKind
from core.conversations.privacy import ContactRef
from core.domain.model import Deal, Interaction, Member, Team
from core.domain.worktime import WorkSettings
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.ports.unit_of_work import UnitOfWork
from core.replies import cards

ERASE_ACTION = "privacy.erase"
ERASED_HANDLE = "erased"  # a forgotten member's handle: erased-<id>
CHOICES_LIMIT = 10


def forget(cmd: c.Forget, ctx: Context) -> Reply:
    if not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_forget")
    if cmd.platform is not None and cmd.user_id is not None:
        return _forget_contact(ctx, ContactRef(cmd.platform, cmd.user_id), None)
    member = ctx.uow.members.by_handle(cmd.name)
    if member is not None:
        return _forget_member(ctx, member)
    found = ctx.uow.privacy.contacts_named(None, cmd.name)  # admins: every team
    if not found:
        raise UserError("err.person_not_found", verb="forget", name=cmd.name[:60])
    if len(found) > 1:
        return _choose(ctx, cmd.name, found)
    platform, user_id, name = found[0]
    return _forget_contact(ctx, ContactRef(platform, user_id), name)


def _forget_member(ctx: Context, member: Member) -> Reply:
    """Their captured messages, names, e-mail and accounts go; the member row stays (deals,
    tasks and history point at it) under a handle that names nobody."""
    if member.id == ctx.actor.id:
        raise UserError("err.forget_self")
    said = member.ref()
    messages = ctx.uow.privacy.erase_member(member.saved_id, ctx.now)
    names = {n for n in (member.display_name, member.handle) if n}
    user_ids = {identity.user_id for identity in ctx.uow.members.identities(member.saved_id)}
    _scrub_contact_lists(ctx.uow, names, {member.email} if member.email else set(), set())
    words = names | user_ids | ({member.email} if member.email else set())
    ctx.uow.privacy.drop_identities(member.saved_id)
    member.handle, member.display_name, member.email = f"{ERASED_HANDLE}-{member.id}", "", None
    ctx.uow.privacy.redact(words)
    _audit(ctx, "member", messages)
    return Reply(title=t("forget.member_done", ctx.lang, member=said, count=messages),
                 lines=[t("forget.audit_note", ctx.lang)], language=ctx.lang)


def _forget_contact(ctx: Context, ref: ContactRef, name: str | None) -> Reply:
    messages = ctx.uow.privacy.erase_contact(ref.platform, ref.user_id, ctx.now)
    _scrub_contact_lists(ctx.uow, {name} if name else set(), set(), {ref.user_id})
    ctx.uow.privacy.redact({name, ref.user_id} if name else {ref.user_id})
    _audit(ctx, "contact", messages)
    return Reply(title=t("forget.contact_done", ctx.lang, contact=name or ref.text(), count=messages),
                 lines=[t("forget.audit_note", ctx.lang)], language=ctx.lang)


def _choose(ctx: Context, name: str, found: list[tuple[str, str, str]]) -> Reply:
    """Several contacts wrote under this name: one button each, nothing erased yet."""
    reply = Reply(title=t("forget.which", ctx.lang, name=name, count=len(found)), language=ctx.lang)
    for platform, user_id, _ in found[:CHOICES_LIMIT]:
        ref = ContactRef(platform, user_id).text()
        reply.lines.append(ref)
        reply.buttons.append(Button(ref, f"forget {ref}"))
    if len(found) > CHOICES_LIMIT:
        reply.lines.append(cards.more_line(ctx.lang, len(found) - CHOICES_LIMIT))
    return reply


def _audit(ctx: Context, kind: str, messages: int) -> None:
    # That an erase happened, by whom and when: no name, id or text of the person erased.
    record(ctx.uow, action=ERASE_ACTION, entity="privacy", at=ctx.now, actor_id=ctx.actor.id,
           source=ctx.source, after={"kind": kind, "messages": messages})


def _scrub_contact_lists(uow: UnitOfWork, names: set[str], emails: set[str], user_ids: set[str]) -> None:
    """Drop the person from customers' contact lists (entries are dicts: name, email, …)."""
    wanted_names = {n.casefold() for n in names}
    wanted_emails = {e.casefold() for e in emails}
    for customer in uow.privacy.customers_with_contacts():
        kept = [entry for entry in customer.contacts
                if not _is_them(entry, wanted_names, wanted_emails, user_ids)]
        if len(kept) != len(customer.contacts):
            customer.contacts = kept


def _is_them(entry: dict[str, Any], names: set[str], emails: set[str], user_ids: set[str]) -> bool:
    return (str(entry.get("name", "")).casefold() in names
            or str(entry.get("email", "")).casefold() in emails
            or str(entry.get("user_id", "")) in user_ids)


# -- retention -----------------------------------------------------------------------------------

def purge_expired(uow: UnitOfWork, team: Team, now: datetime) -> int:
    """Erase the team's captured text older than its retention; audited when anything went."""
    settings = WorkSettings.of(team.timezone, team.settings)
    before = now - timedelta(days=settings.capture_retention_days)
    erased = uow.privacy.purge_captured(team.saved_id, before, now)
    if erased:
        record(uow, action="privacy.purge", entity="privacy", at=now, actor_id=None, source="scheduler:",
               after={"team": team.id, "messages": erased, "before": before.isoformat()})
    return erased


# -- a data-subject request: one customer's interactions ------------------------------------------

def export_customer(uow: UnitOfWork, team: Team, name: str, now: datetime) -> dict[str, Any] | None:
    """Everything dealbot holds about one customer, as JSON-able data; None if no such customer."""
    customer = uow.customers.by_name(team.saved_id, name)
    if customer is None:
        return None
    deals = [d for d in uow.deals.find(team_id=team.id) if d.customer_id == customer.id]
    interactions = uow.privacy.customer_interactions(customer.saved_id)
    record(uow, action="privacy.export", entity="privacy", at=now, actor_id=None, source="cli:export-customer",
           after={"customer": customer.id, "interactions": len(interactions)})
    return {
        "exported_at": now.isoformat(),
        "team": team.name,
        "customer": {"name": customer.name, "aliases": list(customer.aliases), "lifecycle": customer.lifecycle,
                     "contacts": [dict(entry) for entry in customer.contacts]},
        "deals": [_deal_json(d) for d in sorted(deals, key=lambda d: d.saved_id)],
        "interactions": [_interaction_json(uow, item) for item in interactions],
        # the health board's feedback (core.health.feedback): the customer's scores and complaints
        "satisfaction": [{"deal": f"D-{s.deal_id}", "score": s.score, "comment": s.comment,
                          "recorded_at": s.recorded_at.isoformat()}
                         for d in sorted(deals, key=lambda d: d.saved_id) for s in uow.feedback.scores_of(d.saved_id)],
        "complaints": [{"complaint": x.code, "text": x.text, "logged_at": x.logged_at.isoformat(),
                        "resolved_at": x.resolved_at.isoformat() if x.resolved_at else None,
                        "resolution": x.resolution}
                       for x in reversed(uow.feedback.complaints(team.saved_id, open_only=False))
                       if x.customer_id == customer.id],
    }


def _deal_json(deal: Deal) -> dict[str, Any]:
    return {"deal": deal.code, "title": deal.title, "stage": deal.stage, "status": str(deal.status),
            "created_at": deal.created_at.isoformat()}


def _interaction_json(uow: UnitOfWork, item: Interaction) -> dict[str, Any]:
    author = None
    if item.author_id is not None and (member := uow.members.get(item.author_id)):
        author = member.ref()
    return {
        "at": item.occurred_at.isoformat(),
        "kind": item.kind,
        "deal": f"D-{item.deal_id}" if item.deal_id else None,
        "platform": item.platform or None,
        "chat": item.chat_id or None,
        "author": author or item.author_name,
        "author_kind": item.author_kind if item.author_kind else str(AuthorKind.MEMBER),
        "text": item.text,
        "edited_at": item.edited_at.isoformat() if item.edited_at else None,
    }
