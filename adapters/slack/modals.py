"""Slack's convention for changing a record: a modal. The [Edit] button of a deal card (its
command is `edit D-12`) opens one with the three fields `edit` takes; submitting it runs
`edit D-12 amount:… close:… title:"…"` as the person who submitted, through the same parser and
permission checks as a typed command. A refusal is shown on the modal, beside the field it is
about, and changes nothing; a success closes it and posts the reply where the card was.

The labels are in both languages: the modal opens before the core is asked anything, so the
member's language is not known here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

EDIT_CALLBACK = "dealbot_edit"
FIELDS = (  # block id (the option of `edit`), label, placeholder
    ("amount", "Amount · 金额", "60k · 6万 · USD 5000"),
    ("close", "Expected close · 预计成交日期", "next month · 下月底 · 2026-06-30"),
    ("title", "Title · 标题", "Phase 2 · 二期"),
)
_EDIT_BUTTON = re.compile(r"^edit (D-\d{1,9})$")


def edit_button_deal(command: str) -> str | None:
    """The deal an [Edit] button is for (`edit D-12` → D-12); None for any other button."""
    m = _EDIT_BUTTON.match(command)
    return m[1] if m else None


def edit_modal(deal: str, channel: str) -> dict[str, Any]:
    """The modal's view (https://api.slack.com/reference/surfaces/views): every field optional."""
    return {
        "type": "modal", "callback_id": EDIT_CALLBACK,
        "title": {"type": "plain_text", "text": f"Edit {deal} · 修改"},
        "submit": {"type": "plain_text", "text": "Save · 保存"},
        "close": {"type": "plain_text", "text": "Cancel · 取消"},
        "private_metadata": json.dumps({"deal": deal, "channel": channel}),
        "blocks": [
            {"type": "input", "block_id": key, "optional": True, "label": {"type": "plain_text", "text": label},
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": 100,
                         "placeholder": {"type": "plain_text", "text": hint}}}
            for key, label, hint in FIELDS
        ],
    }


def submitted(view: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    """(deal, channel, {field: value typed}) of a submitted edit modal; blank fields left out."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = (view.get("state") or {}).get("values") or {}
    typed = {}
    for key, _, _ in FIELDS:
        value = ((values.get(key) or {}).get("value") or {}).get("value")
        if value and value.strip():
            typed[key] = " ".join(value.split())
    return str(meta.get("deal", "")), str(meta.get("channel", "")), typed


def edit_command(deal: str, typed: Mapping[str, str]) -> str:
    """The command the modal stands for; the title quoted (a quote inside written twice)."""
    parts = [f"edit {deal}"]
    if "amount" in typed:
        parts.append(f"amount:{typed['amount']}")
    if "close" in typed:
        parts.append(f"close:{typed['close']}")
    if "title" in typed:
        parts.append('title:"' + typed["title"].replace('"', '""') + '"')
    return " ".join(parts)


def blamed_field(typed: Mapping[str, str], message: str) -> str:
    """The field a refusal is shown beside: the one whose value it quotes, else the first typed."""
    for key, value in typed.items():
        if value and value in message:
            return key
    return next(iter(typed), FIELDS[0][0])
