"""The campaign's ladders as rule values, and who holds a problem at each level of its segment."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import Session

from config.campaign import CampaignFile
from config.escalation import LimitSpec
from models import Assignment, AssignmentMember, Leader, Segment, Unit
from models.base import UTCDateTime
from rules.accountability import AccountabilityLadder, InterviewRule
from rules.calendar import ClockType, WorkCalendar
from rules.errors import Conflict
from rules.ladders import LEAD, LEADER, MEMBER, OFFICE, CoordinationLadder, Facts, Limit
from rules.times import clock_time
from rules.vocabulary import OFFICE_NAME, UnitKind

OFFICE_KIND = UnitKind.OFFICE


def limit_of(spec: LimitSpec) -> Limit:
    return Limit(spec.limit, ClockType(spec.clock))


def coordination_ladder(spec: CampaignFile) -> CoordinationLadder:
    e = spec.escalation
    return CoordinationLadder(limits=tuple((x.level, limit_of(x)) for x in e.coordination),
                              return_window=limit_of(e.return_window), extension_max=limit_of(e.extension_max),
                              climb_after=limit_of(e.climb_after) if e.climb_after else None)


def accountability_ladder(spec: CampaignFile) -> AccountabilityLadder:
    a = spec.escalation.accountability
    return AccountabilityLadder(remind_before=a.remind_before, supervise_after=a.supervise_after,
                                criticise_after=a.criticise_after, yellow_after=a.yellow_after,
                                criticise_after_supervisions=a.criticise_after_supervisions,
                                yellow_after_criticisms=a.yellow_after_criticisms,
                                criticism_period=a.criticism_period, yellow_after_red_weeks=a.yellow_after_red_weeks,
                                interview=InterviewRule(yellow_cards=a.interview.yellow_cards,
                                                        red_streak=a.interview.red_streak))


@dataclass(frozen=True)
class Policy:
    """What a use case needs from the campaign file: both ladders and the calendar."""

    coordination: CoordinationLadder
    accountability: AccountabilityLadder
    calendar: WorkCalendar
    notice_prefix: str
    notice_limit: Limit


def campaign_policy(spec: CampaignFile, calendar: WorkCalendar) -> Policy:
    """The ladders of a campaign file (``CampaignContext.policy`` builds it once per unit of work)."""
    a = spec.escalation.accountability
    return Policy(coordination_ladder(spec), accountability_ladder(spec), calendar,
                  a.notice_prefix, limit_of(a.notice_limit))


@dataclass
class Holders:
    """Each segment's active 包联 (lead department, county leader) and the 创卫办 unit; loaded once."""

    by_segment: dict[int, tuple[int, int]]
    parent: dict[int, int]
    office_unit_id: int | None
    unit_names: dict[int, str]
    leader_names: dict[int, str]
    segment_names: dict[int, str] = field(default_factory=dict)
    #: each segment's participating units (参与单位) under its 包联 in force
    members: dict[int, frozenset[int]] = field(default_factory=dict)

    def members_of(self, segment_id: int | None) -> frozenset[int]:
        """The segment's participating units (an alley's: its segment's)."""
        if segment_id is None:
            return frozenset()
        return self.members.get(segment_id) or self.members.get(self.parent.get(segment_id, -1), frozenset())

    def assignment(self, segment_id: int | None) -> tuple[int, int] | None:
        if segment_id is None:
            return None
        found = self.by_segment.get(segment_id)
        if found is None and segment_id in self.parent:  # an alley is held through its segment
            found = self.by_segment.get(self.parent[segment_id])
        return found

    def facts(self, segment_id: int | None, *, leader_opinion: bool = False, pending: str | None = None) -> Facts:
        a = self.assignment(segment_id)
        return Facts(has_lead=a is not None, has_leader=a is not None, leader_opinion=leader_opinion,
                     pending=pending)

    def at_level(self, level: str, *, segment_id: int | None, unit_id: int | None) -> tuple[int | None, int | None]:
        """(holder unit, holder leader) of a problem standing at ``level``."""
        a = self.assignment(segment_id)
        if level == MEMBER:
            return unit_id, None
        if level == LEAD and a:
            return a[0], None
        if level == LEADER and a:
            return a[0], a[1]  # the lead department files the leader's step
        if level == OFFICE:
            return self.office_unit_id, None
        raise Conflict(f"该问题所在路段尚未包联，无法交到{level}")

    def load_segment_names(self, session: Session, ids: Iterable[int | None]) -> None:
        """Fetch the names messages will show, for these segments only."""
        wanted = {i for i in ids if i is not None and i not in self.segment_names}
        if wanted:
            self.segment_names |= {i: f"{c} {n}" for i, c, n in session.connection().execute(
                _statement("segment_names"), {"segments": sorted(wanted)})}

    def segment_name(self, segment_id: int | None) -> str:
        """「路段编号 名称」 (after ``load_segment_names``), or 未定位."""
        return self.segment_names.get(segment_id, "未定位") if segment_id else "未定位"

    def holder_name(self, unit_id: int | None, leader_id: int | None) -> str:
        if leader_id:
            return self.leader_names.get(leader_id, "县级领导")
        return self.unit_names.get(unit_id, OFFICE_NAME) if unit_id else OFFICE_NAME


