"""Interactive progress map (进度图): one self-contained HTML file, drawn with folium.

Every script and stylesheet is inlined (see `maps.offline_assets`), so the file opens with
no network, by mail or from a USB stick. There is one GeoJson layer per kind of feature,
never one folium object per feature: 5 000 segments stay a few megabytes and load fast.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from maps import styles
from maps.folium_chrome import (
    MAX_ZOOM,
    add_basemap,
    legend_html,
    map_script_class,
    offline_classes,
    page_css,
    title_html,
)
from maps.offline_assets import heat_assets, leaflet_assets, markercluster_assets
from maps.views import PointView, SegmentView, check_segments
from rules.errors import InvalidInput

BASEMAPS = ("none", "tianditu", "gaode")
COORD_DECIMALS = 6  # about 0.1 m

_EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I
)
_CLUSTER_ICON = """function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : n < 100 ? 36 : 42;
    return L.divIcon({html: '<div><span>' + n + '</span></div>', className: 'cw-cluster',
                      iconSize: L.point(size, size)});
}"""

# Turns an array of WGS-84 shapely geometries into what is drawn: datum-shifted and rounded.
Transform = Callable[[np.ndarray], np.ndarray]


def progress_map(
    segments: Sequence[SegmentView],
    *,
    title: str,
    boundary: dict | None,
    findings: Iterable[PointView] = (),
    problems: Iterable[PointView] = (),
    inspections: Iterable[PointView] = (),
    basemap: str = "none",
    tianditu_key: str | None = None,
    osm_credit: bool = True,
    boundary_label: str | None = None,
) -> str:
    """Render the campaign progress map as a complete, self-contained HTML document.

    Parameters
    ----------
    segments
        路段 and 巷道 with WGS-84 geometry, coloured by the share of tasks verified.
    title
        Shown in the page title and in a box at the top of the map.
    boundary
        GeoJSON (geometry, Feature or FeatureCollection) of the jurisdiction, WGS-84.
    findings, problems, inspections
        问题点位 (clustered by category, plus a heat layer), 协调事项 (by escalation level)
        and 本周督查 stops. Inspection stops with ``published=False`` are never drawn.
    basemap
        ``"none"`` (no tiles: works offline), ``"tianditu"`` (天地图 ``vec_w`` + ``cva_w``,
        needs a browser ``tianditu_key``, which is visible in the HTML; CGCS2000 ≈ WGS-84,
        so no shift) or ``"gaode"``
        (高德, GCJ-02: every overlay is shifted WGS-84 → GCJ-02 here, at render time).
    osm_credit
        Add "© OpenStreetMap contributors" to the attribution (required for OSM roads).
    boundary_label
        What the outline is called in the legend and layer list (示意范围 when it only sketches
        the area); 辖区边界 by default.
    """
    if basemap not in BASEMAPS:
        raise InvalidInput(f"底图只能是 {'、'.join(BASEMAPS)} 之一，收到 {basemap!r}。")
    if basemap == "tianditu" and not tianditu_key:
        raise InvalidInput("使用天地图底图需要浏览器端密钥（tk）。")
    check_segments(segments)
    to_map = _to_map("gcj02" if basemap == "gaode" else "wgs84")
    findings = list(findings)
    problems = list(problems)
    # An unannounced inspection (暗访) plan must never leak through a map before it is published.
    shown_inspections = [p for p in inspections if p.published]

    import folium

    offline_map, _, _ = offline_classes()
    fmap = offline_map(
        tiles=None,
        prefer_canvas=True,
        zoom_start=14,
        maxZoom=MAX_ZOOM,
        zoomSnap=0.25,  # fractional zoom lets a district fill the window
    )
    root = fmap.get_root()
    root.title = html.escape(title)  # folium does not escape it
    assets = leaflet_assets()
    if findings:
        assets += markercluster_assets() + heat_assets()
    for asset in assets:
        root.header.add_child(folium.Element(asset.html()), name=asset.name)
    root.header.add_child(folium.Element(page_css()), name="chuangwei_css")
    add_basemap(folium, fmap, basemap, tianditu_key)

    bounds = []
    if boundary is not None:
        bounds.append(_add_boundary(folium, fmap, boundary, to_map, boundary_label or styles.LAYER_BOUNDARY))
    bounds += _add_segments(folium, fmap, segments, to_map)
    _add_street_labels(folium, fmap, segments, to_map)
    colours = styles.category_colours(p.category for p in findings)
    if findings:
        _add_findings(folium, fmap, findings, colours, to_map)
    if problems:
        data = _point_collection(problems, to_map, lambda p: styles.level_colour(p.level))
        _point_layer(
            folium, data, ["label", "category", "level"], radius=7, name=styles.LAYER_PROBLEMS
        ).add_to(fmap)
    if shown_inspections:
        data = _point_collection(shown_inspections, to_map, lambda _p: styles.INSPECTION_COLOUR)
        _point_layer(
            folium, data, ["label", "category"], radius=8, name=styles.LAYER_INSPECTIONS
        ).add_to(fmap)

    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    root.html.add_child(folium.Element(title_html(title)), name="chuangwei_title")
    legend = legend_html(
        findings=colours,
        levels=styles.level_legend(p.level for p in problems),
        inspections=bool(shown_inspections),
        boundary=boundary is not None,
        boundary_label=boundary_label or styles.LEGEND_BOUNDARY,
    )
    root.html.add_child(folium.Element(legend), name="chuangwei_legend")
    script = map_script_class()
    fmap.add_child(script("L.control.scale({imperial: false}).addTo(map);"))
    if osm_credit:
        credit = json.dumps(html.escape(styles.OSM_CREDIT))
        fmap.add_child(script(f"map.attributionControl.addAttribution({credit});"))
    b = np.array(bounds, dtype=float).reshape(-1, 4)
    b = b[~np.isnan(b).any(axis=1)]  # an empty layer has no bounds
    if len(b):
        fmap.fit_bounds(
            [[b[:, 1].min(), b[:, 0].min()], [b[:, 3].max(), b[:, 2].max()]], padding=(20, 20)
        )

    page = root.render()
    external = _EXTERNAL_RESOURCE.search(page)
    if external:
        raise RuntimeError(f"the map would load a resource from the network: {external[0]}")
    return page


def _add_street_labels(folium, fmap, segments: Sequence[SegmentView], to_map: Transform) -> None:
    """Each main street's name once, at the middle of its middle segment (a layer that can be hidden)."""
    streets: dict[str, list[SegmentView]] = {}
    for s in segments:
        if s.kind == styles.SEGMENT_KIND and s.street:
            streets.setdefault(s.street, []).append(s)
    if not streets:
        return
    layer = folium.FeatureGroup(name=styles.LAYER_STREET_NAMES)
    for name, group in sorted(streets.items()):
        middle = sorted(group, key=lambda s: s.code)[len(group) // 2]
        geometry = shape(middle.geometry)
        line = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.length)
        point = to_map(np.array([line.interpolate(0.5, normalized=True)], dtype=object))[0]
        lon, lat = point.x, point.y
        folium.Marker([lat, lon], icon=folium.DivIcon(html=f'<div class="cw-street">{html.escape(name)}</div>',
                                                      icon_size=(0, 0)), interactive=False).add_to(layer)
    layer.add_to(fmap)


