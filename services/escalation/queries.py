"""Reading problems for pages and the CLI: lists, one problem with its whole history, who is acting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import AccountabilityStep, Campaign, ExtensionRequest, Leader, Problem, ProblemEvent, Segment, Unit
from models.accountability import PENDING, PROBLEM
from models.people import ROLE_LEADER, ROLE_OFFICE, ROLE_UNIT
from rules.accountability import STAGE_TEXT
from rules.errors import NotFound
from rules.ladders import ACTION_TEXT, OPEN
from rules.vocabulary import ProblemStatus, surface_table
from services.campaigns.directory import leader_directory, unit_directory
from services.escalation.ladders import OFFICE_KIND
from services.people.auth import Principal

STATUS_TEXT = surface_table(ProblemStatus)


def principal_for(session: Session, *, campaign: Campaign, name: str | None) -> Principal:
    """Who acts at the command line: 创卫办 (default), a unit or a county leader, by name or alias."""
    if not name or name == OFFICE_KIND:
        return Principal(campaign_id=campaign.id, role=ROLE_OFFICE, name=OFFICE_KIND)
    unit = unit_directory(session, campaign.id).find(name)
    if unit is not None:
        role = ROLE_OFFICE if unit.kind == OFFICE_KIND else ROLE_UNIT
        return Principal(campaign_id=campaign.id, role=role, name=unit.name, unit_id=unit.id)
    leader = leader_directory(session, campaign.id).find(name)
    if leader is not None:
        return Principal(campaign_id=campaign.id, role=ROLE_LEADER, name=leader.name, leader_id=leader.id)
    raise NotFound(f"找不到单位或县级领导「{name}」")


@dataclass(frozen=True, slots=True)
class ProblemRow:
    """One problem in a list: where it is on the ladder, who holds it, until when (times in the campaign's zone)."""

    id: int
    title: str
    segment: str | None
    status: str
    status_text: str
    level: str
    holder: str
    deadline: dt.datetime | None
    on_hold_until: dt.datetime | None
    assigned: bool
    overdue: bool
    rework_count: int
    acc_stage: str
    category: str | None = None  # the finding's or complaint's category (问题类别); None when raised without one


@dataclass(frozen=True, slots=True)
class ProblemStep:
    """One event in a problem's coordination history (raised, escalated, returned, opinion …)."""

    at: dt.datetime
    actor: str
    action: str
    action_text: str
    from_level: str | None
    to_level: str | None
    reason: str | None
    opinion: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AccountabilityEntry:
    """One step of the accountability ladder on a problem (reminder, 督办 …)."""

    at: dt.datetime
    stage: int
    stage_text: str | None
    notice_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProblemRequest:
    """A 延期/挂账 request on a problem."""

    id: int
    kind: str
    until: dt.datetime
    state: str
    approver: str
    reason: str
    requested_by: str


@dataclass(frozen=True, slots=True)
class ProblemDetail:
    """One problem: its list row, description, history, accountability steps and requests, in time order."""

    row: ProblemRow
    description: str
    history: list[ProblemStep]
    accountability: list[AccountabilityEntry]
    requests: list[ProblemRequest]
    pending_request: ProblemRequest | None


def _local(t: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    return t.astimezone(tz) if t else None


def list_problems(session: Session, *, campaign: Campaign, now: dt.datetime, status: str | None = None,
                  level: str | None = None, unit_id: int | None = None, on_hold: bool | None = None,
                  limit: int | None = None, ids: list[int] | None = None,
                  category: str | None = None) -> list[ProblemRow]:
    """Problems, oldest first; ``unit_id`` matches the raising or the holding unit; ``ids`` only these;
    ``category`` only that 问题类别."""
    tz = ZoneInfo(campaign.timezone)
    q = (select(Problem, Segment.code, Unit.name, Leader.name).outerjoin(Segment, Segment.id == Problem.segment_id)
         .outerjoin(Unit, Unit.id == Problem.holder_unit_id).outerjoin(Leader, Leader.id == Problem.holder_leader_id)
         .where(Problem.campaign_id == campaign.id))
    if ids is not None:
        q = q.where(Problem.id.in_(ids))
    if status:
        q = q.where(Problem.status == status)
    if level:
        q = q.where(Problem.level == level)
    if category:
        q = q.where(Problem.category == category)
    if unit_id:
        q = q.where(or_(Problem.unit_id == unit_id, Problem.holder_unit_id == unit_id))
    if on_hold is not None:
        held = Problem.on_hold_until > now
        q = q.where(held if on_hold else or_(Problem.on_hold_until.is_(None), ~held))
    rows = session.execute(q.order_by(Problem.id).limit(limit)).all()
    return [ProblemRow(id=p.id, title=p.title, segment=code, status=p.status,
                       status_text=STATUS_TEXT.get(p.status, p.status), level=p.level,
                       holder=leader or unit or OFFICE_KIND, deadline=_local(p.level_deadline, tz),
                       on_hold_until=_local(p.on_hold_until, tz), assigned=p.assigned_at is not None,
                       overdue=bool(p.status == OPEN and p.level_deadline is not None and p.level_deadline < now
                                    and not (p.on_hold_until and p.on_hold_until > now)),
                       rework_count=p.rework_count, acc_stage=STAGE_TEXT.get(p.acc_stage, str(p.acc_stage)),
                       category=p.category)
            for p, code, unit, leader in rows]


def problem_detail(session: Session, *, campaign: Campaign, problem_id: int, now: dt.datetime) -> ProblemDetail:
    """One problem with its coordination history, accountability steps and requests, in time order."""
    tz = ZoneInfo(campaign.timezone)
    row = next(iter(list_problems(session, campaign=campaign, now=now, ids=[problem_id])), None)
    p = session.get(Problem, problem_id)
    if row is None or p is None:
        raise NotFound(f"找不到问题 {problem_id}")
    history = [ProblemStep(at=e.at.astimezone(tz), actor=e.actor, action=e.action,
                           action_text=ACTION_TEXT.get(e.action, e.action), from_level=e.from_level,
                           to_level=e.to_level, reason=e.reason, opinion=e.opinion, detail=e.detail)
               for e in session.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == problem_id)
                                        .order_by(ProblemEvent.id))]
    steps = [AccountabilityEntry(at=s.at.astimezone(tz), stage=s.stage, stage_text=STAGE_TEXT.get(s.stage),
                                 notice_id=s.notice_id, detail=s.detail)
             for s in session.scalars(select(AccountabilityStep).where(
                 AccountabilityStep.object_type == PROBLEM, AccountabilityStep.object_id == problem_id)
                 .order_by(AccountabilityStep.id))]
    requests = [ProblemRequest(id=r.id, kind=r.kind, until=r.until.astimezone(tz), state=r.state,
                               approver=r.approver, reason=r.reason, requested_by=r.requested_by)
                for r in session.scalars(select(ExtensionRequest).where(
                    ExtensionRequest.object_type == PROBLEM, ExtensionRequest.object_id == problem_id)
                    .order_by(ExtensionRequest.id))]
    return ProblemDetail(row=row, description=p.description, history=history, accountability=steps,
                         requests=requests, pending_request=next((r for r in requests if r.state == PENDING), None))
