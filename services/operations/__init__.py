"""Operations (运维): cw doctor's checks (database, calendar, targets, the Prefect server and its scheduler), copying campaigns between databases.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.operations.db_copy import (
    copy_campaigns,
)
from services.operations.doctor import (
    ERROR,
    NOTE,
    run_doctor,
)
from services.operations.schedule_health import (
    read_schedules,
    scheduler_error_lines,
)

__all__ = [
    "ERROR",
    "NOTE",
    "copy_campaigns",
    "read_schedules",
    "run_doctor",
    "scheduler_error_lines",
]
