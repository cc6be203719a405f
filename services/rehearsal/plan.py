"""``cw rehearsal plan``: draw a 模拟暗访 the way national teams sample, and open its inspection round.

Places are sampled by type: 主次干道 and 背街小巷 from the segments (a segment's midpoint), the other
types from the campaign's imported places; counts scale with how many places of each type the
campaign has and are configured in ``standard.rehearsal``. The rehearsal opens an unannounced
inspection round (暗访, kept secret until published) whose stops are the points, so inspectors
record deductions with the existing finding flow and the findings carry the rehearsal's round.
The same date and seed give the same rehearsal (a second run returns the stored one).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from config.inspections import BACK_STREETS, MAIN_ROADS
from models import Inspection, InspectionStop, Place, Rehearsal, RehearsalPoint, Segment
from rules import rehearsal as rr
from rules import weeks
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, InspectionKind, SegmentKind
from services.campaigns.context import CampaignContext
from services.inspections.planning import office_unit_id
from services.rehearsal import texts as tx


@dataclass(frozen=True)
class PlanPoint:
    seq: int
    type: str
    name: str
    lon: float
    lat: float
    area: str
    segment: str | None  # the 路段's name


@dataclass
class RehearsalPlan:
    id: int
    date: str  # ISO date (JSON); people see date_label
    date_label: str
    seed: int
    inspection_id: int | None
    points: list[PlanPoint]
    by_type: dict[str, int]
    route_m: float
    notes: list[str] = field(default_factory=list)


def date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _midpoint(geometry: dict) -> tuple[float, float]:
    coords = geometry["coordinates"]
    if geometry["type"] == "MultiLineString":
        coords = max(coords, key=len)
    lon, lat = coords[len(coords) // 2]
    return float(lon), float(lat)


def candidates(session: Session, campaign_id: int) -> list[rr.Candidate]:
    """Every segment (主次干道), alley (背街小巷) and imported place as a candidate point."""
    out = []
    for sid, kind, name, geometry in session.execute(select(Segment.id, Segment.kind, Segment.name, Segment.geometry)
                                                     .where(Segment.campaign_id == campaign_id)):
        lon, lat = _midpoint(geometry)
        out.append(rr.Candidate(type=MAIN_ROADS if kind == SegmentKind.SEGMENT else BACK_STREETS,
                                key=f"segment:{sid:08d}", name=name, lon=lon, lat=lat))
    for pid, kind, name, lon, lat in session.execute(select(Place.id, Place.kind, Place.name, Place.lon, Place.lat)
                                                     .where(Place.campaign_id == campaign_id)):
        out.append(rr.Candidate(type=kind, key=f"place:{pid:08d}", name=name, lon=lon, lat=lat))
    return out


def _load(session: Session, r: Rehearsal, notes: list[str], order: list[str]) -> RehearsalPlan:
    rows = list(session.execute(select(RehearsalPoint, Segment.name).outerjoin(Segment,
                                                                               Segment.id == RehearsalPoint.segment_id)
                                .where(RehearsalPoint.rehearsal_id == r.id).order_by(RehearsalPoint.seq)).tuples())
    points = [PlanPoint(seq=p.seq, type=p.type, name=p.name, lon=p.lon, lat=p.lat, area=p.area, segment=seg)
              for p, seg in rows]
    as_candidates = [rr.Candidate(p.type, str(p.seq), p.name, p.lon, p.lat) for p in points]
    by_type = {t: n for t, n in rr.counts(as_candidates, order).items() if n}  # in the configured order
    return RehearsalPlan(id=r.id, date=r.day.isoformat(), date_label=date_label(r.day), seed=r.seed,
                         inspection_id=r.inspection_id, points=points, by_type=by_type,
                         route_m=round(rr.route_length_m(as_candidates), 1), notes=notes)


def get_rehearsal(session: Session, *, ctx: CampaignContext, rehearsal_id: int | None = None) -> RehearsalPlan:
    """A stored rehearsal (the newest when no id is given)."""
    q = select(Rehearsal).where(Rehearsal.campaign_id == ctx.id)
    q = q.where(Rehearsal.id == rehearsal_id) if rehearsal_id is not None else q.order_by(Rehearsal.id.desc())
    r = session.scalars(q.limit(1)).first()
    if r is None:
        raise NotFound("还没有模拟暗访，请先运行 cw rehearsal plan --date 日期" if rehearsal_id is None
                       else f"找不到模拟暗访（编号 {rehearsal_id}）")
    return _load(session, r, [], [x.type for x in ctx.spec.standard.rehearsal])


def plan_rehearsal(session: Session, *, ctx: CampaignContext, day: dt.date, now: dt.datetime,
                   seed: int | None = None, actor: str = OFFICE_NAME) -> RehearsalPlan:
    """Sample the places of a rehearsal on ``day``, order them as a route and open its secret round."""
    cid = ctx.id
    if seed is not None:
        same = session.scalars(select(Rehearsal).where(Rehearsal.campaign_id == cid, Rehearsal.day == day,
                                                       Rehearsal.seed == seed).limit(1)).first()
        if same is not None:
            return _load(session, same, [], [x.type for x in ctx.spec.standard.rehearsal])
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    samples = ctx.spec.standard.rehearsal
    if not samples:
        raise InvalidInput("standard.rehearsal 中没有配置任何点位类型")
    pool = candidates(session, cid)
    available: dict[str, int] = {}
    for c in pool:
        available[c.type] = available.get(c.type, 0) + 1
    quotas = [rr.Quota(s.type, s.count(available.get(s.type, 0))) for s in samples]
    notes = [tx.NO_PLACES.format(type=s.type) for s in samples if not available.get(s.type)]
    drawn = rr.route(rr.sample(pool, quotas, seed))
    areas = {s.type: s.area for s in samples}
    office = office_unit_id(session, cid)
    week = weeks.week_key(day)
    seq = max(1, session.scalar(select(func.max(Inspection.seq)).where(
        Inspection.campaign_id == cid, Inspection.week == week, Inspection.kind == InspectionKind.UNANNOUNCED)) or 1) + 1
    ins = Inspection(campaign_id=cid, kind=InspectionKind.UNANNOUNCED, week=week, seq=seq, seed=seed,
                     title=tx.ROUND_TITLE.format(date=date_label(day)), announced=False, published_at=None,
                     created_at=now, created_by=actor)
    session.add(ins)
    session.flush()
    seg_of_place = dict(session.execute(select(Place.id, Place.segment_id).where(Place.campaign_id == cid))
                        .tuples().all())
    rows = []
    for n, c in enumerate(drawn, start=1):
        kind, ident = c.key.split(":")
        place_id = int(ident) if kind == "place" else None
        segment_id = int(ident) if kind == "segment" else seg_of_place.get(place_id) if place_id else None
        rows.append(dict(seq=n, type=c.type, name=c.name, area=areas.get(c.type, tx.OTHER_AREA), lon=c.lon, lat=c.lat,
                         segment_id=segment_id, place_id=place_id))
    if rows:
        session.execute(insert(InspectionStop), [
            dict(inspection_id=ins.id, seq=r["seq"], day=day, segment_id=r["segment_id"], place_id=r["place_id"],
                 inspector_unit_id=office) for r in rows])
    reh = Rehearsal(campaign_id=cid, day=day, seed=seed, title=tx.TITLE.format(date=date_label(day)),
                    inspection_id=ins.id, created_by=actor, created_at=now)
    session.add(reh)
    session.flush()
    if rows:
        session.execute(insert(RehearsalPoint), [dict(rehearsal_id=reh.id, **r) for r in rows])
    session.flush()
    return _load(session, reh, notes, [x.type for x in samples])
