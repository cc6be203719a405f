"""问题/协调事项 by hand: raise, resolve, return, escalate, sign an opinion, 退单, 改派, 延期/挂账, 核实.

Each command is decided by ``rules.ladders.decide`` and carried out here, in the caller's
transaction: the problem's new state, its history row (ProblemEvent), an audit entry and an
outbox row for whoever must hear of it (the new holder, 创卫办 or the approving level).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, ExtensionRequest, Problem, ProblemEvent, Task, Unit
from models.accountability import APPROVED, PENDING, PROBLEM, REJECTED
from models.people import ROLE_LEADER, ROLE_OFFICE
from notify.templates import ACTION, LEVEL, escalation_notice, extension_request, problem_step, verification_request
from rules import ladders as L
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import ProblemSource, UnitKind
from services.escalation.entry import entry_deadline, finding_entry
from services.escalation.ladders import Holders, Policy, local_text, recipient
from services.notifications.outbox import enqueue
from services.people.audit import record
from services.people.auth import Principal

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

#: the ladder level a unit of each kind raises its own problems at
RAISE_LEVEL: dict[str, str] = {UnitKind.OFFICE: L.OFFICE, UnitKind.LEAD: L.LEAD}


def get_problem(session: Session, *, campaign: Campaign, problem_id: int, lock: bool = False) -> Problem:
    """The problem (row-locked on PostgreSQL when ``lock``, so the sweep waits for this command)."""
    p = session.get(Problem, problem_id, with_for_update=lock or None)
    if p is None or p.campaign_id != campaign.id:
        raise NotFound(f"找不到问题 {problem_id}")
    return p


def raise_problem(session: Session, *, ctx: CampaignContext, unit_id: int | None, title: str, now: dt.datetime,
                  actor: Principal, segment_id: int | None = None, task_id: int | None = None, description: str = "",
                  source: ProblemSource = ProblemSource.REPORT, source_id: int | None = None, category: str | None = None,
                  lon: float | None = None, lat: float | None = None) -> Problem:
    """Open a problem for ``unit_id`` at the first level of the ladder that fits it; raised from a
    task (``task_id``), it takes the task's unit, segment and category unless given."""
    campaign = ctx.campaign
    if not title.strip():
        raise InvalidInput("问题须有标题")
    if task_id is not None:
        task = session.get(Task, task_id)
        if task is None or task.campaign_id != campaign.id:
            raise NotFound(f"找不到任务 {task_id}")
        unit_id, segment_id = unit_id or task.unit_id, segment_id or task.segment_id
        source, source_id, category = ProblemSource.TASK, task.id, category or task.category
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit is None or unit.campaign_id != campaign.id:
        raise NotFound(f"找不到单位 {unit_id}")
    pol, holders = ctx.policy, ctx.holders(now=now, segment_ids=[segment_id])
    facts = holders.facts(segment_id)
    lead = holders.assignment(segment_id)
    wanted = L.LEAD if lead and lead[0] == unit.id else RAISE_LEVEL.get(unit.kind, L.MEMBER)
    if source == ProblemSource.FINDING:  # a finding enters where the campaign's policy says (escalation.entry)
        wanted, unit = finding_entry(session, ctx, segment_id=segment_id, category=category, lead=unit,
                                     key=source_id, now=now)
    level = L.entry_level(pol.coordination, wanted, facts)
    hu, hl = holders.at_level(level, segment_id=segment_id, unit_id=unit.id)
    p = Problem(campaign_id=campaign.id, source=source, source_id=source_id, segment_id=segment_id, unit_id=unit.id,
                category=category, title=title.strip(), description=description.strip(), lon=lon, lat=lat,
                status=L.OPEN, level=level, holder_unit_id=hu, holder_leader_id=hl, level_since=now,
                level_deadline=entry_deadline(ctx, level, category, now), opened_at=now)
    session.add(p)
    session.flush()
    session.add(ProblemEvent(problem_id=p.id, at=now, actor=actor.name, user_id=actor.user_id, action=L.RAISED,
                             to_level=level, reason=description.strip() or None, detail={"source": source}))
    record(session, campaign_id=campaign.id, action="problem.raise", object_type="problem", object_id=p.id, now=now,
           actor=actor.name, user_id=actor.user_id, detail={"level": level, "unit_id": unit.id})
    if hu != actor.unit_id or hl:
        _notify(session, ctx, pol, holders, p, L.Action(L.RAISED, level, level, note=p.description or None),
                (L.TO_HOLDER,), now)
    return p


