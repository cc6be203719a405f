"""JSON shapes of the problem API (问题办理): request bodies of each action and the problem as returned."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from rules.vocabulary import OpinionDecision
from services.escalation import ActionableRow, ProblemRow, ProblemStep, ProblemView
from web.templating import moment
from web.text import PROBLEM_STATUS, verb_label

Text = Annotated[str, StringConstraints(max_length=2000)]
Name = Annotated[str, StringConstraints(max_length=40)]
Quantity = Annotated[int, Field(ge=0, le=1_000_000)]


class ResolveIn(BaseModel):
    """办结 (牵头部门在县级领导层级为协调办结)."""

    note: Text = Field(description="处理情况（必填）")
    quantities: dict[Name, Quantity] | None = Field(
        default=None, max_length=20, description="记入台账的数量（可选），如 {\"清理垃圾（处）\": 3}")


class EscalateIn(BaseModel):
    """上报：参与单位需协调的，报牵头部门；牵头部门连同本单位意见报县级领导；县级领导层级由牵头部门连同领导意见报创卫办。"""

    reason: Text = Field(description="上报理由；牵头部门上报时即本单位意见（必填）")


class ReturnIn(BaseModel):
    """退单：非本单位职责的，在退单时限内退回创卫办改派。"""

    reason: Text = Field(description="退单理由（必填）")


class ExtensionIn(BaseModel):
    """申请延期：由上一级审批。"""

    days: int = Field(ge=1, le=30, description="延期的工作日数（不超过活动规定的最长延期）")
    reason: Text = Field(description="理由（必填）")


class OpinionIn(BaseModel):
    """签署意见（包段县级领导）：意见与处理决定。"""

    opinion: Text = Field(description="意见（必填）")
    decision: OpinionDecision = Field(default=OpinionDecision.TO_OFFICE,
                                      description="协调解决：由牵头部门按意见协调办结；转创卫办：由牵头部门连同意见报创卫办")


class DecideIn(BaseModel):
    """审批延期、挂账申请。"""

    reason: Text = Field(default="", description="说明（不予批准时必填）")


class AssignIn(BaseModel):
    """改派（创卫办）。"""

    unit: Name = Field(description="承办单位名称或编号")
    days: int | None = Field(default=None, ge=1, le=60, description="办理时限（工作日，默认创卫办层级时限）")
    reason: Text = Field(default="", description="交办说明")


class HoldIn(BaseModel):
    """挂账（创卫办）。"""

    days: int = Field(ge=1, le=365, description="挂账天数")
    reason: Text = Field(description="理由（必填）")


class SuperviseIn(BaseModel):
    """督办（创卫办）。"""

    reason: Text = Field(description="督办要求（必填）")


class VerifyIn(BaseModel):
    """核实办结情况（创卫办）。"""

    passed: bool = Field(description="通过则销号，不通过则返工")
    note: Text = Field(default="", description="核实说明（不通过时必填）")


class ActionOut(BaseModel):
    action: str = Field(description="POST /api/problems/{id}/{action} 的 action")
    label: str = Field(description="按钮名称")


class ProblemItemOut(BaseModel):
    id: int
    title: str
    segment: str | None
    level: str = Field(description="所在层级：参与单位 / 牵头部门 / 县级领导 / 创卫办")
    holder: str
    status: str
    status_text: str
    deadline: dt.datetime | None
    deadline_text: str = Field(description="办理期限，如 2025年1月8日18时")
    overdue: bool
    on_hold_until: dt.datetime | None
    actions: list[ActionOut] = Field(description="当前用户现在可以做的操作")


class StepOut(BaseModel):
    at: dt.datetime
    at_text: str
    actor: str
    action: str
    action_text: str
    from_level: str | None
    to_level: str | None
    reason: str | None
    opinion: str | None
    decision: str | None = Field(description="县级领导签署意见时的处理决定")


class RequestOut(BaseModel):
    id: int
    kind: str
    until: dt.datetime
    until_text: str
    state: str
    approver: str
    reason: str
    requested_by: str


class ProblemOut(ProblemItemOut):
    description: str
    segment_name: str
    lead: str | None = Field(description="包段牵头部门")
    leader: str | None = Field(description="包段县级领导")
    opinions: list[StepOut] = Field(description="逐级签署、随问题上报的全部意见")
    history: list[StepOut] = Field(description="办理记录（时间顺序）")
    requests: list[RequestOut]
    supervised: bool


def _time(t: dt.datetime | None) -> str:
    return moment(t)


def _actions(verbs: Any, level: str) -> list[ActionOut]:
    return [ActionOut(action=str(v), label=verb_label(v, level)) for v in verbs]


def item_dict(row: ProblemRow, verbs: Any) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "segment": row.segment, "level": row.level, "holder": row.holder,
            "status": row.status, "status_text": PROBLEM_STATUS.get(row.status, row.status),
            "deadline": row.deadline, "deadline_text": _time(row.deadline), "overdue": row.overdue,
            "on_hold_until": row.on_hold_until, "actions": _actions(verbs, row.level)}


def actionable_dict(a: ActionableRow) -> dict[str, Any]:
    return item_dict(a.row, a.verbs)


def step_dict(e: ProblemStep) -> dict[str, Any]:
    return {"at": e.at, "at_text": _time(e.at), "actor": e.actor, "action": e.action, "action_text": e.action_text,
            "from_level": e.from_level, "to_level": e.to_level, "reason": e.reason, "opinion": e.opinion,
            "decision": (e.detail or {}).get("decision")}


def problem_dict(v: ProblemView) -> dict[str, Any]:
    d = v.detail
    return {**item_dict(d.row, v.verbs), "description": d.description, "segment_name": v.segment_name,
            "lead": v.lead, "leader": v.leader, "opinions": [step_dict(e) for e in v.opinions],
            "history": [step_dict(e) for e in d.history], "supervised": v.supervised,
            "requests": [{"id": r.id, "kind": r.kind, "until": r.until, "until_text": _time(r.until),
                          "state": r.state, "approver": r.approver, "reason": r.reason,
                          "requested_by": r.requested_by} for r in d.requests]}
