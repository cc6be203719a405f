"""The weekly-brief flow: Monday's run drafts last week's issue, numbered, once per week; issue-brief
issues (签发) a draft nobody issued; with ``issue`` the weekly run writes it at once."""

from __future__ import annotations

from sqlalchemy import select

from flows.briefs import issue_brief, weekly_brief
from flows.phases import advance_phases
from flows.registry import find
from models import Brief
from tests.conftest import at


def test_the_flow_is_scheduled_on_monday_at_six_and_the_draft_is_issued_at_two():
    entry = find("weekly-brief")
    assert entry.cron == "0 6 * * 1" and entry.load() is weekly_brief
    entry = find("issue-brief")
    assert entry.cron == "0 14 * * 1" and entry.load() is issue_brief


def test_monday_drafts_the_issue_and_the_afternoon_issues_it_once(db, example, app_db_env, tmp_path):
    advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    out = str(tmp_path / "briefs")
    (drafted,) = weekly_brief.fn(now=at("2025-05-05 06:00").isoformat(), out_dir=out)
    assert (drafted["state"], drafted["number"], drafted["week"]) == ("draft", 1, "2025-W18")
    assert not (tmp_path / "briefs").exists()  # a draft has no files yet
    (issued,) = issue_brief.fn(now=at("2025-05-05 14:00").isoformat(), out_dir=out)
    assert issued["number"] == 1 and (tmp_path / "briefs" / "demo-county" / "创卫简报第1期（2025年4月28日—5月4日）.docx").is_file()
    (again,) = issue_brief.fn(now=at("2025-05-05 15:00").isoformat(), out_dir=out)
    assert "skipped" in again
    with db.reader() as s:
        assert [(b.number, b.state) for b in s.scalars(select(Brief))] == [(1, "issued")]


def test_monday_runs_write_last_weeks_issue_and_a_rerun_keeps_its_number(db, example, app_db_env, tmp_path):
    advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    out = str(tmp_path / "briefs")
    (first,) = weekly_brief.fn(now=at("2025-05-05 06:00").isoformat(), out_dir=out, issue=True)
    (second,) = weekly_brief.fn(now=at("2025-05-12 06:00").isoformat(), out_dir=out, issue=True)
    (rerun,) = weekly_brief.fn(now=at("2025-05-12 07:00").isoformat(), out_dir=out, issue=True)
    assert [(r["week"], r["number"], r["new"]) for r in (first, second, rerun)] == [
        ("2025-W18", 1, True), ("2025-W19", 2, True), ("2025-W19", 2, False)]
    with db.reader() as s:
        assert [(b.number, b.week) for b in s.scalars(select(Brief).order_by(Brief.number))] == [
            (1, "2025-W18"), (2, "2025-W19")]
    assert (tmp_path / "briefs" / "demo-county" / "创卫简报第2期（2025年5月5日—11日）.docx").is_file()


def test_no_issue_is_written_outside_the_campaign(db, example, app_db_env, tmp_path):
    (result,) = weekly_brief.fn(now=at("2024-11-18 06:00").isoformat(), out_dir=str(tmp_path))
    assert "skipped" in result
    with db.reader() as s:
        assert s.scalar(select(Brief)) is None


def test_a_real_flow_run_writes_the_brief(db, example, app_db_env, prefect_harness, tmp_path):
    (result,) = weekly_brief(campaign=example, now=at("2025-05-05 06:00").isoformat(), out_dir=str(tmp_path),
                             issue=True)
    assert result["number"] == 1 and (tmp_path / "创卫简报第1期（2025年4月28日—5月4日）.html").is_file()
