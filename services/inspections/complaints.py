"""12345 工单 and other citizen complaints: intake, location, 回访 and 重办; complainants kept private.

A complaint becomes a finding (source 投诉) and so gets routed, tasks, a problem on the ladder
and the ledger like any other. It is placed by its point or, without one, by its address
against the segment and street names; an unplaced complaint goes to 创卫办's triage queue.
Its limit is 12345's (default 5 工作日). After rectification the office calls back (回访):
满意/基本满意 closes it, 不满意 reopens it (重办). Only 创卫办 sees the complainant's name
and phone; everything else gets ``mask_name``/``mask_phone``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.inspections import InspectionsSpec
from models import Campaign, Complaint, Finding, Segment, Street, Task
from models.geo import ALLEY
from models.inspections import C_CLOSED, C_OPEN, CLOSED, MERGED, OPEN, RECTIFIED
from models.people import ROLE_OFFICE
from rules.address_match import NamedSegment, match_address
from rules.errors import Conflict, InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, FindingSource, UserRole, VisitResult
from services.campaigns.context import CampaignContext
from services.inspections.checks import STATUS_TEXT
from services.inspections.findings import record_finding, route_finding
from services.inspections.rectification import KIND, close, rework
from services.people.audit import record
from services.people.auth import Principal

FALLBACK_CATEGORY = "其他"


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character only."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else ("*" if name else "")


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234; shorter numbers keep only their last two digits."""
    digits = re.sub(r"\s+", "", phone or "")
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def finding_category(spec: InspectionsSpec, category: str | None) -> str:
    """The taxonomy category a complaint's finding is filed under (unknown → 其他)."""
    if category and spec.category(category):
        return category
    if spec.category(FALLBACK_CATEGORY):
        return FALLBACK_CATEGORY
    raise InvalidInput(f"问题类别「{category}」不在 inspections.taxonomy 中，且未配置「{FALLBACK_CATEGORY}」类")


def named_segments(session: Session, campaign_id: int) -> list[NamedSegment]:
    """Segment and alley names for address matching (an alley stands for its parent segment)."""
    rows = session.execute(select(Segment.id, Segment.kind, Segment.parent_id, Segment.name, Street.name)
                           .outerjoin(Street, Street.id == Segment.street_id)
                           .where(Segment.campaign_id == campaign_id)).all()
    return [NamedSegment(id=parent if kind == ALLEY and parent else sid, name=name,
                         street=None if kind == ALLEY else street) for sid, kind, parent, name, street in rows]


def create_complaint(session: Session, *, ctx: CampaignContext, order_no: str, content: str, received_at: dt.datetime,
                     now: dt.datetime, actor: str = "12345", category: str | None = None, address: str | None = None,
                     lon: float | None = None, lat: float | None = None, datum: str = "wgs84",
                     complainant_name: str | None = None, complainant_phone: str | None = None,
                     channel: str = "12345", names: list[NamedSegment] | None = None) -> Complaint:
    """Take in one work order: store it, place it, and hand its finding on (API-ready)."""
    campaign = ctx.campaign
    order_no, content = (order_no or "").strip(), (content or "").strip()
    if not order_no or not content:
        raise InvalidInput("工单编号和诉求内容不能为空")
    if session.scalar(select(Complaint.id).where(Complaint.campaign_id == campaign.id, Complaint.order_no == order_no)):
        raise Conflict(f"工单 {order_no} 已经登记过")
    if (lon is None) != (lat is None):
        raise InvalidInput(f"工单 {order_no}：经度和纬度要么都填，要么都不填")
    cat = finding_category(ctx.spec.inspections, category)
    c = Complaint(campaign_id=campaign.id, order_no=order_no, channel=channel, received_at=received_at,
                  category=category or cat, content=content, address=address, complainant_name=complainant_name,
                  complainant_phone=complainant_phone, status=C_OPEN, created_at=now)
    session.add(c)
    session.flush()
    if lon is not None:
        f = record_finding(session, ctx=ctx, category=cat, lon=lon, lat=lat, datum=datum, now=now,
                           actor=actor, description=content, allow_duplicate=True, complaint_id=c.id)
        c.lon, c.lat, c.located_by = f.lon, f.lat, "point"
    else:
        seg = match_address(address or "", names if names is not None else named_segments(session, campaign.id))
        c.located_by = "address" if seg is not None else "none"
        f = Finding(campaign_id=campaign.id, source=FindingSource.COMPLAINT, complaint_id=c.id, category=cat, description=content,
                    segment_id=seg, status=OPEN, recorded_by=actor, recorded_at=now)
        session.add(f)
        session.flush()
        route_finding(session, ctx=ctx, finding=f, now=now, actor=actor)
    record(session, campaign_id=campaign.id, action="complaint.create", object_type="complaint", object_id=c.id,
           now=now, actor=actor, detail={"order_no": order_no, "located_by": c.located_by, "finding_id": f.id})
    session.flush()
    return c


def complaint_finding(session: Session, complaint: Complaint) -> Finding:
    return session.scalars(select(Finding).where(Finding.complaint_id == complaint.id).order_by(Finding.id)).one()


