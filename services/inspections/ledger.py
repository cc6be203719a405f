"""整改台账: quantities rectified per category in its unit (户, 间, 平方米 …), summed by phase, segment, unit."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Campaign, Finding, LedgerEntry, Phase, Segment, Task, TaskTemplate, Unit
from rules.errors import InvalidInput
from services import spreadsheets
from services.campaigns.context import CampaignContext
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
    finding_id: int | None  # None: reported with a task tick
    task_id: int | None
    category: str
    quantity: float
    measure: str
    note: str
    by: str


def _quantity(quantity: float) -> float:
    if isinstance(quantity, bool) or not (isinstance(quantity, (int, float)) and math.isfinite(quantity)
                                          and quantity > 0):
        raise InvalidInput(f"整改数量应为正数，实际为 {quantity}")
    return float(quantity)


def _measure(ctx: CampaignContext, category: str, measure: str | None) -> str:
    """``measure`` if the category counts in it, else the category's primary measure."""
    units = category_spec(ctx.spec.inspections, category).units
    if measure is None:
        return units[0]
    if measure not in units:
        raise InvalidInput(f"问题类别「{category}」的计量单位为{'、'.join(units)}，不能按「{measure}」登记")
    return measure


def add_entry(session: Session, *, ctx: CampaignContext, finding: Finding, quantity: float, unit_id: int,
              now: dt.datetime, actor: str, note: str = "", measure: str | None = None) -> LedgerEntry:
    """Record a rectified quantity for a finding in one of its category's measures (the primary one
    by default), in the open phase."""
    campaign = ctx.campaign
    quantity = _quantity(quantity)
    measure = _measure(ctx, finding.category, measure)
    entry = LedgerEntry(campaign_id=campaign.id, finding_id=finding.id, phase_id=current_phase(session, campaign).id,
                        segment_id=finding.segment_id, unit_id=unit_id, category=finding.category,
                        quantity=quantity, measure=measure, note=note, entered_at=now, entered_by=actor)
    session.add(entry)
    session.flush()
    record(session, campaign_id=campaign.id, action="ledger.add", object_type="finding", object_id=finding.id,
           now=now, actor=actor, detail={"quantity": quantity, "measure": measure})
    return entry


def add_finding_quantities(session: Session, *, ctx: CampaignContext, finding: Finding,
                           quantities: Mapping[str, float], unit_id: int, now: dt.datetime, actor: str,
                           note: str = "") -> list[LedgerEntry]:
    """A rectification's quantities in several measures at once (违章建筑: 14间、400平方米)."""
    return [add_entry(session, ctx=ctx, finding=finding, quantity=q, unit_id=unit_id, now=now, actor=actor,
                      note=note, measure=m) for m, q in quantities.items()]


@dataclass(frozen=True, slots=True)
class TickQuantity:
    """A quantity reported with a task tick: so much of a category, in one of its measures."""

    category: str
    quantity: float
    measure: str | None = None  # None: the category's primary measure


def tick_categories(ctx: CampaignContext, template_code: str) -> list[str]:
    """The ledger categories a tick of the template may report (``task_templates[].ledger``)."""
    spec = next((t for t in ctx.spec.task_templates if t.code == template_code), None)
    return list(spec.ledger) if spec is not None else []


def add_tick_quantities(session: Session, *, ctx: CampaignContext, task: Task, template_code: str,
                        quantities: Sequence[TickQuantity], now: dt.datetime, actor: str) -> list[LedgerEntry]:
    """Put a tick's reported quantities in the ledger, in the task's phase, segment and unit.

    Only the categories the task's template names may be reported; nothing is written when one
    of them is refused (the caller's unit of work is undone)."""
    allowed = tick_categories(ctx, template_code)
    segment_id = None
    if task.segment_id is not None:
        seg = session.get(Segment, task.segment_id)
        segment_id = seg.parent_id if seg is not None and seg.parent_id is not None else task.segment_id
    out = []
    for q in quantities:
        if q.category not in allowed:
            raise InvalidInput(f"任务「{task.title}」只能登记{'、'.join(allowed) or '（无）'}的数量，"
                               f"不能登记「{q.category}」")
        measure = _measure(ctx, q.category, q.measure)
        entry = LedgerEntry(campaign_id=ctx.id, finding_id=None, task_id=task.id, phase_id=task.phase_id,
                            segment_id=segment_id, unit_id=task.unit_id, category=q.category,
                            quantity=_quantity(q.quantity), measure=measure, note=task.title, entered_at=now,
                            entered_by=actor)
        session.add(entry)
        out.append(entry)
    if out:
        session.flush()
        record(session, campaign_id=ctx.id, action="ledger.tick", object_type="task", object_id=task.id, now=now,
               actor=actor, detail={"quantities": [[e.category, e.quantity, e.measure] for e in out]})
    return out


