"""The phone actions on a problem (办结、上报、退单、申请延期、签署意见、审批、改派、挂账、督办、核实).

One entry for the pages, the JSON API and the CLI: ``perform`` checks ``rules.problem_actions``
(who may do what at which level), turns the verb into the ladder's command and carries it out in
the caller's transaction; ``problem_view`` and ``actionable`` say what a person may do now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from models import (
    AccountabilityStep,
    Assignment,
    AssignmentMember,
    Attachment,
    ExtensionRequest,
    Problem,
    ProblemEvent,
    Segment,
    Unit,
)
from models.accountability import PENDING, PROBLEM
from models.people import ROLE_INSPECTOR, ROLE_LEADER, ROLE_OFFICE
from rules import ladders as L
from rules import problem_actions as R
from rules.accountability import STAGE_TEXT
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import AccStage, OpinionDecision, ProblemVerb
from services.escalation import texts
from services.escalation.ladders import Holders, local_text
from services.escalation.problems import _apply, _leader_signed, _pending, act, get_problem, role_of
from services.escalation.queries import ProblemDetail, ProblemRow, ProblemStep, list_problems, problem_detail
from services.notifications.outbox import enqueue
from services.people.audit import record
from services.people.auth import Principal
from services.tasks import PreparedPhoto, save_photo

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

V = ProblemVerb
#: the attachment role of a 办结's photos (整改后)
AFTER = "after"
#: the longest 挂账 the phone accepts, in days (the office console may set a date)
HOLD_MAX_DAYS = 365
#: the ladder command each verb gives (the others are carried out here)
COMMAND = {V.RESOLVE: L.C_RESOLVE, V.ESCALATE: L.C_ESCALATE, V.RETURN: L.C_WITHDRAW, V.EXTENSION: L.C_EXTEND,
           V.APPROVE: L.C_APPROVE, V.REJECT: L.C_REJECT, V.ASSIGN: L.C_ASSIGN, V.HOLD: L.C_HOLD,
           V.VERIFY: L.C_VERIFY}


def problem_path(problem_id: int) -> str:
    """The page where a person acts on the problem (messages link here, under CW_PUBLIC_URL)."""
    return f"/problems/{problem_id}"


def standing(session: Session, ctx: CampaignContext, p: Problem, actor: Principal, holders: Holders) -> R.Standing:
    """The problem and the person as ``rules.problem_actions`` sees them."""
    return _standing(ctx, p, actor, holders, _pending(session, p.id), p.level == L.LEADER and _leader_signed(session, p))


def _standing(ctx: CampaignContext, p: Problem, actor: Principal, holders: Holders, pending: ExtensionRequest | None,
              signed: bool) -> R.Standing:
    facts = holders.facts(p.segment_id, leader_opinion=signed, pending=pending.kind if pending else None)
    state = L.ProblemState(p.status, p.level, p.level_since, p.level_deadline)
    approver = L.approver(ctx.policy.coordination, state, facts, pending.kind) if pending else None
    return R.Standing(level=p.level, status=p.status, by=role_of(actor, p, holders),
                      assigned=p.assigned_at is not None, pending=pending.kind if pending else None,
                      approver=approver, leader_signed=signed)


def _visible(actor: Principal, p: Problem, holders: Holders, s: R.Standing) -> bool:
    if actor.role in (ROLE_OFFICE, ROLE_INSPECTOR) or s.by != L.BY_OTHER:
        return True
    lead = holders.assignment(p.segment_id)
    if actor.role == ROLE_LEADER:
        return bool(lead and actor.leader_id == lead[1])
    # a unit sees the problems it raised or holds and those of the segments it is in the 包联 of
    return actor.unit_id is not None and (actor.unit_id in (p.unit_id, p.holder_unit_id)
                                          or actor.unit_id in holders.members_of(p.segment_id)
                                          or bool(lead and actor.unit_id == lead[0]))


@dataclass(frozen=True, slots=True)
class ProblemView:
    """One problem for its page: detail and history, every opinion carried, and what this person may do."""

    detail: ProblemDetail
    verbs: tuple[ProblemVerb, ...]
    opinions: list[ProblemStep]
    segment_name: str
    lead: str | None
    leader: str | None
    decisions: tuple[OpinionDecision, ...]
    extension_max_days: int
    supervised: bool
    photos: list[int]  # ids of the pictures its 办结 attached (整改后)


def problem_view(session: Session, *, ctx: CampaignContext, problem_id: int, actor: Principal,
                 now: dt.datetime) -> ProblemView:
    """The problem as ``actor`` sees it (NotFound when it is none of theirs)."""
    p = get_problem(session, campaign=ctx.campaign, problem_id=problem_id)
    holders = ctx.holders(now=now, segment_ids=[p.segment_id])
    s = standing(session, ctx, p, actor, holders)
    if not _visible(actor, p, holders, s):
        raise NotFound(f"找不到问题 {problem_id}", log_detail=f"problem {problem_id} not visible to {actor.name}")
    detail = problem_detail(session, campaign=ctx.campaign, problem_id=problem_id, now=now)
    holders.load_segment_names(session, [p.segment_id])
    lead = holders.assignment(p.segment_id)
    return ProblemView(detail=detail, verbs=R.allowed(s), opinions=[e for e in detail.history if e.opinion],
                       segment_name=holders.segment_name(p.segment_id),
                       lead=holders.unit_names.get(lead[0]) if lead else None,
                       leader=holders.leader_names.get(lead[1]) if lead else None,
                       decisions=tuple(OpinionDecision), extension_max_days=_extension_days(ctx),
                       supervised=p.acc_stage >= AccStage.SUPERVISED,
                       photos=list(session.scalars(select(Attachment.photo_id).where(
                           Attachment.owner_type == PROBLEM, Attachment.owner_id == p.id).order_by(Attachment.id))))


def _extension_days(ctx: CampaignContext) -> int:
    return max(1, int(ctx.policy.coordination.extension_max.amount))


@dataclass(frozen=True, slots=True)
class ActionableRow:
    """A problem in a person's list, with what they may do to it now."""

    row: ProblemRow
    verbs: tuple[ProblemVerb, ...]


