"""The interactive progress map: a self-contained page with one GeoJSON layer per kind."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from maps import styles
from maps.offline_assets import MissingSystemPackage, leaflet_assets, markercluster_assets
from maps.render_folium import progress_map
from maps.views import PointView, SegmentView
from rules.errors import InvalidInput

DATA = Path(__file__).resolve().parents[1] / "data"
CATEGORIES = ("环境卫生", "市容秩序", "病媒生物防制", "食品安全")
LEVELS = (None, "牵头部门", "县级领导", "创卫办")
WANGJING_BOX = {
    "type": "Polygon",
    "coordinates": [
        [
            [116.4595, 39.9867],
            [116.4817, 39.9867],
            [116.4817, 40.0041],
            [116.4595, 40.0041],
            [116.4595, 39.9867],
        ]
    ],
}


def wangjing_segments() -> list[SegmentView]:
    """Real OSM roads of 望京: named roads are 路段 of their street, unnamed ones 巷道."""
    roads = json.loads((DATA / "beijing_wangjing_roads.geojson").read_text(encoding="utf-8"))
    segments = []
    for i, feature in enumerate(roads["features"]):
        props = feature["properties"]
        if props["highway"] in ("footway", "cycleway", "track"):
            continue
        name = props["name"]
        total = i % 6 if name else i % 4  # every progress class and some "no tasks"
        segments.append(
            SegmentView(
                id=i,
                code=f"WJ{i:03d}",
                name=name or f"无名巷{i}",
                kind="路段" if name else "巷道",
                street=name,
                geometry=feature["geometry"],
                leader="李副县长" if name else None,
                lead_unit="区城市管理委员会",
                units=("区卫生健康委员会", "望京街道办事处"),
                tasks_done=(i * 7) % (total + 1),
                tasks_total=total,
                open_problems=i % 3,
            )
        )
    return segments


def wangjing_points() -> tuple[list[PointView], list[PointView], list[PointView]]:
    """(findings, problems, inspections) at real 望京 POIs; every other inspection unpublished."""
    pois = json.loads((DATA / "beijing_wangjing_pois.geojson").read_text(encoding="utf-8"))
    xy = [f["geometry"]["coordinates"] for f in pois["features"]]
    findings = [
        PointView(id=i, lon=x, lat=y, category=CATEGORIES[i % 4], label=f"问题{i}")
        for i, (x, y) in enumerate(xy)
    ]
    problems = [
        PointView(
            id=i,
            lon=x + 3e-4,
            lat=y,
            category=CATEGORIES[i % 4],
            label=f"协调{i}",
            level=LEVELS[i % 4],
        )
        for i, (x, y) in enumerate(xy[::5])
    ]
    inspections = [
        PointView(
            id=i, lon=x, lat=y + 3e-4, category="暗访", label=f"督查点{i}", published=i % 2 == 0
        )
        for i, (x, y) in enumerate(xy[::9])
    ]
    return findings, problems, inspections


def wangjing_page(**kwargs) -> str:
    findings, problems, inspections = wangjing_points()
    options = {
        "title": "望京街道创卫进度图（第12期）",
        "boundary": WANGJING_BOX,
        "findings": findings,
        "problems": problems,
        "inspections": inspections,
    }
    return progress_map(wangjing_segments(), **(options | kwargs))


def overlays(page: str) -> dict[str, str]:
    """Layer-control label → JavaScript variable of the layer."""
    found = re.findall(r'^\s*("[^"]*") : (\w+),$', page, re.M)
    assert found, "the layer-control regex matched nothing: has folium's output changed?"
    return {json.loads(label): var for label, var in found}


def layers(page: str) -> dict[str, list[dict]]:
    """Label of each embedded GeoJSON layer ("(unnamed)" if not in the control) → features."""
    names = {var: label for label, var in overlays(page).items()}
    found = re.findall(r"^\s*(\w+)_add\((\{.*\})\);$", page, re.M)
    # every L.geoJson layer's data must be found, else a test over "all layers" checks nothing
    assert found and len(found) == page.count("L.geoJson("), "the GeoJSON-layer regex missed layers"
    named = {names.get(var, "(unnamed)"): json.loads(body)["features"] for var, body in found}
    assert len(named) == len(found), "two layers share a label"
    return named


@pytest.fixture(scope="module")
def page() -> str:
    return wangjing_page()


def test_the_page_loads_no_script_or_stylesheet_from_the_network(page):
    tags = re.findall(r"<(?:script|link)\b[^>]*>", page, re.I)
    assert tags, "expected the inlined <script> elements"
    assert not [t for t in tags if re.search(r"\b(?:src|href)\s*=", t, re.I)]
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page and "cdnjs" not in page


def test_leaflet_markercluster_and_heat_scripts_are_inlined(page):
    assert "L.markerClusterGroup(" in page and "L.heatLayer(" in page
    assert "L.HeatLayer=" in page  # the plugin's own definition, not only its use
    assert 'url("data:image/png;base64,' in page  # leaflet.css control icons
    assert "sourceMappingURL" not in page


def test_each_layer_kind_is_one_geojson_layer_not_one_object_per_feature(page):
    assert page.count("L.geoJson(") == 6  # boundary, alleys, segments, findings, problems, stops
    assert "L.polyline(" not in page and "L.circleMarker(" not in page


def test_every_segment_is_one_feature_in_the_layer_of_its_kind(page):
    segments = wangjing_segments()
    found = layers(page)
    assert len(found[styles.LAYER_SEGMENTS]) == sum(s.kind == "路段" for s in segments)
    assert len(found[styles.LAYER_ALLEYS]) == sum(s.kind == "巷道" for s in segments)
    assert {f["id"] for f in found[styles.LAYER_SEGMENTS]} == {
        s.id for s in segments if s.kind == "路段"
    }


def test_findings_problems_and_published_stops_are_all_drawn(page):
    findings, problems, inspections = wangjing_points()
    found = layers(page)
    assert len(found["(unnamed)"]) == len(findings)  # inside the 问题点位 cluster
    assert len(found[styles.LAYER_PROBLEMS]) == len(problems)
    assert {styles.LAYER_FINDINGS, styles.LAYER_HEAT} <= set(overlays(page))


def test_unannounced_inspection_stops_are_never_in_the_page(page):
    _, _, inspections = wangjing_points()
    drawn = {f["id"] for f in layers(page)[styles.LAYER_INSPECTIONS]}
    assert drawn and any(not p.published for p in inspections)
    assert drawn == {p.id for p in inspections if p.published}
    for stop in inspections:
        if not stop.published:
            assert f"督查点{stop.id}<" not in page and f'"督查点{stop.id}"' not in page
            assert json.dumps(f"督查点{stop.id}") not in page


def test_a_map_with_only_unpublished_stops_has_no_inspection_layer():
    stop = PointView(id=1, lon=116.47, lat=39.99, category="暗访", label="秘密点", published=False)
    page = progress_map(wangjing_segments()[:5], title="t", boundary=None, inspections=[stop])
    drawn = layers(page)
    assert drawn and styles.LAYER_INSPECTIONS not in drawn
    assert json.dumps("秘密点") not in page and "秘密点" not in page


def test_the_legend_names_every_progress_class_in_chinese(page):
    legend = page[page.index('class="cw-box cw-legend"') :]
    for colour, label in styles.progress_legend():
        assert label in legend and colour in legend
    for text in (
        styles.LEGEND_PROGRESS_TITLE,
        styles.NO_TASKS_LABEL,
        styles.LEGEND_WIDTH_NOTE,
        styles.LEGEND_CATEGORY_TITLE,
        styles.LEGEND_LEVEL_TITLE,
        "县级领导",
        "环境卫生",
        styles.LEGEND_INSPECTION,
        styles.LEGEND_BOUNDARY,
    ):
        assert text in legend


def test_segment_tooltips_show_the_responsibilities_and_progress_in_chinese(page):
    aliases = ("路段", "所属街道", "包段县级领导", "牵头部门", "参与单位", "任务完成", "未办结问题")
    for alias in aliases:
        assert json.dumps(alias) in page
    props = {f["id"]: f["properties"] for f in layers(page)[styles.LAYER_SEGMENTS]}
    seg = next(s for s in wangjing_segments() if s.kind == "路段" and s.tasks_total == 5)
    assert props[seg.id]["tasks"] == f"{seg.tasks_done}/5（{seg.tasks_done / 5:.0%}）"
    assert props[seg.id]["units"] == "区卫生健康委员会、望京街道办事处"
    assert props[seg.id]["leader"] == "李副县长"


def test_segments_without_tasks_are_grey_and_say_no_tasks(page):
    empty = [s for s in wangjing_segments() if s.tasks_total == 0]
    assert empty
    alleys = {f["id"]: f["properties"] for f in layers(page)[styles.LAYER_ALLEYS]}
    assert all(alleys[s.id]["tasks"] == styles.NO_TASKS_LABEL for s in empty if s.kind == "巷道")
    assert (
        json.dumps(
            {
                "color": styles.NO_TASKS_COLOUR,
                "lineCap": "round",
                "opacity": 0.9,
                "weight": styles.WEB_WEIGHT["巷道"],
            },
            sort_keys=True,
        )
        in page
    )


@pytest.mark.parametrize(
    ("done", "total", "colour"),
    [
        (0, 4, "#c62828"),
        (1, 4, "#ef6c00"),
        (2, 4, "#d9a400"),
        (3, 4, "#43a047"),
        (4, 4, "#00695c"),
        (0, 0, styles.NO_TASKS_COLOUR),
    ],
)
def test_the_progress_scale_puts_each_share_in_exactly_one_class(done, total, colour):
    assert styles.progress_colour(done, total) == colour


def test_alleys_are_drawn_thinner_than_segments():
    assert styles.WEB_WEIGHT["巷道"] < styles.WEB_WEIGHT["路段"]
    assert styles.STATIC_WIDTH["巷道"] < styles.STATIC_WIDTH["路段"]


def test_a_category_keeps_its_colour_whatever_order_the_findings_come_in():
    assert styles.category_colours(CATEGORIES) == styles.category_colours(reversed(CATEGORIES))
    assert len(set(styles.category_colours(CATEGORIES).values())) == len(CATEGORIES)


def test_coordinates_are_rounded_to_six_decimals(page):
    texts = [json.dumps(f["geometry"]["coordinates"]) for features in layers(page).values() for f in features]
    assert len(texts) > len(wangjing_segments())  # segments, alleys and every point layer
    assert re.search(r"\.\d{6}\b", "".join(texts))  # six decimals are kept …
    assert not [t for t in texts if re.search(r"\.\d{7,}", t)]  # … never more


def test_the_default_map_has_no_basemap_tiles_and_credits_openstreetmap(page):
    assert "L.tileLayer(" not in page
    assert json.dumps("© OpenStreetMap contributors") in page


def test_the_openstreetmap_credit_can_be_switched_off():
    page = wangjing_page(osm_credit=False)
    assert "OpenStreetMap" not in page


def test_tianditu_uses_the_web_mercator_layers_with_the_given_key():
    page = wangjing_page(basemap="tianditu", tianditu_key="browser-key")
    assert "vec_w/wmts" in page and "cva_w/wmts" in page and "tk=browser-key" in page


def test_tianditu_without_a_key_is_refused_with_a_chinese_message():
    with pytest.raises(InvalidInput, match="天地图"):
        wangjing_page(basemap="tianditu")


def test_an_unknown_basemap_is_refused():
    with pytest.raises(InvalidInput):
        wangjing_page(basemap="baidu")


def _metres(a: list[float], b: list[float]) -> float:
    dx = (b[0] - a[0]) * 111_320 * math.cos(math.radians(a[1]))
    return math.hypot(dx, (b[1] - a[1]) * 110_540)


def test_gaode_basemap_shifts_every_overlay_by_about_500_m_to_gcj02(page):
    pytest.importorskip("maps.datum")
    shifted = wangjing_page(basemap="gaode")
    assert "autonavi.com" in shifted
    before, after = layers(page), layers(shifted)
    for name in (styles.LAYER_SEGMENTS, styles.LAYER_PROBLEMS, styles.LAYER_BOUNDARY):
        a = before[name][0]["geometry"]["coordinates"]
        b = after[name][0]["geometry"]["coordinates"]
        while isinstance(a[0], list):
            a, b = a[0], b[0]
        assert 400 < _metres(a, b) < 700, name  # Beijing: about 555 m, mostly east
        assert b[0] > a[0]


def test_markup_in_names_is_escaped_not_injected():
    seg = wangjing_segments()[0]
    evil = SegmentView(**{**seg.__dict__, "name": "<img src=x onerror=alert(1)>"})
    page = progress_map([evil], title="<b>标题</b>", boundary=None)
    assert "<img src=x" not in page and "<b>标题</b>" not in page
    [feature] = layers(page)[styles.LAYER_SEGMENTS]
    assert feature["properties"]["name"] == "&lt;img src=x onerror=alert(1)&gt;"


def test_an_unknown_segment_kind_is_refused():
    seg = wangjing_segments()[0]
    with pytest.raises(InvalidInput, match="路段类型"):
        progress_map([SegmentView(**{**seg.__dict__, "kind": "大道"})], title="t", boundary=None)


def test_five_thousand_segments_render_under_five_megabytes():
    rng = random.Random(7)
    segments = []
    for i in range(5000):
        x, y = 109.5 + rng.random() * 0.1, 34.5 + rng.random() * 0.1
        line = [[x + k * 4e-4, y + rng.random() * 2e-4] for k in range(6)]
        segments.append(
            SegmentView(
                id=i,
                code=f"LD{i:05d}",
                name=f"东风大街第{i}段",
                kind="巷道" if i % 3 == 0 else "路段",
                street=f"东风大街{i % 50}",
                geometry={"type": "LineString", "coordinates": line},
                leader="王副县长",
                lead_unit="县住房和城乡建设局",
                units=("县卫生健康局", "县市场监督管理局", "城关街道办事处"),
                tasks_done=i % 9,
                tasks_total=8,
                open_problems=i % 4,
            )
        )
    page = progress_map(segments, title="大荔县创卫进度图", boundary=None)
    assert len(page.encode("utf-8")) < 5_000_000
    assert page.count("L.geoJson(") == 2
    found = layers(page)
    assert len(found[styles.LAYER_SEGMENTS]) + len(found[styles.LAYER_ALLEYS]) == 5000


def test_a_missing_leaflet_package_is_named_in_the_error(tmp_path):
    with pytest.raises(MissingSystemPackage, match="libjs-leaflet") as leaflet:
        leaflet_assets(tmp_path)
    assert leaflet.value.package == "libjs-leaflet"
    with pytest.raises(MissingSystemPackage, match=r"libjs-leaflet\.markercluster"):
        markercluster_assets(tmp_path)


def test_main_streets_are_labelled_and_a_sketched_outline_is_called_so():
    page = wangjing_page(boundary_label="示意范围")
    streets = {s.street for s in wangjing_segments() if s.kind == styles.SEGMENT_KIND and s.street}
    labels = re.findall(r'"html": "(\\u003cdiv class=\\"cw-street\\".*?)",', page)
    assert streets and {json.loads(f'"{x}"') for x in labels} == {f'<div class="cw-street">{n}</div>' for n in streets}
    assert "示意范围" in page and styles.LEGEND_BOUNDARY not in page
