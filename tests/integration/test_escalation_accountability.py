"""The accountability ladder on the example campaign: reminder → overdue → 督办单 → sanctions confirmed by 创卫办."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from models import AccountabilityStep, Sanction, SupervisionNotice, Task
from rules import accountability as A
from rules import ladders as L
from rules.errors import Conflict, Forbidden, InvalidInput
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.status import task_counts
from services.escalation import extensions, sanctions
from services.escalation.problems import act
from services.escalation.queries import list_problems
from services.tasks.overdue import overdue_counts
from services.tasks.queries import list_tasks
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

DUE = "2025-03-31 18:00"  # the March milestone of the example's monthly 起步 tasks (a Monday)


def _tasks_due(db, n: int = 1) -> list[Task]:
    with db.reader() as s:
        # a range, not ==: bulk-created rows on SQLite store the time without microseconds
        return list(s.scalars(select(Task).where(Task.deadline > at(DUE) - dt.timedelta(minutes=1),
                                                 Task.deadline < at(DUE) + dt.timedelta(minutes=1))
                              .order_by(Task.id).limit(n)))


def _stages(db, task_id: int) -> list[tuple[int, object]]:
    with db.reader() as s:
        return [(x.stage, x.at) for x in s.scalars(select(AccountabilityStep).where(
            AccountabilityStep.object_type == "task", AccountabilityStep.object_id == task_id)
            .order_by(AccountabilityStep.id))]


def test_an_overdue_task_walks_reminder_overdue_and_supervision_and_no_sanction_is_proposed_for_the_item(db, example):
    open_first_phase(db)
    (task,) = _tasks_due(db)
    sweeps = ["2025-03-28 10:00", "2025-04-01 09:00", "2025-04-02 09:00", "2025-04-08 09:00", "2025-04-15 09:00"]
    for when in sweeps:
        run_sweep(db, when)
    # the item's ladder ends at the 督办单: 通报批评 and 黄牌警告 are decisions about units, not items
    assert _stages(db, task.id) == [(stage, at(w)) for stage, w in zip(
        (A.REMINDED, A.OVERDUE, A.SUPERVISED), sweeps, strict=False)]
    unit = f"unit:{task.unit_id}"
    reminder = messages(db, task_id=task.id, stage=A.REMINDED)
    overdue = messages(db, task_id=task.id, stage=A.OVERDUE)
    assert {m.template for m in reminder} == {"reminder"} and {m.template for m in overdue} == {"overdue"}
    assert len(reminder) == len(overdue) == len(targets(db, ("unit", task.unit_id)))
    assert {m.payload["recipient"] for m in reminder + overdue} == {unit}
    with db.reader() as s:
        notices = list(s.scalars(select(SupervisionNotice).order_by(SupervisionNotice.number)))
        proposals = list(s.scalars(select(Sanction).where(Sanction.object_type == "task")))
    assert [n.number for n in notices] == list(range(1, len(notices) + 1))
    assert all(re.fullmatch(r"创卫督〔2025〕\d+号", n.doc_no) for n in notices)
    mine = [n for n in notices if any(i["type"] == "task" and i["id"] == task.id for i in n.items)]
    # supervised on 04-02, it joins the unit's notice of that week (issued on the week's first overdue item)
    assert len(mine) == 1 and mine[0].unit_id == task.unit_id
    assert at("2025-03-31 00:00") <= mine[0].issued_at <= at("2025-04-02 09:00")
    assert all(i.get("segment") for i in mine[0].items)  # listed by segment
    sent = messages(db, notice_id=mine[0].id)
    assert sent and {m.template for m in sent} == {"supervision"} and mine[0].doc_no in sent[0].payload["title"]
    assert proposals == []
    # at most one 督办单 per unit per week
    weeks = [(n.unit_id, n.issued_at.astimezone(at(DUE).tzinfo).isocalendar()[:2]) for n in notices]
    assert len(weeks) == len(set(weeks))


def test_repeated_supervision_notices_in_a_month_propose_one_criticism_for_the_unit_and_the_month(db, example):
    open_first_phase(db)
    (task,) = _tasks_due(db)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        ctx = load_context(s, campaign=c)
        for day in ("2025-04-01", "2025-04-08", "2025-04-15"):
            sanctions.issue_notices(s, campaign=c, prefix="创卫督", year=2025, phase_id=task.phase_id,
                                    deadline=at(f"{day} 18:00"), items_by_unit={task.unit_id: [{"type": "task",
                                    "id": task.id, "title": task.title}]}, now=at(f"{day} 09:00"))
            sanctions.propose_repeats(s, campaign=c, ladder=ctx.policy.accountability, unit_ids=[task.unit_id],
                                      phase_id=task.phase_id, now=at(f"{day} 09:00"))
    with db.reader() as s:
        proposed = list(s.scalars(select(Sanction).where(Sanction.unit_id == task.unit_id)))
    assert [(p.kind, p.state, p.object_type) for p in proposed] == [(A.CRITICISM, A.PROPOSED, "unit")]
    assert "本月已收到督办单3张" in proposed[0].reason
    office = acting(db, None)
    with db.unit_of_work() as s, pytest.raises(InvalidInput):
        sanctions.dismiss(s, campaign=get_campaign(s), sanction_id=proposed[0].id, actor=office.name, reason="",
                          now=at("2025-04-16 09:00"))
    with db.unit_of_work() as s:
        sanctions.dismiss(s, campaign=get_campaign(s), sanction_id=proposed[0].id, actor=office.name,
                          reason="已说明客观原因", now=at("2025-04-16 09:05"))
    with db.unit_of_work() as s:  # dismissed: not proposed again for the same month
        c = get_campaign(s)
        sanctions.propose_repeats(s, campaign=c, ladder=load_context(s, campaign=c).policy.accountability,
                                  unit_ids=[task.unit_id], phase_id=task.phase_id, now=at("2025-04-22 09:00"))
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Sanction)) == 1
    with db.unit_of_work() as s, pytest.raises(Conflict):
        c = get_campaign(s)
        sanctions.confirm(s, ctx=load_context(s, campaign=c), sanction_id=proposed[0].id, actor=office.name,
                          now=at("2025-04-16 09:10"))
    assert messages(db, sanction_id=proposed[0].id) == []


def test_two_confirmed_yellow_cards_in_a_phase_bring_an_interview_recommendation(db, example):
    open_first_phase(db)
    (task,) = _tasks_due(db)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        phase = task.phase_id
        sanctions.propose(s, campaign_id=c.id, now=at("2025-04-15 09:00"), proposals=[
            dict(key=f"test:{i}", unit_id=task.unit_id, kind=A.YELLOW_CARD, reason=f"事由{i}", phase_id=phase,
                 object_type="task", object_id=task.id) for i in (1, 2)])
    with db.reader() as s:
        ids = [x.id for x in s.scalars(select(Sanction).order_by(Sanction.id))]
    for i, sid in enumerate(ids):
        with db.unit_of_work() as s:
            c = get_campaign(s)
            sanctions.confirm(s, ctx=load_context(s, campaign=c), sanction_id=sid, actor="创卫办", now=at(f"2025-04-16 {9 + i:02d}:00"))
        with db.reader() as s:
            interviews = list(s.scalars(select(Sanction).where(Sanction.kind == A.INTERVIEW)))
        assert len(interviews) == i
    assert interviews[0].state == A.PROPOSED and interviews[0].unit_id == task.unit_id


def test_tasks_on_an_approved_extension_or_hold_are_not_overdue_and_not_chased(db, example):
    open_first_phase(db)
    late, held, plain = _tasks_due(db, 3)
    office, stranger, owner = acting(db, None), acting(db, "城管局"), unit_principal(db, late.unit_id)
    with db.unit_of_work() as s, pytest.raises(Forbidden):
        extensions.request(s, ctx=load_context(s, campaign=get_campaign(s)), object_type="task", object_id=late.id, kind=L.EXTENSION,
                           until=at("2025-04-10 18:00"), reason="材料未到", actor=stranger, now=at("2025-03-27 10:00"))
    with db.unit_of_work() as s:
        req = extensions.request(s, ctx=load_context(s, campaign=get_campaign(s)), object_type="task", object_id=late.id,
                                 kind=L.EXTENSION, until=at("2025-04-10 18:00"), reason="材料未到",
                                 actor=owner, now=at("2025-03-27 10:00"))
        assert req.approver in (L.LEADER, L.LEAD, L.OFFICE)
        req_id = req.id
    with db.unit_of_work() as s:
        extensions.decide(s, ctx=load_context(s, campaign=get_campaign(s)), request_id=req_id, approve=True, actor=office,
                          now=at("2025-03-27 11:00"))
    with db.unit_of_work() as s:
        assert extensions.request(s, ctx=load_context(s, campaign=get_campaign(s)), object_type="task", object_id=held.id, kind=L.HOLD,
                                  until=at("2025-06-30 18:00"), reason="待财政资金下达", actor=office,
                                  now=at("2025-03-27 11:00")) is None
    run_sweep(db, "2025-04-02 09:00")
    with db.reader() as s:
        c = get_campaign(s)
        counts = overdue_counts(s, campaign=c, now=at("2025-04-02 09:00"))
        status_overdue = task_counts(s, c.id, at("2025-04-02 09:00")).overdue
        listed = {t.id for t in list_tasks(s, campaign=c, now=at("2025-04-02 09:00"), status="overdue")}
    assert counts["tasks_extended"] == 2 and status_overdue == counts["tasks"] == len(listed)
    assert plain.id in listed and not {late.id, held.id} & listed
    assert _stages(db, late.id) == [] and _stages(db, held.id) == []
    assert [st for st, _ in _stages(db, plain.id)] == [A.OVERDUE]
    with db.reader() as s:
        counts_later = overdue_counts(s, campaign=get_campaign(s), now=at("2025-04-11 09:00"))
    assert counts_later["tasks"] == counts["tasks"] + 1 and counts_later["tasks_extended"] == 1


def test_a_problem_on_hold_is_not_overdue_nor_escalated_until_its_date(db, example):
    open_first_phase(db)
    p = people(db)
    pid = raise_member_problem(db, p, "2025-03-17 09:00", "背街道路硬化需等专项资金")
    member, office, lead = unit_principal(db, p.member_unit_id), acting(db, None), unit_principal(db, p.lead_unit_id)
    with db.unit_of_work() as s:
        req = extensions.request(s, ctx=load_context(s, campaign=get_campaign(s)), object_type="problem", object_id=pid, kind=L.HOLD,
                                 until=at("2025-06-30 18:00"), reason="等资金下达", actor=member,
                                 now=at("2025-03-18 10:00"))
        assert req.approver == L.OFFICE
        req_id = req.id
    with db.unit_of_work() as s, pytest.raises(Forbidden):
        extensions.decide(s, ctx=load_context(s, campaign=get_campaign(s)), request_id=req_id, approve=True, actor=lead,
                          now=at("2025-03-18 11:00"))
    with db.unit_of_work() as s:
        extensions.decide(s, ctx=load_context(s, campaign=get_campaign(s)), request_id=req_id, approve=True, actor=office,
                          now=at("2025-03-18 11:00"))
    run_sweep(db, "2025-03-20 10:00")
    run_sweep(db, "2025-05-20 10:00")
    with db.reader() as s:
        c = get_campaign(s)
        (row,) = [r for r in list_problems(s, campaign=c, now=at("2025-05-20 10:00")) if r.id == pid]
        counts = overdue_counts(s, campaign=c, now=at("2025-05-20 10:00"))
    assert (row.level, row.overdue, counts["problems"], counts["problems_on_hold"]) == (L.MEMBER, False, 0, 1)
    run_sweep(db, "2025-07-01 10:00")
    with db.reader() as s:
        (row,) = [r for r in list_problems(s, campaign=get_campaign(s), now=at("2025-07-01 10:00")) if r.id == pid]
    assert row.level == L.LEAD


def test_an_approved_problem_extension_moves_its_deadline_and_is_not_overdue(db, example):
    open_first_phase(db)
    p = people(db)
    pid = raise_member_problem(db, p, "2025-03-17 09:00")
    member, lead = unit_principal(db, p.member_unit_id), unit_principal(db, p.lead_unit_id)
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_EXTEND, actor=member, now=at("2025-03-18 10:00"),
            reason="配件未到", until=at("2025-03-26 18:00"))
    assert [m.payload["recipient"] for m in messages(db, problem_id=pid, action=L.EXTENSION_REQUESTED)] == [
        f"unit:{p.lead_unit_id}"] * len(targets(db, ("unit", p.lead_unit_id)))
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_APPROVE, actor=lead, now=at("2025-03-18 11:00"))
    run_sweep(db, "2025-03-20 10:00")
    with db.reader() as s:
        c = get_campaign(s)
        (row,) = [r for r in list_problems(s, campaign=c, now=at("2025-03-20 10:00")) if r.id == pid]
    assert (row.level, row.overdue) == (L.MEMBER, False)
    assert row.deadline == at("2025-03-26 18:00")
