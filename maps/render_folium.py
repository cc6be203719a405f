"""Interactive progress map (进度图): one self-contained HTML file, drawn with folium.

Every script and stylesheet is inlined (see `maps.offline_assets`), so the file opens with
no network, by mail or from a USB stick. There is one GeoJson layer per kind of feature,
never one folium object per feature: 5 000 segments stay a few megabytes and load fast.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from maps import styles
from maps.offline_assets import heat_assets, leaflet_assets, markercluster_assets
from maps.views import PointView, SegmentView, check_segments
from rules.errors import InvalidInput

BASEMAPS = ("none", "tianditu", "gaode")
COORD_DECIMALS = 6  # about 0.1 m
MAX_ZOOM = 18  # the Chinese tile services stop at 18; marker clustering needs a maximum

_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tk}"
)
_TIANDITU_ATTR = "&copy; 天地图 国家地理信息公共服务平台"
_GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_GAODE_ATTR = "&copy; 高德地图"
_EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I
)
_FONT_STACK = '"WenQuanYi Micro Hei","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif'

# Neutral cluster bubbles: the plugin's default green/yellow/orange would read as progress.
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

    offline_map, _, _ = _offline_classes()
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
    root.header.add_child(folium.Element(_page_css()), name="chuangwei_css")
    _add_basemap(folium, fmap, basemap, tianditu_key)

    bounds = []
    if boundary is not None:
        bounds.append(_add_boundary(folium, fmap, boundary, to_map))
    bounds += _add_segments(folium, fmap, segments, to_map)
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
    root.html.add_child(folium.Element(_title_html(title)), name="chuangwei_title")
    legend = _legend_html(
        findings=colours,
        levels=styles.level_legend(p.level for p in problems),
        inspections=bool(shown_inspections),
        boundary=boundary is not None,
    )
    root.html.add_child(folium.Element(legend), name="chuangwei_legend")
    script = _map_script_class()
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


def _add_boundary(folium, fmap, boundary: dict, to_map: Transform) -> tuple:
    data = _transform_collection(_as_feature_collection(boundary), to_map)
    folium.GeoJson(
        data,
        name=styles.LAYER_BOUNDARY,
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
    _offline_map, cluster_cls, heat_cls = _offline_classes()
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


@functools.cache
def _offline_classes():
    """folium's Map, MarkerCluster and HeatMap without their CDN links (assets are inlined)."""
    import folium
    from folium import plugins

    class OfflineMap(folium.Map):
        default_js: list = []
        default_css: list = []

    class OfflineMarkerCluster(plugins.MarkerCluster):
        default_js: list = []
        default_css: list = []

    class OfflineHeatMap(plugins.HeatMap):
        default_js: list = []
        default_css: list = []

    return OfflineMap, OfflineMarkerCluster, OfflineHeatMap


@functools.cache
def _map_script_class():
    """A MacroElement that runs a snippet of JavaScript with the Leaflet map as `map`."""
    from folium.elements import MacroElement
    from folium.template import Template

    class MapScript(MacroElement):
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function (map) { {{ this.code }} })({{ this._parent.get_name() }});
            {% endmacro %}
            """
        )

        def __init__(self, code: str):
            super().__init__()
            self._name = "MapScript"
            self.code = code

    return MapScript


def _add_basemap(folium, fmap, basemap: str, tianditu_key: str | None) -> None:
    if basemap == "tianditu":
        for layer, overlay in (("vec", False), ("cva", True)):
            folium.TileLayer(
                _TIANDITU_URL.format(layer=layer, tk=tianditu_key),
                attr=_TIANDITU_ATTR,
                name=styles.BASEMAP_TIANDITU,
                subdomains="01234567",
                max_zoom=MAX_ZOOM,
                overlay=overlay,
                control=not overlay,
            ).add_to(fmap)
    elif basemap == "gaode":
        folium.TileLayer(
            _GAODE_URL,
            attr=_GAODE_ATTR,
            name=styles.BASEMAP_GAODE,
            subdomains="1234",
            max_zoom=MAX_ZOOM,
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


def _page_css() -> str:
    return f"""<style>
.leaflet-container, .cw-box {{ font-family: {_FONT_STACK}; }}
.leaflet-container {{ background: #f7f7f5; }}
.cw-box {{ position: absolute; z-index: 1000; background: rgba(255,255,255,.92);
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); padding: 8px 12px;
  color: #212121; }}
.cw-title {{ top: 10px; left: 50%; transform: translateX(-50%); font-size: 18px;
  font-weight: bold; white-space: nowrap; }}
.cw-cluster div {{ width: 100%; height: 100%; border-radius: 50%; display: flex;
  align-items: center; justify-content: center; background: rgba(55,71,79,.85);
  border: 2px solid #fff; box-sizing: border-box; color: #fff; font-weight: bold;
  font-size: 13px; }}
.cw-legend {{ bottom: 48px; left: 10px; font-size: 13px; line-height: 20px; }}
.cw-legend h4 {{ margin: 6px 0 2px; font-size: 13px; }}
.cw-legend h4:first-child {{ margin-top: 0; }}
.cw-line {{ display: inline-block; width: 26px; height: 5px; border-radius: 2px;
  vertical-align: middle; margin-right: 6px; }}
.cw-dot {{ display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  border: 1.5px solid #fff; box-shadow: 0 0 0 1px #9e9e9e; vertical-align: middle;
  margin: 0 8px 0 6px; }}
.cw-dash {{ display: inline-block; width: 26px; border-top: 2px dashed {styles.BOUNDARY_COLOUR};
  vertical-align: middle; margin-right: 6px; }}
.cw-note {{ color: #616161; font-size: 12px; }}
.cw-gap {{ height: 6px; }}
</style>"""


def _title_html(title: str) -> str:
    return f'<div class="cw-box cw-title">{html.escape(title)}</div>'


def _legend_html(
    *,
    findings: dict[str, str],
    levels: list[tuple[str, str]],
    inspections: bool,
    boundary: bool,
) -> str:
    rows = [f"<h4>{styles.LEGEND_PROGRESS_TITLE}</h4>"]
    rows += [
        f'<div><span class="cw-line" style="background:{c}"></span>{html.escape(label)}</div>'
        for c, label in styles.progress_legend()
    ]
    rows.append(f'<div class="cw-note">{styles.LEGEND_WIDTH_NOTE}</div>')
    if findings:
        rows.append(f"<h4>{styles.LEGEND_CATEGORY_TITLE}</h4>")
        rows += [
            f'<div><span class="cw-dot" style="background:{c}"></span>{html.escape(name)}</div>'
            for name, c in findings.items()
        ]
    if levels:
        rows.append(f"<h4>{styles.LEGEND_LEVEL_TITLE}</h4>")
        rows += [
            f'<div><span class="cw-dot" style="background:{c}"></span>{html.escape(label)}</div>'
            for c, label in levels
        ]
    if inspections or boundary:
        rows.append('<div class="cw-gap"></div>')
    if inspections:
        rows.append(
            f'<div><span class="cw-dot" style="background:{styles.INSPECTION_COLOUR}"></span>'
            f"{styles.LEGEND_INSPECTION}</div>"
        )
    if boundary:
        rows.append(f'<div><span class="cw-dash"></span>{styles.LEGEND_BOUNDARY}</div>')
    return f'<div class="cw-box cw-legend">{"".join(rows)}</div>'
