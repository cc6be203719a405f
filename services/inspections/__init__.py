"""Inspections (督查): planning and publishing rounds (定期、暗访、交叉、领导带队、复查) with the secrecy rule, findings recorded at a point and routed to their segment, 整改 and 复查, citizen complaints (12345), the places to inspect and the rectification ledger (整改台账).

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.inspections.checks import (
    FindingRow,
    expose_finding,
    list_findings,
    reinspect,
    report_rectified,
)
from services.inspections.complaint_import import (
    import_complaints,
)
from services.inspections.complaints import (
    ComplaintRow,
    close_complaint,
    create_complaint,
    list_complaints,
    visit_complaint,
)
from services.inspections.findings import (
    FindingSummary,
    assign_finding,
    describe,
    find_duplicates,
    merge_finding,
    record_finding,
    return_finding,
)
from services.inspections.ledger import (
    LedgerTotal,
    TickQuantity,
    add_finding_quantities,
    export_xlsx,
    tick_categories,
    totals,
)
from services.inspections.office_lists import (
    FindingCard,
    RoutePoint,
    finding_cards,
    route_points,
    withdraw_exposure,
)
from services.inspections.places import (
    import_places,
)
from services.inspections.planning import (
    PlannedRound,
    plan_week,
)
from services.inspections.rounds import (
    Plan,
    PlanStop,
    list_plans,
    office_principal,
    publish_inspection,
    unit_principal,
)
from services.inspections.routing import (
    RouterCache,
)

__all__ = [
    "ComplaintRow",
    "FindingCard",
    "FindingRow",
    "FindingSummary",
    "LedgerTotal",
    "TickQuantity",
    "Plan",
    "PlanStop",
    "PlannedRound",
    "RoutePoint",
    "RouterCache",
    "add_finding_quantities",
    "assign_finding",
    "close_complaint",
    "create_complaint",
    "describe",
    "export_xlsx",
    "expose_finding",
    "find_duplicates",
    "finding_cards",
    "import_complaints",
    "import_places",
    "list_complaints",
    "list_findings",
    "list_plans",
    "merge_finding",
    "office_principal",
    "plan_week",
    "publish_inspection",
    "record_finding",
    "reinspect",
    "report_rectified",
    "return_finding",
    "route_points",
    "tick_categories",
    "totals",
    "unit_principal",
    "visit_complaint",
    "withdraw_exposure",
]
