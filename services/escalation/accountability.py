"""The accountability ladder applied by the sweep to overdue tasks, rectifications and assigned problems.

Each batch: select candidates by keyset (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), let the
pure ladder pick each item's next rung, move them all with one conditional UPDATE (``acc_stage``
must still be what was read, and ``acc_at`` before ``now``), then write the steps, the 督办单 (one
per unit per week: items supervised later in the week join it), the unit's 通报批评 proposal when
its 督办单 of the period call for one, and the outbox rows of the rows that moved.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, literal, not_, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from models import Problem, Task
from models.accountability import TASK
from models.base import UTCDateTime, json_text
from models.outbox import MERGED
from notify.templates import overdue_notice, overdue_span, reminder, supervision_notice
from rules.accountability import (
    OVERDUE,
    REMINDED,
    SUPERVISED,
    WEEK,
    criticism_window,
    effective_deadline,
    next_stage,
    rungs,
    working_days_overdue,
)
from rules.ladders import OFFICE, OPEN
from rules.vocabulary import AccStage
from services.bulk import fetch_plain
from services.campaigns.status import opened_phase
from services.escalation.ladders import Holders, Policy, local_text, recipient
from services.escalation.sanctions import add_to_week_notices, issue_notices, propose_repeats
from services.escalation.sweep_io import (
    BATCH,
    BatchResult,
    Outbox,
    from_driver,
    is_pg,
    row_time,
    update_from_values,
    write_rows,
)
from services.notifications.daily import TEMPLATE as DIGEST
from services.people.audit import record

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

STEP_COLUMNS = ("campaign_id", "object_type", "object_id", "stage", "at", "unit_id", "notice_id", "detail")


class Candidate(NamedTuple):
    id: int
    acc_stage: int
    deadline: Any
    extended_until: Any
    unit_id: int | None
    title: str
    phase_id: int | None
    segment_id: int | None
    holder_leader_id: int | None
    terminal: Any


def _candidates(session: Session, kind: str, campaign_id: int, now: dt.datetime, latest: dt.datetime,
                after_id: int, limit: int) -> list[Any]:
    """Open items below the top rung whose (effective) deadline is before the loosest cutoff."""
    params = {"campaign_id": campaign_id, "now": now, "latest": latest, "after_id": after_id, "limit": limit}
    # the deadline index visits the candidates only, not the whole table in id order (see ``_due_problems``)
    index = "ix_task_campaign_status_deadline" if kind == TASK else "ix_problem_due"
    return [Candidate._make(r) for r in fetch_plain(session, _candidates_query(kind, is_pg(session)), params,
                                                    sqlite_index=(kind, index))]


@functools.cache
def _candidates_query(kind: str, pg: bool) -> Select[Any]:
    """``_candidates``' query, built once per kind and dialect (its values are bound parameters)."""
    latest = bindparam("latest", type_=UTCDateTime())
    if kind == TASK:
        m: Any = Task
        cols: tuple[QueryableAttribute[Any] | ColumnElement[Any], ...] = (
            Task.id, Task.acc_stage, Task.deadline, Task.extended_until, Task.unit_id, Task.title, Task.phase_id,
            Task.segment_id, literal(None).label("holder_leader_id"), literal(True).label("terminal"))
        extra = [Task.deadline <= latest, or_(Task.extended_until.is_(None), Task.extended_until <= latest)]
    else:
        m = Problem
        terminal = and_(Problem.level == OFFICE, Problem.assigned_at.is_not(None))
        cols = (Problem.id, Problem.acc_stage, Problem.level_deadline.label("deadline"),
                literal(None).label("extended_until"), Problem.holder_unit_id.label("unit_id"), Problem.title,
                literal(None).label("phase_id"), Problem.segment_id, Problem.holder_leader_id,
                terminal.label("terminal"))
        extra = [Problem.level_deadline <= latest, not_(and_(Problem.level == OFFICE, Problem.assigned_at.is_(None)))]
    now = bindparam("now", type_=UTCDateTime())
    q = (select(*cols).where(m.campaign_id == bindparam("campaign_id"), m.status == OPEN,
                             m.acc_stage < AccStage.YELLOW_CARD, or_(m.acc_at.is_(None), m.acc_at < now),
                             m.id > bindparam("after_id"), *extra)
         .order_by(m.id).limit(bindparam("limit", type_=Integer())))
    return q.with_for_update(skip_locked=True, of=m) if pg else q