def role_of(principal: Principal, p: Problem, holders: Holders) -> str:
    """What the person is to this problem: holder, the segment's lead or leader, 创卫办, or other."""
    if principal.role == ROLE_OFFICE:
        return L.BY_OFFICE
    lead = holders.assignment(p.segment_id)
    if principal.role == ROLE_LEADER:
        if p.level == L.LEADER and principal.leader_id == p.holder_leader_id:
            return L.BY_HOLDER
        return L.BY_LEADER if lead and principal.leader_id == lead[1] else L.BY_OTHER
    if principal.unit_id is not None:
        if p.level != L.LEADER and principal.unit_id == p.holder_unit_id:
            return L.BY_HOLDER
        members = holders.members_of(p.segment_id)
        if p.level == L.MEMBER and p.holder_unit_id in members and principal.unit_id in members:
            return L.BY_HOLDER  # a problem at the participating units' level is each of theirs to act on
        if lead and principal.unit_id == lead[0]:
            return L.BY_LEAD
    return L.BY_OTHER


def _pending(session: Session, problem_id: int) -> ExtensionRequest | None:
    return session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.object_type == PROBLEM, ExtensionRequest.object_id == problem_id,
        ExtensionRequest.state == PENDING)).first()


def _leader_signed(session: Session, p: Problem) -> bool:
    return session.scalar(select(ProblemEvent.id).where(
        ProblemEvent.problem_id == p.id, ProblemEvent.action == L.OPINION, ProblemEvent.at >= p.level_since,
        ProblemEvent.from_level == L.LEADER).limit(1)) is not None


def act(session: Session, *, ctx: CampaignContext, problem_id: int, kind: str, actor: Principal, now: dt.datetime,
        reason: str = "", until: dt.datetime | None = None, passed: bool = True, unit_id: int | None = None,
        limit: L.Limit | None = None) -> Problem:
    """Carry out one command (``rules.ladders.C_*``) on a problem; raises a DomainError if not allowed."""
    campaign, pol = ctx.campaign, ctx.policy
    p = get_problem(session, campaign=campaign, problem_id=problem_id, lock=True)
    holders = ctx.holders(now=now, segment_ids=[p.segment_id])
    pending = _pending(session, p.id)
    facts = holders.facts(p.segment_id, leader_opinion=p.level == L.LEADER and _leader_signed(session, p),
                          pending=pending.kind if pending else None)
    if kind in (L.C_APPROVE, L.C_REJECT) and pending is not None:
        until = pending.until
    if kind == L.C_ASSIGN:
        target = session.get(Unit, unit_id) if unit_id else None
        if target is None or target.campaign_id != campaign.id:
            raise InvalidInput("改派须指定本活动中的承办单位")
    state = L.ProblemState(p.status, p.level, p.level_since, p.level_deadline, p.on_hold_until,
                           p.assigned_at is not None, p.resolved_level)
    command = L.Command(kind, role_of(actor, p, holders), reason, until, passed, limit)
    for action in L.decide(pol.coordination, state, command, facts, now, pol.calendar):
        _apply(session, ctx, pol, holders, p, action, actor, now, unit_id, pending, facts)
    return p


