"""Morning digests built at the source: one message a working morning per recipient, not one per item.

A unit gets the items it must act on — tasks and problems due by the end of the next working
day, and those overdue — grouped by segment, named, each with its page. A county leader gets
the problems that reached their level, plus at most one short line on the segments they lead;
the county's first leaders (县委书记, 县长 by default: ``notifications.weekly_titles``) get that
only on Mondays — anything addressed to them still arrives at once. 创卫办 gets the problems
waiting at its level.

The sweep's per-item reminder and overdue notices are *folded*: written to the outbox already
merged (``fold``), so the record of who was reminded of what stays, and the next morning's
digest carries them (``merged_into``) instead of 20 separate messages a day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, Table, Update, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from models import Assignment, Leader, OutboxMessage, Problem, Segment, Task
from models.base import json_text
from models.outbox import MERGED, PENDING
from models.tasks import OPEN
from notify import templates
from rules.ladders import LEADER, OFFICE
from rules.ladders import OPEN as PROBLEM_OPEN
from services.bulk import insert_ignore
from services.notifications.links import public_base, stamp
from services.notifications.outbox import Recipient, idempotency_key, recipient_targets
from services.uow import plain_rows

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

TEMPLATE = "morning_digest"
#: per-item notices the sweep folds into the next morning's digest instead of sending them
FOLDED_TEMPLATES = ("reminder", "overdue")
#: folded notices older than this are not looked for again (their item was settled before a morning came)
CARRY_WINDOW = dt.timedelta(days=7)
OUTBOX_COLUMNS = ("campaign_id", "idempotency_key", "target", "template", "payload", "state", "due_at",
                  "next_attempt_at", "attempts", "created_at")
#: items named per segment before the rest is counted
PER_SEGMENT = 4
#: buttons a card shows
BUTTONS = 3


@dataclass(frozen=True)
class Item:
    """One thing to act on, as the digest lists it."""

    path: str
    title: str
    segment: str
    deadline: dt.datetime
    overdue: bool


@dataclass
class DigestReport:
    """What one morning run wrote."""

    recipients: int = 0
    messages: int = 0
    items: int = 0
    folded: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"recipients": self.recipients, "messages": self.messages, "items": self.items,
                "folded": self.folded, "by_kind": dict(self.by_kind)}


class Batch:
    """Many messages of one unit of work written with one insert, targets read once (keys as ``enqueue``'s)."""

    def __init__(self, session: Session, ctx: CampaignContext, now: dt.datetime, *, state: str = PENDING,
                 extra: dict[str, Any] | None = None) -> None:
        self.session, self.ctx, self.now, self.state, self.extra = session, ctx, now, state, extra or {}
        self._targets = recipient_targets(session, ctx=ctx)
        self._base = public_base()
        self.rows: list[tuple[Any, ...]] = []

    def add(self, recipients: Iterable[Recipient], template: str, payload: dict[str, Any],
            key_parts: tuple[Any, ...]) -> None:
        """Queue one message to each recipient's targets, with the link for that recipient."""
        for r in recipients:
            linked = stamp(payload, template=template, recipient_kind=r[0], base=self._base)
            body = json_text({**linked, "recipient": f"{r[0]}:{r[1] or ''}", **self.extra})
            for target in self._targets.targets(r):
                key = idempotency_key(self.ctx.code, template, *key_parts, r[0], r[1], target)
                self.rows.append((self.ctx.id, key, target, template, body, self.state, self.now, self.now, 0,
                                  self.now))

    def flush(self) -> int:
        """Write the queued rows (a key that exists already is skipped); how many were queued."""
        n = len(self.rows)
        insert_ignore(self.session, "outbox", OUTBOX_COLUMNS, self.rows, ("idempotency_key",))
        self.rows = []
        return n


class Fold(Batch):
    """Per-item notices written already merged: kept as the record, carried by the next morning digest."""

    def __init__(self, session: Session, ctx: CampaignContext, now: dt.datetime) -> None:
        super().__init__(session, ctx, now, state=MERGED, extra={"folded": TEMPLATE})


def morning_digests(session: Session, *, ctx: CampaignContext, now: dt.datetime) -> DigestReport:
    """Write this working morning's digest for every recipient with something to act on (idempotent per day)."""
    cal = ctx.calendar
    today = now.astimezone(cal.tz).date()
    report = DigestReport()
    if not cal.is_workday(today):
        return report
    next_day = cal.nth_workday_after(today, 1)
    horizon = dt.datetime.combine(next_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=cal.tz)
    segments = dict(session.execute(select(Segment.id, Segment.name).where(Segment.campaign_id == ctx.id)).tuples().all())
    by_recipient: dict[Recipient, list[Item]] = defaultdict(list)
    for t in session.execute(select(Task.id, Task.unit_id, Task.segment_id, Task.title, Task.deadline,
                                    Task.extended_until)
                             .where(Task.campaign_id == ctx.id, Task.status == OPEN, Task.deadline < horizon)):
        due = max(t.deadline, t.extended_until) if t.extended_until else t.deadline
        if due < horizon:
            by_recipient[("unit", t.unit_id)].append(
                Item(f"/tasks/{t.id}", t.title, segments.get(t.segment_id, ""), due, due < now))
    problems = select(Problem.id, Problem.level, Problem.holder_unit_id, Problem.holder_leader_id,
                      Problem.segment_id, Problem.title, Problem.level_deadline).where(
        Problem.campaign_id == ctx.id, Problem.status == PROBLEM_OPEN,
        or_(Problem.on_hold_until.is_(None), Problem.on_hold_until <= now),
        or_(Problem.level == LEADER, and_(Problem.level_deadline.is_not(None), Problem.level_deadline < horizon)))
    for p in session.execute(problems):
        who: Recipient | None
        if p.level == OFFICE:
            who = ("office", None)
        elif p.holder_leader_id is not None:
            who = ("leader", p.holder_leader_id)
        elif p.holder_unit_id is not None:
            who = ("unit", p.holder_unit_id)
        else:
            who = None
        if who is None:
            continue
        deadline = p.level_deadline or horizon
        by_recipient[who].append(Item(f"/problems/{p.id}", p.title, segments.get(p.segment_id, ""), deadline,
                                      deadline < now))
    weekly = _weekly_leaders(session, ctx)
    lines = _leader_lines(session, ctx, now, segments)
    if today.weekday() != 0:
        for leader_id in weekly:
            by_recipient.pop(("leader", leader_id), None)
            lines.pop(leader_id, None)
    for leader_id in lines:
        by_recipient.setdefault(("leader", leader_id), [])
    batch = Batch(session, ctx, now)
    for who, items in sorted(by_recipient.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        line = lines.get(who[1]) if who[0] == "leader" and who[1] is not None else None
        if not items and not line:
            continue
        title, body = templates.morning_digest(today, _grouped(items, cal), line, who[0])
        urgent = sorted(items, key=lambda i: (not i.overdue, i.deadline))[:BUTTONS]
        payload = {"title": title, "body": body, "day": today.isoformat(), "items": len(items),
                   "links": [{"title": templates.short_title(f"{n}. {_bare(i)}", templates.BUTTON_CHARS), "url": i.path}
                             for n, i in enumerate(urgent, 1)]}
        batch.add([who], TEMPLATE, payload, ("morning", today.isoformat()))
        report.recipients += 1
        report.items += len(items)
        report.by_kind[who[0]] = report.by_kind.get(who[0], 0) + 1
    keys = [row[1] for row in batch.rows]
    report.messages = _written(batch)
    report.folded = _carry_folded(session, ctx=ctx, now=now, digest_keys=keys)
    return report


def _written(batch: Batch) -> int:
    """Flush the batch; how many rows are new (a morning already written is not written again)."""
    keys = [row[1] for row in batch.rows]
    if not keys:
        return 0
    existing = set()
    for chunk in range(0, len(keys), 500):
        existing |= set(batch.session.scalars(select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.in_(keys[chunk:chunk + 500]))))
    batch.flush()
    return len(keys) - len(existing)


def _grouped(items: list[Item], cal: Any) -> list[tuple[str, list[str], int]]:
    """(segment, named items, how many more) per segment, overdue first, then by deadline."""
    by_segment: dict[str, list[Item]] = defaultdict(list)
    for i in sorted(items, key=lambda i: (not i.overdue, i.deadline, i.title)):
        by_segment[i.segment].append(i)
    out = []
    for segment, rows in sorted(by_segment.items(), key=lambda kv: (kv[0] == "", kv[0])):
        # under the segment's heading an item's title need not name the segment again
        named = [templates.digest_item(_bare(i), i.deadline.astimezone(cal.tz), i.overdue) for i in rows[:PER_SEGMENT]]
        out.append((segment, named, len(rows) - len(named)))
    return out


def _bare(item: Item) -> str:
    """An item's title without its segment's name (the list names the segment once, as a heading)."""
    return item.title.replace(f"（{item.segment}）", "") if item.segment else item.title


def _weekly_leaders(session: Session, ctx: CampaignContext) -> set[int]:
    """Leaders whose title makes the morning line weekly (县委书记, 县长 …)."""
    titles = tuple(ctx.spec.notifications.weekly_titles)
    return {lid for lid, title in session.execute(select(Leader.id, Leader.title).where(
        Leader.campaign_id == ctx.id)) if title and title in titles}


def _leader_lines(session: Session, ctx: CampaignContext, now: dt.datetime, segments: dict[int, str]) -> dict[int, str]:
    """One short line per leader on the segments they lead: the overdue tasks there, if any."""
    led: dict[int, list[int]] = defaultdict(list)
    for segment_id, leader_id in session.execute(select(Assignment.segment_id, Assignment.leader_id).where(
            Assignment.campaign_id == ctx.id, Assignment.valid_from <= now,
            or_(Assignment.valid_to.is_(None), Assignment.valid_to > now))):
        led[leader_id].append(segment_id)
    if not led:
        return {}
    overdue: dict[int, int] = defaultdict(int)
    for (segment_id,) in session.execute(select(Task.segment_id).where(
            Task.campaign_id == ctx.id, Task.status == OPEN, Task.deadline < now,
            or_(Task.extended_until.is_(None), Task.extended_until < now), Task.segment_id.is_not(None))):
        overdue[segment_id] += 1
    lines = {}
    for leader_id, segment_ids in led.items():
        late = sorted((segments.get(s, ""), overdue[s]) for s in segment_ids if overdue.get(s))
        if late:
            lines[leader_id] = templates.leader_line(late)
    return lines


def _carry_folded(session: Session, *, ctx: CampaignContext, now: dt.datetime, digest_keys: list[str]) -> int:
    """Point every folded notice not yet carried at the same recipient's digest row of this morning."""
    by_key, folded, point = _carry_statements()
    digests: dict[tuple[str, str], int] = {}
    for chunk in range(0, len(digest_keys), 500):
        for row_id, target, payload in plain_rows(session, by_key, {"f_keys": digest_keys[chunk:chunk + 500]}):
            digests[((payload or {}).get("recipient", ""), target)] = row_id
    if not digests:
        return 0
    carry: dict[int, list[int]] = defaultdict(list)
    for row_id, target, payload in plain_rows(session, folded, {"f_campaign": ctx.id, "f_now": now,
                                                                "f_since": now - CARRY_WINDOW}):
        digest = digests.get(((payload or {}).get("recipient", ""), target))
        if digest is not None:
            carry[digest].append(row_id)
    for digest, ids in carry.items():
        session.connection().execute(point, {"f_ids": ids, "f_digest": digest})
    return sum(len(ids) for ids in carry.values())


@cache
def _carry_statements() -> tuple[Select[Any], Select[Any], Update]:
    """``_carry_folded``'s statements, built once: digest rows by key, folded notices not yet carried,
    and the UPDATE that points notices at a digest (bound as ``f_…``)."""
    table = cast(Table, OutboxMessage.__table__)
    m = table.c
    when = m.created_at.type
    by_key = select(m.id, m.target, m.payload).where(m.idempotency_key.in_(bindparam("f_keys", expanding=True)))
    folded = select(m.id, m.target, m.payload).where(
        m.campaign_id == bindparam("f_campaign"), m.state == MERGED, m.merged_into.is_(None),
        m.template.in_(FOLDED_TEMPLATES), m.created_at <= bindparam("f_now", type_=when),
        m.created_at > bindparam("f_since", type_=when))
    point = (update(table).where(m.id.in_(bindparam("f_ids", expanding=True)))
             .values(merged_into=bindparam("f_digest")))
    return by_key, folded, point
