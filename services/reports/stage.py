"""阶段总结: a sub-phase's work in numbers, the way the speech reports it ("拆除违章建筑14间400平方米，
清理牛皮癣12000余条，清运垃圾2400吨"), per category and measure, per unit and per segment, with
its 整改台账 as an xlsx annex. Quantities come from the ledger: rectifications and task ticks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from config.inspections import CategorySpec
from models import Finding, LedgerEntry, Phase, Segment, Task, Unit
from models.inspections import CLOSED, MERGED
from rules.errors import InvalidInput
from services.briefs import texts as bt
from services.briefs.data import office_full_name
from services.briefs.view import Block, Document, Empty, Heading, Para, Table
from services.campaigns.context import CampaignContext
from services.inspections.ledger import export_xlsx
from services.reports import texts as t
from services.reports.files import write_document


@dataclass(frozen=True)
class Quantity:
    """So much of one category in one measure: from rectifications, from task ticks, and both."""

    category: str
    measure: str
    findings: float
    ticks: float

    @property
    def total(self) -> float:
        return self.findings + self.ticks


@dataclass(frozen=True)
class StageFiles:
    html: Path
    docx: Path
    xlsx: Path
    quantities: list[Quantity]


def _phase(session: Session, ctx: CampaignContext, name: str) -> Phase:
    phase = session.scalars(select(Phase).where(Phase.campaign_id == ctx.id, Phase.name == name)).first()
    if phase is None:
        names = session.scalars(select(Phase.name).where(Phase.campaign_id == ctx.id).order_by(Phase.seq)).all()
        raise InvalidInput(f"没有名为「{name}」的时段（可选：{'、'.join(names)}）")
    return phase


def quantities(session: Session, *, phase_id: int, as_of: dt.datetime) -> list[Quantity]:
    """The phase's ledger sums per (category, measure), split by source, largest first."""
    from_finding = LedgerEntry.finding_id.is_not(None)
    rows = session.execute(
        select(LedgerEntry.category, LedgerEntry.measure,
               func.coalesce(func.sum(case((from_finding, LedgerEntry.quantity), else_=0.0)), 0.0),
               func.coalesce(func.sum(case((from_finding, 0.0), else_=LedgerEntry.quantity)), 0.0))
        .where(LedgerEntry.phase_id == phase_id, LedgerEntry.entered_at <= as_of)
        .group_by(LedgerEntry.category, LedgerEntry.measure)).all()
    out = [Quantity(c, m, float(f), float(k)) for c, m, f, k in rows]
    return sorted(out, key=lambda q: (-q.total, q.category, q.measure))


def _grouped(session: Session, phase_id: int, as_of: dt.datetime, by: str) -> list[tuple[str, str, float, str]]:
    name: Any
    if by == "unit":
        name = Unit.name
        q = select(name, LedgerEntry.category, func.sum(LedgerEntry.quantity), LedgerEntry.measure).join(
            Unit, Unit.id == LedgerEntry.unit_id)
    else:
        name = func.coalesce(Segment.code + " " + Segment.name, t.UNLOCATED)
        q = select(name, LedgerEntry.category, func.sum(LedgerEntry.quantity), LedgerEntry.measure).outerjoin(
            Segment, Segment.id == LedgerEntry.segment_id)
    rows = session.execute(q.where(LedgerEntry.phase_id == phase_id, LedgerEntry.entered_at <= as_of)
                           .group_by(name, LedgerEntry.category, LedgerEntry.measure)).all()
    return sorted(((g, c, float(s), m) for g, c, s, m in rows), key=lambda r: (r[0], r[1], r[3]))


