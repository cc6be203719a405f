"""转段 and task instantiation on SQLite and PostgreSQL: catch-up, gates, idempotence, concurrency."""

from __future__ import annotations

import sys
import textwrap

import chinese_calendar as cc
from sqlalchemy import func, select, update

from models import Phase, PhaseTransition, Task
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases, instantiate_recurring
from services.campaigns.status import campaign_status
from tests.conftest import ROOT, at
from tests.support.processes import running


def _advance(db, when, **kw):
    with db.unit_of_work() as s:
        return advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=at(when), **kw)


def _tasks(db) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Task))


def test_opening_the_first_phase_creates_its_tasks_once(db, example):
    first = _advance(db, "2025-01-02 00:05")
    assert first.opened == ["起步"] and first.tasks_created > 0
    assert _tasks(db) == first.tasks_created
    again = _advance(db, "2025-01-02 00:05")
    assert again.opened == [] and again.tasks_created == 0
    assert _tasks(db) == first.tasks_created


def test_one_run_catches_up_every_boundary_in_order_and_writes_each_summary(db, example):
    _advance(db, "2025-01-02 00:05")
    report = _advance(db, "2025-11-03 08:00")
    assert report.closed == ["起步", "加速"] and report.opened == ["加速", "攻坚"]
    with db.reader() as s:
        phases = {p.name: p for p in s.scalars(select(Phase))}
        transitions = s.scalars(select(PhaseTransition).order_by(PhaseTransition.id)).all()
        status = campaign_status(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-11-03 08:00"))
    assert [phases[n].summary is not None for n in ("起步", "加速", "攻坚")] == [True, True, False]
    qibu = phases["起步"].summary
    assert qibu["planned"] > 0 and qibu["unfinished"] == qibu["planned"]
    assert {u["unit"] for u in qibu["by_unit"]} and {x["code"] for x in qibu["by_segment"]}
    assert [t.to_phase_id for t in transitions] == [phases["起步"].id, phases["加速"].id, phases["攻坚"].id]
    assert status.phase == "攻坚"


def test_unfinished_tasks_are_carried_into_the_next_phase_as_leftovers(db, example):
    _advance(db, "2025-01-02 00:05")
    _advance(db, "2025-05-06 09:00")
    with db.reader() as s:
        qibu = s.scalars(select(Phase).where(Phase.name == "起步")).one()
        carried = s.scalar(select(func.count()).select_from(Task).where(Task.phase_id == qibu.id, Task.carried_over))
        total = s.scalar(select(func.count()).select_from(Task).where(Task.phase_id == qibu.id))
        jiasu = s.scalars(select(Phase).where(Phase.name == "加速")).one()
    assert carried == total > 0
    assert jiasu.opened_at == at("2025-05-06 09:00")


def test_a_boundary_that_needs_confirmation_waits_for_the_office(db, example):
    _advance(db, "2025-01-02 00:05")
    with db.unit_of_work() as s:
        s.execute(update(Phase).where(Phase.name == "加速").values(transition="confirm"))
    held = _advance(db, "2025-05-06 09:00")
    assert held.held == "加速" and held.opened == []
    assert held.gate is not None and held.gate.unfinished > 0 and held.gate.by_unit
    confirmed = _advance(db, "2025-05-07 09:00", confirm=True, actor="创卫办主任")
    assert confirmed.opened == ["加速"]
    with db.reader() as s:
        tr = s.scalars(select(PhaseTransition).order_by(PhaseTransition.id.desc())).first()
    assert tr.confirmed_by == "创卫办主任"


def test_every_deadline_falls_on_a_working_day(db, example):
    for when in ("2025-01-02 00:05", "2025-05-01 00:05", "2025-11-01 00:05", "2026-04-01 00:05"):
        _advance(db, when)
    with db.reader() as s:
        deadlines = s.scalars(select(Task.deadline)).all()
    assert deadlines and all(cc.is_workday(d.astimezone(at("2025-01-01 00:00").tzinfo).date()) for d in deadlines)


def test_recurring_tasks_appear_for_the_new_week_only_once(db, example):
    _advance(db, "2025-01-02 00:05")
    with db.unit_of_work() as s:
        created = instantiate_recurring(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-01-13 00:10"))
    with db.unit_of_work() as s:
        again = instantiate_recurring(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-01-14 00:10"))
    assert created == 29 and again == 0  # one weekly task per segment for 2025-W03


def test_two_processes_advancing_at_once_create_each_task_once(db, example, db_url):
    script = textwrap.dedent(f"""
        import datetime as dt
        from models.db import make_engine
        from services.uow import Database
        from services.campaigns.loading import get_campaign
        from services.campaigns.context import load_context
        from services.campaigns.phases import advance_phases
        db = Database(make_engine({db_url!r}))
        now = dt.datetime(2025, 5, 6, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        with db.unit_of_work() as s:
            advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=now)
    """)
    with running([sys.executable, "-c", script], cwd=ROOT) as one, running([sys.executable, "-c", script], cwd=ROOT) as two:
        assert [one.wait(timeout=120), two.wait(timeout=120)] == [0, 0]
    with db.reader() as s:
        keys = s.execute(select(Task.template_id, Task.target_key, Task.period_key)).all()
        opened = s.scalar(select(func.count()).select_from(PhaseTransition))
    assert len(keys) == len(set(keys)) > 0
    assert opened == 2  # 起步 then 加速, each once
