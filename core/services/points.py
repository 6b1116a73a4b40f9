"""`points`, `leaderboard` (积分, 排行榜): what members earned for keeping the pipeline true.

The figures are computed from the audit trail (core.performance.points, read through
core.performance.standings), so an undone change loses its points by itself; a team's changed
rules count from the moment they change, and points already earned keep the rule in force then. A rep sees their own points and the
team's leaderboard; a manager any member of the team; an admin anyone. Managers (admins: any
team) award points with a reason and set their team's rules; each is audited.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.access import audit, permissions
from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Member, Role, Team
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.language.periods import week_of
from core.performance import points as pt
from core.performance.standings import board, team_events
from core.replies.points import board_lines
from core.services.analytics import _team


def _today(team: Team, ctx: Context) -> date:
    return ctx.now.astimezone(ZoneInfo(team.timezone)).date()


def _handle(ctx: Context, member_id: int, names: dict[int, str] | None = None) -> str:
    if names is not None and member_id in names:
        return names[member_id]
    member = ctx.uow.members.get(member_id)
    return f"@{member.handle}" if member else "?"


def rule_name(rule: str, lang: str) -> str:
    return t(f"points.rule.{rule}", lang)


# -- points ------------------------------------------------------------------------------------------

def show_points(cmd: c.ShowPoints, ctx: Context) -> Reply:
    member = _subject(ctx, cmd.handle)
    team = ctx.uow.teams.get(member.team_id)
    assert team is not None
    rules = ctx.uow.points.rules(team.saved_id)
    if not rules.enabled:
        return Reply(title=t("points.off_now", ctx.lang, team=team.name), language=ctx.lang)
    period = cmd.period or week_of(_today(team, ctx))
    start, end = period.bounds(team.timezone)
    found = team_events(ctx.uow, team, [member], start, end, rules)
    total = sum(e.points for e in found if e.member_id == member.saved_id)
    reply = Reply(title=t("points.title", ctx.lang, who=f"@{member.handle}", period=period.label, points=total),
                  language=ctx.lang)
    for rule, (times, points) in pt.by_rule(found, member.saved_id).items():
        if rule == pt.AWARD:
            continue
        reply.lines.append(t("points.line", ctx.lang, rule=rule_name(rule, ctx.lang), times=times, points=points))
    for event in found:
        if event.rule == pt.AWARD and event.member_id == member.saved_id:
            reply.lines.append(t("points.award_line", ctx.lang, points=f"{event.points:+d}", reason=event.reason,
                                 when=event.at.astimezone(ZoneInfo(team.timezone)).strftime("%m-%d")))
    if not found:
        reply.lines.append(t("points.nothing", ctx.lang))
    reply.buttons = [Button(t("button.leaderboard", ctx.lang), f'leaderboard team:"{team.name}" {period.label}')]
    return reply


def _subject(ctx: Context, handle: str | None) -> Member:
    """Whose points: the asker's, or (managers: their team's; admins: anyone's) the one named."""
    if handle is None or handle == ctx.actor.handle:
        return ctx.actor
    member = ctx.uow.members.by_handle(handle)
    if member is None or not member.is_active:
        raise UserError("err.member_not_found", handle=handle)
    if permissions.is_admin(ctx.actor):
        return member
    if ctx.actor.role == Role.REP:
        raise UserError("err.forbidden_points", handle=handle)
    if member.team_id != ctx.actor.team_id:
        raise UserError("err.points_other_team", handle=handle)
    return member


def show_point_rules(cmd: c.ShowPointRules, ctx: Context) -> Reply:
    rules = ctx.uow.points.rules(ctx.team.saved_id)
    reply = Reply(title=t("points.rules_title", ctx.lang, team=ctx.team.name), language=ctx.lang)
    if not rules.enabled:
        reply.lines.append(t("points.off_now", ctx.lang, team=ctx.team.name))
    for key in pt.RULES:
        rule = rules.rule(key)
        reply.lines.append(t("points.rule_line", ctx.lang, rule=rule_name(key, ctx.lang), points=rule.points,
                             cap=rule.cap))
    reply.lines.append(t("points.rules_hint", ctx.lang))
    return reply


