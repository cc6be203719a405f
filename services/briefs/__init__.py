"""Briefs (创卫简报): gathering one issue's numbers, composing it once as blocks, rendering HTML, Word and PNG maps atomically, numbering issues (第N期) and announcing them.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.briefs.issues import (
    BriefRow,
    due_week,
    list_briefs,
    reserve,
    write_issue,
)
from services.briefs.texts import (
    moment,
    number,
)

__all__ = [
    "BriefRow",
    "due_week",
    "list_briefs",
    "moment",
    "number",
    "reserve",
    "write_issue",
]
