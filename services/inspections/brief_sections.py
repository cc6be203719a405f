"""The brief's findings and exposure sections (创卫简报 hooks), seen as every unit may see them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from maps.views import PointView
from models import Attachment, Campaign, Finding, Inspection, InspectionStop, Photo, Sanction, Segment, Unit
from models.inspections import CLOSED, MERGED, RECTIFIED
from rules.vocabulary import SanctionKind, SanctionState
from rules.weeks import week_key
from services.inspections.rounds import public_principal, visible_findings

EXAMPLES = 4
OPEN_STATE, AWAITING_STATE, CLOSED_STATE = "open", "awaiting", "closed"
STATE_TEXT = {OPEN_STATE: "整改中", AWAITING_STATE: "已整改待复查", CLOSED_STATE: "已销号"}


def state_at(f: Finding, as_of: dt.datetime) -> str:
    """Where a finding stood at ``as_of`` (from its timestamps, so a brief rewritten later says the same):
    销号 once closed, 待复查 once reported rectified and not yet failed, else 整改中."""
    if f.closed_at is not None and f.closed_at <= as_of:
        return CLOSED_STATE
    if f.rectified_at is not None and f.rectified_at <= as_of and (
            f.status in (RECTIFIED, CLOSED) or (f.checked_at is not None and f.checked_at > as_of)):
        return AWAITING_STATE
    return OPEN_STATE


def _photos(session: Session, ids: list[int], photo_dir: Path | None) -> dict[tuple[int, str], Path]:
    """First photo per (finding, role), as absolute paths under the photo store."""
    if not ids or photo_dir is None:
        return {}
    out: dict[tuple[int, str], Path] = {}
    for owner, role, path in session.execute(
            select(Attachment.owner_id, Attachment.role, Photo.path).join(Photo, Photo.id == Attachment.photo_id)
            .where(Attachment.owner_type == "finding", Attachment.owner_id.in_(ids)).order_by(Attachment.id)):
        out.setdefault((owner, role), Path(photo_dir) / path)
    return out


def _window_rows(session: Session, campaign: Campaign, column: Any, start: dt.datetime,
                 as_of: dt.datetime) -> Sequence[tuple[Finding, str | None, str | None]]:
    """(finding, segment name, lead unit name) of the window; the outer joins leave names missing."""
    lead = aliased(Unit)
    return session.execute(
        select(Finding, Segment.name, lead.name)
        .outerjoin(Segment, Segment.id == Finding.segment_id).outerjoin(lead, lead.id == Finding.lead_unit_id)
        .where(visible_findings(public_principal(campaign)), Finding.status != MERGED,
               column >= start, column <= as_of)
        .order_by(Finding.recorded_at, Finding.id)).tuples().all()


def brief_findings(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                   photo_dir: Path | None = None) -> Any:
    """新发现问题: the week's findings by category, a few examples with photos, their points."""
    from services.briefs.sections import CategoryCount, FindingExample, FindingsSection, PhotoPair

    rows = _window_rows(session, campaign, Finding.recorded_at, start, as_of)
    if not rows:
        return None
    tz = ZoneInfo(campaign.timezone)
    new: Counter[str] = Counter()
    states: Counter[tuple[str, str]] = Counter()
    for f, _, _ in rows:
        new[f.category] += 1
        states[f.category, state_at(f, as_of)] += 1
    photos = _photos(session, [f.id for f, _, _ in rows], photo_dir)
    shown = sorted((r for r in rows if (r[0].id, "before") in photos),
                   key=lambda r: ((r[0].id, "after") not in photos, -r[0].id))[:EXAMPLES]
    examples = [FindingExample(category=f.category, place=seg or "未定位", unit=unit or "待分派",
                               description=f.description,
                               deadline=f.deadline.astimezone(tz).date() if f.deadline else None,
                               rectified=state_at(f, as_of) != OPEN_STATE,
                               photos=PhotoPair(before=photos.get((f.id, "before")), after=photos.get((f.id, "after"))))
                for f, seg, unit in shown]
    points = [PointView(id=f.id, lon=f.lon, lat=f.lat, category=f.category, label=f"{f.category}（{seg or '未定位'}）")
              for f, seg, _ in rows if f.lon is not None and f.lat is not None]
    return FindingsSection(by_category=[CategoryCount(category=c, new=new[c], rectified=states[c, CLOSED_STATE],
                                                      open=states[c, OPEN_STATE], awaiting=states[c, AWAITING_STATE])
                                        for c in sorted(new, key=lambda c: (-new[c], c))],
                           examples=examples, points=points)


