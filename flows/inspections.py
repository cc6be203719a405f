"""Flow ``plan-inspections`` (weekly): this week's 督查计划 for every campaign; inspectors are told, nobody else."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow

from flows.runtime import campaign_codes, context, database, resolve_now, step
from rules.weeks import week_key
from services.inspections import plan_week


@step("plan-inspections-batch")
def plan_batch(campaign: str, now_iso: str, seed: int | None = None) -> dict[str, Any]:
    """One campaign's rounds for the week ``now`` falls in, in one unit of work."""
    now = resolve_now(now_iso)
    with database().unit_of_work() as s:
        ctx = context(s, campaign)
        week = week_key(now.astimezone(ZoneInfo(ctx.campaign.timezone)).date())
        plans = plan_week(s, ctx=ctx, week=week, now=now, actor="系统", seed=seed)
    return {"campaign": campaign, "week": week,
            "plans": [{"id": p.id, "kind": p.kind, "stops": p.stops, "announced": p.announced, "notified": p.notified}
                      for p in plans]}


@flow(name="plan-inspections", log_prints=False)
def plan_inspections(campaign: str | None = None, now: str | None = None,
                     seed: int | None = None) -> list[dict[str, Any]]:
    """督查计划: make the week's regular, unannounced, cross, leader-led and follow-up rounds.

    Without ``seed`` the draw is unpredictable (a real 暗访 must be); the demo passes one so the
    same seed rehearses the same campaign. The seed used is recorded on each plan either way.
    """
    now_iso = resolve_now(now).isoformat()
    return [plan_batch(code, now_iso, seed) for code in campaign_codes(campaign)]
