"""整改台账: quantities rectified per category in its unit (户, 间, 平方米 …), summed by phase, segment, unit."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Campaign, Finding, LedgerEntry, Phase, Segment, Unit
from rules.errors import InvalidInput
from services.campaigns.context import CampaignContext
from services.campaigns.status import opened_phase
from services.inspections.rectification import category_spec, current_phase
from services.people.audit import record

GROUPINGS = {"phase": ("时段", Phase.name, Phase.id, LedgerEntry.phase_id),
             "segment": ("路段", Segment.name, Segment.id, LedgerEntry.segment_id),
             "unit": ("责任单位", Unit.name, Unit.id, LedgerEntry.unit_id)}


@dataclass(frozen=True, slots=True)
class LedgerTotal:
    """The sum of one (group, category, measure) and how many entries made it."""

    group: str  # the phase, segment or unit name
    category: str
    measure: str  # 户, 间, 平方米 …
    quantity: float
    entries: int


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One ledger entry with names instead of ids."""

    time: str  # local, minutes
    phase: str
    segment_code: str | None
    segment: str | None
    unit: str
    finding_id: int
    category: str
    quantity: float
    measure: str
    note: str
    by: str


def add_entry(session: Session, *, ctx: CampaignContext, finding: Finding, quantity: float, unit_id: int,
              now: dt.datetime, actor: str, note: str = "") -> LedgerEntry:
    """Record a rectified quantity for a finding, in its category's ledger unit, in the open phase."""
    campaign = ctx.campaign
    if not (isinstance(quantity, (int, float)) and math.isfinite(quantity) and quantity > 0):
        raise InvalidInput(f"整改数量应为正数，实际为 {quantity}")
    measure = category_spec(ctx.spec.inspections, finding.category).ledger_unit
    entry = LedgerEntry(campaign_id=campaign.id, finding_id=finding.id, phase_id=current_phase(session, campaign).id,
                        segment_id=finding.segment_id, unit_id=unit_id, category=finding.category,
                        quantity=float(quantity), measure=measure, note=note, entered_at=now, entered_by=actor)
    session.add(entry)
    session.flush()
    record(session, campaign_id=campaign.id, action="ledger.add", object_type="finding", object_id=finding.id,
           now=now, actor=actor, detail={"quantity": quantity, "measure": measure})
    return entry


def totals(session: Session, *, campaign: Campaign, by: str) -> list[LedgerTotal]:
    """Sums per (phase | segment | unit, category, measure), with the number of entries."""
    if by not in GROUPINGS:
        raise InvalidInput(f"未知的汇总方式 {by}（可选：{'、'.join(GROUPINGS)}）")
    _, name_col, id_col, fk = GROUPINGS[by]
    rows = session.execute(
        select(name_col, LedgerEntry.category, LedgerEntry.measure, func.sum(LedgerEntry.quantity), func.count())
        .select_from(LedgerEntry).outerjoin(id_col.table, id_col == fk)
        .where(LedgerEntry.campaign_id == campaign.id)
        .group_by(name_col, LedgerEntry.category, LedgerEntry.measure)
        .order_by(name_col, LedgerEntry.category, LedgerEntry.measure)).all()
    return [LedgerTotal(group=g or "（未定位）", category=c, measure=m, quantity=float(q), entries=n)
            for g, c, m, q, n in rows]


def entries(session: Session, *, campaign: Campaign) -> list[LedgerLine]:
    """Every entry, oldest first, with names instead of ids (no complainant data: there is none here)."""
    tz = ZoneInfo(campaign.timezone)
    rows = session.execute(
        select(LedgerEntry, Phase.name, Segment.code, Segment.name, Unit.name)
        .join(Phase, Phase.id == LedgerEntry.phase_id).join(Unit, Unit.id == LedgerEntry.unit_id)
        .outerjoin(Segment, Segment.id == LedgerEntry.segment_id)
        .where(LedgerEntry.campaign_id == campaign.id).order_by(LedgerEntry.entered_at, LedgerEntry.id)).all()
    return [LedgerLine(time=e.entered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), phase=phase, segment_code=code,
                       segment=seg, unit=unit, finding_id=e.finding_id, category=e.category, quantity=e.quantity,
                       measure=e.measure, note=e.note, by=e.entered_by)
            for e, phase, code, seg, unit in rows]


def export_xlsx(session: Session, *, campaign: Campaign, path: Path) -> dict[str, int]:
    """Write the ledger: a detail sheet and one summary sheet per phase, segment and unit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    detail = wb.active
    detail.title = "台账明细"
    detail.append(["登记时间", "时段", "路段编号", "路段", "责任单位", "问题编号", "问题类别", "数量", "单位", "说明", "登记人"])
    rows = entries(session, campaign=campaign)
    for r in rows:
        detail.append([r.time, r.phase, r.segment_code, r.segment, r.unit, r.finding_id, r.category, r.quantity,
                       r.measure, r.note, r.by])
    for by, title in (("phase", "按时段汇总"), ("segment", "按路段汇总"), ("unit", "按单位汇总")):
        ws = wb.create_sheet(title)
        ws.append([GROUPINGS[by][0], "问题类别", "合计数量", "单位", "条数"])
        for t in totals(session, campaign=campaign, by=by):
            ws.append([t.group, t.category, t.quantity, t.measure, t.entries])
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return {"entries": len(rows)}


def brief_ledger(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                 photo_dir: Any = None) -> Any:
    """The brief hook: per category and measure, this week's, this phase's and the campaign's sums."""
    from services.briefs.sections import LedgerRow, LedgerSection

    phase = opened_phase(session, campaign.id)
    week = (LedgerEntry.entered_at >= start) & (LedgerEntry.entered_at <= as_of)
    in_phase = LedgerEntry.phase_id == (phase.id if phase else -1)
    rows = session.execute(
        select(LedgerEntry.category, LedgerEntry.measure,
               func.sum(func.coalesce(_when(week), 0.0)), func.sum(func.coalesce(_when(in_phase), 0.0)),
               func.sum(LedgerEntry.quantity))
        .where(LedgerEntry.campaign_id == campaign.id, LedgerEntry.entered_at <= as_of)
        .group_by(LedgerEntry.category, LedgerEntry.measure).order_by(LedgerEntry.category)).all()
    if not rows:
        return None
    return LedgerSection(rows=[LedgerRow(category=c, measure=m, week=float(w), phase=float(p), campaign=float(t))
                               for c, m, w, p, t in rows])


def _when(condition: Any) -> Any:
    return case((condition, LedgerEntry.quantity), else_=None)
