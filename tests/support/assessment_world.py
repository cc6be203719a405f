"""Seeded activity on the example campaign for the assessment tests.

- 县人民检察院 (diligent): ticks every task on 2025-01-03 through the ticking service, all
  verified the same day — before any deadline, nothing rejected.
- 县教育局 (middling): ticks its tasks due by 2025-01-27 on 01-07 (those due 01-03 late); two are
  rejected (返工), ticked again on 01-08 and passed.
- 县水务局 (lagging): does nothing.
- every other unit: each task done 2 h before its deadline and verified, written through the
  models; one task per unit and deadline was first rejected once (so their scores stay below 100).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import insert, select, update

from models import Campaign, Task, Tick, Unit
from models.people import ROLE_INSPECTOR, ROLE_OFFICE
from models.tasks import VERIFIED
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.people.auth import Principal
from services.tasks.ticking import tick_task
from services.tasks.verification import verify_task
from tests.conftest import at

DILIGENT, MIDDLING, LAGGING = "县人民检察院", "县教育局", "县水务局"
H = dt.timedelta(hours=1)


def unit_id(s, name: str) -> int:
    return s.scalar(select(Unit.id).where(Unit.name == name))


def _office(s) -> Principal:
    return Principal(campaign_id=get_campaign(s).id, role=ROLE_OFFICE, name="创卫办")


def _inspector(s) -> Principal:
    return Principal(campaign_id=get_campaign(s).id, role=ROLE_INSPECTOR, name="督查员")


def tick(db, task_ids, when: str) -> None:
    with db.unit_of_work() as s:
        for tid in task_ids:
            tick_task(s, principal=_office(s), task_id=tid, note="已完成", photos=[], lon=None, lat=None,
                      expected_version=None, now=at(when))


def verify(db, task_ids, when: str, verdict: str = "pass") -> None:
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        for tid in task_ids:
            verify_task(s, ctx=ctx, principal=_inspector(s), task_id=tid, verdict=verdict,
                        reason="照片不清晰，请补充" if verdict == "reject" else "", now=at(when))


def _seed_others(db) -> None:
    with db.unit_of_work() as s:
        skip = [unit_id(s, n) for n in (DILIGENT, MIDDLING, LAGGING)]
        tasks = s.execute(select(Task.id, Task.campaign_id, Task.unit_id, Task.deadline)
                          .where(Task.unit_id.not_in(skip)).order_by(Task.id)).all()
        first: set[tuple[int, dt.datetime]] = set()
        ticks = []
        for tid, cid, uid, deadline in tasks:
            if (uid, deadline) not in first:
                first.add((uid, deadline))
                ticks.append(dict(campaign_id=cid, task_id=tid, at=deadline - 5 * H, note="初次打卡", flags=[],
                                  verdict="reject", verified_at=deadline - 4 * H, reason="不合格"))
            ticks.append(dict(campaign_id=cid, task_id=tid, at=deadline - 2 * H, note="已完成", flags=[],
                              verdict="pass", verified_at=deadline - H))
        s.execute(insert(Tick), ticks)
        for tid, _, _, deadline in tasks:
            s.execute(update(Task).where(Task.id == tid).values(status=VERIFIED, done_at=deadline - 2 * H,
                                                                verified_at=deadline - H))


def interview_after_red_weeks(db, weeks: int) -> None:
    """Switch on the 约谈 rule's red-streak input (the example counts 黄牌警告 only)."""
    with db.unit_of_work() as s:
        c = s.scalars(select(Campaign)).one()
        spec = json.loads(json.dumps(c.spec))
        spec["escalation"]["accountability"]["interview"]["red_streak"] = weeks
        c.spec = spec


def seed(db) -> dict[str, list[int]]:
    """Open 起步 and write the activity above; returns the task ids of the three named units."""
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-01-02 00:05"))
    with db.reader() as s:
        ids = {n: list(s.scalars(select(Task.id).where(Task.unit_id == unit_id(s, n)).order_by(Task.id)))
               for n in (DILIGENT, MIDDLING, LAGGING)}
        early = list(s.scalars(select(Task.id).where(Task.unit_id == unit_id(s, MIDDLING),
                                                     Task.deadline <= at("2025-01-27 18:00")).order_by(Task.id)))
    tick(db, ids[DILIGENT], "2025-01-03 09:00")
    verify(db, ids[DILIGENT], "2025-01-03 11:00")
    tick(db, early, "2025-01-07 09:00")
    verify(db, early[:2], "2025-01-07 15:00", "reject")
    verify(db, early[2:], "2025-01-07 15:00")
    tick(db, early[:2], "2025-01-08 09:00")
    verify(db, early[:2], "2025-01-08 11:00")
    _seed_others(db)
    return ids
