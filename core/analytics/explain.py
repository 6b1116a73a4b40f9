"""Why a deal has the win probability it has, in words: for the deal card and the forecast."""

from __future__ import annotations

from core.analytics.reports import win_model
from core.analytics.winprob import Estimate
from core.chat.context import Context
from core.chat.messages import Field
from core.domain.model import Deal
from core.domain.pipeline import Pipeline, pipeline_of
from core.language.i18n import t


def reasons(estimate: Estimate, pipeline: Pipeline, lang: str) -> str:
    """"Quote: 41% of 56 deals that left this stage moved on; 12 days over the 7-day limit here"."""
    stage = pipeline.get(estimate.stage).name(lang) if estimate.stage in pipeline.keys else estimate.stage
    if estimate.similar:
        text = t("winprob.reason", lang, stage=stage, moved=f"{estimate.moved_on / estimate.similar:.0%}",
                 count=estimate.similar)
    else:
        text = t("winprob.no_history", lang, stage=stage)
    if estimate.days_over:
        over = (t("winprob.over_one", lang, sla=estimate.limit) if estimate.days_over == 1
                else t("winprob.over", lang, days=estimate.days_over, sla=estimate.limit))
        text += ("；" if lang == "zh" else "; ") + over
    return text


def deal_probability(ctx: Context, deal: Deal) -> Field | None:
    """The deal card's "Win probability 35% (Quote: …)" for an open deal of a stage with a limit."""
    if not deal.is_open:
        return None
    team = ctx.uow.teams.get(deal.team_id) or ctx.team
    pipeline = pipeline_of(team.pipeline)
    if deal.stage not in pipeline.keys:
        return None
    model = (ctx.win_models.get(ctx.uow, team, pipeline, ctx.now) if ctx.win_models is not None
             else win_model(ctx.uow, team, pipeline, ctx.now))
    estimate = model.estimate(deal.stage, deal.stage_entered_at, ctx.now)
    return Field(t("field.win_probability", ctx.lang),
                 f"{estimate.probability:.0%} · {reasons(estimate, pipeline, ctx.lang)}")
