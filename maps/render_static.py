"""Static progress map (PNG or SVG) for the weekly brief, drawn with geopandas + matplotlib.

Everything is drawn in the local UTM zone (metres), so the scale bar is measured, not
estimated: within a UTM zone the scale error is below 0.04 %. The north arrow is turned by
the grid convergence at the map centre, so it points to true north, not grid north.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape

from maps import styles
from maps.fonts import cjk_rc
from maps.geometry import utm_crs_for
from maps.views import PointView, SegmentView, check_segments
from rules.errors import InvalidInput

FORMATS = ("png", "svg")
_WGS84 = "EPSG:4326"
_MIN_LABEL_LENGTH_M = 150.0  # shorter streets get no label: it would not fit along them
_LABEL_SIZE_PT = 9
_FIG_SIZE_IN = (12.0, 9.0)
_MAP_BOX = (0.02, 0.03, 0.74, 0.86)  # left, bottom, width, height (figure fractions)
_FINDING_SIZE = 60  # points² : visible on a printed A4 page
_PROBLEM_SIZE = 110
_CODE_SIZE_PT = 7
_MAX_CODE_LABELS = 200
_PNG_COMPRESS_LEVEL = 1


def static_progress_map(
    segments: Sequence[SegmentView],
    *,
    title: str,
    date_text: str,
    boundary: dict | None,
    findings: Iterable[PointView] = (),
    out_path: Path,
    fmt: str = "png",
    dpi: int = 150,
    osm_credit: bool = True,
    problems: Iterable[PointView] = (),
    boundary_label: str | None = None,
) -> Path:
    """Draw the progress map to `out_path` and return it.

    Segments are coloured by the share of tasks verified (the same scale as the web map),
    alleys thinner; each main street (主街道) is labelled once along its longest stretch.
    `boundary` is GeoJSON in WGS-84, called `boundary_label` in the legend (示意范围 when the
    outline only sketches the area). `osm_credit` adds "© OpenStreetMap contributors".
    Each 路段 carries its code on the line and the table beside the map names its 包段县级领导;
    findings are drawn by category, open 协调事项 (`problems`) as squares by ladder level.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"静态地图格式只能是 {'、'.join(FORMATS)}，收到 {fmt!r}。")
    import matplotlib

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Title": f"{title} {date_text}"}
    with matplotlib.rc_context(cjk_rc()):
        prepared = _prepare(segments, boundary)
        # svg: one vector drawing, every label stays text the reader can select
        fig = _draw(segments, title=title, date_text=date_text, boundary=boundary, findings=list(findings),
                    osm_credit=osm_credit, problems=list(problems),
                    boundary_label=boundary_label or styles.LEGEND_BOUNDARY,
                    layers="all" if fmt == "svg" else "base", prepared=prepared)
        if fmt == "svg":
            fig.savefig(out_path, format=fmt, dpi=dpi, metadata=metadata)
            return out_path
        base = _raster(fig, dpi)
        overlay = _labels_overlay(segments, boundary, dpi, prepared, osm_credit=osm_credit)
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in {"Software": f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/",
                       **metadata}.items():
        info.add_text(key, value)
    # zlib level 1: the same pixels, ~7 % larger, encoded in half the time (level 6 took ~0.2 s a map)
    Image.alpha_composite(base, overlay).save(out_path, format="png", dpi=(dpi, dpi), pnginfo=info,
                                              compress_level=_PNG_COMPRESS_LEVEL)
    return out_path


