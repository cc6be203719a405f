"""Escalation (上报与督办): the campaign's two ladders as values and who holds a problem at each level; problems raised, resolved, returned, escalated with opinions, 延期 and 挂账; the scheduled sweep that applies both ladders; 督办单 numbering and sanctions (通报批评、黄牌警告) proposed and confirmed.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.escalation.actions import (
    ActionableRow,
    ProblemView,
    actionable,
    perform,
    problem_path,
    problem_view,
    unit_named,
)
from services.escalation.extensions import (
    RequestRow,
    decide,
    list_requests,
    request,
)
from services.escalation.problems import (
    act,
    raise_problem,
)
from services.escalation.queries import (
    AccountabilityEntry,
    ProblemDetail,
    ProblemRequest,
    ProblemRow,
    ProblemStep,
    list_problems,
    principal_for,
    problem_detail,
)
from services.escalation.sanctions import (
    NoticeRow,
    SanctionRow,
    confirm,
    dismiss,
    list_notices,
    list_sanctions,
)
from services.escalation.sweep import (
    PASSES,
    sweep_batch,
)
from services.escalation.sweep_io import BATCH

__all__ = [
    "AccountabilityEntry",
    "ActionableRow",
    "ProblemView",
    "actionable",
    "perform",
    "problem_path",
    "problem_view",
    "unit_named",
    "NoticeRow",
    "BATCH",
    "PASSES",
    "ProblemDetail",
    "ProblemRequest",
    "ProblemRow",
    "ProblemStep",
    "RequestRow",
    "SanctionRow",
    "act",
    "confirm",
    "decide",
    "dismiss",
    "list_notices",
    "list_problems",
    "list_requests",
    "list_sanctions",
    "principal_for",
    "problem_detail",
    "raise_problem",
    "request",
    "sweep_batch",
]
