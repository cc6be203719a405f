"""A segment with an open problem, read through ``GET /api/segments/{code}`` by everyone who may see it."""

from __future__ import annotations

from models import Problem, Unit
from services.campaigns.loading import get_campaign
from services.people.users import add_user
from tests.conftest import at
from tests.support.escalation_world import people, raise_member_problem
from tests.web.conftest import UNIT_A, Person

TITLE = "路口护栏缺失需协调"


def test_web_segment_with_an_open_problem_answers_200_with_the_problem_for_the_office_and_its_units(
        api_for, browser_for, db, town):
    seg = people(db, town.segment_a)  # unit A leads it; a participating unit raises the problem
    problem_id = raise_member_problem(db, seg, "2025-01-20 09:00", TITLE)
    with db.unit_of_work() as s:
        member = s.get(Unit, seg.member_unit_id)
        lead = s.get(Unit, seg.lead_unit_id)
        level = s.get(Problem, problem_id).level
        assert lead.name == UNIT_A and member.name != UNIT_A
        raiser = Person("郑晓燕", "13800001099", "unit")
        raiser.id = add_user(s, campaign=get_campaign(s), name=raiser.name, phone=raiser.phone, role="unit",
                             unit=member.name, password="password-member", now=at("2025-01-20 08:00")).id
    readers = {"office": town.office, "raising unit": raiser, "county leader": town.leader_a}
    for who, person in readers.items():
        r = api_for(person).get(f"/api/segments/{town.segment_a}")
        assert r.status_code == 200, (who, r.text)
        body = r.json()
        assert body["code"] == town.segment_a and member.name in body["members"], who
        found = [(p["title"], p["level"], p["status"]) for p in body["problems"] if p["id"] == problem_id]
        assert found == [(TITLE, level, "open")], (who, body["problems"])
    # the lead department reads the segment too; the problem is not its own until it climbs to the lead level
    assert api_for(town.unit_a).get(f"/api/segments/{town.segment_a}").status_code == 200
    assert api_for(town.unit_b).get(f"/api/segments/{town.segment_a}").status_code == 404  # not on it
    page = browser_for(raiser).get(f"/segments/{town.segment_a}")
    assert page.status_code == 200 and TITLE in page.text

