"""A customer's answer to a satisfaction survey, in the chat it was sent to (`csat D-12 send`).

A capture hook (core.services.capture.CaptureHook, wired in bot/bootstrap.py): a captured message
from a contact (not a member) that is a lone score — `5`, `4分`, `3/5`, `５` — in a chat with an
unanswered survey sent in the last SURVEY_DAYS, becomes that deal's score, recorded by nobody (the
customer said it), and the survey is answered: a second number is chat, not a second score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta

from core.access.audit import record
from core.conversations.capture import CapturedMessage
from core.health.feedback import SURVEY_DAYS, Satisfaction
from core.ports.unit_of_work import UnitOfWork

_ANSWER = re.compile(r"^\s*([1-5])\s*(?:分|星|/\s*5)?\s*[.!。！]?\s*$")
SKEW = timedelta(minutes=5)  # a platform's clock may run a little behind ours


def answer_score(text: str) -> int | None:
    m = _ANSWER.match(unicodedata.normalize("NFKC", text))
    return int(m[1]) if m else None


def record_survey_answers(uow: UnitOfWork, messages: Sequence[CapturedMessage], now: datetime) -> None:
    for message in messages:
        if message.author_kind != "contact" or message.deleted_at is not None:
            continue
        score = answer_score(message.text)
        if score is None:
            continue
        survey = uow.feedback.open_survey(message.platform, message.chat_id, now - timedelta(days=SURVEY_DAYS),
                                          now + timedelta(seconds=1))
        if survey is None or message.occurred_at < survey.sent_at - SKEW:
            continue
        deal = uow.deals.get(survey.deal_id)
        if deal is None:
            continue
        uow.feedback.add_score(Satisfaction(team_id=deal.team_id, deal_id=deal.saved_id, customer_id=deal.customer_id,
                                            score=score, recorded_at=now, comment=""))
        survey.answered_at = now
        uow.feedback.answer(survey)
        record(uow, action="csat.answer", entity=deal.code, at=now, actor_id=None,
               source=f"{message.platform}:{message.message_id}",
               after={"score": score, "chat": message.chat_id})  # not the person: `forget` needs no redaction here
