"""The four-step procedure through the JSON API and the phone pages, one user per role, on SQLite and PostgreSQL.

A participating unit 上报 with a reason → the lead department 上报 with its opinion → the county leader
签署意见 (转创卫办) → the lead department carries it to 创卫办, who sees every opinion. Wrong roles and
levels get 403 with the reason in Chinese; every step's message links to the problem's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from models import Leader, OutboxMessage, Problem, Unit
from services.campaigns.loading import get_campaign
from services.people.users import add_user
from tests.conftest import at
from tests.support.escalation_world import SegmentPeople, people, raise_member_problem
from tests.web.conftest import Person, csrf_of, jpeg, link_token


@dataclass
class Ladder:
    seg: SegmentPeople
    member: Person
    lead: Person
    leader: Person
    other_unit: Person
    problem_id: int
    other_unit_name: str = ""


@pytest.fixture
def ladder(db, town) -> Ladder:
    """Users for LD-03's participating unit, lead department and county leader, and a problem its unit raised."""
    seg = people(db, "LD-03")
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        names = {u.id: u.name for u in s.scalars(select(Unit))}
        leader_name = s.get(Leader, seg.leader_id).name
        other = next(n for i, n in names.items() if i not in (seg.member_unit_id, seg.lead_unit_id)
                     and n not in ("县创卫办", "创卫办"))
        cast = {"member": (Person("参与单位甲", "13977771002", "unit"), {"unit": names[seg.member_unit_id]}),
                "lead": (Person("牵头部门乙", "13977771003", "unit"), {"unit": names[seg.lead_unit_id]}),
                "leader": (Person(leader_name, "13977771004", "leader"), {"leader": leader_name}),
                "other_unit": (Person("无关单位丙", "13977771005", "unit"), {"unit": other})}
        for p, extra in cast.values():
            p.id = add_user(s, campaign=campaign, name=p.name, phone=p.phone, role=p.role, now=at("2025-01-02 09:00"),
                            password="password-1", **extra).id
    pid = raise_member_problem(db, seg, "2025-01-20 09:00", title="路口护栏缺失需协调")
    return Ladder(seg=seg, problem_id=pid, other_unit_name=other, **{k: v[0] for k, v in cast.items()})


def _ids(rows) -> set[int]:
    return {r["id"] for r in rows}


