"""The coordination ladder on the example campaign, on SQLite and PostgreSQL: the sweep and hand commands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import AuditEntry, Leader, OutboxMessage, Problem, ProblemEvent, Task
from rules import ladders as L
from rules.errors import Conflict, InvalidInput
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation.problems import act, raise_problem
from tests.conftest import at
from tests.support.escalation_world import (
    acting,
    messages,
    open_first_phase,
    people,
    raise_member_problem,
    run_sweep,
    targets,
    unit_principal,
)


def _events(db, pid: int) -> list[ProblemEvent]:
    with db.reader() as s:
        return list(s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == pid).order_by(ProblemEvent.id)))


def _problem(db, pid: int) -> Problem:
    with db.reader() as s:
        return s.get(Problem, pid)


def _leader_name(db, leader_id: int) -> str:
    with db.reader() as s:
        return s.get(Leader, leader_id).name


def _assert_one_message_per_holder_target(db, pid: int, level: str, holder: tuple[str, int | None]) -> None:
    rows = messages(db, problem_id=pid, level=level)
    expected = targets(db, holder)
    assert expected, "the example names a notification target for every holder"
    assert sorted(m.target for m in rows) == sorted(expected)
    assert {m.payload["recipient"] for m in rows} == {f"{holder[0]}:{holder[1] or ''}"}
    assert all(m.payload["title"] and m.payload["body"] for m in rows)


def test_a_problem_left_alone_escalates_through_all_four_levels_on_the_virtual_clock(db, example):
    open_first_phase(db)
    p = people(db)
    pid = raise_member_problem(db, p, "2025-03-17 09:00")
    assert _problem(db, pid).level == L.MEMBER
    assert messages(db, problem_id=pid) == []  # the unit raised it itself: nobody else to tell yet
    # the climb past 牵头部门 waits for the example's climb_after (10 工作日 there), not its 3-day limit
    for when in ("2025-03-20 10:00", "2025-03-27 10:00", "2025-04-07 10:00", "2025-04-11 10:00"):
        run_sweep(db, when)
    events = _events(db, pid)
    assert [(e.action, e.from_level, e.to_level) for e in events] == [
        (L.RAISED, None, L.MEMBER),
        (L.AUTO_ESCALATED, L.MEMBER, L.LEAD),
        (L.AUTO_ESCALATED, L.LEAD, L.LEADER),
        (L.AUTO_ESCALATED, L.LEADER, L.OFFICE)]
    assert [e.at for e in events[1:]] == [at("2025-03-20 10:00"), at("2025-04-07 10:00"), at("2025-04-11 10:00")]
    assert all(e.actor == "系统" and e.reason for e in events[1:])
    office_step = events[-1]
    assert office_step.opinion == L.NOTE_OPINION_MISSING
    assert office_step.detail["on_behalf_of"]  # the lead department's name
    problem = _problem(db, pid)
    assert (problem.level, problem.holder_unit_id is not None, problem.holder_leader_id) == (L.OFFICE, True, None)
    _assert_one_message_per_holder_target(db, pid, L.LEAD, ("unit", p.lead_unit_id))
    _assert_one_message_per_holder_target(db, pid, L.LEADER, ("leader", p.leader_id))
    _assert_one_message_per_holder_target(db, pid, L.OFFICE, ("office", None))
    assert L.NOTE_OPINION_MISSING in messages(db, problem_id=pid, level=L.OFFICE)[0].payload["body"]


def test_the_office_step_carries_the_leaders_opinion_when_the_leader_signed_one(db, example):
    open_first_phase(db)
    p = people(db)
    pid = raise_member_problem(db, p, "2025-03-17 09:00")
    run_sweep(db, "2025-03-20 10:00")
    run_sweep(db, "2025-04-07 10:00")
    leader = acting(db, _leader_name(db, p.leader_id))
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_OPINION, actor=leader,
            now=at("2025-04-08 10:00"), reason="请城管局牵头依法拆除")
    run_sweep(db, "2025-04-11 10:00")
    office_step = _events(db, pid)[-1]
    assert office_step.to_level == L.OFFICE and office_step.opinion == "请城管局牵头依法拆除"
    assert office_step.reason == L.NOTE_LEADER_SIGNED
    body = messages(db, problem_id=pid, level=L.OFFICE)[0].payload["body"]
    assert "请城管局牵头依法拆除" in body and L.NOTE_OPINION_MISSING not in body


def test_hand_commands_write_history_audit_and_one_message_to_the_new_holder(db, example):
    open_first_phase(db)
    p = people(db)
    pid = raise_member_problem(db, p, "2025-03-17 09:00")
    member, lead = unit_principal(db, p.member_unit_id), unit_principal(db, p.lead_unit_id)
    with db.unit_of_work() as s:
        with pytest.raises(InvalidInput):
            act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_ESCALATE, actor=member,
                now=at("2025-03-18 09:00"), reason=" ")
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_ESCALATE, actor=member, now=at("2025-03-18 09:00"),
            reason="需牵头部门协调交警")
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_ESCALATE, actor=lead, now=at("2025-03-18 15:00"),
            reason="需县领导协调")
    with db.unit_of_work() as s, pytest.raises(Conflict):
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_ESCALATE, actor=lead, now=at("2025-03-19 09:00"),
            reason="报创卫办")
    leader = acting(db, _leader_name(db, p.leader_id))
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_OPINION, actor=leader, now=at("2025-03-19 10:00"),
            reason="同意报创卫办")
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_ESCALATE, actor=lead, now=at("2025-03-19 11:00"),
            reason="连同领导意见报创卫办")
    events = _events(db, pid)
    assert [e.action for e in events] == [L.RAISED, L.ESCALATED, L.ESCALATED, L.OPINION, L.ESCALATED]
    assert events[-1].opinion and "同意报创卫办" in events[-1].opinion
    with db.reader() as s:
        audits = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type == "problem", AuditEntry.object_id == pid))
    assert audits == len(events)
    _assert_one_message_per_holder_target(db, pid, L.LEAD, ("unit", p.lead_unit_id))
    _assert_one_message_per_holder_target(db, pid, L.LEADER, ("leader", p.leader_id))
    office = messages(db, problem_id=pid, level=L.OFFICE)
    assert {m.payload["action"] for m in office} == {L.ESCALATED}
    assert "同意报创卫办" in office[0].payload["body"]


def test_the_office_assigns_verification_failure_is_rework_and_a_pass_closes(db, example):
    open_first_phase(db)
    p = people(db)
    pid = raise_member_problem(db, p, "2025-03-17 09:00")
    office = acting(db, None)
    assignee = acting(db, "城管局")
    steps = [(L.C_ASSIGN, office, dict(unit_id=assignee.unit_id, limit=L.Limit(3), reason="城管局牵头")),
             (L.C_RESOLVE, assignee, dict(reason="已拆除")),
             (L.C_VERIFY, office, dict(passed=False, reason="现场仍有残留")),
             (L.C_RESOLVE, assignee, dict(reason="已清理残留")),
             (L.C_VERIFY, office, dict(passed=True))]
    for i, (kind, who, kw) in enumerate(steps):
        with db.unit_of_work() as s:
            act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=kind, actor=who, now=at(f"2025-03-18 {9 + i:02d}:00"),
                **kw)
        if i == 2:
            reopened = _problem(db, pid)
            assert (reopened.status, reopened.rework_count, reopened.holder_unit_id) == ("open", 1, assignee.unit_id)
    done = _problem(db, pid)
    assert (done.status, done.closed_at, done.resolved_level) == ("closed", at("2025-03-18 13:00"), L.OFFICE)
    assert [e.action for e in _events(db, pid)][1:] == [L.ASSIGNED, L.RESOLVE, L.REWORK, L.RESOLVE, L.VERIFIED]
    to_assignee = messages(db, problem_id=pid, recipient=f"unit:{assignee.unit_id}")
    assert {m.payload["action"] for m in to_assignee} == {L.ASSIGNED, L.REWORK, L.VERIFIED}
    assert {m.payload["action"] for m in messages(db, problem_id=pid, recipient="office:")} == {L.RESOLVE}


def test_a_unit_withdraws_a_problem_that_is_not_its_own_within_two_working_days_only(db, example):
    open_first_phase(db)
    p = people(db)
    first = raise_member_problem(db, p, "2025-03-17 09:00", "不属本单位的问题")
    second = raise_member_problem(db, p, "2025-03-17 09:00", "另一个问题")
    member = unit_principal(db, p.member_unit_id)
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=first, kind=L.C_WITHDRAW, actor=member,
            now=at("2025-03-19 17:00"), reason="属交警职责")
    assert _problem(db, first).level == L.OFFICE
    assert [m.payload["action"] for m in messages(db, problem_id=first)] == [L.WITHDRAWN] * len(
        targets(db, ("office", None)))
    with db.unit_of_work() as s, pytest.raises(Conflict):
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=second, kind=L.C_WITHDRAW, actor=member,
            now=at("2025-03-20 09:00"), reason="属交警职责")


def test_a_retried_sweep_at_the_same_time_moves_nothing_and_writes_nothing(db, example):
    open_first_phase(db)
    p = people(db)
    raise_member_problem(db, p, "2025-03-17 09:00")
    first = run_sweep(db, "2025-03-20 10:00")
    with db.reader() as s:
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (ProblemEvent, OutboxMessage)]
    again = run_sweep(db, "2025-03-20 10:00")
    with db.reader() as s:
        assert [s.scalar(select(func.count()).select_from(m)) for m in (ProblemEvent, OutboxMessage)] == counts
    assert first["coordination"].moved == 1 and first["task"].moved > 0
    assert all(r.moved == 0 for r in again.values())


def test_a_problem_raised_from_a_segment_task_starts_at_its_lead_department_and_tells_nobody_else(db, example):
    open_first_phase(db)
    p = people(db)
    with db.reader() as s:
        task = s.scalars(select(Task).where(Task.segment_id == p.segment_id, Task.unit_id == p.lead_unit_id)).first()
    lead = unit_principal(db, p.lead_unit_id)
    with db.unit_of_work() as s:
        pid = raise_problem(s, ctx=load_context(s, campaign=get_campaign(s)), unit_id=None, task_id=task.id, title="沿街商户拒不整改",
                            now=at("2025-03-17 09:00"), actor=lead).id
    problem = _problem(db, pid)
    assert (problem.level, problem.segment_id, problem.unit_id, problem.source, problem.source_id) == (
        L.LEAD, p.segment_id, p.lead_unit_id, "task", task.id)
    assert problem.level_deadline == at("2025-03-20 18:00")
    assert messages(db, problem_id=pid) == []
