"""Plain records the map renderers draw: no database rows, no ORM objects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.errors import InvalidInput

KINDS = ("路段", "巷道")


@dataclass(frozen=True)
class SegmentView:
    """One 路段 (road segment) or 巷道 (alley) with its 包联 and progress.

    `geometry` is a GeoJSON LineString (or MultiLineString) dict in WGS-84 (lon, lat).
    `street` is the 主街道 (main street) the segment belongs to.
    """

    id: int
    code: str
    name: str
    kind: str  # "路段" | "巷道"
    street: str | None
    geometry: dict
    leader: str | None  # 包段县级领导
    lead_unit: str | None  # 牵头部门
    units: tuple[str, ...]  # 参与单位
    tasks_done: int  # verified (核查通过) tasks
    tasks_total: int
    open_problems: int  # 未办结问题


@dataclass(frozen=True)
class PointView:
    """A finding (问题), a problem (协调事项) or an inspection stop (督查点位), WGS-84.

    `level` is the escalation level of a problem; `published` is False for an inspection
    plan that has not been announced yet (暗访), which must never be drawn.
    """

    id: int
    lon: float
    lat: float
    category: str
    label: str
    level: str | None = None
    published: bool = True


def check_segments(segments: Sequence[SegmentView]) -> None:
    """Raise InvalidInput for an unknown kind or a repeated id (the renderers key on both)."""
    unknown = {s.kind for s in segments} - set(KINDS)
    if unknown:
        raise InvalidInput(f"路段类型只能是“路段”或“巷道”，收到 {'、'.join(sorted(unknown))}。")
    if len({s.id for s in segments}) != len(segments):
        raise InvalidInput("路段编号（id）重复，无法绘制进度图。")