def _overdue_text(deadline: dt.datetime, now: dt.datetime) -> str:
    return overdue_span((now - deadline).total_seconds() / 3600)  # never "逾期0小时"


def accountability_batch(session: Session, *, ctx: CampaignContext, kind: str, now: dt.datetime, after_id: int = 0,
                         limit: int = BATCH) -> BatchResult:
    """Move one batch of tasks (``kind='task'``) or problems one rung up the accountability ladder."""
    pol, campaign = ctx.policy, ctx.campaign
    ladder = rungs(pol.accountability, pol.calendar, now)
    rows = _candidates(session, kind, campaign.id, now, max(r.cutoff for r in ladder), after_id, limit)
    result = BatchResult(selected=len(rows), last_id=rows[-1].id if rows else after_id)
    if not rows:
        return result  # the pass is done
    chosen: dict[int, tuple[Any, int, dt.datetime]] = {}
    decided: dict[tuple[Any, ...], tuple[int | None, dt.datetime]] = {}
    for r in rows:
        facts = (r.acc_stage, r.deadline, r.extended_until, r.terminal)
        found = decided.get(facts)
        if found is None:  # many items share a stage and a deadline: decide each such class once
            deadline = effective_deadline(from_driver(r.deadline),
                                          None if r.extended_until is None else from_driver(r.extended_until))
            to = next_stage(ladder, r.acc_stage, deadline, terminal=bool(r.terminal))
            found = decided[facts] = (None if to is None else int(to), deadline)
        if found[0] is not None:
            chosen[r.id] = (r, found[0], found[1])
    moved = update_from_values(
        session, table=kind, columns=[("id", "INTEGER"), ("from_stage", "INTEGER"), ("to_stage", "INTEGER")],
        rows=[(i, r.acc_stage, to) for i, (r, to, _) in chosen.items()],
        set_={"acc_stage": "v.to_stage", "acc_at": ":now"},
        where=f"{kind}.acc_stage = v.from_stage AND {kind}.status = 'open' "
              f"AND ({kind}.acc_at IS NULL OR {kind}.acc_at < :now)",
        params={"now": now}, returning=f"{kind}.id")
    if not moved:
        return result
    holders = ctx.holders(now=now, segment_ids=())  # names only: no 包联 needed
    _write(session, ctx=ctx, pol=pol, holders=holders, kind=kind, now=now,
           items=[chosen[i] for (i,) in moved], result=result)
    result.moved = len(moved)
    record(session, campaign_id=campaign.id, action="sweep.accountability", object_type="campaign",
           object_id=campaign.id, now=now, detail={"kind": kind, "moved": result.moved, "by_stage": result.by_step})
    return result


