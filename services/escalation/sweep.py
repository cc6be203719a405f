"""The sweep: both ladders applied in batches with set-based SQL, idempotent and safe to run twice at once.

A batch selects due rows by keyset (``id > after_id``) — on PostgreSQL ``FOR UPDATE SKIP LOCKED``,
so a second sweep takes other rows instead of waiting — decides each row with the pure rules,
then writes with one ``UPDATE … FROM (the batch's rows)`` whose WHERE re-checks the state the row
was selected in (another sweep's move makes it match nothing), and inserts the history and outbox
rows of exactly the rows that moved, in the same transaction. A moved row's new ``level_since``
/ ``acc_at`` is ``now``, so the same sweep (or its retry) never moves it a second time.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Integer, Select, any_, bindparam, column, exists, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from models import Finding, Problem, ProblemEvent
from models.accountability import PROBLEM, TASK
from models.base import UTCDateTime, json_text
from models.inspections import RECTIFIED
from notify.templates import escalation_notice
from rules import ladders as L
from rules.accountability import overdue_cutoff
from rules.calendar import ClockType
from rules.ladders import LEAD, LEADER, NOTE_OPINION_MISSING, OFFICE, OPEN, OPINION
from services.bulk import fetch_plain
from services.escalation.accountability import accountability_batch
from services.escalation.ladders import Holders, local_text, recipient
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
from services.people.audit import record
from services.tasks.lapse import lapse_recurring

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

SWEEP_ACTOR = "系统"
EVENT_COLUMNS = ("problem_id", "at", "actor", "action", "from_level", "to_level", "reason", "opinion", "detail")
#: the sweep's passes, in order: a problem the coordination pass moved is not also stepped by
#: the accountability pass of the same sweep (its ``acc_at`` is ``now``)
COORDINATION = "coordination"
PASSES = (COORDINATION, TASK, PROBLEM)


def _climb_prefilter(ctx: CampaignContext, now: dt.datetime) -> dt.datetime | None:
    """Problems at 牵头部门 since after this instant cannot be due to climb yet (a day's slack: the rule
    decides exactly); None when every due row must be looked at."""
    climb = ctx.policy.coordination.climb_after
    if climb is None or climb.clock != ClockType.WORKDAY or climb.amount < 2:
        return None
    return overdue_cutoff(ctx.calendar, now, int(climb.amount) - 1)


#: a problem due to climb as ``_due_problems`` reads it: id, level, segment, unit, title, level_since (as the
#: driver gives it), whether its leader signed an opinion at this level. Plain tuples, not ``Row``s or named
#: tuples: the garbage collector stops tracking a plain tuple of plain values, so a batch's rows do not set
#: off full collections
Due = tuple[int, str, int | None, int | None, str, Any, Any]


def _due_problems(session: Session, campaign_id: int, now: dt.datetime, after_id: int,
                  limit: int, lead_since_before: dt.datetime | None = None) -> list[Due]:
    """Open problems past their level's limit and not on 挂账 (``on_timeout``'s own preconditions), except
    those of findings reported rectified and waiting for re-inspection."""
    params = {"campaign_id": campaign_id, "now": now, "after_id": after_id, "limit": limit,
              "lead_since_before": lead_since_before}
    # SQLite would walk the whole table in id order for the ORDER BY; the deadline index visits the due
    # rows only, so the pass costs what the due problems cost, however many are not due
    return fetch_plain(session, _due_query(is_pg(session), lead_since_before is not None), params,
                       sqlite_index=("problem", "ix_problem_due"))


@functools.cache
def _due_query(pg: bool, lead_prefilter: bool) -> Select[Any]:
    """``_due_problems``' query, built once per dialect and prefilter (its values are bound parameters)."""
    now = bindparam("now", type_=UTCDateTime())
    opinion = exists(select(ProblemEvent.id).where(ProblemEvent.problem_id == Problem.id,
                                                   ProblemEvent.action == OPINION,
                                                   ProblemEvent.at >= Problem.level_since)).label("opinion")
    # a finding reported rectified awaits its re-inspection (跟踪复查): its problem does not climb meanwhile
    rectified = exists(select(Finding.id).where(Finding.problem_id == Problem.id, Finding.status == RECTIFIED))
    prefilter = [or_(Problem.level != LEAD, Problem.level_since < bindparam("lead_since_before",
                                                                           type_=UTCDateTime()))]
    q = (select(Problem.id, Problem.level, Problem.segment_id, Problem.unit_id, Problem.title, Problem.level_since,
                opinion)
         .where(Problem.campaign_id == bindparam("campaign_id"), Problem.status == OPEN, Problem.level != OFFICE,
                ~rectified, Problem.level_deadline <= now, Problem.level_since < now,
                or_(Problem.on_hold_until.is_(None), Problem.on_hold_until <= now), Problem.id > bindparam("after_id"),
                *(prefilter if lead_prefilter else []))
         .order_by(Problem.id).limit(bindparam("limit", type_=Integer())))
    return q.with_for_update(skip_locked=True, of=Problem) if pg else q


