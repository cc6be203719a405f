"""督查计划: plan a week's rounds, publish them, and the secrecy rule every reader goes through.

Secrecy: an unannounced round (暗访) is invisible to the inspected units until it is
published. ``visible_stops`` and ``visible_findings`` are THE filters: every query that
pages, the API, notifications and briefs make about rounds, stops or findings uses them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session, aliased

from maps.geometry import from_geojson_dict
from maps.views import PointView
from models import Campaign, Finding, Inspection, InspectionStop, Leader, Place, Segment, Unit
from models.inspections import PENDING, TRIAGE
from models.people import ROLE_OFFICE
from rules.errors import Conflict, NotFound
from rules.vocabulary import OFFICE_NAME, InspectionKind
from services.campaigns.context import CampaignContext
from services.inspections.rectification import current_phase, dispatch
from services.inspections.routing import responsibility
from services.people.audit import record
from services.people.auth import Principal

SECRET_KIND = InspectionKind.UNANNOUNCED


@dataclass(frozen=True, slots=True)
class PlanStop:
    """One stop of a round: where, on which day, who inspects (names, not ids)."""

    day: str  # ISO date
    segment: str | None  # segment code
    segment_name: str | None
    place: str | None
    inspector: str | None  # inspecting unit
    leader: str | None  # the county leader leading it
    finding_id: int | None  # the finding a 复查 stop re-inspects
    inspected_unit: str | None


@dataclass(frozen=True, slots=True)
class Plan:
    """A round (督查计划) with the stops the principal may see."""

    id: int
    kind: str
    week: str
    title: str
    seed: int | None  # None: the principal may not know the draw (only 创卫办 may)
    announced: bool
    published: bool
    stops: tuple[PlanStop, ...]


def office_principal(campaign: Campaign, name: str = OFFICE_NAME) -> Principal:
    """创卫办 at the command line: sees everything."""
    return Principal(campaign_id=campaign.id, role=ROLE_OFFICE, name=name, timezone=campaign.timezone)


def public_principal(campaign: Campaign) -> Principal:
    """What every unit may see (briefs, exposure pages): no secret round at all."""
    return Principal(campaign_id=campaign.id, role="public", name="公开", timezone=campaign.timezone)


def unit_principal(campaign: Campaign, unit_id: int, name: str = "") -> Principal:
    """A unit's contact person (单位联络员)."""
    return Principal(campaign_id=campaign.id, role="unit", name=name, unit_id=unit_id, timezone=campaign.timezone)


def secret_inspections(campaign_id: int) -> Select[tuple[int]]:
    """Ids of the unannounced rounds not yet published."""
    return select(Inspection.id).where(Inspection.campaign_id == campaign_id, Inspection.announced.is_(False),
                                       Inspection.published_at.is_(None))


def visible_stops(principal: Principal) -> ColumnElement[bool]:
    """WHERE over InspectionStop ⋈ Inspection: what the principal may know of planned rounds.

    创卫办 sees all; others see announced or published rounds, and of a secret round only the
    stops they themselves inspect (as the inspecting unit or the leading county leader).
    """
    mine = Inspection.campaign_id == principal.campaign_id
    if principal.role == ROLE_OFFICE:
        return mine
    public = or_(Inspection.announced.is_(True), Inspection.published_at.is_not(None))
    own = or_(InspectionStop.inspector_unit_id == principal.unit_id if principal.unit_id else false(),
              InspectionStop.leader_id == principal.leader_id if principal.leader_id else false())
    return and_(mine, or_(public, own))


def visible_findings(principal: Principal) -> ColumnElement[bool]:
    """WHERE over Finding: a finding of a secret round exists only for 创卫办 and its own inspector."""
    mine = Finding.campaign_id == principal.campaign_id
    if principal.role == ROLE_OFFICE:
        return mine
    not_secret = or_(Finding.inspection_id.is_(None),
                     Finding.inspection_id.not_in(secret_inspections(principal.campaign_id)))
    own = Finding.inspector_unit_id == principal.unit_id if principal.unit_id else false()
    return and_(mine, or_(not_secret, own))


def is_secret(inspection: Inspection | None) -> bool:
    return inspection is not None and not inspection.announced and inspection.published_at is None


