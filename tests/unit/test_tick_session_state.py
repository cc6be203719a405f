"""Ticking writes some rows as plain statements (issue 22): the loaded objects must still match the rows.

A task the unit of work has loaded already is only checked for visibility, not read again; a
tick's 核查 and 撤销 are plain UPDATEs that keep the loaded tick in step.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import AuditEntry, Task, Tick
from models.tasks import DONE, OPEN, VERIFIED
from rules.errors import NotFound
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.inspections.rounds import office_principal, unit_principal
from services.people.auth import get_visible_task
from services.tasks.ticking import tick_task, undo_tick
from services.tasks.verification import verify_task
from tests.conftest import at


@pytest.fixture
def started(db, example):
    """The example campaign with its first phase open (tasks instantiated)."""
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-01-02 00:05"))
    return db


def _row(db, tick_id: int) -> dict:
    with db.reader() as s:
        return dict(s.execute(select(Tick.undone_at, Tick.verdict, Tick.verified_by, Tick.verified_at, Tick.reason)
                              .where(Tick.id == tick_id)).one()._mapping)


def _loaded(tick: Tick) -> dict:
    return {"undone_at": tick.undone_at, "verdict": tick.verdict, "verified_by": tick.verified_by,
            "verified_at": tick.verified_at, "reason": tick.reason}


def test_tick_a_loaded_task_is_still_checked_for_visibility(started):
    with started.unit_of_work() as s:
        campaign = get_campaign(s)
        task = s.scalars(select(Task).where(Task.status == OPEN).order_by(Task.id)).first()
        other = s.scalars(select(Task.unit_id).where(Task.unit_id != task.unit_id)).first()
        assert get_visible_task(s, unit_principal(campaign, task.unit_id), task.id) is task
        with pytest.raises(NotFound):
            get_visible_task(s, unit_principal(campaign, other), task.id)
        with pytest.raises(NotFound):
            get_visible_task(s, unit_principal(campaign, task.unit_id), 10**9)


def test_tick_verify_and_undo_leave_the_loaded_tick_as_stored(started):
    now = at("2025-01-03 10:00")
    with started.unit_of_work() as s:
        campaign = get_campaign(s)
        ctx = load_context(s, campaign=campaign)
        office = office_principal(campaign, "核查组")
        first, second = s.scalars(select(Task).where(Task.status == OPEN).order_by(Task.id).limit(2)).all()
        unit = unit_principal(campaign, first.unit_id, "单位")
        passed = tick_task(s, principal=unit, task_id=first.id, note="已完成", photos=[], lon=None, lat=None,
                           expected_version=None, now=now)
        assert verify_task(s, ctx=ctx, principal=office, task_id=first.id, verdict="pass", now=now) is passed
        assert first.status == VERIFIED and passed.verdict == "pass" and passed.reason is None
        unit = unit_principal(campaign, second.unit_id, "单位")
        undone = tick_task(s, principal=unit, task_id=second.id, note="已完成", photos=[], lon=None, lat=None,
                           expected_version=None, now=now)
        assert undo_tick(s, principal=unit, task_id=second.id, now=now + dt.timedelta(minutes=5)) is undone
        again = tick_task(s, principal=unit, task_id=second.id, note="再次完成", photos=[], lon=None, lat=None,
                          expected_version=None, now=now + dt.timedelta(minutes=6))
        verify_task(s, ctx=ctx, principal=office, task_id=second.id, verdict="reject", reason="不合格", now=now)
        assert second.status == OPEN and second.rework_count == 1 and again.reason == "不合格"
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.object_id.in_([first.id, second.id]),
                                                                 AuditEntry.object_type == "task")
                                 .order_by(AuditEntry.id)))
    assert actions == ["tick", "verify_pass", "tick", "tick_undone", "tick", "verify_reject"]
    for tick in (passed, undone, again):
        assert _loaded(tick) == _row(started, tick.id)
    assert undone.undone_at is not None and undone.verdict is None and again.verdict == "reject"
    assert DONE not in (first.status, second.status)