def record_tick_quantities(session: Session, *, task: Task, quantities: Sequence[TickQuantity], now: dt.datetime,
                           actor: str) -> list[LedgerEntry]:
    """A tick's quantities (``tick_task(quantities=…)``): the task's template says which categories."""
    from services.campaigns.context import PROCESS_SPECS, load_context

    if not quantities:
        return []
    template = session.get(TaskTemplate, task.template_id) if task.template_id is not None else None
    ctx = load_context(session, campaign_id=task.campaign_id, specs=PROCESS_SPECS)  # a tick at a time: validated once
    return add_tick_quantities(session, ctx=ctx, task=task,
                               template_code=template.code if template else "", quantities=quantities, now=now,
                               actor=actor)


def withdraw_tick_quantities(session: Session, *, task: Task, since: dt.datetime) -> int:
    """撤销打卡: the quantities that tick reported leave the ledger with it."""
    gone = session.scalars(select(LedgerEntry).where(LedgerEntry.task_id == task.id,
                                                     LedgerEntry.entered_at >= since)).all()
    for e in gone:
        session.delete(e)
    return len(gone)


def totals(session: Session, *, campaign: Campaign, by: str, phase_id: int | None = None) -> list[LedgerTotal]:
    """Sums per (phase | segment | unit, category, measure), with the number of entries; of one
    phase when ``phase_id`` is given."""
    if by not in GROUPINGS:
        raise InvalidInput(f"未知的汇总方式 {by}（可选：{'、'.join(GROUPINGS)}）")
    _, name_col, id_col, fk = GROUPINGS[by]
    rows = session.execute(
        select(name_col, LedgerEntry.category, LedgerEntry.measure, func.sum(LedgerEntry.quantity), func.count())
        .select_from(LedgerEntry).outerjoin(id_col.table, id_col == fk)
        .where(LedgerEntry.campaign_id == campaign.id,
               *([LedgerEntry.phase_id == phase_id] if phase_id is not None else []))
        .group_by(name_col, LedgerEntry.category, LedgerEntry.measure)
        .order_by(name_col, LedgerEntry.category, LedgerEntry.measure)).all()
    return [LedgerTotal(group=g or "（未定位）", category=c, measure=m, quantity=float(q), entries=n)
            for g, c, m, q, n in rows]


def entries(session: Session, *, campaign: Campaign, phase_id: int | None = None) -> list[LedgerLine]:
    """Every entry (of one phase), oldest first, with names instead of ids (no complainant data: there is none here)."""
    tz = ZoneInfo(campaign.timezone)
    rows = session.execute(
        select(LedgerEntry, Phase.name, Segment.code, Segment.name, Unit.name)
        .join(Phase, Phase.id == LedgerEntry.phase_id).join(Unit, Unit.id == LedgerEntry.unit_id)
        .outerjoin(Segment, Segment.id == LedgerEntry.segment_id)
        .where(LedgerEntry.campaign_id == campaign.id,
               *([LedgerEntry.phase_id == phase_id] if phase_id is not None else []))
        .order_by(LedgerEntry.entered_at, LedgerEntry.id)).all()
    return [LedgerLine(time=e.entered_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), phase=phase, segment_code=code,
                       segment=seg, unit=unit, finding_id=e.finding_id, task_id=e.task_id, category=e.category,
                       quantity=e.quantity,
                       measure=e.measure, note=e.note, by=e.entered_by)
            for e, phase, code, seg, unit in rows]


def export_xlsx(session: Session, *, campaign: Campaign, path: Path, phase_id: int | None = None) -> dict[str, int]:
    """Write the ledger (of one phase): a detail sheet and one summary sheet per phase, segment and unit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    detail = wb.active
    detail.title = "台账明细"
    detail.append(["登记时间", "时段", "路段编号", "路段", "责任单位", "问题编号", "问题类别", "数量", "单位", "说明", "登记人",
                   "任务编号"])
    rows = entries(session, campaign=campaign, phase_id=phase_id)
    for r in rows:
        detail.append([r.time, r.phase, r.segment_code, r.segment, r.unit, r.finding_id, r.category, r.quantity,
                       r.measure, r.note, r.by, r.task_id])
    for by, title in (("phase", "按时段汇总"), ("segment", "按路段汇总"), ("unit", "按单位汇总")):
        ws = wb.create_sheet(title)
        ws.append([GROUPINGS[by][0], "问题类别", "合计数量", "单位", "条数"])
        for t in totals(session, campaign=campaign, by=by, phase_id=phase_id):
            ws.append([t.group, t.category, t.quantity, t.measure, t.entries])
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    spreadsheets.save(wb, tmp)  # text stays text (no formula injection)
    tmp.replace(path)
    return {"entries": len(rows)}


def brief_ledger(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                 photo_dir: Any = None) -> Any:
    """The brief hook: per category and measure, this week's, this phase's and the campaign's sums."""
    from services.briefs.sections import LedgerRow, LedgerSection

    phase = _opened_at(session, campaign.id, as_of)  # the phase as it stood then, not now
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


def _opened_at(session: Session, campaign_id: int, as_of: dt.datetime) -> Phase | None:
    return session.scalars(select(Phase).where(Phase.campaign_id == campaign_id, Phase.opened_at.is_not(None),
                                               Phase.opened_at <= as_of).order_by(Phase.seq.desc())).first()


def _when(condition: Any) -> Any:
    return case((condition, LedgerEntry.quantity), else_=None)