def _raster(fig, dpi: int):
    """The figure drawn at ``dpi`` as a PIL RGBA image (what savefig would encode as PNG)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="raw", dpi=dpi)
    width, height = int(fig.get_figwidth() * dpi), int(fig.get_figheight() * dpi)  # as RendererAgg sizes it
    return Image.frombuffer("RGBA", (width, height), buffer.getvalue(), "raw", "RGBA", 0, 1)


# The street names, segment codes, scale bar, north arrow and credit depend only on the segments'
# lines and the boundary, not on the week: drawn once per campaign layout (about half of a map's
# time), kept as a transparent layer and laid over each week's colours and symbols.
_OVERLAYS: OrderedDict[str, object] = OrderedDict()
_MAX_OVERLAYS = 4  # one RGBA layer is ~10 MB at 150 dpi
_OVERLAYS_LOCK = threading.Lock()  # briefs of two campaigns may be drawn in parallel threads


def _layout_key(segments: Sequence[SegmentView], boundary: dict | None, dpi: int, osm_credit: bool) -> str:
    digest = hashlib.sha256()
    for s in segments:
        digest.update(json.dumps([s.id, s.kind, s.code, s.street, s.geometry], sort_keys=True,
                                 ensure_ascii=False).encode())
    digest.update(json.dumps([boundary, dpi, osm_credit, _FIG_SIZE_IN, _MAP_BOX], sort_keys=True).encode())
    return digest.hexdigest()


def _labels_overlay(segments: Sequence[SegmentView], boundary: dict | None, dpi: int, prepared: tuple, *,
                    osm_credit: bool):
    """The week-independent layer of this layout (transparent RGBA), drawn on first use."""
    key = _layout_key(segments, boundary, dpi, osm_credit)
    with _OVERLAYS_LOCK:
        layer = _OVERLAYS.get(key)
        if layer is not None:
            _OVERLAYS.move_to_end(key)
            return layer
    fig = _draw(segments, title="", date_text="", boundary=boundary, findings=[], osm_credit=osm_credit,
                problems=[], boundary_label="", layers="overlay", prepared=prepared)
    fig.patch.set_alpha(0.0)
    layer = _raster(fig, dpi)
    with _OVERLAYS_LOCK:
        _OVERLAYS[key] = layer
        while len(_OVERLAYS) > _MAX_OVERLAYS:
            _OVERLAYS.popitem(last=False)
    return layer


def _draw(
    segments: Sequence[SegmentView],
    *,
    title: str,
    date_text: str,
    boundary: dict | None,
    findings: list[PointView],
    osm_credit: bool,
    problems: list[PointView],
    boundary_label: str,
    layers: str = "all",
    prepared: tuple | None = None,
):
    """The figure; ``layers`` "base" leaves out what `_labels_overlay` draws, "overlay" draws only that."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lines, boundary_frame, utm = prepared or _prepare(segments, boundary)
    fig = Figure(figsize=_FIG_SIZE_IN)
    FigureCanvasAgg(fig)  # Agg renders PNG and measures text; savefig switches for SVG
    ax = fig.add_axes(_MAP_BOX)
    ax.set_axis_off()

    if layers == "overlay":
        _set_extent(ax, _extent(lines, boundary_frame))
        _furniture_and_labels(fig, ax, lines, utm, osm_credit=osm_credit)
        return fig
    if not boundary_frame.empty:
        boundary_frame.boundary.plot(
            ax=ax, color=styles.BOUNDARY_COLOUR, linewidth=1.2, linestyle=(0, (6, 4)), zorder=1
        )
    for kind in (styles.ALLEY_KIND, styles.SEGMENT_KIND):
        part = lines[lines["kind"] == kind]
        if not part.empty:
            part.plot(
                ax=ax,
                color=part["colour"].tolist(),
                linewidth=styles.STATIC_WIDTH[kind],
                capstyle="round",
                zorder=2 if kind == styles.ALLEY_KIND else 3,
            )
    colours = styles.category_colours(p.category for p in findings)
    if findings:
        points = gpd.GeoDataFrame(
            {"colour": [colours[p.category] for p in findings]},
            geometry=gpd.points_from_xy([p.lon for p in findings], [p.lat for p in findings]),
            crs=_WGS84,
        ).to_crs(utm)
        points.plot(
            ax=ax,
            color=points["colour"].tolist(),
            markersize=_FINDING_SIZE,
            edgecolor="#212121",
            linewidth=0.7,
            zorder=5,  # above the 协调事项 square of the same place
        )
    levels = dict(styles.level_legend(p.level for p in problems))
    if problems:
        squares = gpd.GeoDataFrame(
            {"colour": [styles.level_colour(p.level) for p in problems]},
            geometry=gpd.points_from_xy([p.lon for p in problems], [p.lat for p in problems]),
            crs=_WGS84,
        ).to_crs(utm)
        squares.plot(
            ax=ax, color=squares["colour"].tolist(), marker="s", markersize=_PROBLEM_SIZE,
            edgecolor="white", linewidth=0.8, zorder=4,
        )

    _set_extent(ax, _extent(lines, boundary_frame))
    if layers == "all":
        _furniture_and_labels(fig, ax, lines, utm, osm_credit=osm_credit)
    bottom = _legends(ax, colours, boundary=boundary_label if not boundary_frame.empty else None, levels=levels)
    _leader_table(fig, ax, segments, top=bottom)
    centre = _MAP_BOX[0] + _MAP_BOX[2] / 2
    fig.text(
        centre, 0.955, title, ha="center", va="center", fontsize=19, path_effects=_bold("#212121")
    )
    fig.text(centre, 0.915, date_text, ha="center", va="center", fontsize=12, color="#424242")
    return fig