def _opinions(session: Session, ids: list[int]) -> dict[int, list[tuple[str, str, str | None]]]:
    """Every opinion recorded so far (actor, text, level), per problem, in order."""
    found: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    # the ids as one parameter, an array or a JSON list (a batch's thousands of placeholders cost more than the query)
    of_batch = (ProblemEvent.problem_id == any_(bindparam("ids", ids, type_=ARRAY(Integer))) if is_pg(session)
                else ProblemEvent.problem_id.in_(select(column("value", Integer)).select_from(
                    func.json_each(bindparam("ids", json.dumps(ids))))))
    for pid, actor, text_, level in session.connection().execute(
            select(ProblemEvent.problem_id, ProblemEvent.actor, ProblemEvent.opinion, ProblemEvent.from_level)
            .where(of_batch, ProblemEvent.opinion.is_not(None)).order_by(ProblemEvent.id)):
        found[pid].append((actor, text_, level))
    return found


def coordination_batch(session: Session, *, ctx: CampaignContext, now: dt.datetime, after_id: int = 0,
                       limit: int = BATCH) -> BatchResult:
    """Escalate one batch of problems whose level limit has passed (one step each, at most)."""
    pol = ctx.policy
    rows = _due_problems(session, ctx.id, now, after_id, limit, _climb_prefilter(ctx, now))
    result = BatchResult(selected=len(rows), last_id=rows[-1][0] if rows else after_id)
    if not rows:
        return result  # the pass is done
    holders = ctx.holders(now=now, segment_ids=(r[2] for r in rows))
    # problem id → (its row, the index of its action in ``actions``): plain tuples again (see ``Due``)
    moves: dict[int, tuple[Due, int]] = {}
    actions: list[L.Action] = []
    decided: dict[tuple[str, L.Facts, Any], list[int]] = {}
    facts_of: dict[tuple[int | None, bool], L.Facts] = {}  # a segment's rows share their facts
    timed = pol.coordination.climb_after is not None
    for r in rows:
        pid, level, segment_id, _, _, level_since, opinion = r
        facts = facts_of.get((segment_id, opinion))
        if facts is None:
            facts = facts_of[segment_id, opinion] = holders.facts(segment_id, leader_opinion=bool(opinion))
        # every row selected is due, so the rule's step depends on these only (and, at 牵头部门, on how
        # long it has stood there: the climb past it waits for the longer limit)
        since = level_since if timed and level == L.LEAD else None
        key = (level, facts, since)
        chosen = decided.get(key)
        if chosen is None:
            state = L.ProblemState(L.OPEN, level, now if since is None else from_driver(since), now)
            chosen = decided[key] = []
            for action in L.on_timeout(pol.coordination, state, facts, now, pol.calendar):
                chosen.append(len(actions))
                actions.append(action)
        for i in chosen:
            moves[pid] = (r, i)
    values = []
    for pid, (r, i) in moves.items():
        a = actions[i]
        assert a.to_level is not None  # on_timeout only ever moves a problem up a level
        hu, hl = holders.at_level(a.to_level, segment_id=r[2], unit_id=r[3])
        values.append((pid, a.from_level, a.to_level, hu, hl, a.deadline))
    moved = update_from_values(
        session, table="problem",
        columns=[("id", "INTEGER"), ("from_level", "VARCHAR"), ("to_level", "VARCHAR"), ("hu", "INTEGER"),
                 ("hl", "INTEGER"), ("dl", "TIMESTAMP")],
        rows=values,
        set_={"level": "v.to_level", "holder_unit_id": "v.hu", "holder_leader_id": "v.hl", "level_since": ":now",
              "level_deadline": "v.dl", "acc_stage": "0", "acc_at": ":now", "version": "version + 1"},
        where="problem.level = v.from_level AND problem.status = 'open' AND problem.level_deadline <= :now "
              "AND problem.level_since < :now",
        params={"now": now},
        returning="problem.id, problem.version, problem.holder_unit_id, problem.holder_leader_id")
    if moved:
        _write_escalations(session, ctx, now, holders, moves, actions, moved, result)
    return result


