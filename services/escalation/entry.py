"""Where a finding's problem enters the coordination ladder, and its first time limit (the campaign's policy).

A finding on a segment is first the business of the segment's participating units (参与单位), or
of the functional department (职能部门) its category belongs to, as ``escalation.entry`` says; it
reaches the lead department (牵头部门) only when they cannot settle it. The first level's limit
is the category's own (数字城管 style: 小广告 the same day, 乱搭乱建 longer), never shorter than
the ladder's limit for that level.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from models import Assignment, AssignmentMember, Segment, Unit
from models.base import UTCDateTime
from rules import ladders as L
from rules.calendar import ClockType

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

MEMBERS, DEPARTMENT, LEAD = "参与单位", "职能部门", "牵头部门"


def _members(session: Session, campaign_id: int, segment_id: int, now: dt.datetime) -> list[int]:
    """Participating units of the 包联 in force on the segment (an alley's: its segment's)."""
    parent = session.scalar(_parent_query(), {"segment_id": segment_id})
    seg = parent or segment_id
    return list(dict.fromkeys(session.scalars(_members_query(), {"campaign_id": campaign_id, "segment_id": seg,
                                                                 "now": now})))


@functools.cache
def _parent_query() -> Select[tuple[int | None]]:
    """A segment's parent (parameter: segment_id), built once: it is asked for every finding."""
    return select(Segment.parent_id).where(Segment.id == bindparam("segment_id"))


@functools.cache
def _members_query() -> Select[tuple[int]]:
    """The participating units of the 包联 in force (parameters: campaign_id, segment_id, now), built once."""
    now = bindparam("now", type_=UTCDateTime())
    return (select(AssignmentMember.unit_id).join(Assignment, Assignment.id == AssignmentMember.assignment_id)
            .where(Assignment.campaign_id == bindparam("campaign_id"), Assignment.segment_id == bindparam("segment_id"),
                   Assignment.valid_from <= now, (Assignment.valid_to.is_(None)) | (Assignment.valid_to > now))
            .order_by(AssignmentMember.unit_id))


def _department(session: Session, ctx: CampaignContext, category: str | None) -> Unit | None:
    spec = ctx.spec.inspections.category(category) if category else None
    if spec is None:
        return None
    directory = ctx.unit_directory()
    return next((u for u in (directory.find(n) for n in spec.departments) if u is not None), None)


def finding_entry(session: Session, ctx: CampaignContext, *, segment_id: int | None, category: str | None,
                  lead: Unit, key: int | None, now: dt.datetime) -> tuple[str, Unit]:
    """(level wanted, responsible unit) of a finding's problem; ``lead`` is the routed lead department.

    Among several participating units the finding goes to one, chosen by ``key`` (the finding's id),
    so the work spreads evenly and the same finding always goes to the same unit.
    """
    entry = ctx.spec.escalation.entry
    to: str = entry.categories.get(category or "", entry.default)
    if to == DEPARTMENT:
        dept = _department(session, ctx, category)
        if dept is not None:
            return L.MEMBER, dept
        to = MEMBERS
    if to == MEMBERS and segment_id is not None:
        members = _members(session, ctx.id, segment_id, now)
        if members:
            unit = session.get(Unit, members[(key or 0) % len(members)])
            if unit is not None:
                return L.MEMBER, unit
    return L.LEAD, lead


def entry_deadline(ctx: CampaignContext, level: str, category: str | None, now: dt.datetime) -> dt.datetime:
    """The first level's deadline: the ladder's limit, or the category's when that is longer."""
    pol = ctx.policy
    due = pol.coordination.limit(level).due(pol.calendar, now)
    spec = ctx.spec.inspections.category(category) if category and level == L.MEMBER else None
    if spec is not None:
        due = max(due, L.Limit(spec.limit, ClockType(spec.clock)).due(pol.calendar, now))
    return due