def actionable(session: Session, *, ctx: CampaignContext, actor: Principal, now: dt.datetime,
               level: str | None = None, limit: int = 200) -> list[ActionableRow]:
    """What ``actor`` may act on (创卫办 and 督查员: every open or resolved problem), oldest first."""
    campaign = ctx.campaign
    q = select(Problem).where(Problem.campaign_id == campaign.id, Problem.status.in_((L.OPEN, L.RESOLVED)))
    if level:
        q = q.where(Problem.level == level)
    if actor.role not in (ROLE_OFFICE, ROLE_INSPECTOR):
        active = (Assignment.campaign_id == campaign.id) & (Assignment.valid_from <= now) & (
            Assignment.valid_to.is_(None) | (Assignment.valid_to > now))
        if actor.role == ROLE_LEADER and actor.leader_id:
            mine = select(Assignment.segment_id).where(active, Assignment.leader_id == actor.leader_id)
            q = q.where(or_(Problem.holder_leader_id == actor.leader_id, _on(mine)))
        elif actor.unit_id:
            mine = select(Assignment.segment_id).where(active, Assignment.lead_unit_id == actor.unit_id)
            member = (select(Assignment.segment_id).join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
                      .where(active, AssignmentMember.unit_id == actor.unit_id))
            q = q.where(or_(Problem.holder_unit_id == actor.unit_id, Problem.unit_id == actor.unit_id,
                            _on(mine), (Problem.level == L.MEMBER) & _on(member)))
        else:
            return []
    problems = list(session.scalars(q.order_by(Problem.id).limit(limit)))
    if not problems:
        return []
    ids = [p.id for p in problems]
    holders = ctx.holders(now=now, segment_ids={p.segment_id for p in problems})
    pending = {r.object_id: r for r in session.scalars(select(ExtensionRequest).where(
        ExtensionRequest.object_type == PROBLEM, ExtensionRequest.object_id.in_(ids),
        ExtensionRequest.state == PENDING))}
    signed = set(session.scalars(select(ProblemEvent.problem_id).join(Problem, Problem.id == ProblemEvent.problem_id)
                                 .where(ProblemEvent.problem_id.in_(ids), ProblemEvent.action == L.OPINION,
                                        ProblemEvent.from_level == L.LEADER, Problem.level == L.LEADER,
                                        ProblemEvent.at >= Problem.level_since)))
    rows = {r.id: r for r in list_problems(session, campaign=campaign, now=now, ids=ids)}
    out = []
    for p in problems:
        s = _standing(ctx, p, actor, holders, pending.get(p.id), p.id in signed)
        verbs = R.allowed(s)
        if (verbs or actor.role in (ROLE_OFFICE, ROLE_INSPECTOR)) and p.id in rows:
            out.append(ActionableRow(row=rows[p.id], verbs=verbs))
    return out


