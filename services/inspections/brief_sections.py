"""The brief's findings and exposure sections (创卫简报 hooks), seen as every unit may see them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from maps.views import PointView
from models import Attachment, Campaign, Finding, Photo, Segment, Unit
from models.inspections import CLOSED, LIVE, MERGED, RECTIFIED
from services.inspections.rounds import public_principal, visible_findings

EXAMPLES = 4


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
    done: Counter[str] = Counter()
    live: Counter[str] = Counter()
    for f, _, _ in rows:
        new[f.category] += 1
        done[f.category] += f.status in (RECTIFIED, CLOSED)
        live[f.category] += f.status in LIVE
    photos = _photos(session, [f.id for f, _, _ in rows], photo_dir)
    shown = sorted((r for r in rows if (r[0].id, "before") in photos),
                   key=lambda r: ((r[0].id, "after") not in photos, -r[0].id))[:EXAMPLES]
    examples = [FindingExample(category=f.category, place=seg or "未定位", unit=unit or "待分派",
                               description=f.description,
                               deadline=f.deadline.astimezone(tz).date() if f.deadline else None,
                               rectified=f.status in (RECTIFIED, CLOSED),
                               photos=PhotoPair(before=photos.get((f.id, "before")), after=photos.get((f.id, "after"))))
                for f, seg, unit in shown]
    points = [PointView(id=f.id, lon=f.lon, lat=f.lat, category=f.category, label=f"{f.category}（{seg or '未定位'}）")
              for f, seg, _ in rows if f.lon is not None and f.lat is not None]
    return FindingsSection(by_category=[CategoryCount(category=c, new=new[c], rectified=done[c], open=live[c])
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
                 deadline=f.deadline.astimezone(tz).date() if f.deadline else None, photo=photos.get((f.id, "before")))
        for f, seg, unit in rows])