def visit_complaint(session: Session, *, ctx: CampaignContext, complaint_id: int, result: str, now: dt.datetime,
                    actor: str = OFFICE_NAME, note: str = "") -> Complaint:
    """回访: 满意/基本满意 closes the complaint; 不满意 reopens it (重办) with a new 5-工作日 limit."""
    campaign = ctx.campaign
    try:
        answer = VisitResult(result)
    except ValueError:
        raise InvalidInput(f"回访结果应为 {'、'.join(VisitResult)} 之一，实际为「{result}」") from None
    c = session.get(Complaint, complaint_id)
    if c is None or c.campaign_id != campaign.id:
        raise NotFound(f"找不到工单 {complaint_id}")
    f = complaint_finding(session, c)
    if c.status == C_CLOSED or f.status not in (RECTIFIED, CLOSED):
        raise Conflict(f"工单 {c.order_no} 尚未办结或已回访，不能回访")
    c.visit_result, c.visited_at = answer, now
    record(session, campaign_id=campaign.id, action="complaint.visit", object_type="complaint", object_id=c.id,
           now=now, actor=actor, detail={"result": answer.value, "note": note})
    if answer is VisitResult.DISSATISFIED:
        c.redo_count += 1
        rework(session, ctx=ctx, finding=f, reason=f"12345 回访不满意，重办：{note}".rstrip("："), now=now,
               actor=actor)
    else:
        c.status = C_CLOSED
        if f.status != CLOSED:
            close(session, campaign=campaign, finding=f, now=now, actor=actor)
    session.flush()
    return c


def close_complaint(session: Session, *, ctx: CampaignContext, complaint_id: int, note: str, now: dt.datetime,
                    actor: str = OFFICE_NAME) -> Complaint:
    """办结 by 创卫办 (``cw complaints close``, the console): the complaint is closed with a note for the
    complainant (Open311's ``status_notes``); its finding is closed (销号) with its tasks and problem."""
    note = (note or "").strip()
    if not note or len(note) > 2000:
        raise InvalidInput("请填写办结说明（最多 2000 字）：它会作为处理结果告诉投诉人")
    c = session.get(Complaint, complaint_id)
    if c is None or c.campaign_id != ctx.id:
        raise NotFound(f"找不到工单 {complaint_id}")
    if c.status == C_CLOSED:
        raise Conflict(f"工单 {c.order_no} 已经办结")
    f = complaint_finding(session, c)
    c.status, c.closed_at, c.close_note = C_CLOSED, now, note
    if f.status not in (CLOSED, MERGED):
        close(session, campaign=ctx.campaign, finding=f, now=now, actor=actor)
    record(session, campaign_id=ctx.id, action="complaint.close", object_type="complaint", object_id=c.id,
           now=now, actor=actor, detail={"note": note, "finding_id": f.id})
    session.flush()
    return c


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """A work order with its finding's state; the complainant masked except for 创卫办."""

    id: int
    order_no: str  # 工单编号
    channel: str
    category: str
    received_at: str  # ISO 8601, local time
    content: str
    address: str | None
    segment: str | None  # segment code
    located_by: str  # point | address | none
    finding_id: int
    status: str
    status_text: str
    deadline: str | None  # ISO 8601, local time
    visit_result: str | None
    redo_count: int
    complainant: str | None
    phone: str | None


def list_complaints(session: Session, *, campaign: Campaign, principal: Principal) -> list[ComplaintRow]:
    """Work orders with their finding's state; the complainant in clear only for 创卫办."""
    tz = ZoneInfo(campaign.timezone)
    q = (select(Complaint, Finding, Segment.code).join(Finding, Finding.complaint_id == Complaint.id)
         .outerjoin(Segment, Segment.id == Finding.segment_id).where(Complaint.campaign_id == campaign.id))
    office = principal.role == ROLE_OFFICE
    if not office:
        mine = select(Task.finding_id).where(Task.kind == KIND, Task.unit_id == (principal.unit_id or -1))
        q = q.where(Finding.id.in_(mine)) if principal.role == UserRole.UNIT else q
    out = []
    for c, f, code in session.execute(q.order_by(Complaint.received_at, Complaint.id)):
        waiting = c.status == C_OPEN and f.status in (RECTIFIED, CLOSED)
        out.append(ComplaintRow(
            id=c.id, order_no=c.order_no, channel=c.channel, category=c.category,
            received_at=c.received_at.astimezone(tz).isoformat(), content=c.content, address=c.address,
            segment=code, located_by=c.located_by, finding_id=f.id, status=c.status,
            status_text="已办结" if c.status == C_CLOSED else "待回访" if waiting else STATUS_TEXT.get(f.status, f.status),
            deadline=f.deadline.astimezone(tz).isoformat() if f.deadline else None,
            visit_result=c.visit_result, redo_count=c.redo_count,
            complainant=c.complainant_name if office else mask_name(c.complainant_name),
            phone=c.complainant_phone if office else mask_phone(c.complainant_phone)))
    return out
