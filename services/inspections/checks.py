"""After dispatch: 整改 reported (with ledger quantities), 复查 passed or failed (返工), 曝光, lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from models import Attachment, Campaign, Finding, Segment, Task, Unit
from models.inspections import LIVE, OPEN, RECTIFIED
from models.tasks import DONE
from models.tasks import OPEN as TASK_OPEN
from rules.errors import Conflict, InvalidInput
from rules.vocabulary import OFFICE_NAME, FindingStatus, surface_table
from services.campaigns.context import CampaignContext
from services.inspections.findings import get_finding
from services.inspections.ledger import add_entry
from services.inspections.rectification import KIND, close, rework
from services.inspections.rounds import visible_findings
from services.people.audit import record
from services.people.auth import Principal

STATUS_TEXT = surface_table(FindingStatus)


@dataclass(frozen=True, slots=True)
class FindingRow:
    """A finding as the lists show it: names instead of ids, times in the campaign's zone."""

    id: int
    category: str
    source: str
    status: str
    status_text: str
    segment: str | None  # segment code
    segment_name: str | None
    lead_unit: str | None
    distance_m: float | None  # to the segment line, 0.1 m
    deadline: str | None  # ISO 8601, local time
    rework_count: int
    merged_into: int | None
    lon: float | None
    lat: float | None
    recorded_at: str  # ISO 8601, local time
    description: str


def report_rectified(session: Session, *, ctx: CampaignContext, finding_id: int, now: dt.datetime, actor: str,
                     unit_id: int | None = None, quantity: float | None = None, note: str = "",
                     photo_ids: Sequence[int] = ()) -> Finding:
    """整改完成: the unit's tasks are done, the quantity goes into the ledger; 复查 (or 回访) decides."""
    campaign = ctx.campaign
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    if f.status not in (OPEN, RECTIFIED):
        raise Conflict(f"问题 {f.id} 当前状态为「{STATUS_TEXT.get(f.status, f.status)}」，不能报告整改完成")
    unit_id = unit_id if unit_id is not None else f.lead_unit_id
    owners = set(session.scalars(select(Task.unit_id).where(Task.kind == KIND, Task.finding_id == f.id)))
    if unit_id not in owners:
        raise Conflict(f"该单位不是问题 {f.id} 的整改责任单位")
    session.execute(update(Task).where(Task.kind == KIND, Task.finding_id == f.id, Task.unit_id == unit_id,
                                       Task.status == TASK_OPEN)
                    .values(status=DONE, done_at=now, version=Task.version + 1)
                    .execution_options(synchronize_session=False))
    if quantity is not None:
        add_entry(session, ctx=ctx, finding=f, quantity=quantity, unit_id=unit_id, now=now, actor=actor,
                  note=note)
    session.add_all([Attachment(photo_id=p, owner_type="finding", owner_id=f.id, role="after") for p in photo_ids])
    if unit_id == f.lead_unit_id:
        f.status, f.rectified_at, f.version = RECTIFIED, now, f.version + 1
    record(session, campaign_id=campaign.id, action="finding.rectified", object_type="finding", object_id=f.id,
           now=now, actor=actor, detail={"unit_id": unit_id, "quantity": quantity, "note": note})
    session.flush()
    return f


def reinspect(session: Session, *, ctx: CampaignContext, finding_id: int, passed: bool, now: dt.datetime,
              actor: str = OFFICE_NAME, note: str = "") -> Finding:
    """跟踪复查: pass → 销号; fail → 返工 (counted, new deadline, the problem's ladder continues)."""
    campaign = ctx.campaign
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    if f.status not in (OPEN, RECTIFIED):
        raise Conflict(f"问题 {f.id} 当前状态为「{STATUS_TEXT.get(f.status, f.status)}」，不能复查")
    if not passed and not note.strip():
        raise InvalidInput("复查不通过时必须写明原因")
    f.checked_at = now
    record(session, campaign_id=campaign.id, action="finding.reinspect", object_type="finding", object_id=f.id,
           now=now, actor=actor, detail={"passed": passed, "note": note})
    if passed:
        close(session, campaign=campaign, finding=f, now=now, actor=actor)
    else:
        rework(session, ctx=ctx, finding=f, reason=note, now=now, actor=actor)
    session.flush()
    return f


def expose_finding(session: Session, *, campaign: Campaign, finding_id: int, now: dt.datetime,
                   actor: str = OFFICE_NAME) -> Finding:
    """曝光: put a dispatched finding in the brief's exposure corner."""
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    if f.dispatched_at is None:
        raise Conflict(f"问题 {f.id} 尚未下达整改（待通报或待分派），不能曝光")
    f.exposed_at = now
    record(session, campaign_id=campaign.id, action="finding.expose", object_type="finding", object_id=f.id,
           now=now, actor=actor)
    return f


def list_findings(session: Session, *, campaign: Campaign, principal: Principal, now: dt.datetime,
                  status: str | None = None, unit_id: int | None = None) -> list[FindingRow]:
    """Findings the principal may see (the secrecy filter applies), newest first."""
    tz = ZoneInfo(campaign.timezone)
    lead = aliased(Unit)
    q = (select(Finding, Segment.code, Segment.name, lead.name)
         .outerjoin(Segment, Segment.id == Finding.segment_id).outerjoin(lead, lead.id == Finding.lead_unit_id)
         .where(visible_findings(principal)))
    if status == "live":
        q = q.where(Finding.status.in_(LIVE))
    elif status == "overdue":
        q = q.where(Finding.status == OPEN, Finding.deadline < now)
    elif status:
        if status not in STATUS_TEXT:
            raise InvalidInput(f"未知状态 {status}（可选：{'、'.join([*STATUS_TEXT, 'live', 'overdue'])}）")
        q = q.where(Finding.status == status)
    if unit_id is not None:
        q = q.where(Finding.id.in_(select(Task.finding_id).where(Task.kind == KIND, Task.unit_id == unit_id)))
    rows = session.execute(q.order_by(Finding.recorded_at.desc(), Finding.id.desc())).all()
    return [FindingRow(id=f.id, category=f.category, source=f.source, status=f.status,
                       status_text=STATUS_TEXT.get(f.status, f.status)
                       + ("（逾期）" if f.status == OPEN and f.deadline and f.deadline < now else ""),
                       segment=code, segment_name=seg_name, lead_unit=unit,
                       distance_m=None if f.distance_m is None else round(f.distance_m, 1),
                       deadline=f.deadline.astimezone(tz).isoformat() if f.deadline else None,
                       rework_count=f.rework_count, merged_into=f.merged_into_id, lon=f.lon, lat=f.lat,
                       recorded_at=f.recorded_at.astimezone(tz).isoformat(), description=f.description)
            for f, code, seg_name, unit in rows]
