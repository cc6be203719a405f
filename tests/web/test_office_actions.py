"""The office console's other desks, each through the service the CLI uses: 曝光台, 协调事项, 督查, 投诉, 台账与考核,
简报 and 用户. On SQLite and PostgreSQL."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditEntry, Complaint, Finding, Inspection, Problem, User
from services.campaigns import get_campaign, load_context
from services.escalation import raise_problem
from services.inspections import record_finding
from services.people import Principal
from tests.conftest import at
from tests.web.conftest import csrf_of


def _segment_point(db, code: str) -> tuple[float, float]:
    from models import Segment

    with db.reader() as s:
        geometry = s.scalar(select(Segment.geometry).where(Segment.code == code))
    line = geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0]
    return tuple(line[len(line) // 2][:2])


def _finding(db, town, description: str = "垃圾堆放") -> int:
    lon, lat = _segment_point(db, town.segment_a)
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        return record_finding(s, ctx=ctx, category="暴露垃圾", lon=lon, lat=lat, now=at("2025-01-20 09:00"),
                              actor="督查员甲", description=description, allow_duplicate=True).id


def test_a_finding_is_exposed_for_the_next_brief_and_withdrawn(browser_for, town, db):
    fid = _finding(db, town, "占道经营未清理")
    office = browser_for(town.office)
    page = office.get("/office/exposure")
    assert "占道经营未清理" in page.text and ">曝光</button>" in page.text
    r = office.post("/office/exposure", data={"csrf": csrf_of(office), "finding": str(fid), "action": "expose"})
    assert r.status_code == 303 and r.headers["location"] == "/office/exposure?ok=exposed"
    with db.reader() as s:
        assert s.get(Finding, fid).exposed_at is not None
    assert "已选入下一期" in office.get("/office/exposure").text
    again = office.post("/office/exposure", data={"csrf": csrf_of(office), "finding": str(fid), "action": "withdraw"})
    assert again.status_code == 303
    with db.reader() as s:
        assert s.get(Finding, fid).exposed_at is None
        assert set(s.scalars(select(AuditEntry.action).where(AuditEntry.object_id == fid,
                                                             AuditEntry.object_type == "finding"))) >= {
            "finding.expose", "finding.expose_withdrawn"}
    twice = office.post("/office/exposure", data={"csrf": csrf_of(office), "finding": str(fid), "action": "withdraw"})
    assert twice.status_code == 409 and "无需撤回" in twice.text


def _problem(db, town) -> int:
    with db.unit_of_work() as s:
        c = get_campaign(s)
        from models import Unit

        unit = s.scalar(select(Unit).where(Unit.name == "县人民检察院"))
        actor = Principal(campaign_id=c.id, role="unit", name=unit.name, unit_id=unit.id)
        return raise_problem(s, ctx=load_context(s, campaign=c), unit_id=unit.id, title="垃圾桶缺少，需要协调配置",
                             now=at("2025-01-20 09:00"), actor=actor).id


def test_the_office_reassigns_holds_and_supervises_problems_from_the_list(browser_for, town, db):
    pid = _problem(db, town)
    office = browser_for(town.office)
    page = office.get("/office/problems?status=open")
    assert "垃圾桶缺少" in page.text and ">改派</button>" in page.text and ">挂账</button>" in page.text
    assert "垃圾桶缺少" not in office.get("/office/problems?level=参与单位").text
    assert "垃圾桶缺少" not in office.get("/office/problems?status=closed").text
    unknown = office.post(f"/office/problems/{pid}", data={"csrf": csrf_of(office), "verb": "assign",
                                                          "unit": "县不存在局"})
    assert unknown.status_code == 422 and "县不存在局" in unknown.text
    r = office.post(f"/office/problems/{pid}", data={"csrf": csrf_of(office), "verb": "assign", "unit": "县城市管理局",
                                                    "text": "属城管职责"})
    assert r.status_code == 303 and r.headers["location"] == "/office/problems?ok=assigned"
    with db.reader() as s:
        p = s.get(Problem, pid)
        assert p.assigned_at is not None
    r = office.post(f"/office/problems/{pid}", data={"csrf": csrf_of(office), "verb": "hold", "days": "30",
                                                    "text": "等待财政资金"})
    assert r.status_code == 303, r.text[:400]
    with db.reader() as s:
        assert s.get(Problem, pid).on_hold_until is not None
    listed = office.get("/office/problems?unit=县城市管理局").text
    assert "垃圾桶缺少" in listed and "挂账至" in listed


def test_a_round_is_planned_by_week_and_a_secret_one_published(browser_for, town, db):
    office = browser_for(town.office)
    r = office.post("/office/inspections/plan", data={"csrf": csrf_of(office), "kind": "暗访", "day": "2025-01-22",
                                                      "seed": "7"})
    assert r.status_code == 303 and "ok=planned" in r.headers["location"]
    with db.reader() as s:
        ins = s.scalars(select(Inspection)).one()
    assert ins.week == "2025-W04" and ins.seed == 7 and ins.published_at is None
    page = office.get(r.headers["location"]).text
    assert "1月20日—26日" in page and "暗访未发布" in page and ">发布</button>" in page and "2025-W04" not in page
    again = office.post("/office/inspections/plan", data={"csrf": csrf_of(office), "kind": "暗访", "day": "2025-01-24"})
    assert again.headers["location"] == "/office/inspections?ok=planned_none"
    lon, lat = _segment_point(db, town.segment_a)
    r = office.post("/office/findings", data={"csrf": csrf_of(office), "category": "暴露垃圾", "lon": str(lon),
                                              "lat": str(lat), "description": "暗访发现垃圾", "inspection": str(ins.id)})
    assert r.status_code == 303
    no_point = office.post("/office/findings", data={"csrf": csrf_of(office), "category": "暴露垃圾", "lon": "",
                                                     "lat": "", "description": "没有位置"})
    assert no_point.status_code == 422 and "请在地图上点击" in no_point.text and "没有位置" in no_point.text
    r = office.post(f"/office/inspections/{ins.id}/publish", data={"csrf": csrf_of(office)})
    assert r.status_code == 303
    with db.reader() as s:
        assert s.get(Inspection, ins.id).published_at is not None
        assert s.scalars(select(Finding.status)).one() == "open"
    twice = office.post(f"/office/inspections/{ins.id}/publish", data={"csrf": csrf_of(office)})
    assert twice.status_code == 409 and "无需再次发布" in twice.text


def test_complaints_are_registered_by_hand_and_imported_with_every_bad_row_named(browser_for, town, db):
    office = browser_for(town.office)
    r = office.post("/office/complaints", data={"csrf": csrf_of(office), "channel": "来访", "content": "小区门口垃圾没人清",
                                                "received": "2025-01-20T09:15", "address": "阜通西大街",
                                                "name": "王先生", "phone": "13912345678"})
    assert r.status_code == 303, r.text[:400]
    bad = "工单编号,诉求内容,受理时间\n,有内容,2025-01-20 09:00\nA2,,2025-01-20 09:00\nA3,噪音,明天\n".encode()
    r = office.post("/office/complaints/import", data={"csrf": csrf_of(office), "datum": "wgs84"},
                    files={"file": ("12345导出.csv", bad, "text/csv")})
    assert r.status_code == 422 and all(f"第{n}行" in r.text for n in (2, 3, 4)) and "12345导出.csv" in r.text
    good = "工单编号,诉求内容,地址\nB1,路灯不亮,阜通西大街\nB2,垃圾满溢,望京街\n".encode()
    r = office.post("/office/complaints/import", data={"csrf": csrf_of(office), "datum": "gcj02"},
                    files={"file": ("12345导出.csv", good, "text/csv")})
    assert r.status_code == 200 and "导入完成：新增 2 件" in r.text
    with db.reader() as s:
        assert sorted(s.scalars(select(Complaint.channel))) == ["12345", "12345", "来访"]
    page = office.get("/office/complaints?q=路灯").text
    assert "路灯不亮" in page and "垃圾满溢" not in page


def test_ledger_and_assessment_export_as_workbooks(browser_for, town):
    office = browser_for(town.office)
    for path in ("/office/ledger/ledger.xlsx", "/office/ledger/assessment.xlsx"):
        r = office.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert load_workbook(io.BytesIO(r.content)).sheetnames


def test_the_coming_brief_is_drafted_edited_and_issued_then_downloaded(browser_for, town):
    office = browser_for(town.office)
    page = office.get("/office/briefs").text
    assert "尚无简报" in page and "1月13日—19日的简报" in page and ">生成草稿</button>" in page
    assert office.get("/office/briefs/1.docx").status_code == 404
    r = office.post("/office/briefs/draft", data={"csrf": csrf_of(office), "day": "2025-01-13"})
    assert r.status_code == 303, r.text[:300]
    page = office.get(r.headers["location"]).text
    assert "第1期，草稿" in page and ">签发</button>" in page
    r = office.post("/office/briefs/edit", data={"csrf": csrf_of(office), "day": "2025-01-13", "section": "按语",
                                                 "text": "各单位要对照问题清单，立行立改。"})
    assert r.status_code == 303
    assert "立行立改" in office.get(r.headers["location"]).text
    r = office.post("/office/briefs/issue", data={"csrf": csrf_of(office), "day": "2025-01-13"})
    assert r.status_code == 303 and r.headers["location"] == "/office/briefs?ok=brief_issued"
    page = office.get(r.headers["location"]).text
    assert "第1期" in page and "/office/briefs/1.docx" in page
    doc = office.get("/office/briefs/1.docx")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    html = office.get("/office/briefs/1.html")
    assert html.status_code == 200 and "立行立改" in html.text
    again = office.post("/office/briefs/edit", data={"csrf": csrf_of(office), "day": "2025-01-13", "section": "按语",
                                                     "text": "改"})
    assert again.status_code == 409 and "已签发" in again.text


def test_users_are_added_with_a_link_and_revoked(browser_for, client, town, db):
    office = browser_for(town.office)
    r = office.post("/office/users", data={"csrf": csrf_of(office), "name": "新联络员", "phone": "13700000077",
                                           "role": "unit", "unit": "县教育局"})
    assert r.status_code == 200 and "新联络员 的个人登录链接" in r.text
    link = r.text.split('<code class="link">')[1].split("</code>")[0]
    token = link.rsplit("/l/", 1)[1]
    dup = office.post("/office/users", data={"csrf": csrf_of(office), "name": "再来一个", "phone": "13700000077",
                                             "role": "unit", "unit": "县教育局"})
    assert dup.status_code >= 400 and "再来一个" in dup.text
    r = office.post("/office/users/13700000077/revoke", data={"csrf": csrf_of(office)})
    assert r.status_code == 303
    with db.reader() as s:
        assert s.scalar(select(User.active).where(User.phone == "13700000077")) is False
    assert client.post(f"/l/{token}").status_code == 401
