"""The weekly 创卫简报: Monday 06:00, last week's issue for every campaign, written and announced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow

from config.settings import load_settings
from flows.runtime import campaign_codes, database, resolve_now, step
from services.briefs import due_week, reserve, write_issue
from services.campaigns import get_campaign, load_context


@step("brief-reserve")
def reserve_issue(campaign: str, now_iso: str, week: str | None) -> dict[str, Any] | None:
    """Take the issue number (its own unit of work, so no file ever shows an unrecorded one)."""
    now = resolve_now(now_iso)
    with database().unit_of_work() as s:
        c = get_campaign(s, campaign)
        week = week or due_week(load_context(s, campaign=c), now=now)
        if week is None:
            return None
        ref = reserve(s, campaign=c, week=week, now=now)
    return {"campaign": campaign, "issue_id": ref.id, "number": ref.number, "week": week, "new": ref.created}


@step("brief-write")
def write(campaign: str, issue_id: int, now_iso: str, out_dir: str) -> dict[str, Any]:
    """Gather, render, write the files and enqueue the announcement, in one unit of work."""
    with database().unit_of_work() as s:
        written = write_issue(s, ctx=load_context(s, campaign=get_campaign(s, campaign)), issue_id=issue_id, out_dir=Path(out_dir),
                              now=resolve_now(now_iso), photo_dir=load_settings().photo_dir)
    return {"campaign": campaign, "number": written.number, "week": written.key, "html": str(written.files.html),
            "docx": str(written.files.docx), "notified": written.notified}


@flow(name="weekly-brief", log_prints=False)
def weekly_brief(campaign: str | None = None, now: str | None = None, week: str | None = None,
                 out_dir: str | None = None) -> list[dict[str, Any]]:
    """创卫简报: last week's issue (or ``week``'s) of every campaign, into ``out_dir``."""
    now_iso = resolve_now(now).isoformat()
    base = out_dir or str(load_settings().output_dir.resolve() / "briefs")
    results = []
    for code in campaign_codes(campaign):
        ref = reserve_issue(code, now_iso, week)
        if ref is None:
            results.append({"campaign": code, "skipped": "活动期外，无需简报"})
            continue
        folder = base if campaign else f"{base}/{code}"
        results.append({**write(code, ref["issue_id"], now_iso, folder), "new": ref["new"]})
    return results
