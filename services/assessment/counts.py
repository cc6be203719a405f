"""The counts behind every 考核 indicator, gathered with one grouped query per source.

Each source is read in one place (see ``rules.scores`` for the definitions):

=====================  ======================================================================
counts                 source
=====================  ======================================================================
处置/按期/结案/超时      ``task`` (plan tasks and 整改 tasks; ``kind = 'rectify'`` split out)
核查/返工 (verify)       ``tick.verdict`` pass/reject, ``tick.verified_at`` in the window
核查/返工 (复查)          ``audit_entry`` ``finding.reinspect`` (``detail.passed``) × the finding's 整改 tasks
核查/返工 (回访)          ``complaint.visited_at`` in the window; 不满意 (重办) is a 返工
问题数                   ``finding.dispatched_at`` in the window × the finding's 整改 tasks
越级上报                 ``problem_event`` from 牵头部门 up to 县级领导/创卫办, charged to the
                         segment's lead department (包联 at that time), else the problem's unit
投诉/回访/满意           ``complaint`` → its ``finding`` × the finding's 整改 tasks
=====================  ======================================================================

Grouping is by responsible unit (``task.unit_id``) or by 路段 (an alley's work counts for its
parent segment). Every query is set-based: a handful of statements whatever the number of units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import Text, and_, case, distinct, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from models import Assignment, AuditEntry, Complaint, Finding, Problem, ProblemEvent, Segment, Task, Tick
from models.base import UTCDateTime
from models.problems import LEVEL_LEAD, LEVEL_LEADER, LEVEL_OFFICE
from rules.scores import Counts
from rules.vocabulary import SATISFIED_RESULTS, TaskStatus, VisitResult
from services.inspections.rectification import KIND as RECTIFICATION
from services.surveys.surveys import satisfaction_by

UNIT, SEGMENT = "unit", "segment"
MISSED = TaskStatus.MISSED
SATISFIED = SATISFIED_RESULTS
UNSATISFIED = VisitResult.DISSATISFIED  # → 重办: a 返工 of the rectification
#: the audit detail is JSON written with sorted keys and compact separators (models.base.JSONText)
REINSPECT_FAILED = '%"passed":false%'


def _sum(cond: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _task_key(by: str) -> tuple[Any, Callable[[Any], Any]]:
    """The grouping column of a task and the join that provides it."""
    if by == UNIT:
        return Task.unit_id, lambda q: q
    seg = aliased(Segment)
    return func.coalesce(seg.parent_id, seg.id), lambda q: q.join(seg, seg.id == Task.segment_id)


def _merge(target: dict[int, dict[str, int]], rows: Any, names: tuple[str, ...]) -> None:
    for key, *values in rows:
        if key is None:
            continue
        for name, value in zip(names, values, strict=False):
            target[key][name] += int(value or 0)


def _tasks(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
           acc: dict[int, dict[str, int]]) -> None:
    key, join = _task_key(by)
    t_as_of = literal(as_of, UTCDateTime())
    deadline = case((and_(Task.extended_until.is_not(None), Task.extended_until > Task.deadline),
                     Task.extended_until), else_=Task.deadline)
    done_in = and_(Task.done_at >= start, Task.done_at < as_of)
    on_time = and_(done_in, Task.done_at <= deadline)
    verified = and_(done_in, Task.verified_at.is_not(None), Task.verified_at < as_of)
    undone = and_(or_(Task.done_at.is_(None), Task.done_at >= as_of), Task.created_at < as_of)
    # this period's: the deadline passed inside the window (a lapsed recurring task counts here, once)
    overdue = and_(undone, deadline < t_as_of, deadline >= literal(start, UTCDateTime()))
    # the backlog: one-off tasks and rectifications overdue since before the window, still open
    backlog = and_(undone, deadline < literal(start, UTCDateTime()), Task.status != MISSED)
    rect = Task.kind == RECTIFICATION
    q = join(select(key, _sum(done_in), _sum(on_time), _sum(verified), _sum(overdue), _sum(backlog),
                    _sum(and_(rect, done_in)), _sum(and_(rect, on_time)), _sum(and_(rect, or_(overdue, backlog))))
             .select_from(Task))
    rows = session.execute(q.where(Task.campaign_id == cid, or_(done_in, overdue, backlog)).group_by(key)).all()
    _merge(acc, rows, ("handled", "on_time", "verified", "overdue", "backlog", "rect_handled", "rect_on_time",
                       "rect_overdue"))


def _verifications(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
                   acc: dict[int, dict[str, int]]) -> None:
    key, join = _task_key(by)
    q = join(select(key, func.count(Tick.id), _sum(Tick.verdict == "reject"))
             .select_from(Tick).join(Task, Task.id == Tick.task_id))
    rows = session.execute(q.where(Tick.campaign_id == cid, Tick.verdict.is_not(None), Tick.verified_at >= start,
                                   Tick.verified_at < as_of).group_by(key)).all()
    _merge(acc, rows, ("checks", "rework"))


def _reinspections(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
                   acc: dict[int, dict[str, int]]) -> None:
    key, join = _task_key(by)
    failed = type_coerce(AuditEntry.detail, Text).like(REINSPECT_FAILED)
    q = join(select(key, func.count(distinct(AuditEntry.id)), func.count(distinct(case((failed, AuditEntry.id)))))
             .select_from(AuditEntry)
             .join(Task, and_(Task.kind == RECTIFICATION, Task.finding_id == AuditEntry.object_id)))
    rows = session.execute(q.where(AuditEntry.campaign_id == cid, AuditEntry.action == "finding.reinspect",
                                   AuditEntry.object_type == "finding", AuditEntry.at >= start,
                                   AuditEntry.at < as_of).group_by(key)).all()
    _merge(acc, rows, ("checks", "rework"))


def _findings(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
              acc: dict[int, dict[str, int]]) -> None:
    key, join = _task_key(by)
    q = join(select(key, func.count(distinct(Finding.id))).select_from(Finding)
             .join(Task, and_(Task.kind == RECTIFICATION, Task.finding_id == Finding.id)))
    rows = session.execute(q.where(Finding.campaign_id == cid, Finding.dispatched_at >= start,
                                   Finding.dispatched_at < as_of).group_by(key)).all()
    _merge(acc, rows, ("findings",))


def _complaints(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
                acc: dict[int, dict[str, int]]) -> None:
    key, join = _task_key(by)
    received = and_(Complaint.received_at >= start, Complaint.received_at < as_of)
    visited = and_(Complaint.visited_at >= start, Complaint.visited_at < as_of, Complaint.visit_result.is_not(None))
    unsatisfied = and_(visited, Complaint.visit_result == UNSATISFIED)
    q = join(select(key, func.count(distinct(case((received, Complaint.id)))),
                    func.count(distinct(case((visited, Complaint.id)))),
                    func.count(distinct(case((and_(visited, Complaint.visit_result.in_(SATISFIED)), Complaint.id)))),
                    func.count(distinct(case((visited, Complaint.id)))),
                    func.count(distinct(case((unsatisfied, Complaint.id)))))
             .select_from(Complaint).join(Finding, Finding.complaint_id == Complaint.id)
             .join(Task, and_(Task.kind == RECTIFICATION, Task.finding_id == Finding.id)))
    rows = session.execute(q.where(Complaint.campaign_id == cid, or_(received, visited)).group_by(key)).all()
    _merge(acc, rows, ("complaints", "visits", "satisfied", "checks", "rework"))


def _escalations(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
                 acc: dict[int, dict[str, int]]) -> None:
    up = and_(ProblemEvent.from_level == LEVEL_LEAD, ProblemEvent.to_level.in_((LEVEL_LEADER, LEVEL_OFFICE)),
              ProblemEvent.at >= start, ProblemEvent.at < as_of)
    if by == UNIT:
        held = and_(Assignment.segment_id == Problem.segment_id, Assignment.valid_from <= ProblemEvent.at,
                    or_(Assignment.valid_to.is_(None), Assignment.valid_to > ProblemEvent.at))
        key: Any = func.coalesce(Assignment.lead_unit_id, Problem.unit_id)
        q = (select(key, func.count(distinct(Problem.id))).select_from(ProblemEvent)
             .join(Problem, Problem.id == ProblemEvent.problem_id).outerjoin(Assignment, held))
    else:
        seg = aliased(Segment)
        key = func.coalesce(seg.parent_id, seg.id)
        q = (select(key, func.count(distinct(Problem.id))).select_from(ProblemEvent)
             .join(Problem, Problem.id == ProblemEvent.problem_id).join(seg, seg.id == Problem.segment_id))
    rows = session.execute(q.where(Problem.campaign_id == cid, up).group_by(key)).all()
    _merge(acc, rows, ("escalated",))


def _surveys(session: Session, cid: int, start: dt.datetime, as_of: dt.datetime, by: str,
             acc: dict[int, dict[str, int]]) -> None:
    """群众满意度测评 answers that name a 路段 count towards 满意率 like 回访 (issue 21)."""
    _merge(acc, satisfaction_by(session, campaign_id=cid, start=start, as_of=as_of, by=by), ("visits", "satisfied"))


SOURCES = (_tasks, _verifications, _reinspections, _findings, _complaints, _escalations, _surveys)


def gather(session: Session, *, campaign_id: int, start: dt.datetime, as_of: dt.datetime,
           by: str = UNIT) -> dict[int, Counts]:
    """Counts per unit id (``by='unit'``) or per 路段 id (``by='segment'``) in ``[start, as_of)``."""
    acc: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if as_of > start:
        for source in SOURCES:
            source(session, campaign_id, start, as_of, by, acc)
    return {k: Counts(**v) for k, v in acc.items()}
