"""Pipelines: ordered stages with a time limit, a default win probability and deliverables.

The default follows the seed's case (线索→初步沟通→方案演示→报价→谈判→签约) plus 丢单. A team may
bring its own pipeline as TOML text (core/files/pipeline_toml.py, pipeline.example.toml); `won` and `lost`
must be in it.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

WON, LOST = "won", "lost"


@dataclass(frozen=True)
class Deliverable:
    en: str
    zh: str

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class PlaybookItem:
    """A line of a stage's playbook as the pipeline file gives it, in both languages."""

    en: str
    zh: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


PLAYBOOK_SECTIONS = ("talk", "objection", "checklist", "template")
# The names a pipeline file may give each section of `[stages.playbook]`.
_SECTION_NAMES = {"talk": "talk", "talking_points": "talk", "objection": "objection", "objections": "objection",
                  "checklist": "checklist", "template": "template", "templates": "template"}


@dataclass(frozen=True)
class Playbook:
    """A stage's playbook (话术): talking points, objection handling, a checklist, message templates."""

    talk: tuple[PlaybookItem, ...] = ()
    objection: tuple[PlaybookItem, ...] = ()
    checklist: tuple[PlaybookItem, ...] = ()
    template: tuple[PlaybookItem, ...] = ()

    def section(self, name: str) -> tuple[PlaybookItem, ...]:
        items: tuple[PlaybookItem, ...] = getattr(self, name)
        return items


@dataclass(frozen=True)
class Stage:
    key: str
    en: str
    zh: str
    sla_days: int | None = None  # None: no time limit (the closed stages)
    win_probability: float = 0.0
    deliverables: tuple[Deliverable, ...] = ()
    aliases: tuple[str, ...] = ()
    playbook: Playbook = Playbook()

    @property
    def is_closed(self) -> bool:
        return self.key in (WON, LOST)

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def names(self) -> list[str]:
        return [self.key, self.en, self.zh, *self.aliases]


class PipelineError(ValueError):
    """A pipeline definition that cannot be used; the message says why."""


