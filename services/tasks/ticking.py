"""打卡/销号: a unit ticks its task with a note, photos and a point; undo within a grace period.

State changes use the task's ``version`` column: ``UPDATE task … WHERE id = :id AND version = :v``.
Of two people acting on the same task at once exactly one update matches; the other gets a
Conflict (HTTP 409) with a message saying what happened. This works alike on PostgreSQL
(the second UPDATE waits for the first to commit, then re-checks its WHERE) and SQLite
(writers are serialised by ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ClauseElement, Select, Table, bindparam, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from models import Attachment, AuditEntry, Segment, Task, Tick
from models.people import ROLE_OFFICE
from models.tasks import DONE, OPEN
from rules.errors import Conflict, Forbidden, InvalidInput, NotFound
from rules.vocabulary import TaskStatus, surface_table
from services.bulk import run_plain
from services.people.audit import record
from services.people.auth import Principal, get_visible_task, require, visibility, visible_tasks_for
from services.tasks.evidence import evidence_flags
from services.tasks.photos import PreparedPhoto, save_photo
from services.uow import flush_pending

if TYPE_CHECKING:  # issue 20: the 台账 is imported where it is used (services.inspections imports tasks)
    from services.inspections.ledger import TickQuantity

UNDO_GRACE = dt.timedelta(minutes=15)
MAX_PHOTOS = 9
MAX_NOTE = 2000
STATE_TEXT = surface_table(TaskStatus)
ACTION_TEXT = {"tick": "打卡", "tick_undone": "撤销了打卡", "verify_pass": "核查通过", "verify_reject": "退回返工"}


def _conflict(session: Session, task_id: int, status: str | None) -> Conflict:
    """The Conflict for a lost race, naming who changed the task last (from the audit log)."""
    last = session.execute(select(AuditEntry.actor, AuditEntry.action)
                           .where(AuditEntry.object_type == "task", AuditEntry.object_id == task_id)
                           .order_by(AuditEntry.id.desc()).limit(1)).first()
    who = f"{last.actor}刚刚{ACTION_TEXT.get(last.action, '操作')}" if last else "他人刚刚操作"
    if status is None:
        return Conflict(f"该任务刚刚被他人更新（{who}），您看到的不是最新状态，请刷新页面后重试")
    return Conflict(f"该任务当前为「{STATE_TEXT.get(status, status)}」（{who}），请刷新页面查看最新状态")


def bump(session: Session, task: Task, *, expected_version: int | None, from_status: str,
         values: dict[str, Any]) -> int:
    """Move ``task`` from ``from_status`` if nobody changed it since ``expected_version``; new version."""
    if task.status != from_status:
        raise _conflict(session, task.id, task.status)
    version = task.version if expected_version is None else expected_version
    if version != task.version:
        raise _conflict(session, task.id, None)
    if any(isinstance(v, ClauseElement) for v in values.values()):
        statement: Any = (update(Task).where(Task.id == task.id, Task.version == version, Task.status == from_status)
                          .values(version=version + 1, **values).execution_options(synchronize_session=False))
        changed = cast("CursorResult[Any]", session.execute(statement)).rowcount  # an UPDATE's result
    else:  # plain values: a statement built and compiled once per set of columns (issue 22)
        # on the driver's cursor, pending changes flushed first as the ORM statement above would
        changed = run_plain(session, _bump(tuple(sorted(values))), {
            "b_id": task.id, "b_version": version, "b_from": from_status, "b_next": version + 1,
            **{f"v_{key}": value for key, value in values.items()}})[0]
    if changed != 1:
        raise _conflict(session, task.id, None)
    # keep the loaded task in step without reloading it: plain values are known, SQL expressions are not
    for key, value in {**values, "version": version + 1}.items():
        if isinstance(value, ClauseElement):
            session.expire(task, [key])
        else:
            set_committed_value(task, key, value)
    return version + 1


@functools.cache
def _bump(columns: tuple[str, ...]) -> Any:
    """``bump``'s UPDATE for plain values of ``columns`` (bound as ``v_<column>``)."""
    table = cast("Table", Task.__table__)
    return (update(table).where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"),
                                table.c.status == bindparam("b_from"))
            .values({**{table.c[c]: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns},
                     table.c.version: bindparam("b_next", type_=table.c.version.type)}))