def brief_exposures(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                    photo_dir: Path | None = None) -> Any:
    """曝光台: findings 创卫办 marked for exposure this week."""
    from services.briefs.sections import Exposure, ExposuresSection

    rows = _window_rows(session, campaign, Finding.exposed_at, start, as_of)
    if not rows:
        return None
    tz = ZoneInfo(campaign.timezone)
    photos = _photos(session, [f.id for f, _, _ in rows], photo_dir)
    return ExposuresSection(items=[
        Exposure(title=f.category, unit=unit or "待分派", place=seg or "未定位", description=f.description,
                 deadline=f.deadline.astimezone(tz).date() if f.deadline else None, photo=photos.get((f.id, "before")),
                 state=STATE_TEXT[state_at(f, as_of)])
        for f, seg, unit in rows])


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def brief_rounds(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                 photo_dir: Path | None = None) -> Any:
    """督查通报 in the brief: the week's rounds that may be shown (announced, or 暗访 published by
    ``as_of``) with what they found and whom they named, and the 通报批评/黄牌警告 confirmed since
    the last issue (an issue dated Monday circulates the decisions up to that Monday)."""
    from services.briefs.sections import InspectionsSection, RoundSummary, SanctionLine

    tz = ZoneInfo(campaign.timezone)
    week = week_key(start.astimezone(tz).date())
    rounds = session.scalars(select(Inspection).where(
        Inspection.campaign_id == campaign.id, Inspection.week == week,
        or_(Inspection.announced.is_(True), and_(Inspection.published_at.is_not(None),
                                                Inspection.published_at <= as_of)))
        .order_by(Inspection.seq, Inspection.id)).all()
    stops = dict(session.execute(select(InspectionStop.inspection_id, func.count()).where(
        InspectionStop.inspection_id.in_([r.id for r in rounds])).group_by(InspectionStop.inspection_id)).tuples().all())
    lead = aliased(Unit)
    found = session.execute(
        select(Finding.inspection_id, Finding.category, lead.name, Segment.code, Segment.name)
        .outerjoin(Segment, Segment.id == Finding.segment_id).outerjoin(lead, lead.id == Finding.lead_unit_id)
        .where(Finding.inspection_id.in_([r.id for r in rounds]), Finding.status != MERGED,
               Finding.recorded_at <= as_of)).all()
    per: dict[int, list[Any]] = {}
    for row in found:
        per.setdefault(row[0], []).append(row)
    summaries = []
    for r in rounds:
        rows = per.get(r.id, [])
        summaries.append(RoundSummary(
            kind=r.kind, title=r.title, stops=int(stops.get(r.id, 0)), findings=len(rows),
            categories=_ranked(Counter(x[1] for x in rows)),
            units=_ranked(Counter(x[2] for x in rows if x[2])),
            segments=_ranked(Counter(f"{x[3]} {x[4]}" for x in rows if x[3]))))
    day = dt.timedelta(days=1)
    sanctions = session.execute(
        select(Sanction, Unit.name).join(Unit, Unit.id == Sanction.unit_id).where(
            Sanction.campaign_id == campaign.id, Sanction.state == SanctionState.CONFIRMED,
            Sanction.kind.in_((SanctionKind.CRITICISM, SanctionKind.YELLOW_CARD)),
            Sanction.decided_at >= start + day, Sanction.decided_at < as_of + day)
        .order_by(Sanction.decided_at, Sanction.id)).all()
    lines = [SanctionLine(kind=s.kind, unit=name, reason=s.reason,
                          decided=(s.decided_at or as_of).astimezone(tz).date()) for s, name in sanctions]
    if not summaries and not lines:
        return None
    return InspectionsSection(rounds=summaries, sanctions=lines)
