"""Whether a Prefect server's scheduler is creating the runs of the served deployments.

A deployment on a cron schedule only runs if the server's scheduler service inserts its
scheduled flow runs ahead of time. When that service errors (as Prefect 3.8.8 did on
SQLAlchemy 2.1) the deployments look registered and healthy and nothing ever runs, so
``cw doctor`` and ``cw serve`` look at the runs themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

#: a deployment registered more recently than this may not have its first runs yet
GRACE = dt.timedelta(minutes=2)
#: markers of the scheduler service failing in ``prefect server start``'s log
_SCHEDULER_MARKERS = ("services/scheduler.py", "services.scheduler")


@dataclass(frozen=True)
class DeploymentSchedule:
    """One scheduled deployment and the runs the scheduler made for it."""

    name: str
    created: dt.datetime
    upcoming: int  # auto-scheduled runs still to start
    completed: int  # auto-scheduled runs completed in the last day


@dataclass(frozen=True)
class ScheduleReport:
    deployments: list[DeploymentSchedule]
    now: dt.datetime

    @property
    def starved(self) -> list[DeploymentSchedule]:
        """Deployments old enough to have scheduled runs that have none coming."""
        return [d for d in self.deployments if d.upcoming == 0 and self.now - d.created > GRACE]


def scheduler_error_lines(lines: Iterable[str]) -> list[str]:
    """The lines of a Prefect server log that show its scheduler service failing."""
    return [line.rstrip() for line in lines if any(m in line for m in _SCHEDULER_MARKERS)]


def _time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_schedules(api_url: str, *, now: dt.datetime, client: httpx.Client | None = None) -> ScheduleReport:
    """Ask the Prefect API for active scheduled deployments and their auto-scheduled runs.

    Raises ``httpx.HTTPError`` when the server cannot be asked.
    """
    own = client is None
    http = client or httpx.Client(timeout=10)
    base = api_url.rstrip("/")
    try:
        deps = http.post(f"{base}/deployments/filter", json={"limit": 200}).raise_for_status().json()
        scheduled = [d for d in deps if not d.get("paused") and any(s.get("active") for s in d.get("schedules") or [])]
        result = []
        for d in scheduled:
            body = {"limit": 200, "sort": "EXPECTED_START_TIME_DESC",
                    "deployments": {"id": {"any_": [d["id"]]}},
                    "flow_runs": {"expected_start_time": {"after_": (now - dt.timedelta(days=1)).isoformat()}}}
            runs = [r for r in http.post(f"{base}/flow_runs/filter", json=body).raise_for_status().json()
                    if r.get("auto_scheduled")]
            upcoming = sum(1 for r in runs if r.get("state_type") == "SCHEDULED")
            completed = sum(1 for r in runs if r.get("state_type") == "COMPLETED")
            result.append(DeploymentSchedule(d["name"], _time(d["created"]), upcoming, completed))
    finally:
        if own:
            http.close()
    return ScheduleReport(sorted(result, key=lambda x: x.name), now)
