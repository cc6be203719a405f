"""The domain's closed sets, one enum each, and the one Chinese label of every member.

Values are the strings (or numbers) stored in the database, so a member compares equal to the
stored value (``TaskStatus.OPEN == "open"``) and binds as that value in SQL. Where the stored
value is itself the Chinese word (levels, unit kinds, sanction kinds, inspection kinds, rating
colours), the label is the value. The migration that adds CHECK constraints froze the values
of this module as they were (``0009_vocabulary_checks``); a new member needs a migration too.

``LABELS`` is the only place a label is typed. Each surface (web pages, CLI, notifications,
brief) builds its own table from it with ``surface_table``, overriding a word only where the
surface needs a different one and saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, IntEnum, StrEnum
from typing import Any, TypeVar, overload

#: 创卫办 as an actor, a role and a ladder level: the office that runs the campaign
OFFICE_NAME = "创卫办"


class TaskStatus(StrEnum):
    OPEN = "open"  # 待办
    DONE = "done"  # 已打卡，待核查
    VERIFIED = "verified"  # 已核查销号
    MISSED = "missed"  # 未完成: a recurring task not done by its deadline + grace, closed for its period


class TaskKind(StrEnum):
    PLAN = "plan"  # from a template
    RECTIFY = "rectify"  # 整改, from a finding ("rectification" does not fit task.kind's String(12))


class ProblemLevel(StrEnum):
    """The coordination ladder's levels, lowest first."""

    MEMBER = "参与单位"
    LEAD = "牵头部门"
    LEADER = "县级领导"
    OFFICE = OFFICE_NAME


class ProblemSource(StrEnum):
    """Where a problem came from (``problem.source``)."""

    REPORT = "report"  # raised by a unit
    TASK = "task"  # raised from one of its tasks
    FINDING = "finding"  # a 督查 finding or a complaint, put on the ladder for its rectification


class ProblemStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # 已办结，待创卫办核实
    CLOSED = "closed"


class ProblemAction(StrEnum):
    """A step in a problem's history (``problem_event.action``)."""

    RAISED = "raised"
    ESCALATED = "escalated"
    AUTO_ESCALATED = "auto_escalated"
    RETURNED = "returned"
    RESOLVED = "resolved"
    OPINION = "opinion"
    WITHDRAWN = "withdrawn"
    ASSIGNED = "assigned"
    EXTENSION_REQUESTED = "extension_requested"
    HOLD_REQUESTED = "hold_requested"
    EXTENDED = "extended"
    HELD = "held"
    REQUEST_REJECTED = "request_rejected"
    VERIFIED = "verified"
    REWORK = "rework"


class UnitKind(StrEnum):
    """单位类别 (the campaign file's unit kinds)."""

    OFFICE = OFFICE_NAME
    FUNCTIONAL = "职能部门"
    LEAD = "牵头部门"
    PARTICIPATING = "参与单位"
    TOWN = "乡镇/街道"


class RatingColour(StrEnum):
    """A unit's weekly 评级."""

    GREEN = "绿"
    YELLOW = "黄"
    RED = "红"


class Light(StrEnum):
    """A task card's traffic light (时间进度), never stored."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


class AccStage(IntEnum):
    """An item's place on the accountability ladder (``acc_stage``, ``accountability_step.stage``)."""

    NONE = 0
    REMINDED = 1
    OVERDUE = 2
    SUPERVISED = 3
    CRITICISED = 4  # 通报批评 proposed
    YELLOW_CARD = 5  # 黄牌警告 proposed


class SanctionKind(StrEnum):
    CRITICISM = "通报批评"
    YELLOW_CARD = "黄牌警告"
    INTERVIEW = "约谈"


