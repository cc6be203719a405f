"""Briefs (创卫简报): gathering one issue's numbers, composing it once as blocks (工作动态, 总体进展, 督查通报, 红榜与黑榜, 曝光台, 各路段任务进度, 整改台账, 下步工作), drafts the office edits before 签发, rendering HTML, Word and PNG maps atomically, numbering issues (第N期) and announcing them; the monthly 达标准备情况专刊 (the national standard's readiness view).

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.briefs.issues import (
    NARRATIVE_SECTIONS,
    BriefRow,
    DraftBrief,
    draft_brief,
    due_week,
    edit_brief,
    get_weekly,
    list_briefs,
    pending_draft,
    reserve,
    write_issue,
)
from services.briefs.readiness import (
    due_readiness,
    reserve_readiness,
)
from services.briefs.texts import (
    moment,
    number,
)

__all__ = [
    "NARRATIVE_SECTIONS",
    "BriefRow",
    "DraftBrief",
    "draft_brief",
    "due_readiness",
    "due_week",
    "edit_brief",
    "get_weekly",
    "pending_draft",
    "list_briefs",
    "moment",
    "number",
    "reserve",
    "reserve_readiness",
    "write_issue",
]
