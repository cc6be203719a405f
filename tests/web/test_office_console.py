"""The office console (/office) on the example campaign, on SQLite and PostgreSQL: who may enter, every page,
batch 核查 and 处理建议 through the same services as the CLI, and hostile input answered without a 5xx."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import AuditEntry, Sanction, Task
from services.campaigns import get_campaign
from services.escalation import sanctions as sanction_service
from tests.web.conftest import csrf_of
from web.office.texts import NAV

PAGES = [path for _, path in NAV]


def _tick(client, task_id: int, note: str) -> None:
    r = client.post(f"/tasks/{task_id}/tick", data={"csrf": csrf_of(client), "version": "1", "note": note})
    assert r.status_code == 303, r.text


def test_every_page_answers_the_office_with_its_heading_and_the_whole_navigation(browser_for, town):
    office = browser_for(town.office)
    for name, path in NAV:
        r = office.get(path)
        assert r.status_code == 200, (path, r.text[:300])
        assert f"<h1>{name}" in r.text, path
        assert all(f'href="{href}"' in r.text for _, href in NAV), path
        assert "2025-W" not in r.text, f"{path} shows an ISO week code"


def test_only_the_office_enters_and_a_stranger_is_sent_to_sign_in(client, browser_for, town):
    r = client.get("/office/verify")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/office/verify"
    for person in (town.unit_a, town.leader_a, town.inspector):
        c = browser_for(person)
        assert c.get("/office").status_code == 403
        assert c.get("/office/segments").status_code == 403
        assert c.post("/office/sanctions", data={"csrf": csrf_of(c), "sanction": "1",
                                                 "decision": "confirm"}).status_code == 403


def test_a_form_without_the_session_token_changes_nothing(browser_for, town, db):
    a = browser_for(town.unit_a)
    _tick(a, town.task_a, "已清理")
    office = browser_for(town.office)
    r = office.post("/office/verify", data={"task": str(town.task_a), "verdict": "pass"})
    assert r.status_code == 403 and "表单已过期" in r.text
    with db.reader() as s:
        assert s.get(Task, town.task_a).status == "done"


def test_two_ticks_pass_together_and_a_send_back_without_reason_changes_nothing(browser_for, town, db):
    a = browser_for(town.unit_a)
    _tick(a, town.task_a, "第一项完成")
    _tick(a, town.task_a2, "第二项完成")
    office = browser_for(town.office)
    page = office.get("/office/verify")
    assert "第一项完成" in page.text and "第二项完成" in page.text and ">通过</button>" in page.text
    assert ">退回返工</button>" in page.text
    both = {"csrf": csrf_of(office), "task": [f"{town.task_a}:2", f"{town.task_a2}:2"]}
    refused = office.post("/office/verify", data={**both, "verdict": "reject", "reason": ""})
    assert refused.status_code == 422 and "请填写原因" in refused.text
    with db.reader() as s:
        assert {s.get(Task, t).status for t in (town.task_a, town.task_a2)} == {"done"}
    r = office.post("/office/verify", data={**both, "verdict": "pass"})
    assert r.status_code == 303 and r.headers["location"].startswith("/office/verify?ok=verified")
    with db.reader() as s:
        assert {s.get(Task, t).status for t in (town.task_a, town.task_a2)} == {"verified"}
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.object_id.in_([town.task_a, town.task_a2]),
                                                                 AuditEntry.action == "verify_pass")))
    assert len(actions) == 2
    assert "已核查" in office.get(r.headers["location"]).text


def _propose_two(db, town) -> list[int]:
    with db.unit_of_work() as s:
        c = get_campaign(s)
        task = s.get(Task, town.task_a)
        sanction_service.propose(s, campaign_id=c.id, now=task.deadline, proposals=[
            dict(key=f"console:{i}", unit_id=task.unit_id, kind=kind, reason=f"多项任务逾期（{i}）",
                 phase_id=task.phase_id, object_type="unit", object_id=task.unit_id)
            for i, kind in enumerate(("通报批评", "黄牌警告"))])
    with db.reader() as s:
        return list(s.scalars(select(Sanction.id).order_by(Sanction.id)))


def test_a_proposal_is_confirmed_and_another_dismissed_only_with_a_reason(browser_for, town, db):
    first, second = _propose_two(db, town)
    office = browser_for(town.office)
    page = office.get("/office/sanctions")
    assert "多项任务逾期（0）" in page.text and ">确认</button>" in page.text and ">不予采纳</button>" in page.text
    r = office.post("/office/sanctions", data={"csrf": csrf_of(office), "sanction": str(first), "decision": "confirm"})
    assert r.status_code == 303
    no_reason = office.post("/office/sanctions", data={"csrf": csrf_of(office), "sanction": str(second),
                                                       "decision": "dismiss", "reason": " "})
    assert no_reason.status_code == 422 and "必须说明理由" in no_reason.text
    r = office.post("/office/sanctions", data={"csrf": csrf_of(office), "sanction": str(second),
                                               "decision": "dismiss", "reason": "已说明客观原因"})
    assert r.status_code == 303
    with db.reader() as s:
        states = {x.id: (x.state, x.decided_by, x.decision_note) for x in s.scalars(select(Sanction))}
    assert states[first][:2] == ("confirmed", town.office.name)
    assert states[second] == ("dismissed", town.office.name, "已说明客观原因")
    assert "最近的决定" in office.get("/office/sanctions").text


@pytest.mark.parametrize("path", [
    "/office?spage=abc&upage=-1&sq=%25_%5C&uq=' OR 1=1 --",
    "/office/segments?page=99999999999999999999&q=%00",
    "/office/problems?level=<script>&unit=不存在的单位&status=x",
    "/office/ledger?day=2025-13-45",
    "/office/ledger?phase=不存在",
    "/office/reinspect?page=0",
    "/office/briefs/99.docx",
    "/office/briefs/1.exe",
    "/office/inspections?plan=<b>",
    "/office/complaints?q=%F0%9F%98%80",
])
def test_hostile_queries_never_give_a_server_error(browser_for, town, path):
    office = browser_for(town.office)
    r = office.get(path)
    assert r.status_code < 500, (path, r.status_code, r.text[:300])
    assert "<script>&" not in r.text


def test_hostile_forms_never_give_a_server_error(browser_for, town):
    office = browser_for(town.office)
    token = csrf_of(office)
    posts = [
        ("/office/verify", {"task": ["x:y", "1:"], "verdict": "pass"}),
        ("/office/verify", {"task": "999999999", "verdict": "maybe"}),
        ("/office/sanctions", {"sanction": "999999999999999999999", "decision": "confirm"}),
        ("/office/exposure", {"finding": "12345678", "action": "expose"}),
        ("/office/problems/999999", {"verb": "assign", "unit": "县教育局"}),
        ("/office/problems/1", {"verb": "delete"}),
        ("/office/requests/999999", {"approve": "1"}),
        ("/office/inspections/plan", {"kind": "突击", "day": "2025-02-30"}),
        ("/office/inspections/plan", {"kind": "暗访", "day": "2025-01-20", "seed": "-5"}),
        ("/office/inspections/999999/publish", {}),
        ("/office/findings", {"category": "无此类别", "lon": "nan", "lat": "1e999"}),
        ("/office/complaints", {"channel": "传真", "content": "x"}),
        ("/office/complaints", {"channel": "来信", "content": "x", "received": "昨天"}),
        ("/office/complaints/999999/visit", {"result": "满意"}),
        ("/office/ledger/ratings", {"day": "not-a-date"}),
        ("/office/ledger/commendations", {"phase": "不存在"}),
        ("/office/users", {"name": "", "phone": "", "role": "king"}),
        ("/office/users/000/revoke", {}),
    ]
    for path, data in posts:
        r = office.post(path, data={"csrf": token, **data})
        assert 300 <= r.status_code < 500, (path, r.status_code, r.text[:300])


def test_dates_on_the_console_read_as_people_write_them(browser_for, town):
    a = browser_for(town.unit_a)
    _tick(a, town.task_a, "已清理")
    office = browser_for(town.office)
    for path in ("/office", "/office/verify", "/office/ledger"):
        body = office.get(path).text
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", body), path
    assert re.search(r"\d+月\d+日（周.）\d{2}:\d{2}", office.get("/office/verify").text)


def test_the_overview_counts_the_queues_and_puts_the_laggards_first(browser_for, town, db):
    a = browser_for(town.unit_a)
    _tick(a, town.task_a, "已清理")
    _tick(a, town.task_a2, "已拆除")
    office = browser_for(town.office)
    page = office.get("/office").text
    assert '<a href="/office/verify"><b>2</b>待核查打卡</a>' in page
    assert "起步" in page and "还剩" in page and "1月20日—26日" in page
    rows = re.findall(r'<tr><td><a href="/segments/([^"]+)">', page)
    assert len(rows) == 20 and "共 29 项" in page  # a page of 20 of the example's 29 segments
    assert town.segment_a in office.get(f"/office?sq={town.segment_a}").text
    only = re.findall(r'<tr><td><a href="/segments/([^"]+)">', office.get(f"/office?sq={town.segment_a}").text)
    assert only == [town.segment_a]
    second = re.findall(r'<tr><td><a href="/segments/([^"]+)">', office.get("/office?spage=2").text)
    assert len(second) == 9 and not set(second) & set(rows)


def test_the_map_data_is_json_with_every_segment_and_names_stay_text(browser_for, town, db):
    from models import Segment

    with db.unit_of_work() as s:
        seg = s.scalar(select(Segment).where(Segment.code == town.segment_a))
        seg.name = '<img src=x onerror="alert(1)">'
    office = browser_for(town.office)
    data = office.get("/office/map.json").json()
    assert len(data["segments"]) == 29
    mine = next(x for x in data["segments"] if x["code"] == town.segment_a)
    assert mine["name"] == '<img src=x onerror="alert(1)">' and mine["geometry"]["type"] in ("LineString",
                                                                                             "MultiLineString")
    for path in ("/office", "/office/segments"):
        body = office.get(path).text
        assert "<img src=x" not in body and "&lt;img src=x" in body
    assert browser_for(town.unit_a).get("/office/map.json").status_code == 403