def _check_point(lon: float | None, lat: float | None) -> None:
    if (lon is None) != (lat is None):
        raise InvalidInput("位置需要同时提供经度和纬度")
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"位置坐标不正确：{lon}, {lat}")


def precheck_tick(session: Session, *, principal: Principal, task_id: int,
                  expected_version: int | None = None) -> None:
    """The checks a tick must pass, run before its photos are decoded and stored (a stale
    ``version`` answers 409 at once: a losing racer never decodes its photos)."""
    task = get_visible_task(session, principal, task_id)
    require(principal, "task.tick")
    if task.status != OPEN:
        raise _conflict(session, task.id, task.status)
    if expected_version is not None and expected_version != task.version:
        raise _conflict(session, task.id, None)


def tick_task(session: Session, *, principal: Principal, task_id: int, note: str,
              photos: Sequence[PreparedPhoto], lon: float | None, lat: float | None,
              expected_version: int | None, now: dt.datetime, address: str | None = None,
              quantities: Sequence[TickQuantity] = ()) -> Tick:
    """打卡: claim a task done with evidence; the evidence is checked and flagged, never refused.

    ``quantities`` (issue 20): what the work amounted to (清运垃圾 3 吨 …), for the categories the
    task's template names; they go into the 整改台账 in the same unit of work."""
    # the segment is needed (for the distance checks) only when the tick or a photo has a position
    located = lon is not None or any(p.exif_lon is not None for p in photos)
    task, segment = _task_to_tick(session, principal, task_id, with_segment=located)
    require(principal, "task.tick")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"说明过长（{len(note)} 字），请控制在 {MAX_NOTE} 字以内")
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"一次最多上传 {MAX_PHOTOS} 张照片")
    if not note and not photos:
        raise InvalidInput("请填写完成情况说明或上传现场照片")
    _check_point(lon, lat)
    bump(session, task, expected_version=expected_version, from_status=OPEN, values={"status": DONE, "done_at": now})
    rows = [save_photo(session, campaign_id=task.campaign_id, prepared=p, now=now)
            for p in dict.fromkeys(photos)]  # the same picture twice in one tick counts once
    # the flags are worked out before the tick is stored (it is not in the session yet, so "other
    # ticks using this photo" are all stored ones), and the tick is inserted with them: no UPDATE after
    tick = Tick(campaign_id=task.campaign_id, task_id=task.id, user_id=principal.user_id, at=now, note=note,
                lon=lon, lat=lat, flags=[])
    tick.flags = [f.stored() for f in evidence_flags(session, task=task, tick=tick, photos=rows, segment=segment,
                                                     now=now, tz=ZoneInfo(principal.timezone))]
    _store(session, tick)
    if rows:
        session.add_all([Attachment(photo_id=photo.id, owner_type="tick", owner_id=tick.id, role="evidence")
                         for photo in rows])
    record(session, campaign_id=task.campaign_id, action="tick", object_type="task", object_id=task.id, now=now,
           actor=principal.name, user_id=principal.user_id, address=address,
           detail={"tick_id": tick.id, "photos": len(rows), "flags": [f["code"] for f in tick.flags],
                   "point": [lon, lat] if lon is not None else None})
    if quantities:  # issue 20: 台账
        from services.inspections.ledger import record_tick_quantities

        record_tick_quantities(session, task=task, quantities=quantities, now=now, actor=principal.name)
    session.flush()
    return tick


def _store(session: Session, tick: Tick) -> None:
    """Insert ``tick`` as a plain INSERT (issue 22: the ORM's flush machinery costs more than the row)
    and make it the session's persistent object for that row, every column known (none reloaded)."""
    for column in _TICK_UNSET:
        setattr(tick, column, None)
    values = {c: getattr(tick, c) for c in _TICK_COLUMNS}
    tick.id = run_plain(session, _insert_tick(), values)[1][0][0]
    make_transient_to_detached(tick)
    session.add(tick)


_TICK_COLUMNS = ("campaign_id", "task_id", "user_id", "at", "note", "lon", "lat", "flags")
_TICK_UNSET = ("undone_at", "verdict", "verified_by", "verified_at", "reason")


@functools.cache
def _insert_tick() -> Any:
    """The tick's INSERT … RETURNING id, built and compiled once."""
    table = cast("Table", Tick.__table__)
    return insert(table).values({c: bindparam(c) for c in _TICK_COLUMNS}).returning(table.c.id)