def _add_boundary(folium, fmap, boundary: dict, to_map: Transform, label: str) -> tuple:
    data = _transform_collection(_as_feature_collection(boundary), to_map)
    folium.GeoJson(
        data,
        name=label,
        style_function=lambda _f: {
            "color": styles.BOUNDARY_COLOUR,
            "weight": 2,
            "dashArray": "6 4",
            "fill": False,
        },
        interactive=False,
    ).add_to(fmap)
    return _bounds(data)


def _add_segments(folium, fmap, segments: Sequence[SegmentView], to_map: Transform) -> list:
    """One GeoJson layer for the alleys, one for the segments (drawn on top); their bounds."""
    bounds = []
    for kind, layer_name in (
        (styles.ALLEY_KIND, styles.LAYER_ALLEYS),
        (styles.SEGMENT_KIND, styles.LAYER_SEGMENTS),
    ):
        data = _segment_collection([s for s in segments if s.kind == kind], to_map)
        if not data["features"]:
            continue
        bounds.append(_bounds(data))
        aliases = [a.format(kind=kind) for a in styles.SEGMENT_TOOLTIP_ALIASES.values()]
        folium.GeoJson(
            data,
            name=layer_name,
            style_function=_segment_styler(segments),
            highlight_function=lambda _f: {"weight": 8, "opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(
                fields=list(styles.SEGMENT_TOOLTIP_ALIASES), aliases=aliases, sticky=True
            ),
        ).add_to(fmap)
    return bounds


