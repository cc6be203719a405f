"""The phase flows: plain calls (``--direct``) and real Prefect flow runs on a virtual clock."""

from __future__ import annotations

from sqlalchemy import func, select

from flows.phases import advance_phases, instantiate_recurring_tasks
from models import PhaseTransition, Task
from tests.conftest import at


def test_the_advance_flow_called_directly_opens_the_phase_and_is_idempotent(db, example, app_db_env):
    first = advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    second = advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    assert first[0]["opened"] == ["起步"] and first[0]["tasks_created"] > 0
    assert second[0]["opened"] == [] and second[0]["tasks_created"] == 0


def test_the_recurring_flow_creates_the_new_weeks_tasks(db, example, app_db_env):
    advance_phases.fn(now=at("2025-01-02 00:05").isoformat())
    result = instantiate_recurring_tasks.fn(now=at("2025-01-20 00:10").isoformat())
    assert result == [{"campaign": example, "tasks_created": 29}]


def test_real_flow_runs_walk_the_example_across_its_four_boundaries(db, example, app_db_env, prefect_harness):
    clock = ["2025-01-02 00:05", "2025-05-01 00:05", "2025-11-01 00:05", "2026-04-01 00:05"]
    opened = []
    for when in clock:
        (report,) = advance_phases(now=at(when).isoformat())
        opened += report["opened"]
    assert opened == ["起步", "加速", "攻坚", "冲刺"]
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PhaseTransition)) == 4
        assert s.scalar(select(func.count()).select_from(Task)) > 0
