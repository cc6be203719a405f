"""Who may do what to a problem at which level (问题办理权限): the one rule the pages, the API and the CLI use.

The seed's procedure, as a table. A participating unit (or functional department) holding a problem
may 办结, 上报 (需协调) to its lead department, 退单 to 创卫办 and 申请延期. The lead department holding
it may 协调办结, 上报 to the county leader with its opinion, 退单 and 申请延期; it approves or refuses its
participating units' 延期. At the county leader's level the leader 签署意见 (协调解决 or 转创卫办) and the
lead department carries it: 协调办结, or 上报 to 创卫办 with the leader's opinion. 创卫办 may 办结, sign
an opinion, approve, 改派, 挂账, 督办 and 核实 at any level.

``refusal`` answers why a person may not (a ``Forbidden`` for the wrong role or level, a ``Conflict``
when the problem's state does not allow it now); ``allowed`` lists what they may do, for the buttons.
The ladder itself (``rules.ladders``) still decides what each command does.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.errors import Conflict, DomainError, Forbidden
from rules.ladders import BY_HOLDER, BY_LEAD, BY_LEADER, BY_OFFICE, LEAD, LEADER, MEMBER, OFFICE, OPEN, RESOLVED
from rules.vocabulary import ProblemVerb

V = ProblemVerb
ALL_LEVELS = frozenset({MEMBER, LEAD, LEADER, OFFICE})


@dataclass(frozen=True)
class Standing:
    """A problem as the rule sees it, and the person asking.

    ``by`` is the person's relation to the problem (``rules.ladders.BY_*``: the holder, the segment's
    lead department or county leader, 创卫办, anyone else); ``approver`` the level that decides the
    pending request, if there is one.
    """

    level: str
    status: str
    by: str
    assigned: bool = False  # 创卫办 assigned (改派) it to the holder
    pending: str | None = None  # kind of the open 延期/挂账 request
    approver: str | None = None
    leader_signed: bool = False  # the county leader signed an opinion at the current level


#: who may give each command at which levels: (levels, relations) pairs, any of which grants it
GRANTS: dict[ProblemVerb, tuple[tuple[frozenset[str], frozenset[str]], ...]] = {
    V.RESOLVE: ((frozenset({MEMBER, LEAD, OFFICE}), frozenset({BY_HOLDER})),
                (frozenset({LEADER}), frozenset({BY_LEAD})),
                (ALL_LEVELS, frozenset({BY_OFFICE}))),
    V.ESCALATE: ((frozenset({MEMBER, LEAD}), frozenset({BY_HOLDER})),
                 (frozenset({LEADER}), frozenset({BY_LEAD}))),
    V.RETURN: ((frozenset({MEMBER, LEAD, OFFICE}), frozenset({BY_HOLDER})),),
    V.EXTENSION: ((frozenset({MEMBER, LEAD, OFFICE}), frozenset({BY_HOLDER})),),
    V.OPINION: ((frozenset({LEADER}), frozenset({BY_HOLDER, BY_LEADER})),
                (ALL_LEVELS, frozenset({BY_OFFICE}))),
    V.APPROVE: ((ALL_LEVELS, frozenset({BY_HOLDER, BY_LEAD, BY_LEADER, BY_OFFICE})),),
    V.REJECT: ((ALL_LEVELS, frozenset({BY_HOLDER, BY_LEAD, BY_LEADER, BY_OFFICE})),),
    V.ASSIGN: ((ALL_LEVELS, frozenset({BY_OFFICE})),),
    V.HOLD: ((ALL_LEVELS, frozenset({BY_OFFICE})),),
    V.SUPERVISE: ((ALL_LEVELS, frozenset({BY_OFFICE})),),
    V.VERIFY: ((ALL_LEVELS, frozenset({BY_OFFICE})),),
}

#: why the wrong role or level may not (Chinese, shown as the 403's message)
FORBIDDEN_TEXT: dict[ProblemVerb, str] = {
    V.RESOLVE: "只有当前承办单位、包段牵头部门（县级领导层级协调办结）或创卫办可以办结该问题",
    V.ESCALATE: "只有当前承办单位可以上报；县级领导层级的问题由牵头部门连同领导意见报创卫办",
    V.RETURN: "只有当前承办单位可以退单（县级领导层级不能退单）",
    V.EXTENSION: "只有当前承办单位可以申请延期",
    V.OPINION: "签署意见由包段县级领导在县级领导层级办理，参与单位和牵头部门不能签署",
    V.APPROVE: "该申请应由上一级审批",
    V.REJECT: "该申请应由上一级审批",
    V.ASSIGN: "只有创卫办可以改派",
    V.HOLD: "只有创卫办可以挂账",
    V.SUPERVISE: "只有创卫办可以督办",
    V.VERIFY: "办结情况由创卫办核实",
}

#: the relation that decides a request approved at each level
DECIDER: dict[str, str] = {LEAD: BY_LEAD, LEADER: BY_LEADER, OFFICE: BY_OFFICE}


def _granted(verb: ProblemVerb, s: Standing) -> bool:
    return any(s.level in levels and s.by in bys for levels, bys in GRANTS[verb])


def refusal(verb: ProblemVerb, s: Standing) -> DomainError | None:
    """Why ``s.by`` may not ``verb`` this problem now (None: they may)."""
    if not _granted(verb, s):
        return Forbidden(FORBIDDEN_TEXT[verb], log_detail=f"{verb} refused to {s.by} at level {s.level}")
    if verb in (V.APPROVE, V.REJECT):
        if s.pending is None:
            return Conflict("该问题没有待审批的延期或挂账申请")
        if s.by != BY_OFFICE and DECIDER.get(s.approver or OFFICE) != s.by:
            return Forbidden(f"该{s.pending}申请应由{s.approver or OFFICE}审批",
                             log_detail=f"{verb} by {s.by}, approver is {s.approver}")
        return None
    if verb == V.VERIFY:
        return None if s.status == RESOLVED else Conflict("只有已办结、待核实的问题可以核实")
    if s.status != OPEN:
        return Conflict("该问题已办结或已销号，不能再办理")
    if verb in (V.RETURN, V.EXTENSION) and s.level == OFFICE and not s.assigned:
        return Forbidden(FORBIDDEN_TEXT[verb], log_detail=f"{verb} at the top, not assigned")
    if verb == V.EXTENSION and s.pending:
        return Conflict(f"该问题已有待审批的{s.pending}申请")
    if verb == V.ESCALATE and s.level == LEADER and not s.leader_signed:
        return Conflict("包段县级领导尚未签署意见；领导签署后由牵头部门报创卫办，领导逾期未签署的由系统代为上报并注明")
    return None


def check(verb: ProblemVerb, s: Standing) -> None:
    """Raise the refusal, if any."""
    error = refusal(verb, s)
    if error is not None:
        raise error


def allowed(s: Standing) -> tuple[ProblemVerb, ...]:
    """What this person may do to the problem now, in the order the buttons show."""
    return tuple(v for v in ProblemVerb if refusal(v, s) is None)