def _add_findings(folium, fmap, findings, colours: dict[str, str], to_map: Transform) -> None:
    """Clustered finding markers (one GeoJson inside the cluster) and a heat layer (off)."""
    _offline_map, cluster_cls, heat_cls = offline_classes()
    data = _point_collection(findings, to_map, lambda p: colours[p.category])
    cluster = cluster_cls(
        name=styles.LAYER_FINDINGS,
        options={"maxClusterRadius": 40, "showCoverageOnHover": False},
        icon_create_function=_CLUSTER_ICON,
    ).add_to(fmap)
    _point_layer(folium, data, ["label", "category"], radius=6).add_to(cluster)
    heat_cls(
        [f["geometry"]["coordinates"][::-1] for f in data["features"]],  # [lat, lon]
        name=styles.LAYER_HEAT,
        show=False,
        radius=22,
        blur=18,
        min_opacity=0.3,
        gradient=styles.HEAT_GRADIENT,
    ).add_to(fmap)


# Geometry helpers: everything below works on GeoJSON dicts in (lon, lat).


def _to_map(datum: str) -> Transform:
    def transform(geometries: np.ndarray) -> np.ndarray:
        if datum != "wgs84":
            from maps.datum import from_wgs84

            geometries = from_wgs84(geometries, datum)
        return shapely.transform(geometries, lambda xy: np.round(xy, COORD_DECIMALS))

    return transform


def _transform_geometries(geometries: list[dict], to_map: Transform) -> list[dict]:
    moved = to_map(np.array([shape(g) for g in geometries], dtype=object))
    return [mapping(g) for g in moved]


def _as_feature_collection(geojson: dict) -> dict:
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        return geojson
    if kind == "Feature":
        return {"type": "FeatureCollection", "features": [geojson]}
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": geojson}]}


def _transform_collection(collection: dict, to_map: Transform) -> dict:
    features = [f for f in collection["features"] if f.get("geometry")]
    geometries = _transform_geometries([f["geometry"] for f in features], to_map)
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries],
    }


def _bounds(collection: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat); all NaN for an empty collection."""
    if not collection["features"]:
        return (math.nan,) * 4
    shapes = [shape(f["geometry"]) for f in collection["features"]]
    return tuple(shapely.total_bounds(np.array(shapes, dtype=object)))


def _text(value: str | None) -> str:
    return html.escape(value) if value else styles.UNSET


def _segment_collection(segments: list[SegmentView], to_map: Transform) -> dict:
    geometries = _transform_geometries([s.geometry for s in segments], to_map)
    features = []
    for seg, geometry in zip(segments, geometries, strict=True):
        share = styles.progress_share(seg.tasks_done, seg.tasks_total)
        tasks = (
            styles.NO_TASKS_LABEL
            if share is None
            else f"{seg.tasks_done}/{seg.tasks_total}（{share:.0%}）"
        )
        features.append(
            {
                "type": "Feature",
                "id": seg.id,
                "properties": {
                    "name": html.escape(seg.name),
                    "street": _text(seg.street),
                    "leader": _text(seg.leader),
                    "lead_unit": _text(seg.lead_unit),
                    "units": "、".join(html.escape(u) for u in seg.units) or styles.UNSET,
                    "tasks": tasks,
                    "open_problems": seg.open_problems,
                },
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _segment_styler(segments: Sequence[SegmentView]) -> Callable[[dict], dict]:
    """Style by feature id, so colour and kind need not be embedded in every feature."""
    by_id = {seg.id: seg for seg in segments}

    def style(feature: dict) -> dict:
        seg = by_id[feature["id"]]
        return {
            "color": styles.segment_colour(seg),
            "weight": styles.WEB_WEIGHT[seg.kind],
            "opacity": 0.9,
            "lineCap": "round",
        }

    return style


def _point_collection(
    points: list[PointView], to_map: Transform, colour: Callable[[PointView], str]
) -> dict:
    xy = shapely.get_coordinates(to_map(shapely.points([[p.lon, p.lat] for p in points])))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": p.id,
                "properties": {
                    "label": html.escape(p.label),
                    "category": html.escape(p.category),
                    "level": html.escape(styles.level_label(p.level)),
                    "colour": colour(p),
                },
                "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
            }
            for p, (x, y) in zip(points, xy, strict=True)
        ],
    }


def _point_style(feature: dict) -> dict:
    return {
        "fillColor": feature["properties"]["colour"],
        "color": "#ffffff",
        "weight": 1.5,
        "fillOpacity": 0.9,
    }


def _point_layer(folium, data: dict, fields: list[str], *, radius: float, name: str | None = None):
    return folium.GeoJson(
        data,
        name=name,
        control=name is not None,
        marker=folium.CircleMarker(radius=radius, fill=True),
        style_function=_point_style,
        tooltip=folium.GeoJsonTooltip(
            fields=fields, aliases=[styles.POINT_TOOLTIP_ALIASES[f] for f in fields]
        ),
    )


# Page furniture: title box, legend, fonts.
