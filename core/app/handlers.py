"""The handler of every command: the use case (core.services) that carries it out.

A verb is declared once, in core.language.verbs, with the commands it reads to; this table binds
each of those commands to its handler. The language may not import the use cases (the
import-linter contracts in pyproject.toml), so the binding lives here, where both are in reach,
and `bound` checks at import time that the two agree: every command a verb reads to has a
handler, and every handler's command is read by some verb.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from core.chat.context import Context
from core.chat.messages import Reply
from core.language import commands as c
from core.language.verbs import VERBS, Verb
from core.services import (
    access,
    analytics,
    approvals,
    cases,
    chats,
    contacts,
    customers,
    daily_updates,
    deal_lists,
    deals,
    digests,
    faq,
    feedback,
    health,
    help,
    leads,
    linking,
    membership,
    merging,
    notify,
    onboarding,
    people,
    playbooks,
    points,
    privacy,
    review,
    search,
    snooze,
    suggestions,
    summary,
    targets,
    tasks,
    undo,
    upkeep,
)

Handler = Callable[[c.Command, Context], Reply]


def bound(verbs: Iterable[Verb], handlers: Mapping[type[c.Command], Callable[..., Reply]]
          ) -> dict[type[c.Command], Handler]:
    """`handlers`, once it is known to handle exactly the commands the verbs read to."""
    declared = {command for verb in verbs for command in verb.commands}
    missing = sorted(command.__name__ for command in declared - handlers.keys())
    unread = sorted(command.__name__ for command in handlers.keys() - declared)
    if missing or unread:
        raise RuntimeError(f"core.app.handlers: no handler for {missing or 'none'}; "
                           f"handled but no verb reads to {unread or 'none'}")
    return dict(handlers)


HANDLERS = bound(VERBS, {
    c.Help: help.show_help,
    # deals
    c.NewDeal: deals.new_deal,
    c.ShowDeal: deals.show_deal,
    c.ShowHistory: deals.show_history,
    c.ListDeals: deal_lists.list_deals,
    c.MoveDeal: deals.move_deal,
    c.CheckDeliverable: deals.check_deliverable,
    c.WinDeal: deals.win_deal,
    c.LoseDeal: deals.lose_deal,
    c.LogFollowUp: deals.log_follow_up,
    c.EditDeal: upkeep.edit_deal,
    c.AssignDeal: upkeep.assign_deal,
    c.ReopenDeal: upkeep.reopen_deal,
    c.Undo: undo.undo,
    # tasks
    c.AddTask: tasks.add_task,
    c.ListTasks: tasks.list_tasks,
    c.CompleteTask: tasks.complete_task,
    c.Snooze: snooze.snooze,
    # me
    c.ShowMe: people.show_me,
    c.SetLanguage: people.set_language,
    c.SetTimezone: people.set_timezone,
    c.StartLink: linking.start_link,
    c.LinkAccount: linking.link_account,
    c.ConfirmLink: linking.confirm_link,
    c.CancelLink: linking.cancel_link,
    # team, member, invite, join, forget
    c.ListTeams: people.list_teams,
    c.CreateTeam: people.create_team,
    c.ListMembers: membership.list_members,
    c.UpdateMember: membership.update_member,
    c.RemoveMember: membership.remove_member,
    c.RestoreMember: membership.restore_member,
    c.DecideAccess: access.decide,
    c.CreateInvite: access.create_invite,
    c.Join: access.refuse_join,
    c.Forget: privacy.forget,
    # digest, scorecard, funnel, forecast
    c.ShowDigests: digests.show_digests,
    c.SubscribeDigest: digests.subscribe_digest,
    c.StopDigests: digests.stop_digests,
    c.ShowScorecard: analytics.show_scorecard,
    c.ShowFunnel: analytics.show_funnel,
    c.ShowForecast: analytics.show_forecast,
    # link, unlink, capture, keep, dismiss
    c.LinkChat: chats.link_chat,
    c.UnlinkChat: chats.unlink_chat,
    c.SetCapture: chats.set_capture,
    c.ShowCapture: chats.show_capture,
    c.KeepSuggestion: suggestions.keep_suggestion,
    c.DismissSuggestion: suggestions.dismiss_suggestion,
    # customers
    c.ShowCustomer: customers.show_customer,
    c.SetCustomer: customers.set_customer,
    c.SetContact: contacts.set_contact,
    c.ListContacts: contacts.list_contacts,
    c.MergeCustomers: merging.merge_customers,
    # target, targets (team performance)
    c.SetTarget: targets.set_target,
    c.ListTargets: targets.list_targets,
    # notify (deal news)
    c.ShowNotify: notify.show_notify,
    c.SubscribeNotify: notify.subscribe_notify,
    c.StopNotify: notify.stop_notify,
    # confirm, skip (the daily update by reply)
    c.ConfirmUpdate: daily_updates.confirm_update,
    c.SkipUpdateItem: daily_updates.skip_update_item,
    # leads (issue 18)
    c.NewLead: leads.new_lead,
    c.ListLeads: leads.list_leads,
    c.ShowLead: leads.show_lead,
    c.AcceptLead: leads.accept_lead,
    c.PassLead: leads.pass_lead,
    c.ListPool: leads.list_pool,
    c.ClaimLead: leads.claim_lead,
    c.AssignLead: leads.assign_lead,
    c.SetAway: leads.set_away,
    # approve, reject, ask, approvals (issue 20)
    c.RequestApproval: approvals.request_approval,
    c.DecideApproval: approvals.decide_approval,
    c.ListApprovals: approvals.list_approvals,
    # points, leaderboard, review (issue 19)
    c.ShowPoints: points.show_points,
    c.ShowPointRules: points.show_point_rules,
    c.AwardPoints: points.award_points,
    c.SetPointRule: points.set_point_rule,
    c.SwitchPoints: points.switch_points,
    c.ShowLeaderboard: points.show_leaderboard,
    c.StartReview: review.start_review,
    c.CallDeal: review.call_deal,
    # knowledge (issue 20): summary, playbook, faq, retro, cases
    c.ShowSummary: summary.show_summary,
    c.ShowPlaybook: playbooks.show_playbook,
    c.EditPlaybook: playbooks.edit_playbook,
    c.PlaybookHistory: playbooks.playbook_history,
    c.AskFaq: faq.ask_faq,
    c.AddFaq: faq.add_faq,
    c.RemoveFaq: faq.remove_faq,
    c.FaqFeedback: faq.faq_feedback,
    c.FaqGaps: faq.faq_gaps,
    c.AddRetro: cases.add_retro,
    c.FindCases: cases.find_cases,
    c.StartOnboarding: onboarding.start_onboarding,
    c.ShowOnboarding: onboarding.show_onboarding,
    c.OnboardingDone: onboarding.onboarding_done,
    # the health board: satisfaction, complaints, health, data quality
    c.RecordSatisfaction: feedback.record_satisfaction,
    c.LogComplaint: feedback.log_complaint,
    c.ResolveComplaint: feedback.resolve_complaint,
    c.ListComplaints: feedback.list_complaints,
    c.ShowHealth: health.show_health,
    c.ShowQuality: health.show_quality,
    # find (search)
    c.Find: search.find,
})