@dataclass(frozen=True)
class Names:
    """The campaign's unit and leader names as messages show them, and its 创卫办 unit."""

    office_unit_id: int | None
    units: dict[int, str]
    leaders: dict[int, str]


def load_names(session: Session, campaign_id: int) -> Names:
    """``Names`` of the campaign (``CampaignContext.holders`` reads them once per unit of work)."""
    conn, params = session.connection(), {"campaign_id": campaign_id}
    units = conn.execute(_statement("units"), params).all()
    leaders = conn.execute(_statement("leaders"), params).tuples().all()
    return Names(office_unit_id=next((i for i, _, k in units if k == OFFICE_KIND), None),
                 units={i: n for i, n, _ in units}, leaders=dict(leaders))


def load_holders(session: Session, campaign_id: int, now: dt.datetime,
                 segment_ids: Iterable[int | None] | None = None, *, names: Names | None = None,
                 segment_names: dict[int, str] | None = None) -> Holders:
    """The 包联 in force at ``now`` (of ``segment_ids`` only, when given: then with their participating units)
    and the names messages need (``names`` and ``segment_names`` when the caller has them: they are shared,
    not copied, and segment names loaded later are added to ``segment_names``)."""
    conn = session.connection()
    wanted = None if segment_ids is None else {i for i in segment_ids if i is not None}
    params: dict[str, Any] = {"campaign_id": campaign_id, "now": now}
    if wanted is None:
        # the query keeps only rows whose parent_id IS NOT NULL, which the column type cannot say
        parent = cast(dict[int, int], dict(conn.execute(_statement("parents"), params).tuples().all()))
        rows: Sequence[Any] = conn.execute(_statement("assignments"), params).all()
    elif wanted:
        parents = conn.execute(_statement("parents_of"), {**params, "segments": sorted(wanted)})
        parent = cast(dict[int, int], dict(parents.tuples().all()))
        held = sorted(wanted | set(parent.values()))
        rows = conn.execute(_statement("assignments_of"), {**params, "segments": held}).all()
    else:
        parent, rows = {}, ()
    by_segment: dict[int, tuple[int, int]] = {}
    chosen: dict[int, int] = {}
    for seg, unit, leader, started, assignment_id in rows:
        # the latest 包联 in force at ``now``; one recorded later (an import after the fact) if none is
        if started or seg not in by_segment:
            by_segment[seg], chosen[seg] = (unit, leader), assignment_id
    members: dict[int, set[int]] = {}
    segment_of = {a: s for s, a in chosen.items()}
    if chosen and wanted is not None:
        for a, u in conn.execute(_statement("members"), {"assignments": list(segment_of)}):
            members.setdefault(segment_of[a], set()).add(u)
    if names is None:
        names = load_names(session, campaign_id)
    return Holders(by_segment=by_segment, parent=parent, office_unit_id=names.office_unit_id,
                   unit_names=names.units, leader_names=names.leaders,
                   segment_names={} if segment_names is None else segment_names,
                   members={s: frozenset(m) for s, m in members.items()})


@functools.cache
def _statement(name: str) -> Select[Any]:
    """``load_holders``' (and ``Holders.load_segment_names``') queries, built once (parameters: campaign_id,
    now, segments, assignments)."""
    campaign_id: BindParameter[int] = bindparam("campaign_id")
    now = bindparam("now", type_=UTCDateTime())
    if name == "units":
        return select(Unit.id, Unit.name, Unit.kind).where(Unit.campaign_id == campaign_id).order_by(Unit.id)
    if name == "leaders":
        return select(Leader.id, Leader.name).where(Leader.campaign_id == campaign_id)
    if name == "segment_names":
        return select(Segment.id, Segment.code, Segment.name).where(Segment.id.in_(bindparam("segments",
                                                                                              expanding=True)))
    if name == "members":
        return (select(AssignmentMember.assignment_id, AssignmentMember.unit_id)
                .where(AssignmentMember.assignment_id.in_(bindparam("assignments", expanding=True))))
    segments: BindParameter[list[int]] = bindparam("segments", expanding=True)
    q: Select[Any]
    if name in ("parents", "parents_of"):
        q = select(Segment.id, Segment.parent_id).where(Segment.campaign_id == campaign_id,
                                                        Segment.parent_id.is_not(None))
        return q.where(Segment.id.in_(segments)) if name == "parents_of" else q
    q = (select(Assignment.segment_id, Assignment.lead_unit_id, Assignment.leader_id,
                (Assignment.valid_from <= now).label("started"), Assignment.id)
         .where(Assignment.campaign_id == campaign_id, (Assignment.valid_to.is_(None)) | (Assignment.valid_to > now))
         .order_by(Assignment.valid_from, Assignment.id))
    return q.where(Assignment.segment_id.in_(segments)) if name == "assignments_of" else q


def recipient(unit_id: int | None, leader_id: int | None, office_unit_id: int | None) -> tuple[str, int | None]:
    """The outbox recipient of a holder: a leader, the office, or a unit."""
    if leader_id:
        return ("leader", leader_id)
    if unit_id is None or unit_id == office_unit_id:
        return ("office", None)
    return ("unit", unit_id)


def local_text(t: dt.datetime | None, cal: WorkCalendar) -> str:
    """A deadline as people write it, in the campaign's time zone: 2025年1月8日18时 (18时30分)."""
    if t is None:
        return "无"
    return clock_time(t.astimezone(cal.tz))