def _task_to_tick(session: Session, principal: Principal, task_id: int, *, with_segment: bool
                  ) -> tuple[Task, Segment | None]:
    """The visible task (NotFound otherwise) and, when asked, its segment, in one query."""
    if not with_segment:
        return get_visible_task(session, principal, task_id), None
    rule, params = visibility(principal)
    row = session.execute(_task_and_segment(rule), {**params, "task_id": task_id}).first()
    if row is None:
        raise NotFound(f"找不到任务 {task_id}")
    return row.Task, row.Segment


@functools.cache
def _task_and_segment(rule: str) -> Select:
    """A visible task and its segment, built and compiled once per visibility rule."""
    return (select(Task, Segment).outerjoin(Segment, Segment.id == Task.segment_id)
            .where(Task.id == bindparam("task_id"), visible_tasks_for(rule)))


#: a task's latest tick that has not been undone (built once: building it cost more than running it)
_ACTIVE_TICK = (select(Tick).where(Tick.task_id == bindparam("task_id"), Tick.undone_at.is_(None))
                .order_by(Tick.at.desc(), Tick.id.desc()).limit(1))


def active_tick(session: Session, task_id: int) -> Tick | None:
    """The task's latest tick that has not been undone."""
    return session.scalars(_ACTIVE_TICK, {"task_id": task_id}).first()


def settle_tick(session: Session, tick: Tick, values: dict[str, Any]) -> None:
    """Write ``values`` (plain values) to ``tick``'s row and keep the loaded tick in step.

    A plain UPDATE where the ORM's flush of the changed tick would have run (issue 22: that flush
    cost more than the rest of 核查); what the caller changed before is flushed first, in order."""
    flush_pending(session)
    session.connection().execute(_update_tick(tuple(sorted(values))),
                                 {"t_id": tick.id, **{f"v_{key}": value for key, value in values.items()}})
    for key, value in values.items():
        set_committed_value(tick, key, value)


@functools.cache
def _update_tick(columns: tuple[str, ...]) -> Any:
    """``settle_tick``'s UPDATE for ``columns`` (bound as ``v_<column>``), built and compiled once."""
    table = cast("Table", Tick.__table__)
    return (update(table).where(table.c.id == bindparam("t_id"))
            .values({table.c[c]: bindparam(f"v_{c}", type_=table.c[c].type) for c in columns}))


def undo_deadline(tick: Tick) -> dt.datetime:
    return tick.at + UNDO_GRACE


def can_undo(principal: Principal, tick: Tick | None, now: dt.datetime) -> bool:
    """True if ``principal`` may still undo ``tick`` (own tick, not verified, within the grace period)."""
    return (tick is not None and principal.can("task.undo") and tick.verdict is None and tick.undone_at is None
            and now <= undo_deadline(tick)
            and (principal.role == ROLE_OFFICE or (tick.user_id is not None and tick.user_id == principal.user_id)))


def undo_tick(session: Session, *, principal: Principal, task_id: int, now: dt.datetime,
              address: str | None = None) -> Tick:
    """撤销打卡 within the grace period: the task is open again, the tick stays in history."""
    task = get_visible_task(session, principal, task_id)
    require(principal, "task.undo")
    tick = active_tick(session, task.id)
    if tick is None or task.status != DONE or tick.verdict is not None:
        raise Conflict("没有可撤销的打卡（可能已被核查或已撤销）")
    if principal.role != ROLE_OFFICE and tick.user_id != principal.user_id:
        raise Forbidden("只能撤销本人提交的打卡")
    if now > undo_deadline(tick):
        raise Conflict(f"已超过撤销时限（打卡后 {int(UNDO_GRACE.total_seconds() // 60)} 分钟内可撤销）")
    bump(session, task, expected_version=None, from_status=DONE, values={"status": OPEN, "done_at": None})
    settle_tick(session, tick, {"undone_at": now})
    from services.inspections.ledger import withdraw_tick_quantities  # issue 20: the tick's 台账 quantities go too

    withdraw_tick_quantities(session, task=task, since=tick.at)
    record(session, campaign_id=task.campaign_id, action="tick_undone", object_type="task", object_id=task.id,
           now=now, actor=principal.name, user_id=principal.user_id, address=address, detail={"tick_id": tick.id})
    session.flush()
    return tick
