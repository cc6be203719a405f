"""延期 and 挂账 requests for tasks and problems: asked with a reason, decided by the level above.

A problem's request goes through the coordination ladder (``services.escalation.problems.act``). A task's
延期 is approved by its segment's lead department when a participating unit asks, else by
创卫办; 挂账 always by 创卫办. An approved request moves the task's ``extended_until`` (so it
is not overdue before it) and restarts its accountability ladder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, ExtensionRequest, Task, Unit
from models.accountability import APPROVED, PENDING, PROBLEM, REJECTED, TASK
from models.people import ROLE_OFFICE
from models.tasks import OPEN
from notify.templates import extension_request, problem_step
from rules import ladders as L
from rules.accountability import effective_deadline
from rules.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.escalation.ladders import local_text, recipient
from services.escalation.problems import act
from services.notifications.outbox import enqueue
from services.people.audit import record
from services.people.auth import Principal

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext


def _task_approver(ctx: CampaignContext, task: Task, kind: str, now: dt.datetime) -> tuple[str, Any]:
    """(approving level, its outbox recipient) for a request on ``task``."""
    pol, holders = ctx.policy, ctx.holders(now=now, segment_ids=[task.segment_id])
    lead = holders.assignment(task.segment_id)
    level = None if lead is None else (L.LEAD if task.unit_id == lead[0] else L.MEMBER)
    who = L.request_approver(pol.coordination, level, holders.facts(task.segment_id), kind)
    if lead and who in (L.LEAD, L.LEADER):
        return who, ("unit", lead[0]) if who == L.LEAD else ("leader", lead[1])
    return who, ("office", None)


def request(session: Session, *, ctx: CampaignContext, object_type: str, object_id: int, kind: str,
            until: dt.datetime, reason: str, actor: Principal, now: dt.datetime) -> ExtensionRequest | None:
    """Ask for 延期/挂账 (创卫办 putting something on 挂账 itself needs no approval: returns None)."""
    campaign = ctx.campaign
    if kind not in (L.EXTENSION, L.HOLD):
        raise InvalidInput(f"申请类型应为 {L.EXTENSION} 或 {L.HOLD}")
    if object_type == PROBLEM:
        act(session, ctx=ctx, problem_id=object_id, kind=L.C_EXTEND if kind == L.EXTENSION else L.C_HOLD,
            actor=actor, now=now, reason=reason, until=until)
        return _pending(session, PROBLEM, object_id)
    task = session.get(Task, object_id, with_for_update=True)
    if task is None or task.campaign_id != campaign.id:
        raise NotFound(f"找不到任务 {object_id}")
    if task.status != OPEN:
        raise Conflict("只有未完成的任务可以申请延期或挂账")
    office = actor.role == ROLE_OFFICE
    if not office and actor.unit_id != task.unit_id:
        raise Forbidden("只有任务的责任单位可以申请延期或挂账")
    if not reason.strip():
        raise InvalidInput(f"申请{kind}必须说明理由")
    current = effective_deadline(task.deadline, task.extended_until)
    if until <= max(current, now):
        raise InvalidInput(f"{kind}后的期限必须晚于现有期限和现在")
    pol = ctx.policy
    if kind == L.EXTENSION and until > L.extension_limit(pol.coordination, current, pol.calendar):
        raise InvalidInput(f"延期最长{pol.coordination.extension_max.amount:g}个工作日；更长的请申请挂账")
    if _pending(session, TASK, task.id):
        raise Conflict("该任务已有待审批的申请")
    approver, who = _task_approver(ctx, task, kind, now)
    req = ExtensionRequest(campaign_id=campaign.id, object_type=TASK, object_id=task.id, kind=kind, until=until,
                           reason=reason.strip(), state=PENDING, approver=approver, requested_by=actor.name,
                           requested_at=now)
    session.add(req)
    session.flush()
    record(session, campaign_id=campaign.id, action="task.request", object_type="task", object_id=task.id, now=now,
           actor=actor.name, user_id=actor.user_id, detail={"kind": kind, "until": until.isoformat()})
    if office and kind == L.HOLD:
        decide(session, ctx=ctx, request_id=req.id, approve=True, actor=actor, reason=reason, now=now)
        return None
    unit = session.get(Unit, task.unit_id)
    title, body = extension_request(kind, task.title, unit.name if unit else "", local_text(until, pol.calendar),
                                    reason.strip())
    enqueue(session, ctx=ctx, recipients=[who], template="request",
            payload={"title": title, "body": body, "task_id": task.id, "request_id": req.id},
            key_parts=("request", req.id), now=now)
    return req


def _pending(session: Session, object_type: str, object_id: int) -> ExtensionRequest | None:
    return session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.object_type == object_type, ExtensionRequest.object_id == object_id,
        ExtensionRequest.state == PENDING)).first()


def decide(session: Session, *, ctx: CampaignContext, request_id: int, approve: bool, actor: Principal,
           now: dt.datetime, reason: str = "") -> ExtensionRequest:
    """Approve or reject (reason required) a pending request, as its approving level or 创卫办."""
    campaign = ctx.campaign
    req = session.get(ExtensionRequest, request_id)
    if req is None or req.campaign_id != campaign.id:
        raise NotFound(f"找不到申请 {request_id}")
    if req.state != PENDING:
        raise Conflict(f"申请 {request_id} 已审批")
    if req.object_type == PROBLEM:
        act(session, ctx=ctx, problem_id=req.object_id, kind=L.C_APPROVE if approve else L.C_REJECT,
            actor=actor, now=now, reason=reason)
        return req
    task = session.get(Task, req.object_id, with_for_update=True)
    if task is None:
        raise NotFound(f"找不到申请 {request_id} 所涉的任务 {req.object_id}")
    approver, _ = _task_approver(ctx, task, req.kind, now)
    holders = ctx.holders(now=now, segment_ids=[task.segment_id])
    lead = holders.assignment(task.segment_id)
    as_level = lead and ((approver == L.LEAD and actor.unit_id == lead[0])
                         or (approver == L.LEADER and actor.leader_id == lead[1]))
    if actor.role != ROLE_OFFICE and not as_level:
        raise Forbidden(f"该申请应由{approver}审批")
    if not approve and not reason.strip():
        raise InvalidInput("不予批准必须说明理由")
    if approve and req.until <= now:
        raise Conflict("申请的日期已过，请重新申请")
    req.state, req.decided_by, req.decided_at, req.note = (APPROVED if approve else REJECTED), actor.name, now, \
        reason.strip() or None
    if approve:
        task.extended_until, task.acc_stage, task.acc_at = req.until, 0, now
    record(session, campaign_id=campaign.id, action="task.approve" if approve else "task.reject", object_type="task",
           object_id=task.id, now=now, actor=actor.name, user_id=actor.user_id,
           detail={"request_id": req.id, "kind": req.kind, "until": req.until.isoformat()})
    pol = ctx.policy
    label = f"{req.kind}已批准" if approve else f"{req.kind}申请未获批准"
    holders.load_segment_names(session, [task.segment_id])
    title, body = problem_step(label, task.title, holders.segment_name(task.segment_id),
                               local_text(effective_deadline(task.deadline, task.extended_until), pol.calendar), req.note)
    enqueue(session, ctx=ctx, recipients=[recipient(task.unit_id, None, None)], template="request",
            payload={"title": title, "body": body, "task_id": task.id, "request_id": req.id},
            key_parts=("request", req.id, req.state), now=now)
    return req


@dataclass(frozen=True, slots=True)
class RequestRow:
    """A 延期/挂账 request in the office's list; ``object`` names what it is about (任务 12, 问题 3)."""

    id: int
    object: str
    object_type: str
    object_id: int
    kind: str
    until: dt.datetime
    state: str
    approver: str
    reason: str
    requested_by: str


def list_requests(session: Session, *, campaign: Campaign, state: str | None = None) -> list[RequestRow]:
    """延期/挂账 requests, oldest first."""
    q = select(ExtensionRequest).where(ExtensionRequest.campaign_id == campaign.id)
    if state:
        q = q.where(ExtensionRequest.state == state)
    return [RequestRow(id=r.id, object=f"{'任务' if r.object_type == TASK else '问题'} {r.object_id}",
                       object_type=r.object_type, object_id=r.object_id, kind=r.kind, until=r.until, state=r.state,
                       approver=r.approver, reason=r.reason, requested_by=r.requested_by)
            for r in session.scalars(q.order_by(ExtensionRequest.id))]