def _about(q: float) -> str:
    """12000余 for 12,345: a figure of a thousand or more is rounded down to hundreds, as a speech says it."""
    return t.ABOUT.format(n=int(q) // 100 * 100) if q >= 1000 and q != int(q) // 100 * 100 else bt.amount(q)


def speech_line(items: list[Quantity], categories: Sequence[CategorySpec]) -> str:
    """拆除违章建筑14间400平方米，清理牛皮癣/小广告12000余条 …: each category with its verb and all its
    measures, in the order the campaign lists them."""
    spec = {c.name: c for c in categories}
    per: dict[str, list[Quantity]] = defaultdict(list)
    for q in items:
        if q.total > 0:
            per[q.category].append(q)

    def rank(q: Quantity) -> int:
        order = spec[q.category].units if q.category in spec else []
        return order.index(q.measure) if q.measure in order else len(order)

    out = []
    for category, qs in per.items():
        qs = sorted(qs, key=rank)
        c = spec.get(category)
        verb = (c.verb if c else "") or t.VERB_BY_MEASURE.get(qs[0].measure, "")
        out.append(t.S_ITEM.format(verb=verb, category=category,
                                   amounts="".join(f"{_about(q.total)}{q.measure}" for q in qs)))
    return "，".join(out)


def compose_stage(session: Session, *, ctx: CampaignContext, phase: Phase, now: dt.datetime
                  ) -> tuple[Document, list[Quantity]]:
    tz = ZoneInfo(ctx.campaign.timezone)
    end = dt.datetime.combine(phase.end_date + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    as_of = min(now, end)
    items = quantities(session, phase_id=phase.id, as_of=as_of)
    tasks = session.execute(select(
        func.count(), func.coalesce(func.sum(case((Task.verified_at <= as_of, 1), else_=0)), 0))
        .where(Task.phase_id == phase.id, Task.created_at <= as_of)).one()
    begin = dt.datetime.combine(phase.start_date, dt.time(0), tzinfo=tz)
    is_closed = (Finding.status == CLOSED) & (Finding.closed_at <= as_of)
    found, closed = session.execute(select(func.count(), func.coalesce(func.sum(case((is_closed, 1), else_=0)), 0))
                                    .where(Finding.campaign_id == ctx.id, Finding.status != MERGED,
                                           Finding.recorded_at >= begin, Finding.recorded_at <= as_of)).one()
    total, verified = int(tasks[0]), int(tasks[1])
    blocks: list[Block] = [Heading(t.H_S_OVERVIEW),
                           Para(t.S_TASKS.format(phase=phase.name, total=total, verified=verified,
                                                 share=bt.share(verified / total if total else None),
                                                 findings=int(found), closed=int(closed)))]
    line = speech_line(items, ctx.spec.inspections.taxonomy)
    blocks.append(Para(t.S_WORK.format(phase=phase.name, items=line) if line else t.S_WORK_NONE))
    blocks.append(Heading(t.H_S_CATEGORIES))
    if items:
        blocks.append(Table(t.COLS_S_CATEGORIES, [(q.category, q.measure, bt.amount(q.findings), bt.amount(q.ticks),
                                                   bt.amount(q.total)) for q in items], numeric=(2, 3, 4)))
    else:
        blocks.append(Empty(bt.NO_DATA))
    for heading, cols, by in ((t.H_S_UNITS, t.COLS_S_UNITS, "unit"), (t.H_S_SEGMENTS, t.COLS_S_SEGMENTS, "segment")):
        rows = _grouped(session, phase.id, as_of, by)
        blocks.append(Heading(heading))
        blocks.append(Table(cols, [(g, c, bt.amount(s), m) for g, c, s, m in rows], numeric=(2,))
                      if rows else Empty(bt.NO_DATA))
    blocks.append(Para(t.S_NOTE.format(annex=t.STAGE_ANNEX.format(phase=phase.name)), note=True))
    last = (as_of - dt.timedelta(microseconds=1)).astimezone(tz).date()
    doc = Document(masthead=t.STAGE_MASTHEAD, number=t.STAGE_NUMBER.format(phase=phase.name),
                   editor=office_full_name(session, ctx), date=bt.day(now.astimezone(tz).date()),
                   headline=t.STAGE_HEADLINE.format(county=ctx.campaign.county, phase=phase.name),
                   period=t.STAGE_PERIOD.format(start=bt.day(phase.start_date), end=bt.day(phase.end_date),
                                                as_of=bt.moment(as_of.astimezone(tz)) if as_of < end else bt.day(last)),
                   blocks=blocks)
    return doc, items


def write_stage_summary(session: Session, *, ctx: CampaignContext, phase: str, out_dir: Path,
                        now: dt.datetime) -> StageFiles:
    """Write 阶段总结（phase）.html/.docx and the phase's 整改台账 xlsx into ``out_dir``."""
    row = _phase(session, ctx, phase)
    doc, items = compose_stage(session, ctx=ctx, phase=row, now=now)
    out_dir = Path(out_dir)
    html, docx = write_document(doc, out_dir, t.STAGE_FILE.format(phase=row.name))
    xlsx = out_dir / t.STAGE_ANNEX.format(phase=row.name)
    export_xlsx(session, campaign=ctx.campaign, path=xlsx, phase_id=row.id)
    return StageFiles(html=html, docx=docx, xlsx=xlsx, quantities=items)
