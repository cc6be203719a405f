"""JSON API of the four-step procedure: my problems, one problem with its history and opinions, and the actions.

``POST /api/problems/{id}/{action}`` does what the problem's page buttons do; who may do what at which
level is ``rules.problem_actions`` (a wrong role or level answers 403 with the reason in Chinese).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from rules import ladders as L
from rules.vocabulary import ProblemLevel, ProblemVerb
from services.escalation import actionable, perform, problem_view, unit_named
from services.people import Principal
from web.api.problem_schemas import (
    AssignIn,
    DecideIn,
    EscalateIn,
    ExtensionIn,
    HoldIn,
    OpinionIn,
    ProblemItemOut,
    ProblemOut,
    ResolveIn,
    ReturnIn,
    SuperviseIn,
    VerifyIn,
    actionable_dict,
    problem_dict,
)
from web.api.schemas import CONFLICT, ERRORS
from web.deps import AppServices, campaign_context, current_user, services

router = APIRouter(prefix="/api/problems", tags=["问题办理"], responses={**ERRORS, **CONFLICT})
ProblemId = Path(ge=1, le=2**31 - 1, description="问题编号")
V = ProblemVerb


@router.get("", response_model=list[ProblemItemOut], summary="我可以办理的问题（按层级）")
def my_problems(level: ProblemLevel | None = Query(None, description="只看这一层级"),
                limit: int = Query(200, ge=1, le=1000, description="最多返回条数（先提出的在前）"),
                me: Principal = Depends(current_user), app: AppServices = Depends(services)) -> list[dict[str, Any]]:
    with app.db.reader() as s:
        rows = actionable(s, ctx=campaign_context(s, me, app), actor=me, now=app.clock(), level=level, limit=limit)
    return [actionable_dict(r) for r in rows]


@router.get("/{problem_id}", response_model=ProblemOut, summary="问题详情：办理记录与逐级意见")
def problem(problem_id: int = ProblemId, me: Principal = Depends(current_user),
            app: AppServices = Depends(services)) -> dict[str, Any]:
    with app.db.reader() as s:
        return problem_dict(problem_view(s, ctx=campaign_context(s, me, app), problem_id=problem_id, actor=me,
                                         now=app.clock()))


def _do(app: AppServices, me: Principal, problem_id: int, verb: ProblemVerb, **kw: Any) -> dict[str, Any]:
    """One action in one unit of work, then the problem as the actor now sees it."""
    with app.db.unit_of_work() as s:
        ctx = campaign_context(s, me, app)
        if "unit" in kw:
            kw["unit_id"] = unit_named(s, ctx=ctx, name_or_id=kw.pop("unit"))
        perform(s, ctx=ctx, problem_id=problem_id, verb=verb, actor=me, now=app.clock(), **kw)
    with app.db.reader() as s:
        return problem_dict(problem_view(s, ctx=campaign_context(s, me, app), problem_id=problem_id, actor=me,
                                         now=app.clock()))


def _post(verb: ProblemVerb, summary: str) -> Any:
    return router.post(f"/{{problem_id}}/{verb}", response_model=ProblemOut, summary=summary)


@_post(V.RESOLVE, "办结（牵头部门在县级领导层级为协调办结）")
def resolve(body: ResolveIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
            app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.RESOLVE, text=body.note, quantities=body.quantities)


@_post(V.ESCALATE, "上报（需协调，须说明理由；牵头部门连同意见上报）")
def escalate(body: EscalateIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
             app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.ESCALATE, text=body.reason)


@_post(V.RETURN, "退单（非本单位职责，退单时限内退回创卫办）")
def return_(body: ReturnIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
            app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.RETURN, text=body.reason)


@_post(V.EXTENSION, "申请延期（天数、理由，由上一级审批）")
def extension(body: ExtensionIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
              app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.EXTENSION, text=body.reason, days=body.days)


@_post(V.OPINION, "签署意见（包段县级领导：协调解决或转创卫办）")
def opinion(body: OpinionIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
            app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.OPINION, text=body.opinion, decision=body.decision)


@_post(V.APPROVE, "批准延期或挂账申请")
def approve(body: DecideIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
            app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.APPROVE, text=body.reason)


@_post(V.REJECT, "不予批准延期或挂账申请（须说明理由）")
def reject(body: DecideIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
           app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.REJECT, text=body.reason)


@_post(V.ASSIGN, "改派（创卫办）")
def assign(body: AssignIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
           app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.ASSIGN, text=body.reason, unit=body.unit,
               limit=L.Limit(body.days) if body.days else None)


@_post(V.HOLD, "挂账（创卫办）")
def hold(body: HoldIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
         app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.HOLD, text=body.reason, days=body.days)


@_post(V.SUPERVISE, "督办（创卫办）")
def supervise(body: SuperviseIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
              app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.SUPERVISE, text=body.reason)


@_post(V.VERIFY, "核实办结情况（创卫办）")
def verify(body: VerifyIn, problem_id: int = ProblemId, me: Principal = Depends(current_user),
           app: AppServices = Depends(services)) -> dict[str, Any]:
    return _do(app, me, problem_id, V.VERIFY, text=body.note, passed=body.passed)
