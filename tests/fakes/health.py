"""The fakes of the health ports: feedback in memory (core.ports.health.FeedbackRepository); the
board's aggregates are core.health.reference over the fake's rows."""

from __future__ import annotations

import copy

from tests.fakes.table import Table


class FakeFeedbackRepository:
    def __init__(self):
        self.scores = Table()
        self.complaint_rows = Table()
        self.surveys = Table()

    def all(self):
        return self.scores.all() + self.complaint_rows.all() + self.surveys.all()

    @property
    def rows(self):
        """Every row (ChatHarness.counts counts them)."""
        return {**{("score", k): v for k, v in self.scores.rows.items()},
                **{("complaint", k): v for k, v in self.complaint_rows.rows.items()},
                **{("survey", k): v for k, v in self.surveys.rows.items()}}

    def add_score(self, score):
        return self.scores.add(score)

    def replace_score(self, score):
        stored = self.scores.get(score.id)
        stored.score, stored.comment = score.score, score.comment
        stored.recorded_at, stored.recorded_by = score.recorded_at, score.recorded_by

    def add_complaint(self, complaint):
        return self.complaint_rows.add(complaint)

    def complaint(self, complaint_id):
        found = self.complaint_rows.get(complaint_id)
        return copy.copy(found) if found is not None else None

    def resolve(self, complaint):
        stored = self.complaint_rows.get(complaint.id)
        stored.resolved_at, stored.resolved_by = complaint.resolved_at, complaint.resolved_by
        stored.resolution = complaint.resolution

    def complaints(self, team_id, *, open_only=True):
        found = [c for c in self.complaint_rows.all() if c.team_id == team_id and (c.is_open or not open_only)]
        return sorted(found, key=lambda c: (c.logged_at, c.id), reverse=True)

    def scores_of(self, deal_id):
        return sorted((s for s in self.scores.all() if s.deal_id == deal_id), key=lambda s: (s.recorded_at, s.id))

    def add_survey(self, survey):
        return self.surveys.add(survey)

    def open_survey(self, platform, chat_id, since, before):
        found = [s for s in self.surveys.all() if (s.platform, s.chat_id) == (platform, chat_id)
                 and s.answered_at is None and since <= s.sent_at < before]
        return copy.copy(max(found, key=lambda s: (s.sent_at, s.id))) if found else None

    def answer(self, survey):
        self.surveys.get(survey.id).answered_at = survey.answered_at


def reference_health(uow):
    from core.health.reference import ReferenceHealth

    return ReferenceHealth(lambda: uow.deals.all(), lambda: uow.stage_changes.all(), lambda: uow.interactions.all(),
                           lambda: uow.feedback.scores.all(), lambda: uow.feedback.complaint_rows.all())
