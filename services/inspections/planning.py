"""``cw inspections plan --week``: make a week's rounds from the planners and tell the inspectors only."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from config.inspections import PLAN_KINDS
from models import Finding, Inspection, InspectionStop, Leader, Place, Segment, Street, Unit
from models.geo import ALLEY
from models.inspections import OPEN, RECTIFIED
from rules import inspection_plans as plans
from rules import weeks
from rules.errors import InvalidInput
from rules.vocabulary import OFFICE_NAME, InspectionKind, UnitKind
from services.campaigns.context import CampaignContext
from services.inspections.rounds import SECRET_KIND
from services.inspections.routing import responsibility
from services.notifications.outbox import Recipient, enqueue, recipient_targets
from services.people.audit import record


@dataclass(frozen=True, slots=True)
class PlannedRound:
    """A round ``plan_week`` created: how many stops, whom it told, and what the planner noted."""

    id: int
    kind: str
    week: str
    title: str
    stops: int
    seed: int
    announced: bool
    notified: int  # outbox rows written for the inspectors
    notes: tuple[str, ...]


#: a round's title names its kind more fully than the kind's label
KIND_TITLES: dict[str, str] = {InspectionKind.REGULAR: "定期检查", InspectionKind.UNANNOUNCED: "暗访（不定期检查）",
               InspectionKind.CROSS: "交叉检查", InspectionKind.LEADER_LED: "领导带队检查",
               InspectionKind.RECHECK: "跟踪复查"}


def office_unit_id(session: Session, campaign_id: int) -> int | None:
    """The 创卫办 unit, if the campaign lists one."""
    return session.scalar(select(Unit.id).where(Unit.campaign_id == campaign_id, Unit.kind == UnitKind.OFFICE)
                          .order_by(Unit.id).limit(1))


def segment_infos(session: Session, campaign_id: int) -> list[plans.SegmentInfo]:
    """Every 路段 and 巷道 with who answers for it (an alley: its parent's 包联)."""
    rows = session.execute(select(Segment.id, Segment.kind, Segment.parent_id, Street.name)
                           .outerjoin(Street, Street.id == Segment.street_id)
                           .where(Segment.campaign_id == campaign_id).order_by(Segment.id)).all()
    resp = responsibility(session, campaign_id)
    out = []
    for sid, kind, parent, street in rows:
        r = resp.get(parent if kind == ALLEY and parent else sid)
        out.append(plans.SegmentInfo(id=sid, group=street or "", kind=kind, lead_unit=r.lead_unit_id if r else None,
                                     units=r.units if r else frozenset(), leader=r.leader_id if r else None))
    return out


def _previous_cross_pairs(session: Session, campaign_id: int, week: str) -> set[tuple[int, int]]:
    last = session.scalar(select(Inspection.id).where(Inspection.campaign_id == campaign_id,
                                                      Inspection.kind == InspectionKind.CROSS, Inspection.week < week)
                          .order_by(Inspection.week.desc(), Inspection.id.desc()).limit(1))
    if last is None:
        return set()
    rows = session.execute(select(InspectionStop.inspector_unit_id, InspectionStop.inspected_unit_id)
                           .where(InspectionStop.inspection_id == last))
    return {(a, b) for a, b in rows if a is not None and b is not None}


def _due_findings(session: Session, ctx: CampaignContext, last_day: dt.date,
                  infos: dict[int, plans.SegmentInfo]) -> list[plans.FindingDue]:
    campaign, tz = ctx.campaign, ctx.calendar.tz
    planned = dict(session.execute(select(InspectionStop.finding_id, func.max(InspectionStop.day))
                                   .where(InspectionStop.finding_id.is_not(None))
                                   .group_by(InspectionStop.finding_id)).tuples().all())
    out = []
    for f in session.scalars(select(Finding).where(Finding.campaign_id == campaign.id,
                                                   Finding.status.in_((OPEN, RECTIFIED)),
                                                   Finding.deadline.is_not(None))):
        assert f.deadline is not None  # the query selects findings with a deadline only
        due = f.deadline.astimezone(tz).date()
        if due >= last_day or (f.id in planned and planned[f.id] > due):
            continue
        info = infos.get(f.segment_id) if f.segment_id else None
        out.append(plans.FindingDue(id=f.id, segment=f.segment_id, due=due, inspector_unit=f.inspector_unit_id,
                                    responsible=info.units if info else frozenset()))
    return out


def _stops(session: Session, ctx: CampaignContext, kind: str, week: str, workdays: list[dt.date], seed: int,
           infos: list[plans.SegmentInfo], office: int | None) -> tuple[list[plans.Stop], list[str]]:
    campaign, spec = ctx.campaign, ctx.spec.inspections
    notes: list[str] = []
    if kind == InspectionKind.REGULAR:
        return plans.regular_plan(infos, workdays, office), notes
    if kind == InspectionKind.UNANNOUNCED:
        places = [plans.PlaceInfo(id=i, kind=k, segment=s) for i, k, s in session.execute(
            select(Place.id, Place.kind, Place.segment_id).where(Place.campaign_id == campaign.id))]
        sampling = [plans.Sample(s.type, s.min, s.share) for s in spec.sampling]
        return plans.unannounced_plan(infos, places, workdays, sampling, spec.unannounced_days, seed, office), notes
    if kind == InspectionKind.CROSS:
        inspectors = sorted({i.lead_unit for i in infos if i.lead_unit is not None})
        cross = plans.cross_plan(infos, inspectors, _previous_cross_pairs(session, campaign.id, week), workdays, seed)
        if cross.pairs_relaxed:
            notes.append("检查单位不足，部分检查单位与上一轮交叉检查的对象相同")
        return cross.stops, notes
    if kind == InspectionKind.LEADER_LED:
        leaders = list(session.scalars(select(Leader.id).where(Leader.campaign_id == campaign.id)))
        return plans.leader_plan(infos, leaders, week, spec.leaders_per_week, workdays, office), notes
    due = _due_findings(session, ctx, workdays[-1], {i.id: i for i in infos})
    return plans.reinspection_plan(due, workdays, office), notes


def _notify_inspectors(session: Session, ctx: CampaignContext, ins: Inspection, stops: list[plans.Stop],
                       office: int | None, now: dt.datetime) -> int:
    """Each inspector hears of its own stops only; the inspected units hear nothing."""
    campaign = ctx.campaign
    names = dict(session.execute(select(Segment.id, Segment.name)
                                 .where(Segment.campaign_id == campaign.id)).tuples().all())
    places = dict(session.execute(select(Place.id, Place.name).where(Place.campaign_id == campaign.id)).tuples().all())
    by_recipient: dict[Recipient, list[str]] = defaultdict(list)
    for s in stops:
        what = places.get(s.place) if s.place else names.get(s.segment, "") if s.segment is not None else ""
        line = f"{s.day.month}月{s.day.day}日 {what}" + (f"（复查问题 {s.finding}）" if s.finding else "")
        if s.leader is not None:
            by_recipient[("leader", s.leader)].append(line)
        if s.inspector_unit is not None:
            by_recipient[("office", None) if s.inspector_unit == office else ("unit", s.inspector_unit)].append(line)
    if not ins.announced:
        return _notify_office_only(session, ctx, ins, by_recipient, now)
    sent = 0
    for recipient, lines in sorted(by_recipient.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        sent += enqueue(session, ctx=ctx, recipients=[recipient], template="inspection_plan",
                        payload={"title": f"督查安排：{ins.title}", "body": "\n".join(lines),
                                 "inspection_id": ins.id, "confidential": False},
                        key_parts=("inspection", ins.id), now=now)
    return sent


def office_only_targets(session: Session, ctx: CampaignContext) -> list[str]:
    """The office's targets that no unit or leader reads: not a default target, not in anyone's own list
    (the 创卫办 unit's own list aside)."""
    book = recipient_targets(session, ctx=ctx)
    offices = set(session.scalars(select(Unit.id).where(Unit.campaign_id == ctx.id, Unit.kind == UnitKind.OFFICE)))
    shared = set(book.default).union(*(names for (kind, rid), names in book.own.items()
                                       if not (kind == "unit" and rid in offices)))
    return [t for t in book.office if t not in shared]


def _notify_office_only(session: Session, ctx: CampaignContext, ins: Inspection,
                        by_recipient: dict[Recipient, list[str]], now: dt.datetime) -> int:
    """An unannounced round (暗访) before it is published: one notice to 创卫办 through its office-only
    targets, never a default target or one a unit reads (the inspected could be on it). The office
    tells its inspectors in person; with no office-only target nothing is sent (the plan is in the app)."""
    targets = office_only_targets(session, ctx)
    if not targets:
        return 0
    lines = [f"{line}（{_who(session, r)}）" for r, rs in sorted(by_recipient.items(),
                                                                  key=lambda kv: (kv[0][0], kv[0][1] or 0))
             for line in rs]
    return enqueue(session, ctx=ctx, recipients=[("office", None)], template="inspection_plan",
                   payload={"title": f"督查安排：{ins.title}", "body": "\n".join(lines),
                            "inspection_id": ins.id, "confidential": True},
                   key_parts=("inspection", ins.id), now=now, targets=targets)


def _who(session: Session, recipient: Recipient) -> str:
    """Whom a line of the plan is for, named (the office tells them in person)."""
    kind, rid = recipient
    if rid is None or kind == "office":
        return OFFICE_NAME
    found = session.get(Leader, rid) if kind == "leader" else session.get(Unit, rid)
    return found.name if found is not None else OFFICE_NAME


def plan_week(session: Session, *, ctx: CampaignContext, week: str, now: dt.datetime, kinds: list[str] | None = None,
              seed: int | None = None, actor: str = OFFICE_NAME) -> list[PlannedRound]:
    """Create the week's rounds that do not exist yet (idempotent per week and kind)."""
    campaign, spec = ctx.campaign, ctx.spec
    kinds = list(kinds or spec.inspections.weekly)
    unknown = [k for k in kinds if k not in PLAN_KINDS]
    if unknown:
        raise InvalidInput(f"未知的检查类型：{'、'.join(unknown)}（可选：{'、'.join(PLAN_KINDS)}）")
    cal = ctx.calendar
    workdays = [d for d in weeks.week_days(week) if cal.is_workday(d)]
    if not workdays:
        return []  # a holiday week (春节): nobody to inspect, nothing to plan
    infos = segment_infos(session, campaign.id)
    office = office_unit_id(session, campaign.id)
    existing = set(session.scalars(select(Inspection.kind).where(Inspection.campaign_id == campaign.id,
                                                                 Inspection.week == week, Inspection.seq == 1)))
    results = []
    for kind in kinds:
        if kind in existing:
            continue
        round_seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        stops, notes = _stops(session, ctx, kind, week, workdays, round_seed, infos, office)
        if not stops:
            continue
        announced = kind != SECRET_KIND
        ins = Inspection(campaign_id=campaign.id, kind=kind, week=week, seq=1, seed=round_seed,
                         title=f"{weeks.week_label(week)} {KIND_TITLES[kind]}", announced=announced,
                         published_at=now if announced else None, created_at=now, created_by=actor)
        session.add(ins)
        session.flush()
        session.execute(insert(InspectionStop), [
            dict(inspection_id=ins.id, seq=n, day=s.day, segment_id=s.segment, place_id=s.place, finding_id=s.finding,
                 inspector_unit_id=s.inspector_unit, leader_id=s.leader, inspected_unit_id=s.inspected_unit)
            for n, s in enumerate(stops, start=1)])
        record(session, campaign_id=campaign.id, action="inspection.plan", object_type="inspection",
               object_id=ins.id, now=now, actor=actor, detail={"kind": kind, "week": week, "stops": len(stops)})
        notified = _notify_inspectors(session, ctx, ins, stops, office, now)
        results.append(PlannedRound(id=ins.id, kind=kind, week=week, title=ins.title, stops=len(stops),
                                    seed=round_seed, announced=announced, notified=notified, notes=tuple(notes)))
    return results