class SanctionState(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class ProposalStatus(StrEnum):
    """A rating's or commendation's status: proposed by the rules, confirmed by 创卫办."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


class ObjectType(StrEnum):
    """What a sanction, accountability step or request is about."""

    TASK = "task"
    PROBLEM = "problem"
    UNIT = "unit"


class RequestKind(StrEnum):
    EXTENSION = "延期"
    HOLD = "挂账"


class RequestState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProblemVerb(StrEnum):
    """What a person can do to a problem on a page, in the API (``POST /api/problems/{id}/{verb}``) or the CLI."""

    RESOLVE = "resolve"  # 办结 (the lead department's at the leader's level: 协调办结)
    ESCALATE = "escalate"  # 上报 (需协调), reason or opinion required
    RETURN = "return"  # 退单: not our duty, back to 创卫办 within the return window
    EXTENSION = "extension"  # 申请延期
    OPINION = "opinion"  # 签署意见 (county leader)
    APPROVE = "approve"  # 批准延期/挂账
    REJECT = "reject"  # 不予批准
    ASSIGN = "assign"  # 改派 (创卫办)
    HOLD = "hold"  # 挂账 (创卫办)
    SUPERVISE = "supervise"  # 督办 (创卫办)
    VERIFY = "verify"  # 核实 (创卫办)


class OpinionDecision(StrEnum):
    """A county leader's decision with an opinion: coordinate a solution, or have it taken to 创卫办."""

    COORDINATE = "协调解决"
    TO_OFFICE = "转" + OFFICE_NAME


class FindingStatus(StrEnum):
    PENDING = "pending"  # found in an unannounced round that is not published yet
    TRIAGE = "triage"  # outside every segment's buffer, or returned as misrouted
    OPEN = "open"
    RECTIFIED = "rectified"
    CLOSED = "closed"
    MERGED = "merged"


class FindingSource(StrEnum):
    INSPECTION = "督查"
    COMPLAINT = "投诉"


class VisitResult(StrEnum):
    """A complaint's 回访 answer: 满意/基本满意 close it, 不满意 reopens it (重办)."""

    SATISFIED = "满意"
    FAIRLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"


#: the answers that count towards 满意率
SATISFIED_RESULTS = (VisitResult.SATISFIED, VisitResult.FAIRLY_SATISFIED)


class ComplaintStatus(StrEnum):
    OPEN = "open"  # incl. 待回访
    CLOSED = "closed"


class InspectionKind(StrEnum):
    """督查 kinds."""

    REGULAR = "定期"
    UNANNOUNCED = "暗访"
    CROSS = "交叉"
    LEADER_LED = "领导带队"
    RECHECK = "复查"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    MERGED = "merged"  # carried by a digest: delivered when the digest was


class BriefKind(StrEnum):
    WEEKLY = "weekly"
    SPECIAL = "special"


class BriefState(StrEnum):
    DRAFT = "draft"  # 草稿: the office may still edit its narrative
    ISSUED = "issued"  # 已签发: files written and announced


class UserRole(StrEnum):
    OFFICE = "office"  # 创卫办工作人员: sees and does everything
    INSPECTOR = "inspector"  # 督查员: verifies, records findings
    UNIT = "unit"  # 单位联络员: its unit's tasks only
    LEADER = "leader"  # 县级领导: reads their segments, acts on escalations


class TokenKind(StrEnum):
    LINK = "link"  # one-time sign-in link
    SESSION = "session"  # browser session
    API = "api"  # API token


class SegmentKind(StrEnum):
    SEGMENT = "路段"
    ALLEY = "巷道"


class TemplateScope(StrEnum):
    """Who a task template is instantiated for."""

    SEGMENT = "segment"  # each 路段 (owner: its 牵头部门)
    ALLEY = "alley"  # each 巷道 (owner: its parent segment's 牵头部门)
    SEGMENT_UNIT = "segment_unit"  # each (路段, 参与单位) pair
    LEAD_UNIT = "lead_unit"  # each 牵头部门
    PARTICIPATING_UNIT = "participating_unit"  # each 参与单位
    FUNCTIONAL_UNIT = "functional_unit"  # each 职能部门
    TOWN = "town"  # each 乡镇/街道
    UNIT = "unit"  # one named unit


class Recurrence(StrEnum):
    """How often a template's task recurs."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class SelfResult(StrEnum):
    """A national-standard item's 自评 result."""

    MET = "达标"
    MOSTLY_MET = "基本达标"
    NOT_MET = "未达标"


class Pest(StrEnum):
    """病媒生物 monitored against the C-level thresholds (GB/T 27770–27773)."""

    RAT = "鼠"
    MOSQUITO = "蚊"
    FLY = "蝇"
    COCKROACH = "蟑"


#: every closed set, for the completeness checks and the CHECK constraints
VOCABULARY: tuple[type[Enum], ...] = (
    TaskStatus, TaskKind, ProblemLevel, ProblemSource, ProblemStatus, ProblemAction, UnitKind, RatingColour, Light,
    AccStage, SanctionKind, SanctionState, ProposalStatus, ObjectType, RequestKind, RequestState, FindingSource,
    FindingStatus, VisitResult, ComplaintStatus, InspectionKind, OutboxState, BriefKind, BriefState, UserRole, TokenKind,
    SegmentKind, TemplateScope, Recurrence, ProblemVerb, OpinionDecision,
    SelfResult, Pest,
)

#: enums whose stored value is the Chinese word itself
_SELF_LABELLED: tuple[type[StrEnum], ...] = (ProblemLevel, UnitKind, RatingColour, SanctionKind, RequestKind,
                                             InspectionKind, FindingSource, VisitResult, SegmentKind,
                                             OpinionDecision, SelfResult, Pest)

_TYPED: dict[type[Enum], dict[str | int, str]] = {
    TaskStatus: {"open": "待办", "done": "已打卡待核查", "verified": "已核查销号", "missed": "未完成"},
    TaskKind: {"plan": "计划任务", "rectify": "整改任务"},
    ProblemSource: {"report": "单位提出", "task": "任务中提出", "finding": "督查或投诉发现"},
    ProblemStatus: {"open": "办理中", "resolved": "已办结待核实", "closed": "已销号"},
    ProblemAction: {
        "raised": "提出", "escalated": "上报", "auto_escalated": "超时自动上报", "returned": "退回下级",
        "resolved": "办结", "opinion": "签署意见", "withdrawn": "退单", "assigned": "交办（改派）",
        "extension_requested": "申请延期", "hold_requested": "申请挂账", "extended": "批准延期", "held": "挂账",
        "request_rejected": "申请未获批准", "verified": "核实销号", "rework": "核实不通过，返工"},
    Light: {"green": "正常", "yellow": "临期", "red": "逾期", "grey": "已打卡"},
    AccStage: {0: "无", 1: "已提醒", 2: "已发逾期通知", 3: "已督办", 4: "拟通报批评", 5: "拟黄牌警告"},
    SanctionState: {"proposed": "待确认", "confirmed": "已确认发布", "dismissed": "已撤销"},
    ProposalStatus: {"proposed": "待确认", "confirmed": "已确认"},
    ObjectType: {"task": "任务", "problem": "问题", "unit": "单位"},
    RequestState: {"pending": "待审批", "approved": "已批准", "rejected": "未获批准"},
    FindingStatus: {"pending": "待通报", "triage": "待分派", "open": "整改中", "rectified": "已整改待复查",
                    "closed": "已销号", "merged": "已合并"},
    ComplaintStatus: {"open": "办理中", "closed": "已办结"},
    OutboxState: {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "发送失败",
                  "merged": "已并入汇总"},
    BriefKind: {"weekly": "周报", "special": "专刊"},
    BriefState: {"draft": "草稿", "issued": "已签发"},
    UserRole: {"office": OFFICE_NAME, "inspector": "督查员", "unit": "单位联络员", "leader": "县级领导"},
    TokenKind: {"link": "登录链接", "session": "浏览器会话", "api": "接口令牌"},
    TemplateScope: {"segment": "每个路段", "alley": "每条巷道", "segment_unit": "每个路段的每个参与单位",
                    "lead_unit": "每个牵头部门", "participating_unit": "每个参与单位",
                    "functional_unit": "每个职能部门", "town": "每个乡镇/街道", "unit": "指定单位"},
    Recurrence: {"once": "一次性", "weekly": "每周", "monthly": "每月"},
    ProblemVerb: {"resolve": "办结", "escalate": "上报", "return": "退单", "extension": "申请延期",
                  "opinion": "签署意见", "approve": "批准", "reject": "不予批准", "assign": "改派", "hold": "挂账",
                  "supervise": "督办", "verify": "核实"},
}

#: the one Chinese label of every member of every closed set, one table per enum (members of
#: different enums may share a stored value, e.g. "open", so they never share a table)
LABELS: Mapping[type[Enum], Mapping[Any, str]] = {
    e: {m: m.value if e in _SELF_LABELLED else _TYPED[e][m.value] for m in e} for e in VOCABULARY}


def label(member: Enum) -> str:
    """The Chinese label of a member."""
    return LABELS[type(member)][member]


S = TypeVar("S", bound=StrEnum)
N = TypeVar("N", bound=IntEnum)


@overload
def surface_table(enum: type[S], overrides: Mapping[S, str] | None = None) -> dict[str, str]: ...
@overload
def surface_table(enum: type[N], overrides: Mapping[N, str] | None = None) -> dict[int, str]: ...
def surface_table(enum: type[Enum], overrides: Mapping[Any, str] | None = None) -> dict[Any, str]:
    """A surface's complete label table for ``enum``: ``LABELS`` with the surface's own words.

    Keyed by member, so it is looked up by the stored value too (``table["open"]`` finds
    ``TaskStatus.OPEN``: a member hashes and compares as its value).
    """
    extra = dict(overrides or {})
    foreign = [k for k in extra if not isinstance(k, enum)]
    if foreign:
        raise ValueError(f"overrides for {enum.__name__} name other members: {foreign}")
    return {m: extra.get(m, LABELS[enum][m]) for m in enum}


def values(enum: type[Enum]) -> tuple[str | int, ...]:
    """The stored values of ``enum``, in declaration order."""
    return tuple(m.value for m in enum)
