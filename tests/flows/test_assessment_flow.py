"""The assess-week flow: Monday's run proposes last week's ratings (and closed phases' 表彰) to confirm."""

from __future__ import annotations

from sqlalchemy import func, select

from flows.assessment import assess_week
from flows.phases import advance_phases
from flows.registry import find
from models import Commendation, OutboxMessage, Rating
from models.assessment import PROPOSED
from tests.conftest import at


def test_the_assessment_flow_is_scheduled_on_monday_before_the_brief():
    entry = find("assess-week")
    assert entry.cron == "30 5 * * 1" and entry.load() is assess_week


def test_monday_runs_propose_last_weeks_ratings_for_the_office_to_confirm(db, example, app_db_env):
    advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    (report,) = assess_week.fn(now=at("2025-03-10 05:30").isoformat())
    assert report["week"]["week"] == "2025-W10" and report["week"]["proposed"] > 0
    with db.reader() as s:
        statuses = set(s.scalars(select(Rating.status).where(Rating.week == "2025-W10")))
        told = s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.template == "assessment_proposed"))
    assert statuses == {PROPOSED} and told > 0


def test_no_rating_is_proposed_outside_the_phases_and_closed_phases_get_commendations(db, example, app_db_env):
    (before,) = assess_week.fn(now=at("2024-12-16 05:30").isoformat())
    assert before["week"] is None and before["commendations"] == []
    advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    advance_phases.fn(now=at("2025-05-01 00:05").isoformat())
    (after,) = assess_week.fn(now=at("2025-05-05 05:30").isoformat())
    assert [c["phase"] for c in after["commendations"]] == ["起步"]
    with db.reader() as s:  # nobody did anything in 起步: no candidate reaches 绿
        assert s.scalar(select(func.count()).select_from(Commendation)) == 0
