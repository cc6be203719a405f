"""The hourly sweep: both escalation ladders over every campaign, one Prefect task per batch."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.runtime import campaign_codes, context, database, resolve_now, step
from services.escalation import BATCH, PASSES, sweep_batch


@step("sweep-batch")
def batch(campaign: str, name: str, now_iso: str, after_id: int) -> dict[str, Any]:
    """One batch of one pass in its own unit of work (a retry moves nothing twice)."""
    with database().unit_of_work() as s:
        r = sweep_batch(s, ctx=context(s, campaign), name=name, now=resolve_now(now_iso), after_id=after_id,
                        limit=BATCH)
    return {"selected": r.selected, "moved": r.moved, "messages": r.messages, "last_id": r.last_id,
            "by_step": r.by_step}


def _campaign(code: str, now_iso: str) -> dict[str, Any]:
    report: dict[str, Any] = {"campaign": code}
    for name in PASSES:
        moved = messages = after = 0
        by_step: dict[str, int] = {}
        while True:
            r = batch(code, name, now_iso, after)
            if not r["selected"]:
                break
            after = r["last_id"]
            moved += r["moved"]
            messages += r["messages"]
            for k, v in r["by_step"].items():
                by_step[k] = by_step.get(k, 0) + v
            if r["selected"] < BATCH:
                break  # a short batch was the last: no unit of work just to find nothing
        report[name] = {"moved": moved, "messages": messages, "by_step": by_step}
    return report


@flow(name="sweep", log_prints=False)
def sweep(campaign: str | None = None, now: str | None = None) -> list[dict[str, Any]]:
    """督办巡检: escalate problems past their level's limit; remind, notify, supervise and propose sanctions."""
    now_iso = resolve_now(now).isoformat()
    return [_campaign(code, now_iso) for code in campaign_codes(campaign)]