def _on(segments: Select[tuple[int]]) -> ColumnElement[bool]:
    """The problem lies on one of ``segments`` or on an alley of one."""
    return Problem.segment_id.in_(select(Segment.id).where(or_(Segment.id.in_(segments),
                                                               Segment.parent_id.in_(segments))))


def _until_days(ctx: CampaignContext, start: dt.datetime, days: int) -> dt.datetime:
    return L.Limit(days).due(ctx.calendar, start)


def perform(session: Session, *, ctx: CampaignContext, problem_id: int, verb: ProblemVerb, actor: Principal,
            now: dt.datetime, text: str = "", days: int | None = None, decision: OpinionDecision | None = None,
            unit_id: int | None = None, limit: L.Limit | None = None, passed: bool = True,
            quantities: Mapping[str, float] | None = None, photos: Sequence[PreparedPhoto] = ()) -> Problem:
    """Do ``verb`` to a problem as ``actor`` (``rules.problem_actions`` decides whether they may).

    ``text`` is the note, reason or opinion the verb needs; ``days`` the 延期 (working days) or 挂账
    (calendar days) asked for; ``decision`` the leader's 协调解决/转创卫办; ``unit_id`` the unit 改派
    hands it to; ``quantities`` what a 办结 adds to the 台账 (kept in the history row's detail) and
    ``photos`` its pictures (stored already by ``services.tasks.prepare_photo``; attached as 整改后).
    """
    p = get_problem(session, campaign=ctx.campaign, problem_id=problem_id, lock=True)
    holders = ctx.holders(now=now, segment_ids=[p.segment_id])
    s = standing(session, ctx, p, actor, holders)
    if not _visible(actor, p, holders, s):
        raise NotFound(f"找不到问题 {problem_id}", log_detail=f"problem {problem_id} not visible to {actor.name}")
    R.check(verb, s)
    if verb == V.OPINION:
        return _opinion(session, ctx, p, holders, actor, now, text, decision)
    if verb == V.SUPERVISE:
        return _supervise(session, ctx, p, holders, actor, now, text)
    until = None
    if verb == V.EXTENSION:
        most = _extension_days(ctx)
        if days is None or not 1 <= days <= most:
            raise InvalidInput(texts.DAYS_OUT_OF_RANGE.format(most=most))
        until = _until_days(ctx, max(p.level_deadline or now, now), days)
    elif verb == V.HOLD:
        if days is None or not 1 <= days <= HOLD_MAX_DAYS:
            raise InvalidInput(texts.HOLD_DAYS_OUT_OF_RANGE.format(most=HOLD_MAX_DAYS))
        until = ctx.calendar.close_of_business((now.astimezone(ctx.calendar.tz) + dt.timedelta(days=days)).date())
    elif verb == V.ASSIGN and unit_id is None:
        raise InvalidInput(texts.ASSIGN_UNIT_MISSING)
    before = p.version
    if verb == V.RESOLVE and s.level == L.LEADER and s.by == L.BY_LEAD:
        # 协调办结: the lead department files the leader's level (it holds it with the leader)
        _run(session, ctx, p, holders, actor, now, L.Command(L.C_RESOLVE, L.BY_HOLDER, text))
    else:
        act(session, ctx=ctx, problem_id=p.id, kind=COMMAND[verb], actor=actor, now=now, reason=text, until=until,
            passed=passed, unit_id=unit_id, limit=limit)
    if verb == V.RESOLVE and (quantities or photos) and p.version != before:
        last = session.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == p.id)
                               .order_by(ProblemEvent.id.desc()).limit(1)).one()
        saved = [save_photo(session, campaign_id=ctx.id, prepared=x, now=now) for x in photos]
        session.flush()
        session.add_all(Attachment(photo_id=x.id, owner_type=PROBLEM, owner_id=p.id, role=AFTER) for x in saved)
        last.detail = {**(last.detail or {}), **({"quantities": dict(quantities)} if quantities else {}),
                       **({"photos": [x.id for x in saved]} if saved else {})}
    return p


def _run(session: Session, ctx: CampaignContext, p: Problem, holders: Holders, actor: Principal,
         now: dt.datetime, command: L.Command) -> None:
    """Decide and apply one ladder command given on the holder's behalf."""
    pol = ctx.policy
    facts = holders.facts(p.segment_id, leader_opinion=p.level == L.LEADER and _leader_signed(session, p))
    state = L.ProblemState(p.status, p.level, p.level_since, p.level_deadline, p.on_hold_until,
                           p.assigned_at is not None, p.resolved_level)
    for action in L.decide(pol.coordination, state, command, facts, now, pol.calendar):
        _apply(session, ctx, pol, holders, p, action, actor, now, None, None, facts)


