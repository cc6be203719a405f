"""Flows that drive the phases: ``advance_phases`` (daily) and ``instantiate_recurring_tasks``."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.runtime import campaign_codes, context, database, resolve_now, step
from services.campaigns import advance_phases as advance_service
from services.campaigns import instantiate_recurring


@step("advance-phases-batch")
def advance_batch(campaign: str, now_iso: str, confirm: bool = False, actor: str | None = None) -> dict[str, Any]:
    """One campaign's due transitions and their tasks, in one unit of work."""
    with database().unit_of_work() as s:
        report = advance_service(s, ctx=context(s, campaign), now=resolve_now(now_iso),
                                 confirm=confirm, actor=actor)
    return report.as_dict()


@step("instantiate-recurring-batch")
def recurring_batch(campaign: str, now_iso: str) -> dict[str, Any]:
    with database().unit_of_work() as s:
        created = instantiate_recurring(s, ctx=context(s, campaign), now=resolve_now(now_iso))
    return {"campaign": campaign, "tasks_created": created}


@flow(name="advance-phases", log_prints=False)
def advance_phases(campaign: str | None = None, now: str | None = None, confirm: bool = False,
                   actor: str | None = None) -> list[dict[str, Any]]:
    """转段: transition every campaign whose phase boundary has passed, and create its tasks."""
    now_iso = resolve_now(now).isoformat()
    return [advance_batch(code, now_iso, confirm, actor) for code in campaign_codes(campaign)]


@flow(name="instantiate-recurring-tasks", log_prints=False)
def instantiate_recurring_tasks(campaign: str | None = None, now: str | None = None) -> list[dict[str, Any]]:
    """Create this week's and this month's recurring tasks of every open phase."""
    now_iso = resolve_now(now).isoformat()
    return [recurring_batch(code, now_iso) for code in campaign_codes(campaign)]
