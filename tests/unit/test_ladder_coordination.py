"""The coordination ladder as a pure function: timeouts, commands, 延期, 挂账, 退单/改派, 核实."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from rules import ladders as L
from rules.calendar import ClockType, HolidayTable, OfficeHours, WorkCalendar
from rules.errors import Conflict, Forbidden, InvalidInput

TZ = ZoneInfo("Asia/Shanghai")
# 2025: 清明 04-04 (Fri) off; 劳动节 05-01..05-05 off with 04-27 (Sun) worked
CAL = WorkCalendar(HolidayTable(frozenset({2025}), workdays=frozenset({date(2025, 4, 27)}),
                                holidays=frozenset({date(2025, 4, 4), date(2025, 5, 1), date(2025, 5, 2),
                                                    date(2025, 5, 5)})), OfficeHours(), TZ)
LADDER = L.CoordinationLadder()  # 参与单位 2, 牵头部门 3, 县级领导 3, 创卫办 5 工作日; 退单 2; 延期 ≤ 10
FULL = L.Facts()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def state(level: str, since: str, deadline: str | None, **kw) -> L.ProblemState:
    return L.ProblemState(kw.pop("status", L.OPEN), level, at(since), at(deadline) if deadline else None, **kw)


def cmd(kind: str, by: str, reason: str = "理由", **kw) -> L.Command:
    return L.Command(kind, by, reason, **kw)


def test_a_problem_left_alone_climbs_one_level_per_timeout_up_to_the_office_and_stops_there():
    s = state(L.MEMBER, "2025-03-17 09:00", "2025-03-19 18:00")
    walked = []
    now = at("2025-03-20 10:00")
    while (actions := L.on_timeout(LADDER, s, FULL, now, CAL)):
        a = actions[0]
        assert a.action == L.AUTO_ESCALATED and a.notify == (L.TO_HOLDER,) and a.note
        walked.append(a.to_level)
        s = L.ProblemState(L.OPEN, a.to_level, now, a.deadline)
        now = a.deadline.replace(hour=20)
    assert walked == [L.LEAD, L.LEADER, L.OFFICE]


def test_no_step_before_the_level_limit_passes():
    s = state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00")
    assert L.on_timeout(LADDER, s, FULL, at("2025-03-25 17:59"), CAL) == []


def test_each_new_level_gets_its_own_limit_on_the_working_calendar():
    s = state(L.LEAD, "2025-03-28 10:00", "2025-04-02 18:00")
    (a,) = L.on_timeout(LADDER, s, FULL, at("2025-04-03 09:00"), CAL)
    # 县级领导 3 工作日 from Thu 04-03: 04-04 is 清明, so Mon 04-07, Tue 04-08, Wed 04-09
    assert a.to_level == L.LEADER and a.deadline == at("2025-04-09 18:00")


def test_leader_timeout_without_an_opinion_is_filed_for_the_lead_department_and_says_the_opinion_is_missing():
    s = state(L.LEADER, "2025-03-27 10:00", "2025-04-01 18:00")
    (a,) = L.on_timeout(LADDER, s, L.Facts(leader_opinion=False), at("2025-04-02 10:00"), CAL)
    assert (a.to_level, a.on_behalf_of, a.note) == (L.OFFICE, L.LEAD, L.NOTE_OPINION_MISSING)


def test_leader_timeout_with_a_signed_opinion_forwards_it_without_the_missing_note():
    s = state(L.LEADER, "2025-03-27 10:00", "2025-04-01 18:00")
    (a,) = L.on_timeout(LADDER, s, L.Facts(leader_opinion=True), at("2025-04-02 10:00"), CAL)
    assert a.to_level == L.OFFICE and a.on_behalf_of == L.LEAD and a.note != L.NOTE_OPINION_MISSING


def test_a_segment_without_assignment_goes_from_the_unit_straight_to_the_office():
    s = state(L.MEMBER, "2025-03-17 09:00", "2025-03-19 18:00")
    (a,) = L.on_timeout(LADDER, s, L.Facts(has_lead=False, has_leader=False), at("2025-03-20 10:00"), CAL)
    assert a.to_level == L.OFFICE


def test_a_ladder_without_the_leader_level_skips_it():
    ladder = L.CoordinationLadder(limits=((L.MEMBER, L.Limit(2)), (L.LEAD, L.Limit(3)), (L.OFFICE, L.Limit(5))))
    (a,) = L.on_timeout(ladder, state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00"), FULL, at("2025-03-26 10:00"), CAL)
    assert a.to_level == L.OFFICE


def test_a_ladder_must_end_at_the_office_in_order():
    with pytest.raises(ValueError):
        L.CoordinationLadder(limits=((L.LEAD, L.Limit(3)), (L.MEMBER, L.Limit(2)), (L.OFFICE, L.Limit(5))))
    with pytest.raises(ValueError):
        L.CoordinationLadder(limits=((L.MEMBER, L.Limit(2)),))


def test_return_and_escalate_require_a_reason_and_move_one_level_with_a_fresh_limit():
    s = state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00")
    now = at("2025-03-21 10:00")
    with pytest.raises(InvalidInput):
        L.decide(LADDER, s, cmd(L.C_RETURN, L.BY_HOLDER, " "), FULL, now, CAL)
    with pytest.raises(InvalidInput):
        L.decide(LADDER, s, cmd(L.C_ESCALATE, L.BY_HOLDER, ""), FULL, now, CAL)
    (down,) = L.decide(LADDER, s, cmd(L.C_RETURN, L.BY_HOLDER, "属参与单位职责"), FULL, now, CAL)
    (up,) = L.decide(LADDER, s, cmd(L.C_ESCALATE, L.BY_HOLDER, "需县领导协调"), FULL, now, CAL)
    assert (down.to_level, down.deadline) == (L.MEMBER, at("2025-03-25 18:00"))
    assert (up.to_level, up.deadline, up.note) == (L.LEADER, at("2025-03-26 18:00"), "需县领导协调")


def test_only_the_holder_moves_a_problem_and_the_member_level_cannot_return_further():
    s = state(L.MEMBER, "2025-03-20 10:00", "2025-03-24 18:00")
    with pytest.raises(Forbidden):
        L.decide(LADDER, s, cmd(L.C_ESCALATE, L.BY_OTHER), FULL, at("2025-03-21 10:00"), CAL)
    with pytest.raises(Conflict):
        L.decide(LADDER, s, cmd(L.C_RETURN, L.BY_HOLDER), FULL, at("2025-03-21 10:00"), CAL)


def test_the_lead_department_files_the_leaders_step_only_with_the_leaders_opinion():
    s = state(L.LEADER, "2025-03-27 10:00", "2025-04-01 18:00")
    with pytest.raises(Conflict):
        L.decide(LADDER, s, cmd(L.C_ESCALATE, L.BY_LEAD), L.Facts(leader_opinion=False), at("2025-03-28 10:00"), CAL)
    (a,) = L.decide(LADDER, s, cmd(L.C_ESCALATE, L.BY_LEAD), L.Facts(leader_opinion=True), at("2025-03-28 10:00"), CAL)
    assert a.to_level == L.OFFICE and a.on_behalf_of == L.LEAD
    (own,) = L.decide(LADDER, s, cmd(L.C_ESCALATE, L.BY_HOLDER, "请创卫办协调城管执法"), FULL, at("2025-03-28 10:00"), CAL)
    assert own.opinion == "请创卫办协调城管执法"


def test_the_leader_signs_an_opinion_without_moving_the_problem():
    s = state(L.LEADER, "2025-03-27 10:00", "2025-04-01 18:00")
    (a,) = L.decide(LADDER, s, cmd(L.C_OPINION, L.BY_HOLDER, "同意上报"), FULL, at("2025-03-28 10:00"), CAL)
    assert a.action == L.OPINION and a.to_level is None and a.opinion == "同意上报"


def test_withdrawal_to_the_office_is_allowed_within_two_working_days_of_receipt_only():
    s = state(L.LEAD, "2025-04-03 10:00", "2025-04-09 18:00")  # received Thu; Fri 04-04 is 清明
    (a,) = L.decide(LADDER, s, cmd(L.C_WITHDRAW, L.BY_HOLDER, "不属本路段"), FULL, at("2025-04-08 17:00"), CAL)
    assert (a.action, a.to_level, a.assigned, a.notify) == (L.WITHDRAWN, L.OFFICE, False, (L.TO_OFFICE,))
    with pytest.raises(Conflict):
        L.decide(LADDER, s, cmd(L.C_WITHDRAW, L.BY_HOLDER, "不属本路段"), FULL, at("2025-04-08 18:30"), CAL)
    with pytest.raises(InvalidInput):
        L.decide(LADDER, s, cmd(L.C_WITHDRAW, L.BY_HOLDER, ""), FULL, at("2025-04-07 10:00"), CAL)


def test_the_office_reassigns_to_any_unit_with_a_new_limit_and_the_assignee_is_not_escalated_further():
    s = state(L.OFFICE, "2025-04-08 10:00", "2025-04-15 18:00")
    with pytest.raises(Forbidden):
        L.decide(LADDER, s, cmd(L.C_ASSIGN, L.BY_HOLDER), FULL, at("2025-04-08 11:00"), CAL)
    (a,) = L.decide(LADDER, s, cmd(L.C_ASSIGN, L.BY_OFFICE, limit=L.Limit(8, ClockType.URGENT)), FULL,
                    at("2025-04-08 11:00"), CAL)
    assert (a.to_level, a.assigned, a.deadline) == (L.OFFICE, True, at("2025-04-08 19:00"))
    assigned = state(L.OFFICE, "2025-04-08 11:00", "2025-04-08 19:00", assigned=True)
    assert L.on_timeout(LADDER, assigned, FULL, at("2025-04-10 10:00"), CAL) == []


def test_an_extension_is_requested_with_a_reason_and_approved_by_the_level_above_only():
    s = state(L.MEMBER, "2025-03-20 10:00", "2025-03-24 18:00")
    now = at("2025-03-21 10:00")
    (req,) = L.decide(LADDER, s, cmd(L.C_EXTEND, L.BY_HOLDER, "材料未到", until=at("2025-03-28 18:00")), FULL, now, CAL)
    assert (req.action, req.request, req.notify) == (L.EXTENSION_REQUESTED, L.EXTENSION, (L.TO_APPROVER,))
    assert L.approver(LADDER, s, FULL, L.EXTENSION) == L.LEAD
    pending = L.Facts(pending=L.EXTENSION)
    approve = cmd(L.C_APPROVE, L.BY_LEADER, until=at("2025-03-28 18:00"))
    with pytest.raises(Forbidden):
        L.decide(LADDER, s, approve, pending, now, CAL)
    (ok,) = L.decide(LADDER, s, cmd(L.C_APPROVE, L.BY_LEAD, until=at("2025-03-28 18:00")), pending, now, CAL)
    assert (ok.action, ok.deadline) == (L.EXTENDED, at("2025-03-28 18:00"))
    with pytest.raises(InvalidInput):  # longer than 10 工作日 is 挂账, not 延期
        L.decide(LADDER, s, cmd(L.C_EXTEND, L.BY_HOLDER, until=at("2025-05-30 18:00")), FULL, now, CAL)
    with pytest.raises(Conflict):
        L.decide(LADDER, s, cmd(L.C_EXTEND, L.BY_HOLDER, until=at("2025-03-26 18:00")), pending, now, CAL)


def test_hold_is_approved_by_the_office_and_keeps_the_problem_from_escalating_until_its_date():
    s = state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00")
    now = at("2025-03-21 10:00")
    (req,) = L.decide(LADDER, s, cmd(L.C_HOLD, L.BY_HOLDER, "等资金下达", until=at("2025-06-30 18:00")), FULL, now, CAL)
    assert req.action == L.HOLD_REQUESTED
    assert L.approver(LADDER, s, FULL, L.HOLD) == L.OFFICE
    with pytest.raises(Forbidden):
        L.decide(LADDER, s, cmd(L.C_APPROVE, L.BY_LEADER, until=at("2025-06-30 18:00")), L.Facts(pending=L.HOLD), now, CAL)
    (held,) = L.decide(LADDER, s, cmd(L.C_APPROVE, L.BY_OFFICE, until=at("2025-06-30 18:00")),
                       L.Facts(pending=L.HOLD), now, CAL)
    assert held.on_hold_until == at("2025-06-30 18:00") == held.deadline
    on_hold = state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00", on_hold_until=at("2025-06-30 18:00"))
    assert L.on_timeout(LADDER, on_hold, FULL, at("2025-05-20 10:00"), CAL) == []
    assert L.on_timeout(LADDER, on_hold, FULL, at("2025-07-01 10:00"), CAL)[0].to_level == L.LEADER


def test_a_rejected_request_needs_a_reason_and_changes_nothing():
    s = state(L.MEMBER, "2025-03-20 10:00", "2025-03-24 18:00")
    pending = L.Facts(pending=L.EXTENSION)
    with pytest.raises(InvalidInput):
        L.decide(LADDER, s, cmd(L.C_REJECT, L.BY_LEAD, ""), pending, at("2025-03-21 10:00"), CAL)
    (a,) = L.decide(LADDER, s, cmd(L.C_REJECT, L.BY_LEAD, "理由不充分"), pending, at("2025-03-21 10:00"), CAL)
    assert a.action == L.REQUEST_REJECTED and a.deadline is None and a.to_level is None


def test_resolution_is_verified_a_pass_closes_and_a_failure_reopens_at_the_resolving_level_as_rework():
    s = state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00")
    (done,) = L.decide(LADDER, s, cmd(L.C_RESOLVE, L.BY_HOLDER, "已清理"), FULL, at("2025-03-21 10:00"), CAL)
    assert (done.status, done.notify) == (L.RESOLVED, (L.TO_OFFICE,))
    resolved = state(L.LEAD, "2025-03-20 10:00", "2025-03-25 18:00", status=L.RESOLVED, resolved_level=L.LEAD)
    with pytest.raises(Forbidden):
        L.decide(LADDER, resolved, cmd(L.C_VERIFY, L.BY_HOLDER), FULL, at("2025-03-21 15:00"), CAL)
    (closed,) = L.decide(LADDER, resolved, cmd(L.C_VERIFY, L.BY_OFFICE, passed=True), FULL, at("2025-03-21 15:00"), CAL)
    assert closed.status == L.CLOSED
    (back,) = L.decide(LADDER, resolved, cmd(L.C_VERIFY, L.BY_OFFICE, "仍有垃圾", passed=False), FULL,
                       at("2025-03-21 15:00"), CAL)
    assert (back.status, back.to_level, back.rework, back.action) == (L.OPEN, L.LEAD, True, L.REWORK)
    assert back.deadline == at("2025-03-26 18:00")
    with pytest.raises(Conflict):
        L.decide(LADDER, resolved, cmd(L.C_ESCALATE, L.BY_HOLDER), FULL, at("2025-03-21 15:00"), CAL)
