"""模拟暗访 (a rehearsal of the national unannounced inspection): sampling places by type scaled by the campaign's size, the route and its map, an unannounced inspection round whose findings are the rehearsal's deductions, and the scored report (HTML/DOCX) by area, place type, segment and unit.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.rehearsal.plan import (
    PlanPoint,
    RehearsalPlan,
    get_rehearsal,
    plan_rehearsal,
)
from services.rehearsal.report import (
    RehearsalReport,
    score_rehearsal,
    write_report,
    write_route_map,
)

__all__ = [
    "PlanPoint",
    "RehearsalPlan",
    "RehearsalReport",
    "get_rehearsal",
    "plan_rehearsal",
    "score_rehearsal",
    "write_report",
    "write_route_map",
]
