"""The HTTP status of a chat refusal in the REST API (core.app.api.status_of): a refusal for want
of a role or of ownership is a 403 whatever its key is called (the trial found a rep reopening a
won deal answered 422)."""

from __future__ import annotations

import re

import pytest

from core.app.api import status_of
from core.language.errors import UserError
from core.language.i18n import MESSAGES

# English sentences that refuse for want of permission (not for the state of a thing)
_PERMISSION = re.compile(r"^(No permission\b|Only (a |an )?(manager|admin|managers|admins|the owner)\b|"
                         r".*\bis not yours\b|.*\bis your own request\b|.*\bis not waiting for your decision\b|"
                         r".*\bonly the person who sent it\b)")


def _permission_keys() -> list[str]:
    return sorted(key for key, text in MESSAGES.items()
                  if isinstance(text, dict) and _PERMISSION.match(str(text.get("en", ""))))


def test_the_permission_sentences_are_found():
    keys = _permission_keys()
    assert {"reopen.won_managers", "lead.assign_managers", "approval.own", "err.forbidden_deal"} <= set(keys)


@pytest.mark.parametrize("key", _permission_keys())
def test_every_permission_refusal_is_a_403(key):
    assert status_of(UserError(key)) == 403


@pytest.mark.parametrize("key, status", [
    ("reopen.won_managers", 403), ("approval.not_yours", 403), ("err.forbidden_deal", 403),
    ("err.deal_not_found", 404), ("api.precondition", 412), ("reopen.open", 422),
    ("approval.gate_needed", 422), ("err.past_date", 422), ("err.bad_name", 422),
])
def test_status_by_kind(key, status):
    assert status_of(UserError(key)) == status
