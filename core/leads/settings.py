"""A team's lead settings, kept in `Team.settings["leads"]` (JSON; `dealbot team-settings <team>
leads.capacity=20 …`), every key optional:

    {"reps": ["alice", "bob"],            # who takes leads; empty: every active rep of the team
     "rules": [{"field": "source", "value": "展会", "reps": ["alice"]},
               {"field": "territory", "value": "华南", "reps": ["bob", "carol"]}],
     "capacity": 20,                      # open leads a rep may hold at once; 0: no limit
     "first_contact_hours": 2,            # working hours to accept an offer before the next rep's turn
     "pool_days": 3}                      # days a lead may sit unaccepted before the pool takes it back

Rules are tried in order; the first whose field (territory, industry or source) equals the
lead's (case and width folded) names the reps it may go to, and only them. No rule matches: the
team's reps. Typed as text: `leads.rules="source:展会=alice,bob; territory:华南=carol"`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

RULE_FIELDS = ("territory", "industry", "source")


class LeadSettingsError(ValueError):
    """A lead setting that cannot be used; the message says which and why."""


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Rule:
    field: str  # territory | industry | source
    value: str
    reps: tuple[str, ...]  # handles, without @

    def matches(self, values: dict[str, str | None]) -> bool:
        found = values.get(self.field)
        return found is not None and fold(found) == fold(self.value)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "reps": list(self.reps)}


@dataclass(frozen=True)
class LeadSettings:
    reps: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    capacity: int = 0  # 0: no limit
    first_contact_hours: float = 2.0
    pool_days: float = 3.0

    @classmethod
    def of(cls, team_settings: dict[str, Any] | None) -> LeadSettings:
        """A team's lead settings; a bad stored value falls back to its default (a typo must not
        stop every lead of the team), as core.domain.worktime.WorkSettings.of does."""
        stored = (team_settings or {}).get("leads") or {}
        settings = cls()
        if not isinstance(stored, dict):
            return settings
        for key, value in stored.items():
            try:
                settings = settings.with_value(key, value)
            except LeadSettingsError:
                continue
        return settings

    def with_value(self, key: str, value: object) -> LeadSettings:
        try:
            reader = _READERS[key]
        except KeyError:
            raise LeadSettingsError(f"unknown lead setting {key!r}; known: {', '.join(_READERS)}") from None
        try:
            return replace(self, **{key: reader(value)})
        except (TypeError, ValueError) as exc:
            raise LeadSettingsError(f"leads.{key}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return {"reps": list(self.reps), "rules": [r.to_dict() for r in self.rules], "capacity": self.capacity,
                "first_contact_hours": self.first_contact_hours, "pool_days": self.pool_days}

    def rule_for(self, values: dict[str, str | None]) -> Rule | None:
        return next((rule for rule in self.rules if rule.matches(values)), None)


def _handles(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        words: list[object] = list(value.replace(",", " ").replace("，", " ").split())
    elif isinstance(value, list | tuple):
        words = list(value)
    else:
        raise TypeError(f"{value!r} is not a list of members")
    handles = []
    for word in words:
        handle = str(word).strip().removeprefix("@").lower()
        if not handle or not all(ch.isalnum() or ch in "._-" for ch in handle):
            raise ValueError(f"{word!r} is not a member's handle")
        handles.append(handle)
    return tuple(dict.fromkeys(handles))


def _rule(value: object) -> Rule:
    if isinstance(value, dict):
        field, text, reps = value.get("field"), value.get("value"), value.get("reps")
    else:  # "source:展会=alice,bob"
        head, sep, reps = str(value).partition("=")
        field, colon, text = head.partition(":")
        if not sep or not colon:
            raise ValueError(f"{value!r}: write field:value=rep,rep (e.g. source:expo=alice,bob)")
    field = str(field or "").strip().lower()
    if field not in RULE_FIELDS:
        raise ValueError(f"{field!r} is not a rule field ({', '.join(RULE_FIELDS)})")
    text = " ".join(str(text or "").split())
    if not text:
        raise ValueError("a rule needs a value")
    handles = _handles(reps)
    if not handles:
        raise ValueError("a rule names at least one rep")
    return Rule(field, text, handles)


def _rules(value: object) -> tuple[Rule, ...]:
    if isinstance(value, str):
        parts: list[object] = [p for p in value.replace("；", ";").split(";") if p.strip()]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise TypeError(f"{value!r} is not a list of rules")
    return tuple(_rule(part) for part in parts)


def _count(value: object) -> int:
    text = str(value).strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else -1
    if not 0 <= number <= 100_000:
        raise ValueError("must be a whole number between 0 and 100000 (0: no limit)")
    return number


def _hours(value: object) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        number = -1.0  # not a number: the sentence below says what is
    if not 0 < number <= 10_000:
        raise ValueError("must be more than 0 and at most 10000")
    return number


_READERS: dict[str, Callable[[object], Any]] = {
    "reps": _handles,
    "rules": _rules,
    "capacity": _count,
    "first_contact_hours": _hours,
    "pool_days": _hours,
}
