"""``deliver-notifications``: every minute, the outbox relay delivers what is due.
``morning-digest``: every working morning, one message per recipient listing what to act on."""

from __future__ import annotations

import functools
import os
from typing import Any

import httpx
from prefect import flow

from flows.runtime import campaign_codes, campaign_id, context, database, resolve_now, step
from notify import make_client
from services.notifications import deliver_due, morning_digests

#: a pass ends in time for the next minute's run; what it could not reach waits for that one
PASS_BUDGET_S = 50.0


@functools.lru_cache(maxsize=1)
def client() -> httpx.Client:
    """One HTTP client per process (connection reuse across passes)."""
    return make_client()


@step("deliver-notifications-batch", retries=0)
def deliver_batch(campaign: str | None, now_iso: str) -> dict[str, Any]:
    """One relay pass over every campaign's outbox (or one campaign's)."""
    db = database()
    cid = None
    if campaign:
        with db.reader() as s:
            cid = campaign_id(s, campaign)
    report = deliver_due(db, now=resolve_now(now_iso), client=client(), environ=os.environ,
                         campaign_id=cid, budget_s=PASS_BUDGET_S)
    return {"campaign": campaign or "*", **report.as_dict()}


@flow(name="deliver-notifications", log_prints=False)
def deliver_notifications(campaign: str | None = None, now: str | None = None) -> dict[str, Any]:
    """投递通知: send every outbox message due now; retry, throttle, merge and dead-letter as needed."""
    return deliver_batch(campaign, resolve_now(now).isoformat())


@step("morning-digest-campaign")
def digest_campaign(campaign: str, now_iso: str) -> dict[str, Any]:
    """One campaign's morning digests, in one unit of work."""
    with database().unit_of_work() as s:
        report = morning_digests(s, ctx=context(s, campaign), now=resolve_now(now_iso))
    return {"campaign": campaign, **report.as_dict()}


@flow(name="morning-digest", log_prints=False)
def morning_digest(campaign: str | None = None, now: str | None = None) -> list[dict[str, Any]]:
    """每日待办: on a working morning, one message per unit, leader and 创卫办 listing what is due and overdue."""
    now_iso = resolve_now(now).isoformat()
    return [digest_campaign(code, now_iso) for code in campaign_codes(campaign)]
