"""The demo's office paperwork (issue 20): quantities people report, findings the office exposes,
and the 督查通报 it issues for each published round, written next to the briefs.

Quantities are drawn in plausible county magnitudes per measure (a segment's weekly clean-up
clears tens of 条 of 牛皮癣 and a few 吨 of garbage; a demolition is a few 间 and tens of 平方米),
each from its own random stream, so they change no other decision of the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Finding, Inspection, InspectionStop, Task, TaskTemplate
from rules.weeks import week_key
from services.campaigns.context import CampaignContext
from services.inspections import TickQuantity, add_finding_quantities, expose_finding, report_rectified
from services.reports import due_circulars, issue_circular

#: (low, high) of one report in each measure
MAGNITUDE: dict[str, tuple[float, float]] = {
    "户": (1, 8), "间": (1, 4), "平方米": (8, 90), "条": (20, 320), "吨": (0.5, 6), "处": (1, 6), "块": (1, 12),
    "辆": (1, 10), "个": (1, 5), "米": (5, 60)}
EXPOSED_PER_WEEK = 3
TICK_SHARE = 0.6  # how many ticks of a template with ledger categories report quantities


def _draw(r: random.Random, measure: str) -> float:
    low, high = MAGNITUDE.get(measure, (1, 5))
    value = low + (high - low) * r.random()
    return round(value, 1) if high <= 10 and measure == "吨" else float(max(1, round(value)))


def rounds_on(session: Session, ctx: CampaignContext, day: dt.date) -> list[int]:
    """The 定期, 暗访, 交叉 and 领导带队 rounds with a stop on ``day``: where an inspector's finding belongs."""
    return list(session.scalars(select(Inspection.id).join(InspectionStop, InspectionStop.inspection_id == Inspection.id)
                                .where(Inspection.campaign_id == ctx.id, InspectionStop.day == day,
                                       Inspection.kind.in_(("定期", "暗访", "交叉", "领导带队")))
                                .group_by(Inspection.id).order_by(Inspection.id)))


def tick_quantities(session: Session, ctx: CampaignContext, task: Task, r: random.Random) -> list[TickQuantity]:
    """What a tick of ``task`` reports: for some ticks, each of its template's categories in each measure."""
    if task.template_id is None or r.random() > TICK_SHARE:
        return []
    code = session.scalar(select(TaskTemplate.code).where(TaskTemplate.id == task.template_id))
    spec = next((t for t in ctx.spec.task_templates if t.code == code), None)
    out = []
    for category in spec.ledger if spec else []:
        cat = ctx.spec.inspections.category(category)
        for measure in cat.units if cat else []:
            out.append(TickQuantity(category=category, quantity=_draw(r, measure), measure=measure))
    return out


def rectify(session: Session, *, ctx: CampaignContext, finding_id: int, now: dt.datetime, actor: str,
            r: random.Random) -> None:
    """整改完成 with the quantities in every measure of the finding's category (14间、400平方米)."""
    f = report_rectified(session, ctx=ctx, finding_id=finding_id, now=now, actor=actor)
    cat = ctx.spec.inspections.category(f.category)
    units = cat.units if cat else []
    if units and f.lead_unit_id is not None:
        add_finding_quantities(session, ctx=ctx, finding=f, quantities={m: _draw(r, m) for m in units},
                               unit_id=f.lead_unit_id, now=now, actor=actor)


def expose_week(session: Session, *, ctx: CampaignContext, now: dt.datetime, seed: int) -> int:
    """Friday: the office puts a few of the week's dispatched findings in the 曝光台."""
    since = now - dt.timedelta(days=5)
    candidates = session.scalars(select(Finding.id).where(
        Finding.campaign_id == ctx.id, Finding.recorded_at >= since, Finding.recorded_at <= now,
        Finding.dispatched_at.is_not(None), Finding.exposed_at.is_(None)).order_by(Finding.id)).all()
    chosen = random.Random(f"{seed}|expose|{now.date()}").sample(list(candidates),
                                                                  min(EXPOSED_PER_WEEK, len(candidates)))
    for fid in sorted(chosen):
        expose_finding(session, campaign=ctx.campaign, finding_id=fid, now=now)
    return len(chosen)


def issue_circulars(session: Session, *, ctx: CampaignContext, now: dt.datetime, out_dir: Path,
                    photo_dir: Path | None) -> int:
    """Friday evening: a 督查通报 for each of the week's rounds just published (the 暗访: the office
    could issue one for a 定期 round too; the demo keeps to one document a week to stay fast)."""
    week = week_key(now.astimezone(ctx.calendar.tz).date())
    due = due_circulars(session, ctx=ctx, week=week, now=now)
    ids = list(session.scalars(select(Inspection.id).where(Inspection.id.in_(due), Inspection.announced.is_(False))
                               .order_by(Inspection.id)))
    for inspection_id in ids:
        issue_circular(session, ctx=ctx, inspection_id=inspection_id, out_dir=out_dir, now=now, photo_dir=photo_dir)
    return len(ids)
