"""Brief sections whose data other modules own: findings, unit ranking, exposures, the ledger.

Each provider returns ``None`` while its module does not exist, and the brief prints
"暂无数据" for it. When the module lands it provides the hook named below (keyword-only,
``session`` first, returning the dataclass here), and the section fills in by itself:

=====================  =================================  ==========================
section                hook                                returns
=====================  =================================  ==========================
新发现问题              ``services.inspections.findings.brief_findings``   ``FindingsSection``
曝光台                  ``services.inspections.findings.brief_exposures``  ``ExposuresSection``
红榜/黑榜               ``services.assessment.ranking.brief_ranking``  ``RankingSection``
整改台账                ``services.inspections.ledger.brief_ledger``       ``LedgerSection``
本周督查点位 (map)       ``services.inspections.rounds.brief_inspection_points``  ``list[PointView]``
督查通报                ``services.inspections.brief_sections.brief_rounds``  ``InspectionsSection``
=====================  =================================  ==========================

Every hook is called as ``hook(session, campaign=, start=, as_of=, photo_dir=)``: the
week's window ``[start, as_of]`` (aware datetimes) and the photo store (absolute paths of
photos are resolved against it). The hooks apply their own visibility rules: nothing of an
unannounced inspection (暗访) before its findings are published, complainants masked.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from maps.views import PointView
from models import Campaign


@dataclass(frozen=True)
class PhotoPair:
    """整改前后对比: the photo at finding time and after rectification (absolute paths)."""

    before: Path | None
    after: Path | None


@dataclass(frozen=True)
class CategoryCount:
    """New findings of one category this week, and how many of them are rectified."""

    category: str
    new: int
    rectified: int  # 已销号 (passed 复查) by the report date
    open: int  # 整改中, incl. not yet dispatched
    awaiting: int = 0  # 已整改待复查: new = rectified + awaiting + open


@dataclass(frozen=True)
class FindingExample:
    """One finding shown with its photos (the hook picks the few worth showing)."""

    category: str
    place: str  # segment or place name
    unit: str  # 整改责任单位
    description: str
    deadline: dt.date | None
    rectified: bool
    photos: PhotoPair


@dataclass(frozen=True)
class FindingsSection:
    by_category: list[CategoryCount]
    examples: list[FindingExample] = field(default_factory=list)
    points: list[PointView] = field(default_factory=list)  # drawn on the maps


@dataclass(frozen=True)
class RankingRow:
    rank: int
    unit: str
    unit_kind: str
    score: float | None
    rating: str | None  # 绿/黄/红
    note: str = ""


@dataclass(frozen=True)
class RankingSection:
    """红榜 (best) and 黑榜 (worst) from the confirmed assessment of the period."""

    period: str
    red: list[RankingRow]
    black: list[RankingRow]


@dataclass(frozen=True)
class Exposure:
    """An item 创卫办 marked for publication (曝光)."""

    title: str
    unit: str
    place: str
    description: str
    deadline: dt.date | None
    photo: Path | None
    state: str = ""  # 整改中 | 待复查 | 已销号, as of the report date


@dataclass(frozen=True)
class ExposuresSection:
    items: list[Exposure]


@dataclass(frozen=True)
class LedgerRow:
    """整改台账: a quantity of one category in its unit (户, 间, 平方米 …)."""

    category: str
    measure: str
    week: float
    phase: float
    campaign: float


@dataclass(frozen=True)
class LedgerSection:
    rows: list[LedgerRow]




def _hook(module: str, name: str) -> Callable[..., Any] | None:
    """``module.name`` when the module exists (its own import errors are not hidden)."""
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), name, None)


def _call(module: str, name: str, session: Session, **window: Any) -> Any:
    hook = _hook(module, name)
    return None if hook is None else hook(session, **window)


def findings_section(session: Session, **window: Any) -> FindingsSection | None:
    """新发现问题 by category, with before/after photos; None until findings exist."""
    return _call("services.inspections.findings", "brief_findings", session, **window)


def exposures_section(session: Session, **window: Any) -> ExposuresSection | None:
    """曝光台: what the office marked for publication; None until findings exist."""
    return _call("services.inspections.findings", "brief_exposures", session, **window)


def ranking_section(session: Session, **window: Any) -> RankingSection | None:
    """红榜/黑榜 from the confirmed assessment; None until assessment exists."""
    return _call("services.assessment.ranking", "brief_ranking", session, **window)


def ledger_section(session: Session, **window: Any) -> LedgerSection | None:
    """整改台账 sums; None until the ledger exists."""
    return _call("services.inspections.ledger", "brief_ledger", session, **window)


def inspection_points(session: Session, **window: Any) -> list[PointView]:
    """This week's inspection stops that may be shown: announced or already published."""
    points = _call("services.inspections.rounds", "brief_inspection_points", session, **window) or []
    return [p for p in points if p.published]  # an unannounced plan never leaks, whatever the hook did


def optional_sections(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                      photo_dir: Path | None) -> OptionalSections:
    """Every section other modules provide, each None (or empty) while its module is missing."""
    window = {"campaign": campaign, "start": start, "as_of": as_of, "photo_dir": photo_dir}
    return OptionalSections(
        findings=findings_section(session, **window),
        ranking=ranking_section(session, **window),
        exposures=exposures_section(session, **window),
        ledger=ledger_section(session, **window),
        inspections=inspection_points(session, **window),
        rounds=rounds_section(session, **window),
    )


@dataclass(frozen=True)
class RoundSummary:
    """One inspection round of the week as the brief's 督查通报 paragraph tells it."""

    kind: str  # 定期 | 暗访 | 交叉 | 领导带队 | 复查
    title: str
    stops: int
    findings: int
    categories: list[tuple[str, int]]  # most found first
    units: list[tuple[str, int]]  # 整改责任单位 named, most findings first
    segments: list[tuple[str, int]]  # 路段 (code and name) named, most findings first


@dataclass(frozen=True)
class SanctionLine:
    """A confirmed 通报批评 or 黄牌警告 circulated by the brief."""

    kind: str
    unit: str
    reason: str
    decided: dt.date


@dataclass(frozen=True)
class InspectionsSection:
    rounds: list[RoundSummary]
    sanctions: list[SanctionLine]


@dataclass(frozen=True)
class OptionalSections:
    findings: FindingsSection | None
    ranking: RankingSection | None
    exposures: ExposuresSection | None
    ledger: LedgerSection | None
    inspections: list[PointView]
    rounds: InspectionsSection | None = None


def rounds_section(session: Session, **window: Any) -> InspectionsSection | None:
    """督查通报: the week's rounds and the 通报批评/黄牌 confirmed for this issue."""
    return _call("services.inspections.brief_sections", "brief_rounds", session, **window)
