"""Findings as the office console lists them (paged and filtered in SQL, with their photos), and 曝光 withdrawn.

``list_findings`` serves the phone pages and the API (every finding the principal may see);
the console needs one page of a filtered list with the photos and the 曝光 mark, on a city of
any size, so it reads here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from models import Attachment, Campaign, Finding, Segment, Unit
from rules.errors import Conflict
from rules.vocabulary import OFFICE_NAME, FindingStatus, surface_table
from services.inspections.findings import get_finding
from services.people.audit import record

STATUS_TEXT = surface_table(FindingStatus)
#: findings that can be 曝光: dispatched and not merged away
EXPOSABLE = (FindingStatus.OPEN, FindingStatus.RECTIFIED, FindingStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class FindingCard:
    """One finding on a console page: names, local times, photo ids (before and after)."""

    id: int
    category: str
    source: str
    status: str
    status_text: str
    segment: str | None
    segment_name: str | None
    lead_unit: str | None
    description: str
    recorded_at: dt.datetime
    deadline: dt.datetime | None
    rectified_at: dt.datetime | None
    exposed_at: dt.datetime | None
    rework_count: int
    overdue: bool
    lon: float | None
    lat: float | None
    photos_before: list[int]
    photos_after: list[int]


def _photos(session: Session, ids: list[int]) -> dict[int, dict[str, list[int]]]:
    out: dict[int, dict[str, list[int]]] = {}
    if not ids:
        return out
    for owner, role, photo in session.execute(
            select(Attachment.owner_id, Attachment.role, Attachment.photo_id)
            .where(Attachment.owner_type == "finding", Attachment.owner_id.in_(ids)).order_by(Attachment.id)):
        out.setdefault(owner, {}).setdefault(role or "before", []).append(photo)
    return out


def finding_cards(session: Session, *, campaign: Campaign, now: dt.datetime, statuses: tuple[str, ...] = (),
                  exposed: bool | None = None, query: str = "", offset: int = 0,
                  limit: int = 50) -> tuple[list[FindingCard], int]:
    """One page of findings (newest first) and how many match; ``query`` matches segment, unit or category."""
    tz = ZoneInfo(campaign.timezone)
    lead = aliased(Unit)
    q = (select(Finding, Segment.code, Segment.name, lead.name)
         .outerjoin(Segment, Segment.id == Finding.segment_id).outerjoin(lead, lead.id == Finding.lead_unit_id)
         .where(Finding.campaign_id == campaign.id))
    if statuses:
        q = q.where(Finding.status.in_(statuses))
    if exposed is not None:
        q = q.where(Finding.exposed_at.is_not(None) if exposed else Finding.exposed_at.is_(None))
    if query.strip():
        pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(or_(Segment.code.ilike(pattern, escape="\\"), Segment.name.ilike(pattern, escape="\\"),
                        lead.name.ilike(pattern, escape="\\"), Finding.category.ilike(pattern, escape="\\")))
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = session.execute(q.order_by(Finding.recorded_at.desc(), Finding.id.desc())
                           .offset(max(0, offset)).limit(max(1, min(limit, 500)))).all()
    photos = _photos(session, [r[0].id for r in rows])

    def local(t: dt.datetime | None) -> dt.datetime | None:
        return t.astimezone(tz) if t else None

    cards = []
    for f, code, seg_name, unit in rows:
        overdue = f.status == FindingStatus.OPEN and f.deadline is not None and f.deadline < now
        ph: dict[str, Any] = photos.get(f.id, {})
        cards.append(FindingCard(
            id=f.id, category=f.category, source=f.source, status=f.status,
            status_text=STATUS_TEXT.get(f.status, f.status) + ("（逾期）" if overdue else ""),
            segment=code, segment_name=seg_name, lead_unit=unit, description=f.description,
            recorded_at=f.recorded_at.astimezone(tz), deadline=local(f.deadline), rectified_at=local(f.rectified_at),
            exposed_at=local(f.exposed_at), rework_count=f.rework_count, overdue=overdue, lon=f.lon, lat=f.lat,
            photos_before=ph.get("before", []), photos_after=ph.get("after", [])))
    return cards, total


def withdraw_exposure(session: Session, *, campaign: Campaign, finding_id: int, now: dt.datetime,
                      actor: str = OFFICE_NAME) -> Finding:
    """撤回曝光: take a finding out of the next brief's exposure corner."""
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    if f.exposed_at is None:
        raise Conflict(f"问题 {f.id} 未被选入曝光台，无需撤回")
    f.exposed_at = None
    record(session, campaign_id=campaign.id, action="finding.expose_withdrawn", object_type="finding",
           object_id=f.id, now=now, actor=actor)
    return f


@dataclass(frozen=True, slots=True)
class RoutePoint:
    """One stop of a round on the map: its order, day, what is inspected and where (WGS-84)."""

    seq: int
    day: dt.date
    label: str
    lon: float | None
    lat: float | None


def route_points(session: Session, *, campaign: Campaign, inspection_id: int) -> list[RoutePoint]:
    """A round's stops in order with a point each: a place's own, a segment's or alley's midpoint, a finding's.

    For 创卫办 (every round, secret ones included): the console shows the route it planned.
    """
    from models import Inspection, InspectionStop, Place
    from services.inspections.rounds import _midpoint

    found = aliased(Finding)
    rows = session.execute(
        select(InspectionStop.seq, InspectionStop.day, Segment.code, Segment.name, Segment.geometry, Place.name,
               Place.lon, Place.lat, found.id, found.lon, found.lat)
        .join(Inspection, Inspection.id == InspectionStop.inspection_id)
        .outerjoin(Segment, Segment.id == InspectionStop.segment_id)
        .outerjoin(Place, Place.id == InspectionStop.place_id)
        .outerjoin(found, found.id == InspectionStop.finding_id)
        .where(Inspection.campaign_id == campaign.id, InspectionStop.inspection_id == inspection_id)
        .order_by(InspectionStop.day, InspectionStop.seq, InspectionStop.id)).all()
    out = []
    for i, (_, day, code, seg_name, geometry, place, p_lon, p_lat, fid, f_lon, f_lat) in enumerate(rows, start=1):
        if place is not None:
            label, lon, lat = place, p_lon, p_lat
        elif fid is not None:
            label, lon, lat = f"复查问题 {fid}", f_lon, f_lat
        elif geometry is not None:
            label, (lon, lat) = f"{code} {seg_name}", _midpoint(geometry)
        else:
            label, lon, lat = "", None, None
        out.append(RoutePoint(seq=i, day=day, label=label, lon=lon, lat=lat))
    return out
