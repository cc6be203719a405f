"""Colours, line widths and the Chinese text of every map: one place for both renderers.

The progress scale is ordered red → green, the campaign's own 红/黄/绿 convention, with two
choices made for legibility: the middle class is a dark gold (pale yellow vanishes on the
white, tile-less background) and the top class is a dark teal, so "all done" differs from
"under 25 %" in lightness and in blue content for readers with red–green colour blindness.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from maps.views import KINDS, SegmentView


@dataclass(frozen=True)
class ProgressClass:
    """One class of the progress scale: shares in [lower, upper) get `colour`."""

    lower: float
    upper: float
    colour: str
    label: str


PROGRESS_CLASSES: tuple[ProgressClass, ...] = (
    ProgressClass(0.00, 0.25, "#c62828", "0–25%"),
    ProgressClass(0.25, 0.50, "#ef6c00", "25–50%"),
    ProgressClass(0.50, 0.75, "#d9a400", "50–75%"),
    ProgressClass(0.75, 1.00, "#43a047", "75–100%"),
    ProgressClass(1.00, float("inf"), "#00695c", "全部完成"),
)
NO_TASKS_COLOUR = "#9e9e9e"
NO_TASKS_LABEL = "暂无任务"

SEGMENT_KIND, ALLEY_KIND = KINDS
#: Line widths: CSS pixels in the browser, points in static maps. Alleys are drawn thinner.
WEB_WEIGHT = {SEGMENT_KIND: 5.0, ALLEY_KIND: 2.5}
STATIC_WIDTH = {SEGMENT_KIND: 2.4, ALLEY_KIND: 1.0}

BOUNDARY_COLOUR = "#546e7a"
INSPECTION_COLOUR = "#212121"

#: Qualitative palette for finding categories, most distinct first; no progress colour in it.
CATEGORY_PALETTE: tuple[str, ...] = (
    "#1f77b4", "#9467bd", "#e377c2", "#8c564b", "#17becf", "#393b79", "#7f7f7f", "#bcbd22",
)  # fmt: skip

#: Coordination ladder (协调事项), lowest level first; darker means escalated further.
LEVEL_COLOURS: dict[str, str] = {
    "牵头部门": "#64b5f6",
    "县级领导": "#3949ab",
    "创卫办": "#6a1b9a",
}
NOT_ESCALATED_LABEL = "未上报"
NOT_ESCALATED_COLOUR = "#bdbdbd"
OTHER_LEVEL_COLOUR = "#757575"
#: Heat layer: a pink→purple ramp that cannot be mistaken for the red→green progress scale.
HEAT_GRADIENT: dict[float, str] = {0.2: "#fcc5c0", 0.5: "#f768a1", 0.8: "#ae017e", 1.0: "#49006a"}

# Chinese text of the maps.
LEGEND_PROGRESS_TITLE = "任务完成率（已核查）"
LEGEND_WIDTH_NOTE = "粗线：路段　细线：巷道"
LEGEND_CATEGORY_TITLE = "问题类别"
LEGEND_LEVEL_TITLE = "协调事项层级"
LEGEND_INSPECTION = "本周督查点位"
LEGEND_BOUNDARY = "辖区边界"
LEGEND_PROBLEM_PREFIX = "协调事项："
LEGEND_LEADERS = "包段县级领导"
LAYER_SEGMENTS = "路段"
LAYER_ALLEYS = "巷道"
LAYER_STREET_NAMES = "街道名称"
LAYER_BOUNDARY = "辖区边界"
LAYER_FINDINGS = "问题点位"
LAYER_HEAT = "热力图"
LAYER_PROBLEMS = "协调事项"
LAYER_INSPECTIONS = "本周督查"
BASEMAP_TIANDITU = "天地图矢量"
BASEMAP_GAODE = "高德地图"
OSM_CREDIT = "© OpenStreetMap contributors"
UNSET = "未指定"
SEGMENT_TOOLTIP_ALIASES: dict[str, str] = {
    "name": "{kind}",
    "street": "所属街道",
    "leader": "包段县级领导",
    "lead_unit": "牵头部门",
    "units": "参与单位",
    "tasks": "任务完成",
    "open_problems": "未办结问题",
}
POINT_TOOLTIP_ALIASES: dict[str, str] = {"label": "名称", "category": "类别", "level": "层级"}


def progress_share(done: int, total: int) -> float | None:
    """Share of tasks verified, or None when the segment has no tasks."""
    if total <= 0:
        return None
    return min(max(done / total, 0.0), 1.0)


def progress_colour(done: int, total: int) -> str:
    """Colour of a segment with `done` of `total` tasks verified."""
    share = progress_share(done, total)
    if share is None:
        return NO_TASKS_COLOUR
    for cls in PROGRESS_CLASSES:
        if cls.lower <= share < cls.upper:
            return cls.colour
    raise AssertionError(f"share {share} outside the progress scale")


def progress_legend() -> list[tuple[str, str]]:
    """(colour, Chinese label) rows of the progress legend, highest class first."""
    rows = [(cls.colour, cls.label) for cls in reversed(PROGRESS_CLASSES)]
    return rows + [(NO_TASKS_COLOUR, NO_TASKS_LABEL)]


def segment_colour(segment: SegmentView) -> str:
    """Progress colour of one segment."""
    return progress_colour(segment.tasks_done, segment.tasks_total)


def category_colours(categories: Iterable[str]) -> dict[str, str]:
    """Colour per finding category, in sorted name order (stable while the set is).

    With more categories than colours the palette repeats; the legend still names each.
    """
    names = sorted(set(categories))
    return {name: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, name in enumerate(names)}


def level_label(level: str | None) -> str:
    """Chinese legend label of an escalation level."""
    return NOT_ESCALATED_LABEL if level is None else level


def level_colour(level: str | None) -> str:
    """Colour of a coordination item at `level` of the ladder."""
    if level is None:
        return NOT_ESCALATED_COLOUR
    return LEVEL_COLOURS.get(level, OTHER_LEVEL_COLOUR)


def level_legend(levels: Iterable[str | None]) -> list[tuple[str, str]]:
    """(colour, label) rows for the levels present, in ladder order, others after."""
    present = set(levels)
    order: list[str | None] = [lv for lv in LEVEL_COLOURS if lv in present]
    order += sorted(lv for lv in present if lv is not None and lv not in LEVEL_COLOURS)
    if None in present:
        order.append(None)
    return [(level_colour(lv), level_label(lv)) for lv in order]
