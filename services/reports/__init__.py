"""Reports (公文): the documents the office issues besides the weekly brief — the 督查通报 of a
published inspection round and the 阶段总结 of a sub-phase with its 台账 annex.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.reports.circular import (
    CircularFiles,
    due_circulars,
    issue_circular,
)
from services.reports.stage import (
    Quantity,
    StageFiles,
    write_stage_summary,
)

__all__ = [
    "CircularFiles",
    "Quantity",
    "StageFiles",
    "due_circulars",
    "issue_circular",
    "write_stage_summary",
]