@dataclass(frozen=True)
class Pipeline:
    stages: tuple[Stage, ...]
    _by_name: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _step: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # place in the funnel
    _order: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # place in `stages`

    def __post_init__(self) -> None:
        keys = [s.key for s in self.stages]
        if len(set(keys)) != len(keys):
            raise PipelineError("stage keys must be unique")
        for required in (WON, LOST):
            if required not in keys:
                raise PipelineError(f"a pipeline needs a '{required}' stage")
        if keys[0] in (WON, LOST):
            raise PipelineError("the first stage must be an open stage")
        for stage in self.stages:
            for name in stage.names():
                self._by_name.setdefault(_fold(name), stage.key)
        for key in [s.key for s in self.stages if not s.is_closed] + [WON]:
            self._step[key] = len(self._step)
        self._order.update((key, i) for i, key in enumerate(keys))

    # -- lookups ------------------------------------------------------------------------------
    def get(self, key: str) -> Stage:
        return next(s for s in self.stages if s.key == key)

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.stages]

    @property
    def order(self) -> dict[str, int]:
        """Each stage key's place in `stages` (read-only: an import sorts 50,000 histories by it)."""
        return self._order

    @property
    def open_stages(self) -> list[Stage]:
        return [s for s in self.stages if not s.is_closed]

    @property
    def first(self) -> Stage:
        return self.stages[0]

    def resolve(self, name: str) -> str | None:
        """The stage key for any of its names, in either language, ignoring case and spaces."""
        return self._by_name.get(_fold(name))

    def suggest(self, name: str) -> str | None:
        """The stage name closest to a misspelt one, or None when nothing is close."""
        names = list(self._by_name)
        close = difflib.get_close_matches(_fold(name), names, n=1, cutoff=0.5)
        return self._by_name[close[0]] if close else None

    def index(self, key: str) -> int:
        return self.keys.index(key)

    def next_open_after(self, key: str) -> str | None:
        """The stage a deal goes to with `move D-1 next`: the next in order, `won` after the last."""
        order = [s.key for s in self.stages if s.key != LOST]
        i = order.index(key) if key in order else -1
        return order[i + 1] if 0 <= i < len(order) - 1 else None

    @property
    def funnel(self) -> list[str]:
        """The stages a deal climbs, in order: the open ones, then won (lost is not a step)."""
        return list(self._step)

    def is_advance(self, from_key: str | None, to_key: str) -> bool:
        """A move to a later step of the funnel (creation, and moves from or to lost, are not)."""
        before, after = self._step.get(from_key), self._step.get(to_key)  # type: ignore[arg-type]
        return before is not None and after is not None and after > before

    def further(self, reached: str | None, key: str) -> str | None:
        """The further of two stages in the funnel; a stage outside it (lost) never is."""
        step, reached_step = self._step.get(key), self._step.get(reached)  # type: ignore[arg-type]
        if step is None:
            return reached
        return key if reached_step is None or step > reached_step else reached

    def step(self, reached: str | None, from_key: str | None, to_key: str) -> tuple[bool, str | None]:
        """A deal that had reached `reached` entering `to_key` from `from_key` (None: created):
        whether that is an advance, and the furthest stage it has reached after it. The one rule
        of a stage change's figures (Deal.move_to; the import's new deals, core.services.transfer)."""
        return self.is_advance(from_key, to_key), self.further(reached, to_key)

    def between(self, from_key: str, to_key: str) -> list[Stage]:
        """Open stages strictly between two stages, in order: what a skip jumps over."""
        lo, hi = self.index(from_key), self.index(to_key)
        return [s for s in self.stages[lo + 1 : hi] if not s.is_closed]

    # -- (de)serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able; a stage without a playbook has no `playbook` key (as before playbooks were)."""
        stages = [asdict(s) for s in self.stages]
        for raw, stage in zip(stages, self.stages, strict=True):
            if stage.playbook == Playbook():
                del raw["playbook"]
        return {"stages": stages}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pipeline:
        try:
            stages = tuple(_stage_from_dict(raw) for raw in data["stages"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PipelineError(f"bad stage definition: {exc}") from exc
        return cls(stages)


def _stage_from_dict(raw: dict[str, Any]) -> Stage:
    deliverables = tuple(
        Deliverable(en=d["en"], zh=d["zh"] if "zh" in d else d["en"]) if isinstance(d, dict) else Deliverable(d, d)
        for d in raw.get("deliverables", ())
    )
    sla = raw.get("sla_days")
    playbook = _playbook_from_dict(raw.get("playbook") or {})
    return Stage(
        key=str(raw["key"]).strip().lower(),
        en=str(raw.get("en", raw["key"])),
        zh=str(raw.get("zh", raw.get("en", raw["key"]))),
        sla_days=int(sla) if sla is not None else None,
        win_probability=float(raw.get("win_probability", 0.0)),
        deliverables=deliverables,
        aliases=tuple(raw.get("aliases", ())),
        playbook=playbook,
    )


def _playbook_from_dict(raw: dict[str, Any]) -> Playbook:
    """`[stages.playbook]`: talk (or talking_points), objections, checklist, templates; each a list
    of lines, a line either one text or {en = "…", zh = "…"}."""
    if not isinstance(raw, dict):
        raise ValueError("playbook takes sections: talk, objections, checklist, templates")
    sections: dict[str, tuple[PlaybookItem, ...]] = {}
    for name, items in raw.items():
        section = _SECTION_NAMES.get(str(name).strip().lower())
        if section is None:
            raise ValueError(f"playbook section '{name}': use talk, objections, checklist or templates")
        if not isinstance(items, (list, tuple)):
            raise ValueError(f"playbook section '{name}' takes a list of lines")
        sections[section] = sections.get(section, ()) + tuple(_playbook_item(item) for item in items)
    return Playbook(**sections)


def _playbook_item(item: Any) -> PlaybookItem:
    if isinstance(item, dict):
        en = str(item.get("en", item.get("zh", ""))).strip()
        zh = str(item.get("zh", en)).strip()
    else:
        en = zh = str(item).strip()
    if not en:
        raise ValueError("a playbook line is empty")
    return PlaybookItem(en, zh)


def _fold(name: str) -> str:
    return "".join(name.split()).casefold()


def _d(en: str, zh: str) -> Deliverable:
    return Deliverable(en, zh)


DEFAULT_PIPELINE = Pipeline(
    (
        Stage("lead", "Lead", "线索", 3, 0.05,
              (_d("Need confirmed", "确认客户需求"), _d("Decision maker identified", "确认决策人"))),
        Stage("contact", "First contact", "初步沟通", 7, 0.10,
              (_d("First call notes", "首次沟通纪要"), _d("Budget and timeline known", "了解预算与时间表")),
              ("first contact", "firstcontact", "沟通")),
        Stage("demo", "Demo", "方案演示", 10, 0.25,
              (_d("Demo delivered", "完成方案演示"), _d("Solution document sent", "发送解决方案文档")),
              ("演示", "方案")),
        Stage("quote", "Quote", "报价", 7, 0.45,
              (_d("Quote sent", "发送报价单"), _d("Quote approved internally", "报价内部审批通过")),
              ("proposal",)),
        Stage("negotiation", "Negotiation", "谈判", 14, 0.70,
              (_d("Contract draft sent", "发送合同草案"), _d("Terms agreed", "商务条款确认")),
              ("negotiate", "商务谈判")),
        Stage("won", "Signed", "签约", None, 1.0, (), ("signed", "win", "赢单", "成交")),
        Stage("lost", "Lost", "丢单", None, 0.0, (), ("lose", "输单")),
    )
)


def pipeline_of(stored: dict[str, Any] | None) -> Pipeline:
    """The pipeline a team stored (Team.pipeline), or the default one."""
    return Pipeline.from_dict(stored) if stored else DEFAULT_PIPELINE