def _furniture_and_labels(fig, ax, lines: gpd.GeoDataFrame, utm, *, osm_credit: bool) -> None:
    """Scale bar, north arrow, street names, segment codes and the credit: the week-independent layer."""
    renderer = fig.canvas.get_renderer()  # Agg canvas; the base class lacks it
    furniture = [_scale_bar(ax), _north_arrow(ax, utm)]
    _label_streets(ax, lines, avoid=[a.get_window_extent(renderer) for a in furniture])
    _label_codes(ax, lines)
    if osm_credit:
        fig.text(
            0.99, 0.01, styles.OSM_CREDIT, ha="right", va="bottom", fontsize=7, color="#616161"
        )


def _prepare(segments: Sequence[SegmentView], boundary: dict | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, object]:
    """The segments and the boundary in the UTM zone of their extent, and that zone."""
    lines = _segment_frame(segments)
    boundary_frame = _boundary_frame(boundary)
    extent_source = lines if not lines.empty else boundary_frame
    if extent_source.empty:
        raise InvalidInput("没有可绘制的路段或辖区边界。")
    # the zone of the extent's centre: estimate_utm_crs() queries the PROJ database (~75 ms a map)
    minx, miny, maxx, maxy = extent_source.total_bounds
    utm = utm_crs_for((minx + maxx) / 2, (miny + maxy) / 2)
    return lines.to_crs(utm), boundary_frame.to_crs(utm), utm


def _segment_frame(segments: Sequence[SegmentView]) -> gpd.GeoDataFrame:
    check_segments(segments)
    return gpd.GeoDataFrame(
        {
            "kind": [s.kind for s in segments],
            "code": [s.code for s in segments],
            "street": [s.street for s in segments],
            "colour": [styles.segment_colour(s) for s in segments],
        },
        geometry=[shape(s.geometry) for s in segments],
        crs=_WGS84,
    )


def _boundary_frame(boundary: dict | None) -> gpd.GeoDataFrame:
    if boundary is None:
        return gpd.GeoDataFrame(geometry=[], crs=_WGS84)
    if boundary.get("type") == "FeatureCollection":
        geometries = [shape(f["geometry"]) for f in boundary["features"] if f.get("geometry")]
    elif boundary.get("type") == "Feature":
        geometries = [shape(boundary["geometry"])]
    else:
        geometries = [shape(boundary)]
    return gpd.GeoDataFrame(geometry=geometries, crs=_WGS84)


