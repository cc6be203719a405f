"""Recurring tasks lapse (未完成): a weekly or monthly task not done by its deadline plus the grace is closed.

A patrol that was not done in its week is a missed patrol, not a task "overdue for 400 days": it
leaves the open lists and the accountability ladder, counts once against its period's score
(``services.assessment.counts``) and stays on the unit's record as 未完成. One-off tasks and
rectifications never lapse; they keep escalating. The sweep runs this pass in batches.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import Task, TaskTemplate
from models.tasks import OPEN
from rules.accountability import overdue_cutoff
from rules.vocabulary import Recurrence, TaskStatus
from services.bulk import fetch_plain
from services.people.audit import record

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

MISSED = TaskStatus.MISSED
RECURRING = (Recurrence.WEEKLY, Recurrence.MONTHLY)


def lapse_cutoff(ctx: CampaignContext, now: dt.datetime) -> dt.datetime:
    """Recurring tasks whose (effective) deadline is before this instant lapse at ``now``."""
    return overdue_cutoff(ctx.calendar, now, ctx.spec.escalation.accountability.lapse_after)


def lapse_recurring(session: Session, *, ctx: CampaignContext, now: dt.datetime, after_id: int = 0,
                    limit: int = 10000) -> tuple[int, int, int]:
    """Close one batch of lapsed recurring tasks as 未完成; returns (selected, closed, last id seen): a row
    another sweep closed meanwhile is selected but not closed again."""
    cutoff = lapse_cutoff(ctx, now)
    q = (select(Task.id).join(TaskTemplate, TaskTemplate.id == Task.template_id)
         .where(Task.campaign_id == ctx.id, Task.status == OPEN, TaskTemplate.recurrence.in_(RECURRING),
                Task.deadline < cutoff, or_(Task.extended_until.is_(None), Task.extended_until < cutoff),
                Task.id > after_id)
         .order_by(Task.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":  # a second sweep takes other rows instead of waiting
        ids = list(session.scalars(q.with_for_update(skip_locked=True, of=Task)))
    else:
        # through the deadline index: for ``ORDER BY id`` SQLite would walk every task in id order, while the
        # index visits the long-overdue open tasks only, so the pass costs what they cost, not all tasks
        ids = [i for (i,) in fetch_plain(session, q, sqlite_index=("task", "ix_task_campaign_status_deadline"))]
    if not ids:
        return 0, 0, after_id
    missed = list(session.scalars(update(Task).where(Task.id.in_(ids), Task.status == OPEN)
                                  .values(status=MISSED, acc_at=now, version=Task.version + 1)
                                  .returning(Task.id).execution_options(synchronize_session=False)))
    if missed:
        record(session, campaign_id=ctx.id, action="task.lapse", object_type="campaign", object_id=ctx.id, now=now,
               detail={"missed": len(missed), "first_id": min(missed), "last_id": max(missed)})
    return len(ids), len(missed), ids[-1]

