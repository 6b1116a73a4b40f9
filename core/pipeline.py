"""Pipelines: ordered stages with a time limit, a default win probability and deliverables.

The default follows the seed's case (线索→初步沟通→方案演示→报价→谈判→签约) plus 丢单. A team may
bring its own pipeline as TOML text (see pipeline.example.toml); `won` and `lost` must be in it.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import datetime

from core.model import Deal, StageChange

WON, LOST = "won", "lost"


@dataclass(frozen=True)
class Deliverable:
    en: str
    zh: str

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Stage:
    key: str
    en: str
    zh: str
    sla_days: int | None = None  # None: no time limit (the closed stages)
    win_probability: float = 0.0
    deliverables: tuple[Deliverable, ...] = ()
    aliases: tuple[str, ...] = ()

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

    def __post_init__(self):
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

    # -- lookups ------------------------------------------------------------------------------
    def get(self, key: str) -> Stage:
        return next(s for s in self.stages if s.key == key)

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.stages]

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

    def change(self, deal: Deal, to_key: str, at: datetime, by_id: int | None, *,
               from_key: str | None) -> StageChange:
        """The history row of `deal` entering `to_key` (from `from_key`; None when it is created),
        with whose deal it was and whether it is an advance; the deal's furthest stage follows."""
        furthest = self.further(deal.furthest_stage, to_key)
        if furthest != deal.furthest_stage:
            deal.furthest_stage = furthest
        return StageChange(deal.id, from_key, to_key, at, by_id, owner_id=deal.owner_id,
                           advance=self.is_advance(from_key, to_key))

    def between(self, from_key: str, to_key: str) -> list[Stage]:
        """Open stages strictly between two stages, in order: what a skip jumps over."""
        lo, hi = self.index(from_key), self.index(to_key)
        return [s for s in self.stages[lo + 1 : hi] if not s.is_closed]

    # -- (de)serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"stages": [asdict(s) for s in self.stages]}

    @classmethod
    def from_dict(cls, data: dict) -> Pipeline:
        try:
            stages = tuple(_stage_from_dict(raw) for raw in data["stages"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PipelineError(f"bad stage definition: {exc}") from exc
        return cls(stages)


def _stage_from_dict(raw: dict) -> Stage:
    deliverables = tuple(
        Deliverable(en=d["en"], zh=d.get("zh", d["en"])) if isinstance(d, dict) else Deliverable(d, d)
        for d in raw.get("deliverables", ())
    )
    sla = raw.get("sla_days")
    return Stage(
        key=str(raw["key"]).strip().lower(),
        en=raw.get("en", raw["key"]),
        zh=raw.get("zh", raw.get("en", raw["key"])),
        sla_days=int(sla) if sla is not None else None,
        win_probability=float(raw.get("win_probability", 0.0)),
        deliverables=deliverables,
        aliases=tuple(raw.get("aliases", ())),
    )


def pipeline_from_toml(text: str) -> Pipeline:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineError(f"not valid TOML: {exc}") from exc
    return Pipeline.from_dict(data)


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


def pipeline_of(stored: dict | None) -> Pipeline:
    """The pipeline a team stored (Team.pipeline), or the default one."""
    return Pipeline.from_dict(stored) if stored else DEFAULT_PIPELINE
