"""督查 pages and API: an unannounced round stays hidden from units; findings and 12345 orders by API."""

from __future__ import annotations

from shapely.geometry import shape
from sqlalchemy import select

from models import Attachment, InspectionStop, Segment, Unit
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.findings import record_finding
from services.inspections.planning import plan_week
from tests.conftest import at
from tests.support.inspections import WANGJING_BUS_STOP, lonlat
from tests.web.conftest import csrf_of, jpeg

WEST_BUS_STOP = "4724147445"  # 阜通西大街 → LD-01, led by 县人民检察院 (unit A)


def _secret_round(db) -> tuple[int, int]:
    with db.unit_of_work() as s:
        c = get_campaign(s)
        plans = {p.kind: p.id for p in plan_week(s, ctx=load_context(s, campaign=c), week="2025-W04", now=at("2025-01-20 08:00"),
                                                       seed=7)}
        stop = s.scalars(select(InspectionStop).where(InspectionStop.inspection_id == plans["暗访"],
                                                      InspectionStop.segment_id.is_not(None))).first()
        mid = shape(s.get(Segment, stop.segment_id).geometry).interpolate(0.5, normalized=True)
        office = s.scalar(select(Unit.id).where(Unit.kind == "创卫办"))
        fid = record_finding(s, ctx=load_context(s, campaign=c), category="卫生死角", lon=mid.x, lat=mid.y, now=at("2025-01-20 09:30"),
                             inspection_id=plans["暗访"], inspector_unit_id=office).id
    return plans["暗访"], fid


def test_an_unannounced_inspection_is_absent_from_a_units_api_and_pages(db, town, api_for, browser_for):
    secret, fid = _secret_round(db)
    for person in (town.unit_a, town.unit_b, town.leader_a):
        api = api_for(person)
        plans = api.get("/api/inspections").json()
        assert plans and secret not in {p["id"] for p in plans} and all(p["kind"] != "暗访" for p in plans)
        assert fid not in {f["id"] for f in api.get("/api/findings").json()}
        page = browser_for(person).get("/inspections")
        assert page.status_code == 200 and "暗访" not in page.text and "交叉检查" in page.text
    week = browser_for(town.unit_a).get("/inspections?week=2025-W04")  # the week as people read it, never its key
    assert week.status_code == 200 and "督查计划 · 1月20日—26日" in week.text and "2025-W04" not in week.text
    wrong = browser_for(town.unit_a).get("/inspections?week=第四周")
    assert wrong.status_code == 422 and "周次「第四周」无效" in wrong.text
    office = api_for(town.office)
    assert secret in {p["id"] for p in office.get("/api/inspections").json()}
    assert fid in {f["id"] for f in office.get("/api/findings").json()}


def test_an_inspector_records_findings_by_api_and_is_offered_the_duplicate(db, town, api_for):
    lon, lat = lonlat(WANGJING_BUS_STOP)
    api = api_for(town.inspector)
    first = api.post("/api/findings", json={"category": "占道经营", "lon": lon, "lat": lat, "description": "占道"})
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "open" and first.json()["lead_unit_id"]
    again = api.post("/api/findings", json={"category": "占道经营", "lon": lon + 0.0002, "lat": lat})
    assert again.status_code == 409 and f"问题 {first.json()['id']}" in again.json()["details"][0]
    merged = api.post("/api/findings", json={"category": "占道经营", "lon": lon + 0.0002, "lat": lat,
                                             "merge_into": first.json()["id"]})
    assert merged.status_code == 201 and merged.json()["merged_into"] == first.json()["id"]
    by_unit = api_for(town.unit_a).post("/api/findings", json={"category": "占道经营", "lon": lon, "lat": lat})
    assert by_unit.status_code == 403


def test_an_inspector_records_a_finding_on_the_phone_page(db, town, browser_for):
    lon, lat = lonlat(WANGJING_BUS_STOP)
    browser = browser_for(town.inspector)
    form = browser.get("/findings/new")
    assert form.status_code == 200 and "暴露垃圾" in form.text
    r = browser.post("/findings", data={"csrf": csrf_of(browser), "category": "暴露垃圾", "lon": str(lon),
                                        "lat": str(lat), "description": "站台后暴露垃圾"},
                     files=[("photos", ("垃圾.jpg", jpeg(taken=at("2025-01-20 09:50"), lon=lon, lat=lat),
                                                   "image/jpeg"))])
    assert r.status_code == 303 and r.headers["location"].startswith("/findings?created=")
    fid = int(r.headers["location"].split("=")[1])
    with db.reader() as s:
        role = select(Attachment.role).where(Attachment.owner_type == "finding", Attachment.owner_id == fid)
        assert s.scalar(role) == "before"
    dup = browser.post("/findings", data={"csrf": csrf_of(browser), "category": "暴露垃圾", "lon": str(lon),
                                          "lat": str(lat)})
    assert dup.status_code == 409 and "合并到问题" in dup.text
    assert "站台后暴露垃圾" in browser.get("/findings").text


def test_a_complaint_taken_by_api_shows_its_complainant_to_the_office_only(db, town, api_for):
    lon, lat = lonlat(WEST_BUS_STOP)
    office = api_for(town.office)
    r = office.post("/api/complaints", json={"order_no": "GD-API-1", "content": "公交站旁垃圾无人清理",
                                             "received_at": "2025-01-20T09:00:00+08:00", "category": "暴露垃圾",
                                             "lon": lon, "lat": lat, "complainant_name": "张三",
                                             "complainant_phone": "13812341234"})
    assert r.status_code == 201 and r.json()["located_by"] == "point"
    assert office.get("/api/complaints").json()[0]["complainant"] == "张三"
    seen = api_for(town.unit_a).get("/api/complaints").json()
    assert [(c["order_no"], c["complainant"], c["phone"]) for c in seen] == [("GD-API-1", "张*", "138****1234")]
    assert api_for(town.unit_b).get("/api/complaints").json() == []
    by_unit = api_for(town.unit_a).post("/api/complaints", json={"order_no": "x", "content": "y",
                                                                 "received_at": "2025-01-20T09:00:00+08:00"})
    assert by_unit.status_code == 403
