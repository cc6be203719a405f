"""The weekly 创卫简报: Monday 06:00 last week's issue is drafted for every campaign; at the
configured time (``issue-brief``, Monday 14:00) a draft nobody issued is issued (签发) as it stands.
On the first of each month (``readiness-brief``) the 达标准备情况专刊 of the month just ended is issued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow

from config.settings import load_settings
from flows.runtime import campaign_codes, context, database, resolve_now, step
from services.briefs import (
    draft_brief,
    due_readiness,
    due_week,
    pending_draft,
    reserve,
    reserve_readiness,
    write_issue,
)
from services.standard import list_items


@step("brief-reserve")
def reserve_issue(campaign: str, now_iso: str, week: str | None) -> dict[str, Any] | None:
    """Take the issue number (its own unit of work, so no file ever shows an unrecorded one)."""
    now = resolve_now(now_iso)
    with database().unit_of_work() as s:
        ctx = context(s, campaign)
        c = ctx.campaign
        week = week or due_week(ctx, now=now)
        if week is None:
            return None
        ref = reserve(s, campaign=c, week=week, now=now)
    return {"campaign": campaign, "issue_id": ref.id, "number": ref.number, "week": week, "new": ref.created}


@step("brief-draft")
def draft(campaign: str, now_iso: str, week: str | None) -> dict[str, Any] | None:
    """草稿: reserve the week's issue as a draft the office may edit until it is issued."""
    now = resolve_now(now_iso)
    with database().unit_of_work() as s:
        ctx = context(s, campaign)
        week = week or due_week(ctx, now=now)
        if week is None:
            return None
        d = draft_brief(s, ctx=ctx, week=week, now=now)
    return {"campaign": campaign, "number": d.number, "week": d.week, "state": d.state, "new": d.created}


@step("brief-pending")
def pending(campaign: str, now_iso: str, week: str | None) -> int | None:
    now = resolve_now(now_iso)
    with database().reader() as s:
        ctx = context(s, campaign)
        c = ctx.campaign
        week = week or due_week(ctx, now=now)
        return None if week is None else pending_draft(s, campaign=c, week=week)


@step("brief-write")
def write(campaign: str, issue_id: int, now_iso: str, out_dir: str) -> dict[str, Any]:
    """Gather, render and write the files and enqueue the announcement, in one unit of work (签发)."""
    with database().unit_of_work() as s:
        written = write_issue(s, ctx=context(s, campaign), issue_id=issue_id, out_dir=Path(out_dir),
                              now=resolve_now(now_iso), photo_dir=load_settings().photo_dir)
    return {"campaign": campaign, "number": written.number, "week": written.key, "html": str(written.files.html),
            "docx": str(written.files.docx), "notified": written.notified}


def _folder(out_dir: str | None, campaign: str | None, code: str) -> str:
    base = out_dir or str(load_settings().output_dir.resolve() / "briefs")
    return base if campaign else f"{base}/{code}"


@flow(name="weekly-brief", log_prints=False)
def weekly_brief(campaign: str | None = None, now: str | None = None, week: str | None = None,
                 out_dir: str | None = None, issue: bool = False) -> list[dict[str, Any]]:
    """创卫简报: last week's issue (or ``week``'s) of every campaign as a draft; with ``issue``
    written and issued at once (into ``out_dir``)."""
    now_iso = resolve_now(now).isoformat()
    results = []
    for code in campaign_codes(campaign):
        if not issue:
            made = draft(code, now_iso, week)
            results.append(made or {"campaign": code, "skipped": "活动期外，无需简报"})
            continue
        ref = reserve_issue(code, now_iso, week)
        if ref is None:
            results.append({"campaign": code, "skipped": "活动期外，无需简报"})
            continue
        results.append({**write(code, ref["issue_id"], now_iso, _folder(out_dir, campaign, code)), "new": ref["new"]})
    return results


@flow(name="issue-brief", log_prints=False)
def issue_brief(campaign: str | None = None, now: str | None = None, week: str | None = None,
                out_dir: str | None = None) -> list[dict[str, Any]]:
    """自动签发: last week's draft (or ``week``'s) of every campaign that nobody issued yet is
    issued as it stands: files written into ``out_dir`` and announced."""
    now_iso = resolve_now(now).isoformat()
    results = []
    for code in campaign_codes(campaign):
        issue_id = pending(code, now_iso, week)
        if issue_id is None:
            results.append({"campaign": code, "skipped": "没有待签发的简报草稿"})
            continue
        results.append(write(code, issue_id, now_iso, _folder(out_dir, campaign, code)))
    return results


@step("brief-reserve-readiness")
def reserve_readiness_issue(campaign: str, now_iso: str, month: str | None) -> dict[str, Any] | None:
    """The month's readiness issue number (None outside the campaign or without a loaded standard)."""
    now = resolve_now(now_iso)
    with database().unit_of_work() as s:
        ctx = context(s, campaign)
        month = month or due_readiness(ctx, now=now)
        if month is None or not list_items(s, ctx=ctx):
            return None
        ref = reserve_readiness(s, ctx=ctx, month=month, now=now)
    return {"campaign": campaign, "issue_id": ref.id, "number": ref.number, "month": month, "new": ref.created}


@flow(name="readiness-brief", log_prints=False)
def readiness_brief(campaign: str | None = None, now: str | None = None, month: str | None = None,
                    out_dir: str | None = None) -> list[dict[str, Any]]:
    """达标准备情况专刊: for every campaign with a loaded standard, the month just ended (or ``month``,
    2025-03) as a special issue of the brief: per area % met, red items and owners, items not assessed."""
    now_iso = resolve_now(now).isoformat()
    results = []
    for code in campaign_codes(campaign):
        ref = reserve_readiness_issue(code, now_iso, month)
        if ref is None:
            results.append({"campaign": code, "skipped": "活动期外或标准未载入，无需专刊"})
            continue
        results.append({**write(code, ref["issue_id"], now_iso, _folder(out_dir, campaign, code)), "new": ref["new"]})
    return results