def test_the_four_steps_through_the_api_carry_every_opinion_to_the_office(api_for, town, ladder, db, clock):
    member, lead, leader, office = (api_for(p) for p in (ladder.member, ladder.lead, ladder.leader, town.office))
    pid = ladder.problem_id
    mine = member.get("/api/problems")
    assert mine.status_code == 200
    (row,) = [r for r in mine.json() if r["id"] == pid]
    assert row["level"] == "参与单位" and {a["action"] for a in row["actions"]} == {
        "resolve", "escalate", "return", "extension"}
    assert "年" in row["deadline_text"] and "T" not in row["deadline_text"]

    refused = member.post(f"/api/problems/{pid}/opinion", json={"opinion": "我单位签署意见", "decision": "转创卫办"})
    assert refused.status_code == 403 and "县级领导" in refused.json()["detail"]
    assert member.post(f"/api/problems/{pid}/escalate", json={"reason": " "}).status_code == 422

    r = member.post(f"/api/problems/{pid}/escalate", json={"reason": "涉及多个单位，需牵头部门协调"})
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "牵头部门" and r.json()["actions"] == []
    assert pid in _ids(lead.get("/api/problems").json())
    assert lead.post(f"/api/problems/{pid}/opinion", json={"opinion": "x"}).status_code == 403

    clock.advance(hours=2)
    r = lead.post(f"/api/problems/{pid}/escalate", json={"reason": "牵头部门意见：需县级领导协调城管、住建"})
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "县级领导"
    carry = lead.post(f"/api/problems/{pid}/escalate", json={"reason": "报创卫办"})
    assert carry.status_code == 409 and "尚未签署意见" in carry.json()["detail"]
    assert [a["action"] for a in leader.get(f"/api/problems/{pid}").json()["actions"]] == ["opinion"]

    clock.advance(hours=2)
    r = leader.post(f"/api/problems/{pid}/opinion", json={"opinion": "请县城管局三日内清理到位", "decision": "转创卫办"})
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "县级领导"
    assert r.json()["opinions"][-1]["decision"] == "转创卫办"

    clock.advance(hours=2)
    labels = {a["action"]: a["label"] for a in lead.get(f"/api/problems/{pid}").json()["actions"]}
    assert labels == {"resolve": "协调办结", "escalate": "连同领导意见报创卫办"}
    r = lead.post(f"/api/problems/{pid}/escalate", json={"reason": "按领导意见报创卫办"})
    assert r.status_code == 200, r.text

    detail = office.get(f"/api/problems/{pid}").json()
    assert detail["level"] == "创卫办"
    opinions = " ".join(o["opinion"] for o in detail["opinions"])
    assert "需县级领导协调城管、住建" in opinions and "请县城管局三日内清理到位" in opinions
    assert [h["action"] for h in detail["history"]] == ["raised", "escalated", "escalated", "opinion", "escalated"]
    assert "请县城管局三日内清理到位" in detail["history"][-1]["opinion"]  # carried up with the last step
    assert {"resolve", "assign", "hold", "supervise"} <= {a["action"] for a in detail["actions"]}

    with db.reader() as s:
        rows = [m for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                if m.payload.get("problem_id") == pid]
    recipients = {m.payload["recipient"] for m in rows}
    assert {f"unit:{ladder.seg.lead_unit_id}", f"leader:{ladder.seg.leader_id}", "office:"} <= recipients
    assert all(m.payload.get("link", "").endswith(f"/problems/{pid}") for m in rows)
    text = " ".join(str(m.payload) for m in rows)
    assert "/l/" not in text and "逾期0小时" not in text and not re.search(r"20\d\d-W\d\d", text)


def test_a_unit_outside_the_segment_neither_sees_nor_acts_on_the_problem(api_for, ladder):
    other = api_for(ladder.other_unit)
    pid = ladder.problem_id
    assert pid not in _ids(other.get("/api/problems").json())
    assert other.get(f"/api/problems/{pid}").status_code == 404
    assert other.post(f"/api/problems/{pid}/resolve", json={"note": "已处理"}).status_code == 404


def test_an_extension_is_asked_in_days_and_decided_by_the_lead_department(api_for, town, ladder, db):
    member, lead = api_for(ladder.member), api_for(ladder.lead)
    pid = ladder.problem_id
    too_long = member.post(f"/api/problems/{pid}/extension", json={"days": 31, "reason": "材料未到"})
    assert too_long.status_code == 422
    r = member.post(f"/api/problems/{pid}/extension", json={"days": 3, "reason": "护栏材料未到货"})
    assert r.status_code == 200, r.text
    assert r.json()["requests"][-1]["approver"] == "牵头部门"
    assert member.post(f"/api/problems/{pid}/approve", json={}).status_code == 403
    before = r.json()["deadline"]
    assert {"approve", "reject"} <= {a["action"] for a in lead.get(f"/api/problems/{pid}").json()["actions"]}
    r = lead.post(f"/api/problems/{pid}/approve", json={})
    assert r.status_code == 200, r.text
    assert r.json()["deadline"] > before and r.json()["requests"][-1]["state"] == "approved"


def test_the_unit_resolves_with_quantities_for_the_ledger_and_the_office_verifies(api_for, town, ladder, db):
    member, office = api_for(ladder.member), api_for(town.office)
    pid = ladder.problem_id
    r = member.post(f"/api/problems/{pid}/resolve", json={"note": "已补齐护栏 12 米", "quantities": {"护栏（米）": 12}})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "resolved" and r.json()["history"][-1]["action"] == "resolved"
    assert member.post(f"/api/problems/{pid}/verify", json={"passed": True}).status_code == 403
    r = office.post(f"/api/problems/{pid}/verify", json={"passed": True, "note": "现场核实"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    with db.reader() as s:
        from models import ProblemEvent

        resolved = s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == pid,
                                                        ProblemEvent.action == "resolved")).one()
    assert resolved.detail["quantities"] == {"护栏（米）": 12}


