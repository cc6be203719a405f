"""What counts as overdue: open, past the deadline an approved 延期 or 挂账 has moved. One definition."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from models import Campaign, Problem, Task
from models.tasks import OPEN
from rules.ladders import OPEN as PROBLEM_OPEN


def task_overdue(now: dt.datetime) -> ColumnElement[bool]:
    """An open task past its deadline and past any approved 延期/挂账 (``extended_until``)."""
    return and_(Task.status == OPEN, Task.deadline < now,
                or_(Task.extended_until.is_(None), Task.extended_until < now))


def problem_overdue(now: dt.datetime) -> ColumnElement[bool]:
    """An open problem past its level's deadline and not on 挂账."""
    return and_(Problem.status == PROBLEM_OPEN, Problem.level_deadline < now,
                or_(Problem.on_hold_until.is_(None), Problem.on_hold_until <= now))


def overdue_counts(session: Session, *, campaign: Campaign, now: dt.datetime) -> dict[str, int]:
    """Overdue tasks and problems, and how many open items are on 挂账 or an approved 延期."""
    def count(model: type[Task] | type[Problem], *where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(
            model.campaign_id == campaign.id, *where)) or 0)

    return {
        "tasks": count(Task, task_overdue(now)),
        "problems": count(Problem, problem_overdue(now)),
        "tasks_extended": count(Task, Task.status == OPEN, Task.extended_until > now),
        "problems_on_hold": count(Problem, Problem.status == PROBLEM_OPEN, Problem.on_hold_until > now),
    }
