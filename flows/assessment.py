"""考核 proposals: Monday 05:30, last week's ratings and closed phases' 表彰 candidates, to confirm."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow

from flows.runtime import campaign_codes, context, database, resolve_now, step
from services.assessment import scheduled_proposals


@step("assessment-propose")
def propose(campaign: str, now_iso: str) -> dict[str, Any]:
    """One campaign's proposals, in one unit of work."""
    with database().unit_of_work() as s:
        r = scheduled_proposals(s, ctx=context(s, campaign), now=resolve_now(now_iso))
    return {"campaign": r.campaign, "week": asdict(r.week) if r.week else None,
            "commendations": [asdict(c) for c in r.commendations]}


@flow(name="assess-week", log_prints=False)
def assess_week(campaign: str | None = None, now: str | None = None) -> list[dict[str, Any]]:
    """Propose last week's ratings and the 表彰 candidates of closed phases for 创卫办 to confirm."""
    now_iso = resolve_now(now).isoformat()
    return [propose(code, now_iso) for code in campaign_codes(campaign)]