def test_the_office_supervises_and_puts_on_hold_from_the_api(api_for, town, ladder, db):
    office = api_for(town.office)
    pid = ladder.problem_id
    r = office.post(f"/api/problems/{pid}/supervise", json={"reason": "请于本周内完成"})
    assert r.status_code == 200 and r.json()["supervised"]
    r = office.post(f"/api/problems/{pid}/hold", json={"days": 30, "reason": "需纳入明年改造计划"})
    assert r.status_code == 200 and r.json()["on_hold_until"]
    assert api_for(ladder.member).post(f"/api/problems/{pid}/hold", json={"days": 3, "reason": "x"}).status_code == 403


def test_the_office_reassigns_and_the_assigned_unit_may_return_it_within_the_window(api_for, town, ladder, clock):
    office, other = api_for(town.office), api_for(ladder.other_unit)
    pid = ladder.problem_id
    assert office.post(f"/api/problems/{pid}/assign", json={"unit": "不存在的单位"}).status_code == 422
    r = office.post(f"/api/problems/{pid}/assign", json={"unit": ladder.other_unit_name, "days": 2,
                                                         "reason": "按职责改派"})
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "创卫办" and r.json()["holder"] == ladder.other_unit_name
    assert [a["action"] for a in other.get(f"/api/problems/{pid}").json()["actions"]] == [
        "resolve", "return", "extension"]
    clock.advance(days=5)
    late = other.post(f"/api/problems/{pid}/return", json={"reason": "不属本单位职责"})
    assert late.status_code == 409 and "退单" in late.json()["detail"]


def test_hostile_input_gets_a_4xx_never_a_5xx(api_for, ladder):
    member = api_for(ladder.member)
    for path, body in ((f"/api/problems/{2**40}/escalate", {"reason": "x"}),
                       ("/api/problems/0", None), ("/api/problems/abc", None),
                       (f"/api/problems/{ladder.problem_id}/extension", {"days": "很多", "reason": "x"}),
                       (f"/api/problems/{ladder.problem_id}/opinion", {"opinion": "x", "decision": "随便"}),
                       (f"/api/problems/{ladder.problem_id}/nonsense", {})):
        r = member.post(path, json=body) if body is not None else member.get(path)
        assert 400 <= r.status_code < 500, (path, r.status_code)


def test_the_page_shows_the_buttons_of_the_signed_in_user_and_a_form_acts(browser_for, client, ladder):
    pid = ladder.problem_id
    anonymous = client.get(f"/problems/{pid}")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next=/problems/{pid}"
    member = browser_for(ladder.member)
    page = member.get(f"/problems/{pid}")
    assert page.status_code == 200
    assert "上报牵头部门（需协调）" in page.text and "签署意见" not in page.text
    assert "2025年" in page.text and not re.search(r"20\d\d-W\d\d", page.text)
    r = member.post(f"/problems/{pid}/escalate", data={"csrf": csrf_of(member), "text": "需协调交警"})
    assert r.status_code == 303 and r.headers["location"] == f"/problems/{pid}?msg=problem_escalate"
    refused = member.post(f"/problems/{pid}/opinion", data={"csrf": csrf_of(member), "text": "x"})
    assert refused.status_code == 403 and "县级领导" in refused.text
    lead = browser_for(ladder.lead)
    assert "上报县级领导" in lead.get(f"/problems/{pid}").text
    assert f"/problems/{pid}" in lead.get("/problems").text
    with_db_problem = member.get(f"/problems/{pid}")
    assert "需协调交警" in with_db_problem.text and "您暂无需操作" in with_db_problem.text