def _opinion(session: Session, ctx: CampaignContext, p: Problem, holders: Holders, actor: Principal,
             now: dt.datetime, text: str, decision: OpinionDecision | None) -> Problem:
    """签署意见: the opinion and its decision in the history; the lead department is told what to do next."""
    opinion = text.strip()
    if not opinion:
        raise InvalidInput("签署意见必须填写意见")
    if decision is None:
        decision = OpinionDecision.TO_OFFICE if p.level == L.LEADER else OpinionDecision.COORDINATE
    if decision not in tuple(OpinionDecision):
        raise InvalidInput(texts.DECISION_UNKNOWN)
    p.version += 1
    session.add(ProblemEvent(problem_id=p.id, at=now, actor=actor.name, user_id=actor.user_id, action=L.OPINION,
                             from_level=p.level, to_level=None, reason=None, opinion=opinion,
                             detail={"decision": str(decision)}))
    session.flush()
    record(session, campaign_id=ctx.id, action=f"problem.{L.OPINION}", object_type="problem", object_id=p.id,
           now=now, actor=actor.name, user_id=actor.user_id, detail={"level": p.level, "decision": str(decision)})
    lead = holders.assignment(p.segment_id)
    if lead is not None:
        holders.load_segment_names(session, [p.segment_id])
        values = {"title": p.title, "segment": holders.segment_name(p.segment_id), "leader": actor.name,
                  "opinion": opinion}
        enqueue(session, ctx=ctx, recipients=[("unit", lead[0])], template="problem",
                payload={"title": texts.OPINION_TITLE[decision].format(**values),
                         "body": texts.OPINION_BODY[decision].format(**values), "problem_id": p.id,
                         "level": p.level, "action": L.OPINION, "link": problem_path(p.id)},
                key_parts=("problem", p.id, p.version), now=now)
    return p


def _supervise(session: Session, ctx: CampaignContext, p: Problem, holders: Holders, actor: Principal,
               now: dt.datetime, text: str) -> Problem:
    """督办 by 创卫办: an accountability step on the problem and a notice to whoever holds it."""
    reason = text.strip()
    if not reason:
        raise InvalidInput("督办必须写明督办要求")
    p.acc_stage, p.acc_at, p.version = max(p.acc_stage, AccStage.SUPERVISED), now, p.version + 1
    session.add(AccountabilityStep(campaign_id=ctx.id, object_type=PROBLEM, object_id=p.id,
                                   stage=AccStage.SUPERVISED, at=now, unit_id=p.holder_unit_id,
                                   detail={"by": actor.name, "reason": reason, "stage_text":
                                           STAGE_TEXT.get(AccStage.SUPERVISED)}))
    session.flush()
    record(session, campaign_id=ctx.id, action="problem.supervise", object_type="problem", object_id=p.id,
           now=now, actor=actor.name, user_id=actor.user_id, detail={"reason": reason})
    holders.load_segment_names(session, [p.segment_id])
    values: dict[str, Any] = {"title": p.title, "segment": holders.segment_name(p.segment_id), "reason": reason,
                              "holder": holders.holder_name(p.holder_unit_id, p.holder_leader_id),
                              "deadline": local_text(p.level_deadline, ctx.calendar)}
    who = [("leader", p.holder_leader_id)] if p.holder_leader_id else []
    if p.holder_unit_id and p.holder_unit_id != holders.office_unit_id:
        who.append(("unit", p.holder_unit_id))
    enqueue(session, ctx=ctx, recipients=who, template="problem",
            payload={"title": texts.SUPERVISE_TITLE.format(**values), "body": texts.SUPERVISE_BODY.format(**values),
                     "problem_id": p.id, "level": p.level, "action": "supervise", "link": problem_path(p.id)},
            key_parts=("problem", p.id, p.version), now=now)
    return p


def unit_named(session: Session, *, ctx: CampaignContext, name_or_id: str) -> int:
    """The id of a unit of the campaign given by id or name (改派 targets)."""
    q = select(Unit.id).where(Unit.campaign_id == ctx.id)
    found = session.scalar(q.where(Unit.id == int(name_or_id)) if name_or_id.isdigit() else q.where(
        Unit.name == name_or_id.strip()))
    if found is None:
        raise InvalidInput(texts.ASSIGN_UNIT_MISSING)
    return found