def _write(session: Session, *, ctx: CampaignContext, pol: Policy, holders: Holders, kind: str, now: dt.datetime,
           items: list[tuple[Any, int, dt.datetime]], result: BatchResult) -> None:
    campaign = ctx.campaign
    cal, outbox, cid, at = pol.calendar, Outbox(session, ctx, now), campaign.id, row_time(session, now)
    # reminders and overdue notices ride in the recipient's morning digest (written as ``Fold`` writes them)
    fold = Outbox(session, ctx, now, state=MERGED, extra={"folded": DIGEST}, like=outbox)
    steps: list[tuple[Any, ...]] = []
    supervised: dict[int, list[dict[str, Any]]] = defaultdict(list)
    details: dict[dt.datetime, tuple[str, str, Notices]] = {}
    by_step: dict[int, int] = defaultdict(int)
    units, office = holders.unit_names, holders.office_unit_id
    for r, to, deadline in items:
        by_step[to] += 1
        found = details.get(deadline)
        if found is None:  # many items share a deadline: work its texts out once
            iso = deadline.isoformat()
            detail = json_text({"deadline": iso, "overdue_workdays": working_days_overdue(cal, deadline, now)})
            found = details[deadline] = iso, detail, Notices(kind, iso, local_text(deadline, cal),
                                                             _overdue_text(deadline, now))
        iso, detail_json, due = found
        if to == REMINDED:
            fold.add_alike(recipient(r.unit_id, r.holder_leader_id, office), "reminder", deadline, r.id, (r.title,),
                           due.reminder)
        elif to == OVERDUE:
            fold.add_alike(recipient(r.unit_id, r.holder_leader_id, office), "overdue", deadline, r.id,
                           (r.title, units.get(r.unit_id, "")), due.overdue)
        elif to == SUPERVISED and r.unit_id is not None:
            supervised[r.unit_id].append({"type": kind, "id": r.id, "title": r.title, "deadline": iso,
                                          "segment_id": r.segment_id})
            continue  # its step row carries the notice id, written below
        steps.append((cid, kind, r.id, to, at, r.unit_id, None, detail_json))
    for to, n in by_step.items():
        result.by_step[str(to)] = result.by_step.get(str(to), 0) + n
    if supervised:
        phase = opened_phase(session, cid)
        holders.load_segment_names(session, (e["segment_id"] for es in supervised.values() for e in es))
        for es in supervised.values():
            for e in es:
                e["segment"] = holders.segment_name(e.pop("segment_id"))
        # one 督办单 per unit per week: items supervised later in the week join the week's notice
        monday = criticism_window(WEEK, now.astimezone(cal.tz).date())[0]
        week_start = dt.datetime.combine(monday, dt.time(0), tzinfo=cal.tz)
        joined = add_to_week_notices(session, campaign_id=cid, since=week_start, items_by_unit=supervised)
        fresh = {u: es for u, es in supervised.items() if u not in joined}
        year = now.astimezone(cal.tz).year
        notice_deadline = pol.notice_limit.due(cal, now)
        notices = issue_notices(session, campaign=campaign, prefix=pol.notice_prefix, year=year,
                                phase_id=phase.id if phase else None, deadline=notice_deadline,
                                items_by_unit=fresh, now=now)
        for unit_id, entries in supervised.items():
            notice_id, number = notices.get(unit_id) or joined[unit_id]
            steps += [(cid, kind, e["id"], SUPERVISED, at, unit_id, notice_id,
                       json_text({"deadline": e["deadline"], "doc_no": number})) for e in entries]
            if unit_id not in fresh:
                continue  # the unit has this week's notice already; its list grew
            title, body = supervision_notice(number, holders.unit_names.get(unit_id, ""), by_segment(entries),
                                             local_text(notice_deadline, cal))
            outbox.add([("unit", unit_id)], "supervision", {"title": title, "body": body, "notice_id": notice_id,
                                                           "doc_no": number}, ("notice", notice_id))
        propose_repeats(session, campaign=campaign, ladder=pol.accountability, unit_ids=sorted(fresh),
                        phase_id=phase.id if phase else None, now=now)
    write_rows(session, "accountability_step", STEP_COLUMNS, steps)
    result.messages = outbox.flush() + fold.flush()


class Notices:
    """The reminder and the overdue notice of items due at one deadline, as ``Outbox.add_alike`` builds them
    from an item's id and texts: (payload, idempotency key parts)."""

    def __init__(self, kind: str, iso: str, deadline_text: str, late: str):
        self.kind, self.iso, self.deadline_text, self.late = kind, iso, deadline_text, late

    def reminder(self, item_id: int, texts: Sequence[str]) -> tuple[dict[str, Any], tuple[Any, ...]]:
        title, body = reminder(texts[0], self.deadline_text)
        return self._message(item_id, int(REMINDED), title, body)

    def overdue(self, item_id: int, texts: Sequence[str]) -> tuple[dict[str, Any], tuple[Any, ...]]:
        """``texts``: the item's title and its unit's name."""
        title, body = overdue_notice(texts[0], texts[1], self.deadline_text, self.late)
        return self._message(item_id, int(OVERDUE), title, body)

    def _message(self, item_id: int, to: int, title: str, body: str) -> tuple[dict[str, Any], tuple[Any, ...]]:
        return ({f"{self.kind}_id": item_id, "stage": to, "title": title, "body": body},
                (self.kind, item_id, "acc", to, self.iso))


def by_segment(entries: list[dict[str, Any]]) -> list[str]:
    """A 督办单's items as lines, grouped by segment: 「路段：事项一；事项二」."""
    groups: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        groups[e.get("segment") or "未定位"].append(e["title"])
    return [f"{seg}：{'；'.join(titles)}" for seg, titles in sorted(groups.items())]