def test_the_problem_stays_where_it_was_when_an_action_fails(api_for, ladder, db):
    member = api_for(ladder.member)
    pid = ladder.problem_id
    with db.reader() as s:
        before = s.get(Problem, pid).version
    assert member.post(f"/api/problems/{pid}/return", json={"reason": ""}).status_code == 422
    with db.reader() as s:
        assert s.get(Problem, pid).version == before


def test_a_sign_in_link_opened_with_next_lands_on_the_problem_and_never_elsewhere(client, db, clock, ladder):
    pid = ladder.problem_id
    page = client.get(f"/l/{link_token(db, ladder.member, clock.now)}?next=/problems/{pid}")
    assert page.status_code == 200 and f'value="/problems/{pid}"' in page.text
    token = link_token(db, ladder.member, clock.now)
    r = client.post(f"/l/{token}", data={"next": f"/problems/{pid}"})
    assert r.status_code == 303 and r.headers["location"] == f"/problems/{pid}"
    r = client.post(f"/l/{link_token(db, ladder.member, clock.now)}", data={"next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/tasks"


def test_a_resolve_on_the_page_attaches_photos_the_office_sees_when_it_verifies(browser_for, town, ladder, db):
    pid = ladder.problem_id
    member = browser_for(ladder.member)
    picture = jpeg(taken=at("2025-01-20 09:50"))
    r = member.post(f"/problems/{pid}/resolve", data={"csrf": csrf_of(member), "text": "已补齐护栏 12 米"},
                    files=[("photos", ("现场.jpg", picture, "image/jpeg"))])
    assert r.status_code == 303, r.text
    with db.reader() as s:
        from models import Attachment

        (photo_id,) = s.scalars(select(Attachment.photo_id).where(Attachment.owner_type == "problem",
                                                                  Attachment.owner_id == pid)).all()
    office = browser_for(town.office)
    page = office.get(f"/problems/{pid}")
    assert f"/photos/{photo_id}/thumb" in page.text and "核实" in page.text
    assert office.get(f"/photos/{photo_id}/thumb").status_code == 200


def test_a_refused_resolve_with_photos_leaves_no_file_behind(browser_for, ladder, settings):
    other = browser_for(ladder.other_unit)
    before = sorted(p for p in settings.photo_dir.rglob("*") if p.is_file())
    r = other.post(f"/problems/{ladder.problem_id}/resolve", data={"csrf": csrf_of(other), "text": "已处理"},
                   files=[("photos", ("x.jpg", jpeg(colour=(10, 200, 30)), "image/jpeg"))])
    assert r.status_code == 404
    assert sorted(p for p in settings.photo_dir.rglob("*") if p.is_file()) == before


def test_a_leader_who_decides_to_coordinate_leaves_the_lead_department_to_resolve_it(api_for, ladder, db):
    member, lead, leader = api_for(ladder.member), api_for(ladder.lead), api_for(ladder.leader)
    pid = ladder.problem_id
    assert member.post(f"/api/problems/{pid}/escalate", json={"reason": "需协调"}).status_code == 200
    assert lead.post(f"/api/problems/{pid}/escalate", json={"reason": "请领导协调"}).status_code == 200
    r = leader.post(f"/api/problems/{pid}/opinion", json={"opinion": "由交警大队牵头三日内补齐", "decision": "协调解决"})
    assert r.status_code == 200 and r.json()["opinions"][-1]["decision"] == "协调解决"
    with db.reader() as s:
        notice = [m for m in s.scalars(select(OutboxMessage)) if m.payload.get("action") == "opinion"]
    assert notice and all(m.payload["recipient"] == f"unit:{ladder.seg.lead_unit_id}" for m in notice)
    assert "协调办结" in notice[0].payload["body"]
    r = lead.post(f"/api/problems/{pid}/resolve", json={"note": "已按领导意见协调交警大队补齐护栏"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["level"]) == ("resolved", "县级领导")
