"""The campaign's policy (issue 17) as pure rules: problems climb past the lead department late, 约谈 once per phase."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from config.escalation import EscalationSpec
from rules import accountability as A
from rules import ladders as L
from rules.calendar import HolidayTable, OfficeHours, WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(HolidayTable(frozenset({2025}), holidays=frozenset({date(2025, 4, 4)})), OfficeHours(), TZ)
LADDER = L.CoordinationLadder(climb_after=L.Limit(10))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_a_problem_at_the_lead_department_climbs_only_after_the_longer_limit():
    # at 牵头部门 since Mon 03-03, its 3-day limit passed on 03-06; the climb waits for 10 working days
    s = L.ProblemState(L.OPEN, L.LEAD, at("2025-03-03 09:00"), at("2025-03-06 09:00"))
    assert L.on_timeout(LADDER, s, L.Facts(), at("2025-03-17 10:00"), CAL) == []
    [a] = L.on_timeout(LADDER, s, L.Facts(), at("2025-03-18 10:00"), CAL)
    assert (a.from_level, a.to_level) == (L.LEAD, L.LEADER)


def test_the_participating_units_level_still_climbs_to_the_lead_department_at_its_own_limit():
    s = L.ProblemState(L.OPEN, L.MEMBER, at("2025-03-03 09:00"), at("2025-03-05 09:00"))
    [a] = L.on_timeout(LADDER, s, L.Facts(), at("2025-03-05 10:00"), CAL)
    assert a.to_level == L.LEAD


def test_without_a_climb_limit_the_lead_department_times_out_as_before():
    s = L.ProblemState(L.OPEN, L.LEAD, at("2025-03-03 09:00"), at("2025-03-06 09:00"))
    [a] = L.on_timeout(L.CoordinationLadder(), s, L.Facts(), at("2025-03-06 10:00"), CAL)
    assert a.to_level == L.LEADER


def test_one_interview_per_unit_and_phase_whichever_rule_calls_for_it():
    assert A.interview_key(3, 7) == A.interview_key(3, 7) != A.interview_key(4, 7)


def test_the_policy_section_has_defaults_and_names_bad_entries():
    spec = EscalationSpec.model_validate({})
    assert spec.entry.default == "参与单位" and spec.climb_after is not None
    assert spec.accountability.lapse_after == 2 and spec.accountability.criticism_period == "month"
    with pytest.raises(ValidationError):
        EscalationSpec.model_validate({"entry": {"categories": {"乱停乱放": "公安局"}}})
    with pytest.raises(ValidationError):
        EscalationSpec.model_validate({"accountability": {"criticism_period": "year"}})
