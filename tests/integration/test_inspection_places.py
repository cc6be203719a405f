"""``cw import places``: inspection places from GeoJSON or tables, routed to segments, sampled by type."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from maps.datum import wgs84_to_gcj02
from models import InspectionStop, Place
from rules.errors import InvalidInput
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.places import import_places
from services.inspections.planning import plan_week
from tests.support.inspections import GRID_OFFICE, HYATT, POIS, WANGJING_BUS_STOP, at, lonlat, open_first_phase, segment

# real OSM POIs as places to inspect: restaurants as 餐饮店, waste points as 垃圾站, the rest as 公厕 stand-ins
KINDS = {"restaurant": "餐饮店", "fast_food": "餐饮店", "waste_disposal": "垃圾站", "supermarket": "农贸市场"}


@pytest.fixture(autouse=True)
def _without_bundled_places(db, example):
    """These tests import their own places: start from the example without the places it ships."""
    with db.unit_of_work() as s:
        s.execute(delete(Place))


def _geojson(tmp_path) -> object:
    features = []
    for osm_id, f in POIS.items():
        kind = KINDS.get(f["properties"]["amenity"] or f["properties"]["shop"] or "")
        if kind:
            name = f["properties"]["name"] or f"{kind}{osm_id}"
            features.append({"type": "Feature", "geometry": f["geometry"],
                             "properties": {"名称": name, "类型": kind, "地址": f["properties"]["addr_street"]}})
    path = tmp_path / "places.geojson"
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def test_places_import_from_geojson_routes_each_place_to_its_segment(db, example, tmp_path):
    with db.unit_of_work() as s:
        report = import_places(s, ctx=load_context(s, campaign=get_campaign(s)), path=_geojson(tmp_path), now=at("2025-03-01 09:00"))
    assert report.created > 30 and report.updated == 0
    with db.reader() as s:
        places = list(s.scalars(select(Place)))
        assert {p.kind for p in places} == {"餐饮店", "垃圾站", "农贸市场"}
        tofu = next(p for p in places if p.name == "Tofu Villiage")
        assert tofu.segment_id == segment(s, "LD-21").id  # via the alley XD-44
        unrouted = [p for p in places if p.segment_id is None]
        assert unrouted and len(report.warnings) >= len(unrouted)
    with db.unit_of_work() as s:
        again = import_places(s, ctx=load_context(s, campaign=get_campaign(s)), path=_geojson(tmp_path), now=at("2025-03-02 09:00"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)


def test_places_import_from_a_gcj02_table_converts_to_wgs84(db, example, tmp_path):
    rows = [("望京街公厕", "公厕", WANGJING_BUS_STOP), ("营业厅后垃圾站", "垃圾站", GRID_OFFICE), ("酒店外公厕", "公厕", HYATT)]
    path = tmp_path / "点位.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["名称", "类型", "地址", "经度", "纬度"])
        for name, kind, osm_id in rows:
            lon, lat = wgs84_to_gcj02(*lonlat(osm_id))
            w.writerow([name, kind, "", f"{lon:.7f}", f"{lat:.7f}"])
    with db.unit_of_work() as s:
        report = import_places(s, ctx=load_context(s, campaign=get_campaign(s)), path=path, datum="gcj02", now=at("2025-03-01 09:00"))
    assert report.created == 3
    with db.reader() as s:
        got = {p.name: p for p in s.scalars(select(Place))}
        assert got["望京街公厕"].lon == pytest.approx(lonlat(WANGJING_BUS_STOP)[0], abs=1e-6)
        assert got["望京街公厕"].segment_id == segment(s, "LD-21").id
        assert got["营业厅后垃圾站"].segment_id == segment(s, "LD-27").id
        assert got["酒店外公厕"].segment_id is None


def test_places_import_reports_every_bad_row_and_imports_none(db, example, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "类型", "经度", "纬度"])
    ws.append(["农贸市场一", "农贸市场", 116.47, 39.99])
    ws.append(["", "公厕", 116.47, 39.99])  # no name
    ws.append(["公厕二", "公厕", "东经116", 39.99])  # not a number
    ws.append(["农贸市场一", "农贸市场", 116.48, 39.99])  # repeated
    ws.append(["垃圾站三", "垃圾站", 500000, 4400000])  # projected metres
    wb.save(tmp_path / "places.xlsx")
    with db.unit_of_work() as s, pytest.raises(InvalidInput) as bad:
        import_places(s, ctx=load_context(s, campaign=get_campaign(s)), path=tmp_path / "places.xlsx", now=at("2025-03-01 09:00"))
    assert len(bad.value.details) == 4
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Place)) == 0


def test_unannounced_inspection_samples_imported_places_with_their_minimum_counts(db, example, tmp_path):
    open_first_phase(db)
    with db.unit_of_work() as s:
        import_places(s, ctx=load_context(s, campaign=get_campaign(s)), path=_geojson(tmp_path), now=at("2025-03-01 09:00"))
        plan = plan_week(s, ctx=load_context(s, campaign=get_campaign(s)), week="2025-W19", kinds=["暗访"], seed=3, now=at("2025-05-06 07:30"))
    with db.reader() as s:
        kinds = [k for k in s.scalars(select(Place.kind).join(InspectionStop, InspectionStop.place_id == Place.id)
                                      .where(InspectionStop.inspection_id == plan[0].id))]
        available = dict(s.execute(select(Place.kind, func.count()).group_by(Place.kind)).all())
    # example sampling: 农贸市场 max(1, 50 %), 垃圾站 max(1, 30 %), 餐饮店 max(3, 10 %)
    assert kinds.count("农贸市场") == max(1, -(-available["农贸市场"] // 2))
    assert kinds.count("垃圾站") == max(1, -(-available["垃圾站"] * 3 // 10))
    assert kinds.count("餐饮店") == max(3, -(-available["餐饮店"] // 10))
