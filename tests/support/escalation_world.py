"""Shared set-up for the escalation tests: the example campaign, its people, raising and sweeping."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import Assignment, AssignmentMember, OutboxMessage, Segment
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.escalation.problems import raise_problem
from services.escalation.queries import principal_for
from services.escalation.sweep import sweep
from services.notifications.outbox import recipient_targets
from services.people.auth import Principal
from tests.conftest import at


@dataclass(frozen=True)
class SegmentPeople:
    segment_id: int
    code: str
    lead_unit_id: int
    leader_id: int
    member_unit_id: int


def open_first_phase(db) -> None:
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-01-02 00:05"))


def people(db, code: str = "LD-03") -> SegmentPeople:
    with db.reader() as s:
        seg = s.scalars(select(Segment).where(Segment.code == code)).one()
        a = s.scalars(select(Assignment).where(Assignment.segment_id == seg.id, Assignment.valid_to.is_(None))).one()
        member = s.scalars(select(AssignmentMember.unit_id).where(AssignmentMember.assignment_id == a.id)
                           .order_by(AssignmentMember.unit_id)).first()
    return SegmentPeople(seg.id, code, a.lead_unit_id, a.leader_id, member)


def acting(db, name: str | None) -> Principal:
    with db.reader() as s:
        return principal_for(s, campaign=get_campaign(s), name=name)


def unit_principal(db, unit_id: int) -> Principal:
    from models import Unit

    with db.reader() as s:
        unit = s.get(Unit, unit_id)
        return Principal(campaign_id=unit.campaign_id, role="unit", name=unit.name, unit_id=unit.id)


def raise_member_problem(db, p: SegmentPeople, when: str, title: str = "路口护栏缺失需协调") -> int:
    actor = unit_principal(db, p.member_unit_id)
    with db.unit_of_work() as s:
        return raise_problem(s, ctx=load_context(s, campaign=get_campaign(s)), unit_id=p.member_unit_id, segment_id=p.segment_id,
                             title=title, description="需要多部门协调", now=at(when), actor=actor).id


def run_sweep(db, when: str, limit: int = 2000):
    with db.unit_of_work() as s:
        return sweep(s, ctx=load_context(s, campaign=get_campaign(s)), now=at(when), limit=limit)


def messages(db, **payload_match) -> list[OutboxMessage]:
    """Outbox rows whose payload has all the given fields, oldest first."""
    with db.reader() as s:
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [m for m in rows if all(m.payload.get(k) == v for k, v in payload_match.items())]


def targets(db, recipient: tuple[str, int | None]) -> list[str]:
    with db.reader() as s:
        return recipient_targets(s, ctx=load_context(s, campaign=get_campaign(s)), recipients=[recipient]).targets(recipient)
