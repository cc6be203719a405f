"""The weekly ``plan-inspections`` flow, called directly (``cw run plan-inspections --direct``)."""

from __future__ import annotations

from sqlalchemy import func, select

from flows.inspections import plan_inspections
from flows.phases import advance_phases
from models import Inspection
from tests.conftest import at


def test_the_inspection_planning_flow_makes_the_weeks_rounds_once(db, example, app_db_env):
    advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    (first,) = plan_inspections.fn(now=at("2025-04-28 07:30").isoformat())
    (second,) = plan_inspections.fn(now=at("2025-04-29 07:30").isoformat())
    assert first["week"] == second["week"] == "2025-W18"
    assert {p["kind"] for p in first["plans"]} == {"定期", "暗访", "交叉", "领导带队"}  # nothing due for 复查 yet
    assert [p["announced"] for p in first["plans"] if p["kind"] == "暗访"] == [False]
    assert second["plans"] == []
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Inspection)) == 4