def list_plans(session: Session, *, principal: Principal, week: str | None = None) -> list[Plan]:
    """Rounds with the stops the principal may see (a round with none visible is not listed)."""
    inspector, inspected = aliased(Unit), aliased(Unit)
    q = (select(Inspection, InspectionStop, Segment.code, Segment.name, Place.name, inspector.name, Leader.name,
                inspected.name)
         .join(InspectionStop, InspectionStop.inspection_id == Inspection.id)
         .outerjoin(Segment, Segment.id == InspectionStop.segment_id)
         .outerjoin(Place, Place.id == InspectionStop.place_id)
         .outerjoin(inspector, inspector.id == InspectionStop.inspector_unit_id)
         .outerjoin(inspected, inspected.id == InspectionStop.inspected_unit_id)
         .outerjoin(Leader, Leader.id == InspectionStop.leader_id)
         .where(visible_stops(principal)))
    if week:
        q = q.where(Inspection.week == week)
    rounds: dict[int, Inspection] = {}
    stops: dict[int, list[PlanStop]] = defaultdict(list)
    for ins, stop, code, seg_name, place, unit, leader, inspected_unit in session.execute(
            q.order_by(Inspection.week, Inspection.id, InspectionStop.day, InspectionStop.seq)):
        rounds.setdefault(ins.id, ins)
        stops[ins.id].append(PlanStop(day=stop.day.isoformat(), segment=code, segment_name=seg_name, place=place,
                                      inspector=unit, leader=leader, finding_id=stop.finding_id,
                                      inspected_unit=inspected_unit))
    office = principal.role == ROLE_OFFICE
    return [Plan(id=ins.id, kind=ins.kind, week=ins.week, title=ins.title, seed=ins.seed if office else None,
                 announced=ins.announced, published=ins.announced or ins.published_at is not None,
                 stops=tuple(stops[ins.id]))
            for ins in rounds.values()]


def get_inspection(session: Session, *, campaign: Campaign, inspection_id: int) -> Inspection:
    ins = session.get(Inspection, inspection_id)
    if ins is None or ins.campaign_id != campaign.id:
        raise NotFound(f"找不到督查计划 {inspection_id}")
    return ins


def publish_inspection(session: Session, *, ctx: CampaignContext, inspection_id: int, now: dt.datetime,
                       actor: str = OFFICE_NAME) -> dict[str, int]:
    """通报: make a secret round public and send its findings to the responsible units (one context for all)."""
    campaign = ctx.campaign
    ins = get_inspection(session, campaign=campaign, inspection_id=inspection_id)
    if ins.announced or ins.published_at is not None:
        raise Conflict(f"督查计划 {ins.id}（{ins.title}）已公开，无需再次发布")
    ins.published_at = now
    pending = list(session.scalars(select(Finding).where(Finding.inspection_id == ins.id, Finding.status == PENDING)
                                   .order_by(Finding.id)))
    resp = responsibility(session, campaign.id, [f.segment_id for f in pending if f.segment_id])
    dispatched = triaged = 0
    phase = None  # read with the first finding dispatched (none to dispatch: no sub-phase needed)
    for f in pending:
        if f.segment_id in resp:
            phase = phase or current_phase(session, campaign)
            dispatch(session, ctx=ctx, finding=f, resp=resp[f.segment_id], now=now, actor=actor, phase=phase)
            dispatched += 1
        else:
            f.status = TRIAGE
            triaged += 1
    record(session, campaign_id=campaign.id, action="inspection.publish", object_type="inspection",
           object_id=ins.id, now=now, actor=actor, detail={"dispatched": dispatched, "triaged": triaged})
    session.flush()
    return {"inspection_id": ins.id, "dispatched": dispatched, "triaged": triaged}


def _midpoint(geometry: dict[str, Any]) -> tuple[float, float]:
    g = from_geojson_dict(geometry)
    line = max(getattr(g, "geoms", [g]), key=lambda part: part.length)
    p = line.interpolate(0.5, normalized=True)
    return p.x, p.y


def brief_inspection_points(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                            photo_dir: Any = None) -> list[PointView]:
    """The week's stops everyone may see (the brief hook): announced or published rounds only."""
    tz = ZoneInfo(campaign.timezone)
    rows = session.execute(
        select(InspectionStop.id, Inspection.kind, Inspection.announced, Inspection.published_at,
               Segment.name, Segment.geometry, Place.name, Place.lon, Place.lat)
        .join(Inspection, Inspection.id == InspectionStop.inspection_id)
        .outerjoin(Segment, Segment.id == InspectionStop.segment_id)
        .outerjoin(Place, Place.id == InspectionStop.place_id)
        .where(visible_stops(public_principal(campaign)),
               InspectionStop.day >= start.astimezone(tz).date(), InspectionStop.day <= as_of.astimezone(tz).date())
        .order_by(InspectionStop.day, InspectionStop.id)).all()
    points = []
    for sid, kind, announced, published_at, seg_name, geometry, place, lon, lat in rows:
        if place is None and geometry is None:
            continue
        x, y = (lon, lat) if place is not None else _midpoint(geometry)
        points.append(PointView(id=sid, lon=x, lat=y, category=f"{kind}检查", label=place or seg_name,
                                published=bool(announced or published_at)))
    return points
