"""核查: 创卫办 and inspectors pass a tick (the task is 销号) or reject it with a reason (返工).

A rejection reopens the task, counts one more rework, shows the reason on the task page and
tells the responsible unit through the outbox, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models import Attachment, Photo, Segment, Task, Tick, Unit, User
from models.tasks import DONE, OPEN, VERIFIED
from rules.errors import Conflict, Forbidden, InvalidInput
from rules.vocabulary import OFFICE_NAME
from services.campaigns.context import CampaignContext
from services.notifications.outbox import enqueue
from services.people.audit import record
from services.people.auth import Principal, get_visible_task, require, visible_tasks
from services.tasks.evidence import Flag, warnings
from services.tasks.ticking import active_tick, bump, settle_tick

PASS, REJECT = "pass", "reject"
VERDICT_TEXT = {PASS: "核查通过", REJECT: "退回返工"}
MAX_REASON = 1000
QUEUE_LIMIT = 100


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A ticked task waiting for 核查: its pending tick, who ticked, the photos and the flags that need attention."""

    task: Task
    tick: Tick
    unit: str
    segment_code: str | None
    segment_name: str | None
    by: str
    photos: list[Photo]
    warnings: list[Flag]


def verify_task(session: Session, *, ctx: CampaignContext, principal: Principal, task_id: int, verdict: str, reason: str = "",
                expected_version: int | None = None, now: dt.datetime, address: str | None = None) -> Tick:
    """Pass or reject the task's pending tick; a rejection reopens the task (返工 +1)."""
    task = get_visible_task(session, principal, task_id)
    require(principal, "task.verify")
    reason = (reason or "").strip()
    if verdict not in VERDICT_TEXT:
        raise InvalidInput(f"核查结论只能是 {PASS}（通过）或 {REJECT}（退回）")
    if verdict == REJECT and not reason:
        raise InvalidInput("退回返工时请填写原因，单位将看到这一原因")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"原因过长，请控制在 {MAX_REASON} 字以内")
    tick = active_tick(session, task.id) if task.status == DONE else None
    if tick is not None and tick.user_id is not None and tick.user_id == principal.user_id:
        raise Forbidden("不能核查本人提交的打卡")
    if verdict == PASS:
        values: dict[str, Any] = {"status": VERIFIED, "verified_at": now}
    else:
        values = {"status": OPEN, "done_at": None, "rework_count": Task.rework_count + 1}
    bump(session, task, expected_version=expected_version, from_status=DONE, values=values)
    if tick is None:  # a DONE task always has a tick; guard against hand-edited data
        raise Conflict("该任务没有待核查的打卡记录")
    settle_tick(session, tick, {"verdict": verdict, "verified_by": principal.user_id, "verified_at": now,
                                "reason": reason or None})
    record(session, campaign_id=task.campaign_id, action=f"verify_{verdict}", object_type="task", object_id=task.id,
           now=now, actor=principal.name, user_id=principal.user_id, address=address,
           detail={"tick_id": tick.id, "reason": reason or None})
    if verdict == REJECT:
        enqueue(session, ctx=ctx, recipients=[("unit", task.unit_id)], template="task_rejected",
                payload={"title": "任务核查未通过，请返工",
                         "body": f"「{task.title}」核查未通过：{reason}。请整改后重新打卡。",
                         "task_id": task.id},
                key_parts=("task_rejected", task.id, tick.id), now=now)
    session.flush()
    return tick


#: the photos attached to some ticks (built once: building it cost more than running it)
_PHOTOS = (select(Attachment.owner_id, Photo).join(Photo, Photo.id == Attachment.photo_id)
           .where(Attachment.owner_type == "tick", Attachment.owner_id.in_(bindparam("tick_ids", expanding=True)))
           .order_by(Attachment.id))


def photos_of(session: Session, tick_ids: list[int]) -> dict[int, list[Photo]]:
    """Photos attached to each tick, in upload order."""
    if not tick_ids:
        return {}
    rows = session.execute(_PHOTOS, {"tick_ids": tick_ids}).all()
    out: dict[int, list[Photo]] = {}
    for owner, photo in rows:
        out.setdefault(owner, []).append(photo)
    return out


def verification_queue(session: Session, *, principal: Principal, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """Ticked tasks waiting for 核查, oldest tick first, with evidence and flags."""
    require(principal, "task.verify")
    rows = session.execute(
        select(Task, Tick, Unit.name, Segment.code, Segment.name, User.name)
        .join(Tick, Tick.task_id == Task.id).join(Unit, Unit.id == Task.unit_id)
        .outerjoin(Segment, Segment.id == Task.segment_id).outerjoin(User, User.id == Tick.user_id)
        .where(visible_tasks(principal), Task.status == DONE, Tick.undone_at.is_(None), Tick.verdict.is_(None))
        .order_by(Tick.at, Tick.id).limit(limit)).all()
    photos = photos_of(session, [r.Tick.id for r in rows])
    return [QueueItem(task=task, tick=tick, unit=unit, segment_code=code, segment_name=seg_name, by=by or OFFICE_NAME,
                      photos=photos.get(tick.id, []), warnings=warnings(tick.flags))
            for task, tick, unit, code, seg_name, by in rows]