def _manage(ctx: Context, team: Team) -> None:
    if ctx.actor.role == Role.REP:
        raise UserError("err.forbidden_points_manage")
    if team.id != ctx.actor.team_id and not permissions.is_admin(ctx.actor):
        raise UserError("err.forbidden_points_manage")


def award_points(cmd: c.AwardPoints, ctx: Context) -> Reply:
    if ctx.actor.role == Role.REP:
        raise UserError("err.forbidden_points_manage")
    member = ctx.uow.members.by_handle(cmd.handle)
    if member is None or not member.is_active:
        raise UserError("err.member_not_found", handle=cmd.handle)
    if not member.is_person:
        raise UserError("err.integration", member=member.ref())
    team = ctx.uow.teams.get(member.team_id)
    assert team is not None
    if team.id != ctx.actor.team_id and not permissions.is_admin(ctx.actor):
        raise UserError("err.points_award_other_team", handle=cmd.handle)
    if member.id == ctx.actor.id:
        raise UserError("err.points_self")
    if not ctx.uow.points.rules(team.saved_id).enabled:
        raise UserError("points.off_now", team=team.name)
    audit.record(ctx.uow, action=pt.AWARD_ACTION, entity=f"member:{member.saved_id}", at=ctx.now,
                 actor_id=ctx.actor.id, source=ctx.source,
                 after={"member_id": member.saved_id, "points": cmd.points, "reason": cmd.reason})
    return Reply(title=t("points.awarded", ctx.lang, points=f"{cmd.points:+d}", who=f"@{member.handle}",
                         reason=cmd.reason), language=ctx.lang,
                 buttons=[Button(t("button.points", ctx.lang), f"points @{member.handle}")])


def set_point_rule(cmd: c.SetPointRule, ctx: Context) -> Reply:
    team = ctx.team
    _manage(ctx, team)
    old = ctx.uow.points.rules(team.saved_id)
    new = old.with_rule(cmd.rule, cmd.points, cmd.cap)
    _save(ctx, team, old, new)
    rule = new.rule(cmd.rule)
    if not rule.points:
        return Reply(title=t("points.rule_off", ctx.lang, team=team.name, rule=rule_name(cmd.rule, ctx.lang)),
                     language=ctx.lang)
    return Reply(title=t("points.rule_set", ctx.lang, team=team.name, rule=rule_name(cmd.rule, ctx.lang),
                         points=rule.points, cap=rule.cap), language=ctx.lang)


def switch_points(cmd: c.SwitchPoints, ctx: Context) -> Reply:
    team = ctx.team
    _manage(ctx, team)
    old = ctx.uow.points.rules(team.saved_id)
    new = pt.PointRules(enabled=cmd.on, rules=old.rules)
    if old.enabled != new.enabled:
        _save(ctx, team, old, new)
    return Reply(title=t("points.on" if cmd.on else "points.off", ctx.lang, team=team.name), language=ctx.lang)


def _save(ctx: Context, team: Team, old: pt.PointRules, new: pt.PointRules) -> None:
    ctx.uow.points.put_rules(team.saved_id, new)
    before, after = audit.changed_fields(old.to_dict(), new.to_dict())
    audit.record(ctx.uow, action=pt.RULES_ACTION, entity=f"team:{team.saved_id}", at=ctx.now,
                 actor_id=ctx.actor.id, source=ctx.source, before=before, after=after)


# -- leaderboard -------------------------------------------------------------------------------------

def show_leaderboard(cmd: c.ShowLeaderboard, ctx: Context) -> Reply:
    team = _team(ctx, cmd.team, "leaderboard")
    period = cmd.period or week_of(_today(team, ctx))
    result = board(ctx.uow, team, period)
    reply = Reply(title=t("points.board_title", ctx.lang, team=team.name, period=period.label), language=ctx.lang)
    if not result.rules.enabled:
        reply.lines = [t("points.off_now", ctx.lang, team=team.name)]
        return reply
    names = {m.saved_id: f"@{m.handle}" for m in ctx.uow.members.in_team(team.saved_id)}
    reply.lines = board_lines(result, names, ctx.lang, top=None)
    if ctx.actor.team_id == team.id:
        reply.buttons = [Button(t("button.my_points", ctx.lang), f"points {period.label}")]
    return reply