def _extent(*frames: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    bounds = np.array([f.total_bounds for f in frames if not f.empty])
    return bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()


def _set_extent(ax, extent: tuple[float, float, float, float]) -> None:
    """Show `extent` (metres) with a small margin, widened to the map box's shape: 1:1."""
    xmin, ymin, xmax, ymax = extent
    pad = 0.03 * max(xmax - xmin, ymax - ymin, 1.0)
    width, height = xmax - xmin + 2 * pad, ymax - ymin + 2 * pad
    box_ratio = (_MAP_BOX[3] * _FIG_SIZE_IN[1]) / (_MAP_BOX[2] * _FIG_SIZE_IN[0])
    if height / width < box_ratio:
        height = width * box_ratio
    else:
        width = height / box_ratio
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal", adjustable="box")


def _label_streets(ax, lines: gpd.GeoDataFrame, *, avoid: list) -> None:
    """One label per main street, along its longest stretch.

    A label that would overlap another, leave the map or cover the scale bar or the north
    arrow (`avoid`, display boxes) is dropped; long streets are placed first.
    """
    from matplotlib import patheffects

    streets = lines[(lines["kind"] == styles.SEGMENT_KIND) & lines["street"].notna()]
    candidates = []
    for name, group in streets.groupby("street", sort=True):
        merged = shapely.line_merge(shapely.union_all(group.geometry.values))
        parts = list(getattr(merged, "geoms", [merged]))
        longest = max(parts, key=lambda g: g.length)
        if longest.length >= _MIN_LABEL_LENGTH_M:
            candidates.append((longest.length, name, longest))
    candidates.sort(key=lambda c: -c[0])  # long streets claim their place first

    renderer = ax.figure.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    placed = list(avoid)
    for _length, name, line in candidates:
        anchor = line.interpolate(0.5, normalized=True)
        angle = _screen_angle(ax, line)
        text = ax.text(
            anchor.x,
            anchor.y,
            name,
            fontsize=_LABEL_SIZE_PT,
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            color="#212121",
            zorder=5,
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
            gid=f"street-{name}",  # haloed text is drawn as bare paths: name it in the SVG
        )
        box = text.get_window_extent(renderer).expanded(1.1, 1.3)
        if (
            not axes_box.contains(box.x0, box.y0)
            or not axes_box.contains(box.x1, box.y1)
            or any(box.overlaps(other) for other in placed)
        ):
            text.remove()
            continue
        placed.append(box)


def _screen_angle(ax, line) -> float:
    """Text rotation (degrees, kept readable: −90…90) along `line` at its midpoint."""
    half = min(40.0, line.length / 4)  # metres either side of the midpoint
    mid = line.length / 2
    a, b = line.interpolate(mid - half), line.interpolate(mid + half)
    (x0, y0), (x1, y1) = ax.transData.transform([(a.x, a.y), (b.x, b.y)])
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    if angle > 90:
        angle -= 180
    elif angle < -90:
        angle += 180
    return angle


def _nice_length(max_m: float) -> float:
    """Largest 1, 2 or 5 × 10^k metres not above `max_m`."""
    exponent = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * 10**exponent <= max_m:
            return float(step * 10**exponent)
    return float(10 ** (exponent - 1) * 5)


def _length_label(metres: float) -> str:
    return f"{metres / 1000:g} 千米" if metres >= 1000 else f"{metres:g} 米"


def _scale_bar(ax) -> _Group:
    """Two-part black/white bar in the lower right, measured in UTM metres (axis units)."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length((x1 - x0) / 4)
    height = (y1 - y0) * 0.008
    right = x1 - (x1 - x0) * 0.04
    left = right - length
    bottom = y0 + (y1 - y0) * 0.04
    halves = [
        ax.add_patch(
            Rectangle(
                (left + i * length / 2, bottom),
                length / 2,
                height,
                facecolor=face,
                edgecolor="black",
                linewidth=0.8,
                zorder=6,
            )
        )
        for i, face in enumerate(("black", "white"))
    ]
    label_y = bottom + height * 1.8
    marks = ((left, "0"), (left + length / 2, f"{length / 2:g}"), (right, _length_label(length)))
    texts = [
        ax.text(
            x,
            label_y,
            text,
            ha="center",
            va="bottom",
            fontsize=8,
            zorder=6,
            path_effects=_halo(),
            gid=f"scale-bar-{length:g}m" if x == right else None,
        )
        for x, text in marks
    ]
    return _Group([*halves, *texts])


def _north_arrow(ax, utm) -> _Group:
    """Arrow in the upper right, turned from grid north to true north."""
    from pyproj import Transformer

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    to_wgs = Transformer.from_crs(utm, _WGS84, always_xy=True)
    to_utm = Transformer.from_crs(_WGS84, utm, always_xy=True)
    lon, lat = to_wgs.transform((x0 + x1) / 2, (y0 + y1) / 2)
    (ax_, bx), (ay, by) = to_utm.transform([lon, lon], [lat, lat + 0.01])
    convergence = math.atan2(bx - ax_, by - ay)  # true north's angle east of grid north
    size = (y1 - y0) * 0.07
    tip_x, tip_y = x1 - (x1 - x0) * 0.06, y1 - (y1 - y0) * 0.04
    tail = (tip_x - size * math.sin(convergence), tip_y - size * math.cos(convergence))
    arrow = ax.annotate(
        "",
        xy=(tip_x, tip_y),
        xytext=tail,
        zorder=6,
        arrowprops={
            "arrowstyle": "-|>,head_length=0.8,head_width=0.4",
            "color": "black",
            "linewidth": 2,
        },
    )
    label = ax.text(
        tail[0],
        tail[1] - size * 0.12,
        "北",
        ha="center",
        va="top",
        fontsize=13,
        zorder=6,
        path_effects=_halo(),
        gid="north-arrow",
    )
    return _Group([arrow, label])


class _Group:
    """Artists that are measured together (their union box, in display pixels)."""

    def __init__(self, artists: list):
        self.artists = artists

    def get_window_extent(self, renderer):
        from matplotlib.transforms import Bbox

        return Bbox.union([a.get_window_extent(renderer) for a in self.artists])


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=3, foreground="white")]


def _bold(colour: str):
    """Faux bold: the CJK fonts installed here have a single (regular) weight."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=0.9, foreground=colour)]


def _legends(ax, categories: dict[str, str], *, boundary: str | None, levels: dict[str, str]) -> float:
    """Progress legend right of the map; the finding categories and 协调事项 levels in a second box
    below it. Returns where the legends end (axes fraction)."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=colour, linewidth=4, label=label)
        for colour, label in styles.progress_legend()
    ]
    handles += [
        Line2D([], [], color="#616161", linewidth=styles.STATIC_WIDTH[kind], label=kind)
        for kind in (styles.SEGMENT_KIND, styles.ALLEY_KIND)
    ]
    if boundary:
        handles.append(
            Line2D(
                [],
                [],
                color=styles.BOUNDARY_COLOUR,
                linewidth=1.2,
                linestyle=(0, (6, 4)),
                label=boundary,
            )
        )
    options = {
        "loc": "upper left",
        "frameon": False,
        "fontsize": 10,
        "title_fontsize": 11,
        "alignment": "left",
    }
    progress = ax.legend(
        handles=handles, title=styles.LEGEND_PROGRESS_TITLE, bbox_to_anchor=(1.01, 1.0), **options
    )
    renderer = ax.figure.canvas.get_renderer()
    box = progress.get_window_extent(renderer)
    below = ax.transAxes.inverted().transform((box.x0, box.y0))[1] - 0.03
    if not categories and not levels:
        return below
    ax.add_artist(progress)  # a second ax.legend() call would replace the first
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor=colour,
               markeredgecolor="#212121", label=name)
        for name, colour in categories.items()
    ]
    handles += [
        Line2D([], [], linestyle="none", marker="s", markersize=9, markerfacecolor=colour,
               markeredgecolor="white", label=f"{styles.LEGEND_PROBLEM_PREFIX}{label}")
        for colour, label in levels.items()
    ]
    second = ax.legend(handles=handles, title=styles.LEGEND_CATEGORY_TITLE, bbox_to_anchor=(1.01, below), **options)
    box = second.get_window_extent(renderer)
    return float(ax.transAxes.inverted().transform((box.x0, box.y0))[1] - 0.03)


def _label_codes(ax, lines: gpd.GeoDataFrame) -> None:
    """Each 路段's code (LD-01) on its line; in a city with very many segments only the table names them."""
    from matplotlib import patheffects

    roads = lines[(lines["kind"] == styles.SEGMENT_KIND) & lines["code"].notna()]
    if len(roads) > _MAX_CODE_LABELS:
        return
    for code, geometry in zip(roads["code"], roads.geometry, strict=True):
        parts = list(getattr(geometry, "geoms", [geometry]))
        anchor = max(parts, key=lambda g: g.length).interpolate(0.5, normalized=True)
        ax.text(anchor.x, anchor.y, code, fontsize=_CODE_SIZE_PT, ha="center", va="center", color="#0d47a1",
                zorder=6, gid=f"code-{code}",
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])


def _leader_table(fig, ax, segments: Sequence[SegmentView], *, top: float) -> None:
    """包段县级领导 beside the map: each leader with the codes of the segments they hold."""
    held: dict[str, list[str]] = {}
    for s in segments:
        if s.kind == styles.SEGMENT_KIND and s.leader:
            held.setdefault(s.leader, []).append(s.code)
    if not held:
        return
    rows = [f"{leader}：{'、'.join(sorted(codes, key=_natural))}" for leader, codes in held.items()]
    rows.sort(key=lambda r: _natural(r.split("：")[1]))
    x, y = ax.transAxes.transform((1.01, min(top, 1.0)))
    fx, fy = fig.transFigure.inverted().transform((x, y))
    lines = [styles.LEGEND_LEADERS, *rows]
    size = 9 if len(lines) * 0.022 < fy else 7
    fig.text(fx + 0.005, fy, "\n".join(lines), ha="left", va="top", fontsize=size, color="#212121",
             linespacing=1.35, wrap=True, gid="leader-table")


def _natural(text: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))
