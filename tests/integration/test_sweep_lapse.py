"""The sweep's lapse pass, batch by batch, closes exactly the recurring tasks past the cutoff (both databases)."""

from __future__ import annotations

from sqlalchemy import or_, select

from models import Task, TaskTemplate
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.tasks.lapse import MISSED, RECURRING, lapse_cutoff, lapse_recurring
from tests.conftest import at
from tests.support.escalation_world import open_first_phase

NOW = at("2025-03-20 10:00")


def test_lapse_in_small_batches_closes_the_recurring_tasks_past_the_cutoff_and_no_other(db, example):
    open_first_phase(db)
    with db.reader() as s:
        cutoff = lapse_cutoff(load_context(s, campaign=get_campaign(s)), NOW)
        expected = set(s.scalars(select(Task.id).join(TaskTemplate, TaskTemplate.id == Task.template_id).where(
            Task.status == "open", TaskTemplate.recurrence.in_(RECURRING), Task.deadline < cutoff,
            or_(Task.extended_until.is_(None), Task.extended_until < cutoff))))
        still_open = set(s.scalars(select(Task.id).where(Task.status == "open"))) - expected
    last, closed = 0, 0
    while True:
        with db.unit_of_work() as s:
            selected, n, last = lapse_recurring(s, ctx=load_context(s, campaign=get_campaign(s)), now=NOW,
                                                after_id=last, limit=3)
        closed += n
        if selected < 3:
            break
    with db.reader() as s:
        missed = set(s.scalars(select(Task.id).where(Task.status == MISSED)))
        open_now = set(s.scalars(select(Task.id).where(Task.status == "open")))
    assert len(expected) > 3  # more than one batch
    assert missed == expected and closed == len(expected)
    assert open_now == still_open
