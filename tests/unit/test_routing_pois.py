"""Routing real points of interest to the example county's segments (services.inspections.routing).

The segments are the bundled example's (config/examples/demo_county, cut from the same
OpenStreetMap roads of 望京 as tests/data, © OpenStreetMap contributors, ODbL). The points
are real OSM POIs standing in for complaint and finding locations. Each expectation was
checked by hand: the bus stops carry the name of the street they stand on, the 营业厅 has
addr:street=广顺南大街, and the distances to the nearest line and to the next other 路段
were measured independently in Gauss–Krüger (EPSG:4548), given in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from services.inspections.routing import CampaignRouter

ROOT = Path(__file__).resolve().parents[2]
SEGMENTS = json.loads((ROOT / "config/examples/demo_county/segments.geojson").read_text(encoding="utf-8"))["features"]
_POI_FILE = ROOT / "tests/data/beijing_wangjing_pois.geojson"
POIS = {f["properties"]["osm_id"]: f["geometry"]["coordinates"]
        for f in json.loads(_POI_FILE.read_text(encoding="utf-8"))["features"]}
ID = {f["properties"]["路段编号"]: i for i, f in enumerate(SEGMENTS, start=1)}
CODE = {i: c for c, i in ID.items()}


@pytest.fixture(scope="module")
def router() -> CampaignRouter:
    rows = []
    for i, f in enumerate(SEGMENTS, start=1):
        p = f["properties"]
        alley = p["类型"] == "巷道"
        rows.append((i, p["类型"], ID[p["上级路段"]] if alley else None, f["geometry"]))
    return CampaignRouter(rows)


# osm_id, what it is, expected 路段, expected 巷道 (None: on the segment itself)
EXPECTED = [
    ("4724147442", "望京街 bus stop", "LD-21", None),  # 1.9 m; next other 路段 86 m
    ("4724147444", "阜通西大街 bus stop (east)", "LD-02", None),  # 3.8 m; next 89 m
    ("4724147445", "阜通西大街 bus stop (west)", "LD-01", None),  # 7.6 m; next 206 m
    ("4697068430", "侯庄路口北 bus stop on 广顺北大街", "LD-11", None),  # 1.1 m; next 114 m
    ("7725851281", "望京西园三区北门 on 宏泰西街", "LD-19", None),  # 2.8 m; next 140 m
    ("3645418972", "国家电网营业厅, addr:street 广顺南大街", "LD-27", "XD-53"),  # alley 15.9 m; next 156 m
    ("2716872538", "方恒国际A座, behind 阜荣街", "LD-24", "XD-46"),  # alley 12.2 m; next 65.8 m
    ("5920896636", "Tofu Village on the 望京街 alley", "LD-21", "XD-44"),  # alley 9.3 m; next 36.8 m
]


@pytest.mark.parametrize(("osm_id", "what", "segment", "alley"), EXPECTED, ids=[e[1] for e in EXPECTED])
def test_routing_a_real_poi_reaches_the_hand_checked_segment(router, osm_id, what, segment, alley):
    lon, lat = POIS[osm_id]
    routed = router.route(lon, lat, 60.0)
    assert CODE[routed.segment_id] == segment
    assert (CODE[routed.alley_id] if routed.alley_id else None) == alley
    assert routed.distance_m < 20


@pytest.mark.parametrize("osm_id", ["6528036530", "7622324209"], ids=["海底捞 220 m away", "Hyatt 72 m away"])
def test_routing_a_point_outside_every_buffer_finds_no_segment(router, osm_id):
    lon, lat = POIS[osm_id]
    assert router.route(lon, lat, 60.0).segment_id is None
    assert router.route(lon, lat, 300.0).segment_id is not None  # a wider buffer would catch it


def test_routing_many_points_agrees_with_routing_them_one_by_one(router):
    points = list(POIS.values())
    many, dist = router.route_many([p[0] for p in points], [p[1] for p in points], 60.0)
    for (lon, lat), (seg, alley), d in zip(points, many, dist, strict=False):
        one = router.route(lon, lat, 60.0)
        assert (one.segment_id or -1, one.alley_id or -1) == (seg, alley)
        assert (one.distance_m is None and np.isnan(d)) or one.distance_m == pytest.approx(d)
