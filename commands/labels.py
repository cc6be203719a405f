"""The Chinese labels of the closed sets the ``cw`` commands print, generated from ``rules.vocabulary``."""

from __future__ import annotations

from enum import Enum
from typing import Any

from rules.vocabulary import (
    AccStage,
    BriefKind,
    FindingStatus,
    OutboxState,
    ProblemAction,
    ProblemStatus,
    ProposalStatus,
    TaskStatus,
    UserRole,
    surface_table,
)

ROLE = surface_table(UserRole)
TASK_STATUS = surface_table(TaskStatus)
PROBLEM_STATUS = surface_table(ProblemStatus)
PROBLEM_ACTION = surface_table(ProblemAction)
ACC_STAGE = surface_table(AccStage)
FINDING_STATUS = surface_table(FindingStatus)
OUTBOX_STATE = surface_table(OutboxState)
BRIEF_KIND = surface_table(BriefKind)
PROPOSAL_STATUS = surface_table(ProposalStatus)

#: every table above by its closed set, for the completeness test
TABLES: dict[type[Enum], dict[Any, str]] = {
    UserRole: ROLE, TaskStatus: TASK_STATUS, ProblemStatus: PROBLEM_STATUS, ProblemAction: PROBLEM_ACTION,
    AccStage: ACC_STAGE, FindingStatus: FINDING_STATUS, OutboxState: OUTBOX_STATE, BriefKind: BRIEF_KIND,
    ProposalStatus: PROPOSAL_STATUS,
}