def _apply(session: Session, ctx: CampaignContext, pol: Policy, holders: Holders, p: Problem, a: L.Action,
           actor: Principal, now: dt.datetime, unit_id: int | None, pending: ExtensionRequest | None,
           facts: L.Facts) -> None:
    if a.to_level is not None and not (a.action == L.REWORK and a.to_level == p.level):
        if a.action == L.ASSIGNED:
            p.holder_unit_id, p.holder_leader_id = unit_id, None
        else:
            p.holder_unit_id, p.holder_leader_id = holders.at_level(a.to_level, segment_id=p.segment_id,
                                                                    unit_id=p.unit_id)
        p.level, p.level_since = a.to_level, now
    if a.deadline is not None:
        p.level_deadline, p.acc_stage, p.acc_at = a.deadline, 0, now
    if a.assigned is not None:
        p.assigned_at = now if a.assigned else None
    if a.on_hold_until is not None:
        p.on_hold_until = a.on_hold_until
    if a.status == L.RESOLVED:
        p.resolved_level, p.resolved_at = p.level, now
    elif a.status == L.CLOSED:
        p.closed_at = now
    elif a.status == L.OPEN:
        p.resolved_at = None
    p.status = a.status or p.status
    p.rework_count += int(a.rework)
    p.version += 1
    if a.action in (L.EXTENSION_REQUESTED, L.HOLD_REQUESTED):
        assert a.request is not None  # the rules open a request together with its kind
        state = L.ProblemState(p.status, p.level, p.level_since, p.level_deadline)
        session.add(ExtensionRequest(campaign_id=ctx.id, object_type=PROBLEM, object_id=p.id, kind=a.request,
                                     until=a.until, reason=a.note or "", state=PENDING, requested_by=actor.name,
                                     requested_at=now, approver=L.approver(pol.coordination, state, facts, a.request)))
    elif a.request and pending is not None:
        pending.state = REJECTED if a.action == L.REQUEST_REJECTED else APPROVED
        pending.decided_by, pending.decided_at, pending.note = actor.name, now, a.note
    opinion = a.opinion
    if a.action == L.ESCALATED and a.from_level == L.LEADER and opinion is None:  # filed by the lead department
        opinion = "；".join(_opinion_lines(session, p.id, L.LEADER)) or None
    elif a.action == L.ESCALATED and a.from_level == L.LEAD and opinion is None:
        opinion = a.note  # the lead department's reason is its opinion, carried up with the problem
    detail: dict[str, Any] = {"deadline": a.deadline.isoformat() if a.deadline else None}
    if a.until:
        detail["until"] = a.until.isoformat()
    if a.action == L.ASSIGNED:
        detail["unit_id"] = unit_id
    session.add(ProblemEvent(problem_id=p.id, at=now, actor=actor.name, user_id=actor.user_id, action=a.action,
                             from_level=a.from_level, to_level=a.to_level, reason=a.note, opinion=opinion,
                             detail=detail))
    session.flush()
    record(session, campaign_id=ctx.id, action=f"problem.{a.action}", object_type="problem", object_id=p.id,
           now=now, actor=actor.name, user_id=actor.user_id, detail={"from": a.from_level, "to": a.to_level,
                                                                     "reason": a.note})
    _notify(session, ctx, pol, holders, p, a, a.notify, now, facts)


def _opinion_lines(session: Session, problem_id: int, level: str | None = None) -> list[str]:
    """Opinions recorded so far ("who：what"), all or those signed at one level, in order."""
    q = select(ProblemEvent.actor, ProblemEvent.opinion).where(ProblemEvent.problem_id == problem_id,
                                                               ProblemEvent.opinion.is_not(None))
    if level:
        q = q.where(ProblemEvent.action == L.OPINION, ProblemEvent.from_level == level)
    return [f"{actor}：{text_}" for actor, text_ in session.execute(q.order_by(ProblemEvent.id))]


def _notify(session: Session, ctx: CampaignContext, pol: Policy, holders: Holders, p: Problem, a: L.Action,
            roles: tuple[str, ...], now: dt.datetime, facts: L.Facts | None = None) -> None:
    """One message per recipient role of the action, keyed by the problem's version."""
    if not roles:
        return
    holders.load_segment_names(session, [p.segment_id])
    cal, seg = pol.calendar, holders.segment_name(p.segment_id)
    who = []
    for role in roles:
        if role == L.TO_HOLDER:
            who.append(recipient(p.holder_unit_id, p.holder_leader_id, holders.office_unit_id))
        elif role == L.TO_OFFICE:
            who.append(("office", None))
        elif role == L.TO_APPROVER:
            level = L.approver(pol.coordination, L.ProblemState(p.status, p.level, p.level_since, p.level_deadline),
                               facts or holders.facts(p.segment_id), a.request or L.EXTENSION)
            hu, hl = holders.at_level(level, segment_id=p.segment_id, unit_id=p.unit_id)
            who.append(recipient(hu if level != L.LEADER else None, hl, holders.office_unit_id))
    deadline, holder = local_text(p.level_deadline, cal), holders.holder_name(p.holder_unit_id, p.holder_leader_id)
    if a.action == L.ESCALATED:
        title, body = escalation_notice(p.title, seg, f"{LEVEL[p.level]}（{holder}）", deadline,
                                        _opinion_lines(session, p.id), a.note or "")
    elif a.action == L.RESOLVE:
        title, body = verification_request(p.title, seg, holder, a.note or "")
    elif a.action in (L.EXTENSION_REQUESTED, L.HOLD_REQUESTED):
        title, body = extension_request(a.request or "", p.title, holders.holder_name(p.holder_unit_id, None),
                                        local_text(a.until, cal), a.note or "")
    else:
        label = ACTION.get(a.action, a.action)
        title, body = problem_step(label, p.title, seg, deadline, a.note)
    enqueue(session, ctx=ctx, recipients=who, template="problem",
            payload={"title": title, "body": body, "problem_id": p.id, "level": p.level, "action": a.action,
                     "link": f"/problems/{p.id}"},  # a path: the outbox puts it under CW_PUBLIC_URL
            key_parts=("problem", p.id, p.version), now=now)
