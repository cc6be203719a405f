"""The console's 标准与自评 page and the readiness 专刊 from it, 办结 of a complaint, 协调事项 by category; finding
uploads that are refused leave no photo file, and ids out of range are refused before any query (422 in the API,
the 404 page on console pages, as every page with an id in its path). On SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import AuditEntry, Brief, Complaint, Photo, Segment, Unit
from services.campaigns import get_campaign, load_context
from services.escalation import raise_problem
from services.people import Principal
from services.standard import assess_item, list_items, load_standard
from tests.conftest import at
from tests.web.conftest import csrf_of, jpeg

HUGE = "99999999999"


def _point(db, code: str) -> tuple[float, float]:
    with db.reader() as s:
        geometry = s.scalar(select(Segment.geometry).where(Segment.code == code))
    line = geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0]
    return tuple(line[len(line) // 2][:2])


def _files(settings) -> list[str]:
    root = settings.data_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "photos" in p.parts)


def test_the_standard_page_shows_the_readiness_view_and_issues_the_special_brief(browser_for, town, db, tmp_path):
    office = browser_for(town.office)
    empty = office.get("/office/standard")
    assert empty.status_code == 200 and "cw standard load" in empty.text
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        load_standard(s, ctx=ctx, now=at("2025-01-10 09:00"))
        items = list_items(s, ctx=ctx)
        red = next(i for i in items if i.owner)
        assess_item(s, ctx=ctx, code=red.code, result="未达标", score=40, note=None, files=[],
                    evidence_dir=tmp_path / "evidence", now=at("2025-01-15 09:00"), actor="创卫办")
    page = office.get("/office/standard")
    assert page.status_code == 200
    for text in ("标准与自评", "各方面达标情况", "未达标条目", red.title, red.owner, "尚未自评的条目",
                 'href="/standard#item-', "编发专刊"):
        assert text in page.text, text
    assert re.search(rf'<td>{red.owner}</td><td class="num">\d+</td><td class="num">0</td>', page.text)  # 责任单位
    assert 'href="/office/standard"' in office.get("/office/ledger").text  # in every page's navigation
    assert browser_for(town.unit_a).get("/office/standard").status_code == 403
    r = office.post("/office/standard/brief", data={"csrf": csrf_of(office), "month": "2025-01"})
    assert r.status_code == 303 and r.headers["location"] == "/office/standard?ok=readiness_issued"
    with db.reader() as s:
        brief = s.scalars(select(Brief)).one()
        assert (brief.key, brief.state) == ("readiness:2025-01", "issued")
    html = office.get(f"/office/briefs/{brief.number}.html")
    assert html.status_code == 200 and red.title in html.text and "2025年1月" in html.text
    assert "国家卫生县城标准达标准备情况（2025年1月）" in office.get("/office/briefs").text
    bad = office.post("/office/standard/brief", data={"csrf": csrf_of(office), "month": "下个月"})
    assert bad.status_code == 422 and "无法识别" in bad.text
    assert office.post("/office/standard/brief", data={"month": "2025-01"}).status_code == 403  # no CSRF token


def test_the_office_closes_a_complaint_with_a_note(browser_for, town, db):
    office = browser_for(town.office)
    r = office.post("/office/complaints", data={"csrf": csrf_of(office), "channel": "来电", "content": "路灯不亮",
                                                "received": "2025-01-20T09:15", "address": "阜通西大街"})
    assert r.status_code == 303
    with db.reader() as s:
        cid = s.scalar(select(Complaint.id))
    page = office.get("/office/complaints").text
    assert f'action="/office/complaints/{cid}/close"' in page and ">办结</button>" in page
    blank = office.post(f"/office/complaints/{cid}/close", data={"csrf": csrf_of(office), "note": "  "})
    assert blank.status_code == 422 and "办结说明" in blank.text
    done = office.post(f"/office/complaints/{cid}/close", data={"csrf": csrf_of(office), "note": "已更换灯具"})
    assert done.status_code == 303 and done.headers["location"] == "/office/complaints?ok=complaint_closed"
    with db.reader() as s:
        c = s.get(Complaint, cid)
        assert (c.status, c.close_note) == ("closed", "已更换灯具")
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.action == "complaint.close")) == town.office.name
    assert "已办结" in office.get("/office/complaints").text
    assert f'action="/office/complaints/{cid}/close"' not in office.get("/office/complaints").text
    again = office.post(f"/office/complaints/{cid}/close", data={"csrf": csrf_of(office), "note": "再次"})
    assert again.status_code == 409 and "已经办结" in again.text
    unknown = office.post("/office/complaints/123456/close", data={"csrf": csrf_of(office), "note": "x"})
    assert unknown.status_code == 404


def test_problems_are_filtered_by_category_on_the_server(browser_for, town, db):
    with db.unit_of_work() as s:
        c = get_campaign(s)
        unit = s.scalar(select(Unit).where(Unit.name == "县人民检察院"))
        actor = Principal(campaign_id=c.id, role="unit", name=unit.name, unit_id=unit.id)
        for title, category in (("门前垃圾堆放需清运", "暴露垃圾"), ("占道摆摊需要协调", "占道经营")):
            raise_problem(s, ctx=load_context(s, campaign=c), unit_id=unit.id, title=title, category=category,
                          now=at("2025-01-20 09:00"), actor=actor)
    office = browser_for(town.office)
    page = office.get("/office/problems").text
    assert "门前垃圾堆放" in page and "占道摆摊" in page and 'name="category"' in page
    only = office.get("/office/problems", params={"category": "暴露垃圾"}).text
    assert "门前垃圾堆放" in only and "占道摆摊" not in only
    assert '<option value="暴露垃圾" selected' in only
    none = office.get("/office/problems", params={"category": "不存在的类别" * 20})
    assert none.status_code == 200 and "没有符合条件的问题" in none.text


def test_a_refused_finding_upload_leaves_no_photo_file(browser_for, town, db, settings):
    lon, lat = _point(db, town.segment_a)
    photo = ("现场.jpg", jpeg(taken=at("2025-01-20 09:50"), lon=lon, lat=lat), "image/jpeg")
    broken = ("坏图.jpg", b"\xff\xd8 not a picture", "image/jpeg")
    inspector, office = browser_for(town.inspector), browser_for(town.office)
    cases = [
        (inspector, "/findings", {"category": "不存在的类别"}, [photo]),  # refused after the photo was stored
        (inspector, "/findings", {"category": "暴露垃圾"}, [photo, broken]),  # the second picture is refused
        (office, "/office/findings", {"category": "不存在的类别"}, [photo]),
        (office, "/office/findings", {"category": "暴露垃圾"}, [photo, broken]),
    ]
    for client, path, fields, files in cases:
        r = client.post(path, data={"csrf": csrf_of(client), "lon": str(lon), "lat": str(lat), "new": "1",
                                    "allow_duplicate": "1", **fields},
                        files=[("photos", f) for f in files])
        assert r.status_code == 422, (path, fields, r.status_code)
        assert _files(settings) == [], (path, fields)
    with db.reader() as s:
        assert s.scalar(select(Photo.id)) is None
    ok = inspector.post("/findings", data={"csrf": csrf_of(inspector), "category": "暴露垃圾", "lon": str(lon),
                                           "lat": str(lat), "new": "1"}, files=[("photos", photo)])
    assert ok.status_code == 303 and len(_files(settings)) >= 1  # the same picture is kept once accepted


def test_ids_out_of_range_are_refused_before_any_query(browser_for, api_for, town):
    office = browser_for(town.office)
    token = {"csrf": csrf_of(office)}
    for path, data in ((f"/office/complaints/{HUGE}/close", {"note": "x"}),
                       (f"/office/complaints/{HUGE}/visit", {"result": "满意"}),
                       (f"/office/findings/{HUGE}/assign", {"segment": "X"}),
                       (f"/office/inspections/{HUGE}/publish", {}),
                       (f"/office/problems/{HUGE}", {"verb": "supervise"}),
                       (f"/office/requests/{HUGE}", {"approve": "1"}),
                       ("/office/complaints/0/close", {"note": "x"})):
        r = office.post(path, data={**token, **data})
        assert r.status_code == 404 and "不存在" in r.text, path
    assert office.get(f"/office/briefs/{HUGE}.html").status_code == 404
    lon, lat = 116.47, 39.99
    r = office.post("/findings", data={**token, "category": "暴露垃圾", "lon": str(lon), "lat": str(lat), "new": "1",
                                       "inspection": HUGE})
    assert r.status_code == 422 and "所属督查计划不正确" in r.text
    r = office.post("/findings", data={**token, "category": "暴露垃圾", "lon": "nan", "lat": "nan", "new": "1"})
    assert r.status_code == 422
    api = api_for(town.inspector)
    assert api.post(f"/api/findings/{HUGE}/reinspect", json={"passed": True}).status_code == 422
    assert api.post("/api/findings", json={"category": "暴露垃圾", "lon": lon, "lat": lat,
                                           "inspection_id": int(HUGE)}).status_code == 422