def _write_escalations(session: Session, ctx: CampaignContext, now: dt.datetime, holders: Holders,
                       moves: dict[int, tuple[Due, int]], actions: list[L.Action], moved: list[Any],
                       result: BatchResult) -> None:
    """History rows and one message per new holder for the problems that moved."""
    cal, campaign = ctx.calendar, ctx.campaign
    opinions = _opinions(session, [m[0] for m in moved])
    holders.load_segment_names(session, (moves[m[0]][0][2] for m in moved))
    events, outbox, details, at = [], Outbox(session, ctx, now), {}, row_time(session, now)
    for pid, version, hu, hl in moved:
        r, i = moves[pid]
        a, segment_id = actions[i], r[2]
        assert a.to_level is not None and a.deadline is not None  # on_timeout moves up with a new deadline
        said = opinions.get(pid, [])
        opinion = None
        if a.from_level == LEADER:
            leader_said = "；".join(t for _, t, lvl in said if lvl == LEADER)
            opinion = NOTE_OPINION_MISSING if a.opinion_missing else leader_said or None
        lead = holders.assignment(segment_id) if a.on_behalf_of else None
        key = (id(a), lead)  # actions are shared per decision class: texts are worked out once per class
        if key not in details:
            detail = {"auto": True, "deadline": a.deadline.isoformat()}
            if a.on_behalf_of:
                detail["on_behalf_of"] = holders.unit_names.get(lead[0], a.on_behalf_of) if lead else a.on_behalf_of
            details[key] = json_text(detail), local_text(a.deadline, cal)
        detail_json, deadline_text = details[key]
        events.append((pid, at, SWEEP_ACTOR, a.action, a.from_level, a.to_level, a.note, opinion, detail_json))
        lines = tuple(f"{actor}：{t}" for actor, t, _ in said)
        if a.opinion_missing:
            lines += (NOTE_OPINION_MISSING,)
        notice = Escalation(a.to_level, f"{a.to_level}（{holders.holder_name(hu, hl)}）", deadline_text, lines,
                            a.note or "", version)
        outbox.add_alike(recipient(hu, hl, holders.office_unit_id), "escalation", notice, pid,
                         (r[4], holders.segment_name(segment_id)), notice.build)
        result.by_step[a.to_level] = result.by_step.get(a.to_level, 0) + 1
    write_rows(session, "problem_event", EVENT_COLUMNS, events)
    result.messages = outbox.flush()
    result.moved = len(moved)
    record(session, campaign_id=campaign.id, action="sweep.escalate", object_type="campaign", object_id=campaign.id,
           now=now, detail={"moved": result.moved, "by_level": result.by_step, "first_id": moved[0][0]})


class Escalation(NamedTuple):
    """The 上报 message of problems that moved alike, built from a problem's id, title and segment name
    (one shape of ``Outbox.add_alike``)."""

    level: str
    level_name: str
    deadline_text: str
    lines: tuple[str, ...]
    reason: str
    version: int

    def build(self, problem_id: int, texts: Sequence[str]) -> tuple[dict[str, Any], tuple[Any, ...]]:
        title, body = escalation_notice(texts[0], texts[1], self.level_name, self.deadline_text, self.lines,
                                        self.reason)
        return ({"title": title, "body": body, "problem_id": problem_id, "level": self.level},
                ("problem", problem_id, self.version))


def sweep_batch(session: Session, *, ctx: CampaignContext, name: str, now: dt.datetime, after_id: int = 0,
                limit: int = BATCH) -> BatchResult:
    """One batch of one pass (``coordination``, ``task`` or ``problem``): one unit of work."""
    with _collector_paused():
        return _sweep_batch(session, ctx=ctx, name=name, now=now, after_id=after_id, limit=limit)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a batch: a batch makes tens of thousands of small objects
    that live until it ends, and the collector walked them again and again (~7 % of a 1M-item sweep);
    what a batch leaves is collected once it is over (a batch is bounded: ``BATCH`` items)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _sweep_batch(session: Session, *, ctx: CampaignContext, name: str, now: dt.datetime, after_id: int,
                 limit: int) -> BatchResult:
    if name == COORDINATION:
        return coordination_batch(session, ctx=ctx, now=now, after_id=after_id, limit=limit)
    missed = 0
    if name == TASK and after_id == 0:
        # the task pass starts by closing lapsed recurring tasks as 未完成, so it never supervises them
        # (in its first batch's unit of work: no extra round trip per sweep)
        last = 0
        while True:
            selected, closed, last = lapse_recurring(session, ctx=ctx, now=now, after_id=last, limit=limit)
            missed += closed
            if selected < limit:
                break
    result = accountability_batch(session, ctx=ctx, kind=name, now=now, after_id=after_id, limit=limit)
    if missed:
        result.by_step["missed"] = missed
    return result


def sweep(session: Session, *, ctx: CampaignContext, now: dt.datetime, limit: int = BATCH) -> dict[str, BatchResult]:
    """Every pass, batch after batch, in the caller's transaction (the flow commits per batch)."""
    report = {}
    for name in PASSES:
        total = BatchResult()
        while True:
            r = sweep_batch(session, ctx=ctx, name=name, now=now, after_id=total.last_id, limit=limit)
            if r.done:
                break
            total.add(r)
        report[name] = total
    return report
