"""问题 (findings): record at a point, route to a segment, offer duplicates, merge, triage and 改派.

A point routes to the nearest segment line within the buffer (alleys to their parent
segment); outside every buffer it lands in 创卫办's triage queue. A finding of an
unannounced round waits (待通报) until the round is published. Rectification, re-inspection
and the ledger follow in ``services.inspections.checks``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from maps.routing import nearby
from models import Attachment, Campaign, Finding, Inspection, Problem, ProblemEvent, Segment, Task
from models.geo import ALLEY
from models.inspections import LIVE, MERGED, OPEN, PENDING, RECTIFIED, TRIAGE
from models.problems import LEVEL_LEAD
from rules.errors import Conflict, InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, FindingSource
from services.campaigns.context import CampaignContext
from services.campaigns.status import opened_phase
from services.inspections.brief_sections import brief_exposures, brief_findings  # the brief's hooks are looked up here
from services.inspections.places import to_wgs84_point
from services.inspections.rectification import KIND, close, dispatch, finding_tasks, new_deadline, notify_units
from services.inspections.rounds import is_secret
from services.inspections.routing import responsibility
from services.notifications.outbox import enqueue
from services.people.audit import record

_M_PER_DEG = 111_320.0


def check_point(lon: float | None, lat: float | None, datum: str = "wgs84") -> tuple[float, float]:
    """A WGS-84 (lon, lat) from a point in ``datum``; InvalidInput for a missing or impossible one."""
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidInput("请提供问题位置（经度、纬度）")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"坐标超出经纬度范围：{lon}, {lat}（是否为投影坐标？）")
    return to_wgs84_point(lon, lat, datum)


def get_finding(session: Session, *, campaign: Campaign, finding_id: int) -> Finding:
    f = session.get(Finding, finding_id)
    if f is None or f.campaign_id != campaign.id:
        raise NotFound(f"找不到问题 {finding_id}")
    return f


def find_duplicates(session: Session, *, ctx: CampaignContext, category: str, lon: float, lat: float,
                    exclude: int | None = None) -> list[tuple[int, float]]:
    """(id, metres) of live findings of the same category within the duplicate radius, nearest first."""
    radius = ctx.spec.inspections.duplicate_radius_m
    dlat = radius / _M_PER_DEG * 1.5
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = session.execute(select(Finding.id, Finding.lon, Finding.lat).where(
        Finding.campaign_id == ctx.id, Finding.category == category, Finding.status.in_(LIVE),
        Finding.lon.between(lon - dlon, lon + dlon), Finding.lat.between(lat - dlat, lat + dlat))).all()
    return [(i, d) for i, d in nearby([tuple(r) for r in rows if r[0] != exclude], lon, lat, radius)]


def _duplicate_error(dups: list[tuple[int, float]], radius: float) -> Conflict:
    return Conflict(f"{radius:.0f} 米内已有同类未办结问题，可合并（--merge-into 编号）或确认另立（--new）：",
                    [f"问题 {i}（相距 {d:.0f} 米）" for i, d in dups])


def route_finding(session: Session, *, ctx: CampaignContext, finding: Finding, now: dt.datetime, actor: str) -> None:
    """Place a finding on its segment and hand it on (triage, 待通报, or dispatch)."""
    inspection = session.get(Inspection, finding.inspection_id) if finding.inspection_id else None
    if finding.segment_id is None:
        _to_triage(session, ctx=ctx, finding=finding, now=now, reason="不在任何路段的责任范围内")
        return
    if is_secret(inspection):
        finding.status = PENDING
        return
    resp = responsibility(session, ctx.id, [finding.segment_id]).get(finding.segment_id)
    if resp is None:
        _to_triage(session, ctx=ctx, finding=finding, now=now, reason="所在路段尚未包联")
        return
    phase = opened_phase(session, ctx.id)
    if phase is None:
        # before 起步 opens no rectification task can be issued: the finding (a 12345 or Open311
        # complaint too) is kept on its segment for 创卫办 to dispatch, not refused (issue 23)
        _to_triage(session, ctx=ctx, finding=finding, now=now, reason="活动尚未开启时段，整改任务待开启后下达")
        return
    dispatch(session, ctx=ctx, finding=finding, resp=resp, now=now, actor=actor, phase=phase)


def _to_triage(session: Session, *, ctx: CampaignContext, finding: Finding, now: dt.datetime, reason: str) -> None:
    finding.status = TRIAGE
    session.flush()
    enqueue(session, ctx=ctx, recipients=[("office", None)], template="triage",
            payload={"title": f"待分派问题：{finding.category}", "body": f"问题 {finding.id}：{reason}，请分派责任路段。",
                     "finding_id": finding.id}, key_parts=("finding", finding.id, "triage", finding.version), now=now)


def record_finding(session: Session, *, ctx: CampaignContext, category: str, lon: float | None, lat: float | None,
                   now: dt.datetime, actor: str = OFFICE_NAME, datum: str = "wgs84", description: str = "",
                   severity: str = "一般", inspection_id: int | None = None, inspector_unit_id: int | None = None,
                   user_id: int | None = None, photo_ids: Sequence[int] = (), merge_into: int | None = None,
                   allow_duplicate: bool = False, complaint_id: int | None = None) -> Finding:
    """Record a finding; raise Conflict offering duplicates unless merged or confirmed as new."""
    campaign, spec = ctx.campaign, ctx.spec.inspections
    if spec.category(category) is None:
        raise InvalidInput(f"未知的问题类别「{category}」（可选：{'、'.join(c.name for c in spec.taxonomy)}）")
    lon, lat = check_point(lon, lat, datum)
    if inspection_id is not None:
        ins = session.get(Inspection, inspection_id)
        if ins is None or ins.campaign_id != campaign.id:
            raise NotFound(f"找不到督查计划 {inspection_id}")
    target = None
    if merge_into is not None:
        target = get_finding(session, campaign=campaign, finding_id=merge_into)
        if target.status not in LIVE or target.category != category:
            raise Conflict(f"问题 {merge_into} 已办结或类别不同，不能合并")
    elif not allow_duplicate:
        dups = find_duplicates(session, ctx=ctx, category=category, lon=lon, lat=lat)
        if dups:
            raise _duplicate_error(dups, spec.duplicate_radius_m)
    routed = ctx.router.route(lon, lat, spec.routing_buffer_m)
    source = FindingSource.COMPLAINT if complaint_id else FindingSource.INSPECTION
    finding = Finding(campaign_id=campaign.id, source=source, inspection_id=inspection_id,
                      complaint_id=complaint_id, category=category, description=description, severity=severity,
                      lon=lon, lat=lat, segment_id=routed.segment_id, alley_id=routed.alley_id,
                      distance_m=routed.distance_m, status=OPEN, inspector_unit_id=inspector_unit_id,
                      recorded_by=actor, user_id=user_id, recorded_at=now)
    session.add(finding)
    session.flush()
    session.add_all([Attachment(photo_id=p, owner_type="finding", owner_id=finding.id, role="before")
                     for p in photo_ids])
    record(session, campaign_id=campaign.id, action="finding.record", object_type="finding", object_id=finding.id,
           now=now, actor=actor, user_id=user_id,
           detail={"category": category, "segment_id": routed.segment_id, "distance_m": routed.distance_m})
    if target is not None:
        finding.status, finding.merged_into_id = MERGED, target.id
        record(session, campaign_id=campaign.id, action="finding.merge", object_type="finding", object_id=target.id,
               now=now, actor=actor, detail={"merged": finding.id})
        return finding
    route_finding(session, ctx=ctx, finding=finding, now=now, actor=actor)
    session.flush()
    return finding


def merge_finding(session: Session, *, campaign: Campaign, finding_id: int, into_id: int, now: dt.datetime,
                  actor: str = OFFICE_NAME) -> Finding:
    """Merge a live finding into another of the same category; its own tasks and problem are closed."""
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    target = get_finding(session, campaign=campaign, finding_id=into_id)
    if f.id == target.id or f.status not in LIVE or target.status not in LIVE or f.category != target.category:
        raise Conflict("只能合并两条不同的、未办结的同类问题")
    if f.dispatched_at is not None:
        close(session, campaign=campaign, finding=f, now=now, actor=actor, action="merged")
    f.status, f.merged_into_id, f.version = MERGED, target.id, f.version + 1
    record(session, campaign_id=campaign.id, action="finding.merge", object_type="finding", object_id=target.id,
           now=now, actor=actor, detail={"merged": f.id})
    return f


def _segment_by_code(session: Session, campaign: Campaign, code: str) -> Segment:
    seg = session.scalars(select(Segment).where(Segment.campaign_id == campaign.id, Segment.code == code)).first()
    if seg is None:
        raise NotFound(f"找不到路段 {code}")
    return seg


def assign_finding(session: Session, *, ctx: CampaignContext, finding_id: int, segment_code: str, now: dt.datetime,
                   actor: str = OFFICE_NAME, reason: str = "") -> Finding:
    """分派/改派 by 创卫办: put a triaged or misrouted finding on the right segment."""
    campaign = ctx.campaign
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    if f.status not in (TRIAGE, OPEN, RECTIFIED, PENDING):
        raise Conflict(f"问题 {f.id} 已办结或已合并，不能改派")
    seg = _segment_by_code(session, campaign, segment_code)
    f.alley_id, f.segment_id = (seg.id, seg.parent_id) if seg.kind == ALLEY and seg.parent_id else (None, seg.id)
    resp = responsibility(session, campaign.id, [f.segment_id]).get(f.segment_id)
    if resp is None:
        raise Conflict(f"路段 {segment_code} 尚未包联，无法改派到该路段")
    record(session, campaign_id=campaign.id, action="finding.assign", object_type="finding", object_id=f.id,
           now=now, actor=actor, detail={"segment": segment_code, "reason": reason})
    f.version += 1
    if f.status == PENDING or f.dispatched_at is None:
        f.status = OPEN
        route_finding(session, ctx=ctx, finding=f, now=now, actor=actor)
        return f
    f.status, f.lead_unit_id, f.deadline = OPEN, resp.lead_unit_id, new_deadline(ctx, f, now)
    session.execute(update(Task).where(Task.kind == KIND, Task.finding_id == f.id, Task.target_key == f"F{f.id}:lead")
                    .values(unit_id=resp.lead_unit_id, segment_id=f.segment_id, deadline=f.deadline,
                            status="open", done_at=None, version=Task.version + 1)
                    .execution_options(synchronize_session=False))
    problem = session.get(Problem, f.problem_id) if f.problem_id else None
    if problem is not None:
        session.add(ProblemEvent(problem_id=problem.id, at=now, actor=actor, action="assigned",
                                 from_level=problem.level, to_level=LEVEL_LEAD, reason=reason,
                                 detail={"segment": segment_code}))
        problem.segment_id, problem.unit_id, problem.holder_unit_id = f.segment_id, resp.lead_unit_id, resp.lead_unit_id
        problem.level, problem.level_since, problem.level_deadline = LEVEL_LEAD, now, f.deadline
        problem.version += 1
    notify_units(session, ctx=ctx, finding=f, unit_ids=[resp.lead_unit_id], event="改派",
                 body=f"创卫办将问题 {f.id}（{f.category}）改派给本单位所包联的路段 {seg.name}。{reason}", now=now)
    return f


def return_finding(session: Session, *, ctx: CampaignContext, finding_id: int, unit_id: int, reason: str,
                   now: dt.datetime, actor: str) -> Finding:
    """退回: the lead department says the finding is not on its segment; it goes back to triage for 改派."""
    campaign = ctx.campaign
    f = get_finding(session, campaign=campaign, finding_id=finding_id)
    if f.status not in (OPEN, RECTIFIED) or f.lead_unit_id != unit_id:
        raise Conflict(f"只有问题 {f.id} 的牵头部门可以在整改中退回它")
    if not reason.strip():
        raise InvalidInput("退回必须说明理由")
    problem = session.get(Problem, f.problem_id) if f.problem_id else None
    if problem is not None:
        session.add(ProblemEvent(problem_id=problem.id, at=now, actor=actor, action="returned",
                                 from_level=problem.level, reason=reason, detail={"finding_id": f.id}))
        problem.version += 1
    record(session, campaign_id=campaign.id, action="finding.return", object_type="finding", object_id=f.id,
           now=now, actor=actor, detail={"reason": reason})
    f.version += 1
    _to_triage(session, ctx=ctx, finding=f, now=now, reason=f"被牵头部门退回（{reason}）")
    return f


def lead_task(session: Session, finding: Finding) -> Task | None:
    return next((t for t in finding_tasks(session, finding.id) if t.target_key == f"F{finding.id}:lead"), None)


@dataclass(frozen=True, slots=True)
class FindingSummary:
    """The plain fields of a finding (no complainant data: that lives on the complaint)."""

    id: int
    category: str
    status: str
    source: str
    segment_id: int | None
    alley_id: int | None
    distance_m: float | None
    lead_unit_id: int | None
    deadline: str | None  # ISO 8601, as stored
    rework_count: int
    merged_into: int | None


def describe(finding: Finding) -> FindingSummary:
    """The plain fields of a finding."""
    return FindingSummary(id=finding.id, category=finding.category, status=finding.status, source=finding.source,
                          segment_id=finding.segment_id, alley_id=finding.alley_id, distance_m=finding.distance_m,
                          lead_unit_id=finding.lead_unit_id,
                          deadline=finding.deadline.isoformat() if finding.deadline else None,
                          rework_count=finding.rework_count, merged_into=finding.merged_into_id)

__all__ = ["assign_finding", "brief_exposures", "brief_findings", "check_point", "find_duplicates", "get_finding",
           "merge_finding", "record_finding", "return_finding", "route_finding"]
