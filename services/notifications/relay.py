"""The outbox relay: claim due messages, deliver them through the channel adapters, record the outcome.

Delivery is at least once. A pass claims a batch (state ``sending`` with its own token and
time) and commits; then it sends one message at a time and commits each outcome at once. A
kill at any moment leaves only the message in flight unrecorded; when its claim's lease runs
out it goes out again with the same idempotency key. Unlike other services the relay
therefore owns its transactions: a short unit of work per claim and per outcome.

The per-outcome transaction is the relay's hot path, so it is kept lean without batching
(a batched commit would repeat every message sent since the last one after a kill): the pass
holds one connection and one driver cursor, and each outcome is one prepared Core UPDATE
(compiled once per dialect, cached by the columns it sets) committed on its own — no ORM
session, no statement building and no pool checkout (with its ping) per message. A pass's own
reads (stale claims, campaigns, the last minute's sends, bursts) share its first claim's
transaction, with statements built once; a pass that claims nothing opens no outcome connection.
On PostgreSQL that UPDATE runs in autocommit (one statement, one transaction, one round trip)
with ``synchronous_commit`` off for this connection only, and each claim's transaction sets it
off for itself: a commit is applied and visible at once, so a killed relay repeats nothing more
than before; the server merely does not wait for the WAL flush (an fsync per message and per
claim). Should the database server itself crash in the moment after, the last commits it
acknowledged may be rolled back, always the latest ones (the WAL is replayed in order): their
messages are left claimed (the lease puts them back) or, with the claim undone, pending again
(stale claims put back in the same transaction stay stale until the next pass), and each goes
out once more with its idempotency key — nothing is lost and no message is repeated more than
once. A digest's outcome (two statements) keeps an ordinary transaction.

Throttles, backoff and due times all use the injected ``now``: nothing here sleeps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, cast

import httpx
from sqlalchemy import Connection, Integer, Select, Table, Update, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.outbox import DEAD, MERGED, PENDING, SENDING, SENT
from notify import Message, Outcome, merge_digest, requests_for, send
from notify.email import kept_sessions
from notify.masking import mask_text
from rules.delivery import Decision, decide
from rules.errors import ConfigError
from services.notifications.outcome_writer import OutcomeWriter, finish_row, outcome_writer
from services.notifications.targets import Directory, known_secrets, masked_logs
from services.notifications.texts import TEXT, describe
from services.notifications.throttle import Throttle
from services.uow import plain_rows

log = logging.getLogger("chuangwei.relay")

LEASE = dt.timedelta(minutes=5)
BATCH_SIZE = 50
#: most messages one digest carries (a robot's byte limit cuts its list of titles short, with a note)
DIGEST_MAX = 200
DIGEST_TEMPLATE = "digest"


@dataclass(frozen=True)
class Claimed:
    """One claimed outbox row, as plain values."""

    id: int
    campaign_id: int
    target: str
    key: str
    template: str
    payload: dict[str, Any]
    attempts: int

    def message(self) -> Message:
        p = self.payload
        links = tuple((str(x.get("title", "")), str(x["url"])) for x in p.get("links") or () if x.get("url"))
        return Message(self.key, str(p.get("title") or self.template), str(p.get("body") or ""),
                       tuple(p.get("mentions") or ()), p.get("link"), tuple(p.get("digest_keys") or ()), links)


@dataclass
class RelayReport:
    recovered: int = 0  # stale claims put back (a relay died mid-batch)
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    throttled: int = 0  # postponed by the local rate limit, no attempt used
    merged: int = 0  # messages carried by digests
    digests: int = 0
    deferred: int = 0  # claimed but left for the next pass (time budget)
    lost: int = 0  # outcomes not recorded: another relay took the claim over

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def worker_id() -> str:
    """A claim token unique to this relay pass: host, process and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def deliver_due(db: Any, *, now: dt.datetime, client: httpx.Client, environ: Mapping[str, str],
                campaign_id: int | None = None, batch_size: int = BATCH_SIZE, lease: dt.timedelta = LEASE,
                budget_s: float | None = None, worker: str | None = None) -> RelayReport:
    """One relay pass: deliver every message due at ``now`` (``db`` is a ``services.uow.Database``).

    ``budget_s`` bounds the pass in real seconds (a scheduled relay must end before the next
    one starts); claimed messages left over are handed back untouched.
    """
    worker = worker or worker_id()
    report = RelayReport()
    started = time.monotonic()

    def in_time() -> bool:
        return budget_s is None or time.monotonic() - started < budget_s

    def claim_batch(s: Session) -> tuple[list[Claimed], list[Claimed]]:
        claimed = claim(s, worker=worker, now=now, limit=batch_size, campaign_id=campaign_id)
        return claimed, prepare(s, claimed=claimed, directory=directory, worker=worker, now=now, report=report,
                                bursting=bursting)

    # the pass's reads and its first claim share one transaction (one write lock on SQLite)
    with db.unit_of_work() as s:
        _no_flush_wait(s)
        report.recovered = recover_stale(s, now=now, lease=lease)
        directory = Directory.load(s, environ)
        throttle = Throttle.seed(s, directory, now)
        bursting = bursts(s, directory=directory, now=now, campaign_id=campaign_id)
        claimed, ready = claim_batch(s) if in_time() else ([], [])
    if claimed:
        with masked_logs(known_secrets(directory.specs(), environ)), outcome_writer(db.engine) as outcomes, \
                kept_sessions():  # one SMTP session per mail server for the pass, not one per mail
            while claimed:
                report.claimed += len(claimed)
                _send_all(db, outcomes, ready, directory=directory, throttle=throttle, client=client, worker=worker,
                          now=now, report=report, deadline=None if budget_s is None else started + budget_s)
                # all that was due at ``now`` is claimed (what came due since waits for the next pass), or time is up
                if len(claimed) < batch_size or not in_time():
                    break
                with db.unit_of_work() as s:
                    _no_flush_wait(s)
                    claimed, ready = claim_batch(s)
    log.info("relay pass %s at %s: %s", worker, now.isoformat(), report.as_dict())
    return report


def recover_stale(session: Session, *, now: dt.datetime, lease: dt.timedelta = LEASE) -> int:
    """Put claims older than ``lease`` back to pending: their relay died (crash-recovery lease).

    A read looks for one such claim first: almost every pass finds none and so writes nothing (the
    UPDATE, whose condition is the same, would take the same look and then write its empty change).
    """
    probe, put_back = _stale_statements()
    params = {"s_cutoff": now - lease}
    conn = session.connection()
    if conn.execute(probe, params).first() is None:
        return 0
    return max(conn.execute(put_back, params).rowcount or 0, 0)


@cache
def _stale_statements() -> tuple[Select[Any], Update]:
    """``recover_stale``'s look for a stale claim and its UPDATE, built once (the cutoff bound as ``s_cutoff``)."""
    table = cast("Table", OutboxMessage.__table__)
    m = table.c
    stale = (m.state == SENDING, m.claimed_at <= bindparam("s_cutoff", type_=m.claimed_at.type))
    return (select(m.id).where(*stale).limit(1),
            update(table).where(*stale).values(state=PENDING, claimed_by=None, claimed_at=None))


def claim(session: Session, *, worker: str, now: dt.datetime, limit: int, campaign_id: int | None = None,
          target: tuple[int, str] | None = None) -> list[Claimed]:
    """Mark up to ``limit`` due messages as ours: a conditional UPDATE … RETURNING.

    PostgreSQL skips rows another relay has locked (FOR UPDATE SKIP LOCKED); SQLite
    serializes writers (BEGIN IMMEDIATE), so two relays never claim the same row.
    """
    stmt = _claim_statement(session.get_bind().dialect.name, campaign_id is not None, target is not None)
    # (a parameter named like a column would be SET on it too: hence the ``c_`` names)
    params: dict[str, Any] = dict(c_worker=worker, c_now=now, c_limit=limit)
    if campaign_id is not None:
        params["c_campaign"] = campaign_id
    if target is not None:
        params.update(c_target_campaign=target[0], c_target_name=target[1])
    # a Core statement on the table: run on the session's connection, without the ORM's execution layer
    return sorted((Claimed(*row) for row in session.connection().execute(stmt, params)), key=lambda c: c.id)


@cache
def _claim_statement(dialect: str, by_campaign: bool, by_target: bool) -> Update:
    """``claim``'s statement for one dialect and filter, built once (its values are bound by name)."""
    m = cast("Table", OutboxMessage.__table__).c
    now = bindparam("c_now", type_=m.next_attempt_at.type)
    due = select(m.id).where(m.state == PENDING, m.next_attempt_at <= now)
    if by_campaign:
        due = due.where(m.campaign_id == bindparam("c_campaign"))
    if by_target:  # more of one bursting target's messages, for its digest
        due = due.where(m.campaign_id == bindparam("c_target_campaign"), m.target == bindparam("c_target_name"),
                        m.template != DIGEST_TEMPLATE)
    # oldest due first, ties in the order of the due index (SQLite's ends in the row id, so by id
    # there): ordering ties by id as well would make PostgreSQL sort every due row for each batch
    due = due.order_by(m.next_attempt_at).limit(bindparam("c_limit", type_=Integer))
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # a CTE is evaluated once; PostgreSQL may rescan an IN (subquery) and so claim past the LIMIT
    chosen = due.cte("due")
    # SQLite runs the statement alone (one writer), so the rows the CTE chose are still pending;
    # checking again would make it walk the due index over every pending row, not look up 50 ids
    still_pending = (m.state == PENDING,) if dialect == "postgresql" else ()
    return (update(cast("Table", OutboxMessage.__table__)).where(m.id.in_(select(chosen.c.id)), *still_pending)
            .values(state=SENDING, claimed_by=bindparam("c_worker"), claimed_at=now)
            .returning(m.id, m.campaign_id, m.target, m.idempotency_key, m.template, m.payload, m.attempts))


def bursts(session: Session, *, directory: Directory, now: dt.datetime,
           campaign_id: int | None = None) -> set[tuple[int, str]]:
    """Targets with more messages due now than their digest threshold: these are merged."""
    params: dict[str, Any] = {"b_now": now}
    if campaign_id is not None:
        params["b_campaign"] = campaign_id
    found = set()
    for cid, target, count in plain_rows(session, _bursts_statement(campaign_id is not None), params):
        directory.ensure(session, cid)
        threshold = directory.digest_threshold(cid, target)
        if threshold and count > threshold:
            found.add((cid, target))
    return found


@cache
def _bursts_statement(by_campaign: bool) -> Select[Any]:
    """``bursts``' count of due messages per target, built once (bound as ``b_now``, ``b_campaign``)."""
    m = cast("Table", OutboxMessage.__table__).c
    q = (select(m.campaign_id, m.target, func.count())
         .where(m.state == PENDING, m.next_attempt_at <= bindparam("b_now", type_=m.next_attempt_at.type),
                m.template != DIGEST_TEMPLATE)
         .group_by(m.campaign_id, m.target))
    return q.where(m.campaign_id == bindparam("b_campaign")) if by_campaign else q


def prepare(session: Session, *, claimed: list[Claimed], directory: Directory, worker: str, now: dt.datetime,
            report: RelayReport, bursting: Collection[tuple[int, str]] = ()) -> list[Claimed]:
    """Dead-letter messages whose target cannot be used; merge a burst to one target into one digest.

    A bursting target's other due messages are claimed too, so one digest carries the burst
    (up to ``DIGEST_MAX``); a digest is never merged again.
    """
    groups: dict[tuple[int, str], list[Claimed]] = {}
    for row in claimed:
        directory.ensure(session, row.campaign_id)
        try:
            directory.target(row.campaign_id, row.target)
        except ConfigError as exc:  # no attempt was made: the count stays
            finish_row(session, row, worker, dict(state=DEAD, last_error=exc.message, last_attempt_at=now))
            report.dead += 1
            continue
        groups.setdefault((row.campaign_id, row.target), []).append(row)
    ready: list[Claimed] = []
    for key, rows in groups.items():
        plain = [r for r in rows if r.template != DIGEST_TEMPLATE]
        ready += [r for r in rows if r.template == DIGEST_TEMPLATE]
        threshold = directory.digest_threshold(*key)
        if not threshold or not (key in bursting or len(plain) > threshold):
            ready += plain
            continue
        if len(plain) < DIGEST_MAX:
            more = claim(session, worker=worker, now=now, limit=DIGEST_MAX - len(plain), target=key)
            plain += more
            report.claimed += len(more)
        if len(plain) < 2:
            ready += plain
            continue
        ready.append(_merge(session, plain, worker, now))
        report.digests += 1
        report.merged += len(plain)
    return ready


def record_outcome(session: Session | Connection, *, row: Claimed, worker: str, outcome: Outcome, now: dt.datetime,
                   max_attempts: int, channel: str) -> Decision | None:
    """Store one attempt's result; None if our claim was lost (another relay took it over)."""
    decision, values = _outcome_values(row=row, outcome=outcome, now=now, max_attempts=max_attempts, channel=channel)
    if not finish_row(session, row, worker, values):
        _claim_lost(row, outcome)
        return None
    if decision.state == "sent" and row.template == DIGEST_TEMPLATE:
        session.execute(update(OutboxMessage).where(OutboxMessage.merged_into == row.id)
                        .values(sent_at=now).execution_options(synchronize_session=False))
    return decision


def _outcome_values(*, row: Claimed, outcome: Outcome, now: dt.datetime, max_attempts: int,
                    channel: str) -> tuple[Decision, dict[str, Any]]:
    """The decision after this attempt and the columns that record it."""
    attempt = row.attempts + 1
    decision = decide(outcome.kind, key=row.key, attempt=attempt, retry_after=outcome.retry_after,
                      max_attempts=max_attempts)
    values: dict[str, Any] = dict(attempts=attempt, last_attempt_at=now)
    if decision.state == "sent":
        values.update(state=SENT, sent_at=now, last_error=None)
    elif decision.state == "pending":
        values.update(state=PENDING, next_attempt_at=now + dt.timedelta(seconds=decision.delay_s),
                      last_error=TEXT["retry"].format(attempt=attempt) + describe(outcome, channel))
    else:
        reason = TEXT["fatal"] if outcome.kind == "fatal" else TEXT["exhausted"].format(attempt=attempt)
        values.update(state=DEAD, last_error=reason + describe(outcome, channel))
    return decision, values


def _claim_lost(row: Claimed, outcome: Outcome) -> None:
    log.warning("claim on outbox %s lost before its outcome (%s) was recorded", row.id, outcome.kind)


def release(session: Session | Connection, *, rows: list[tuple[int, dt.datetime | None]], worker: str) -> None:
    """Hand claimed, unsent messages back (pending), due again at the given time or as before."""
    by_time: dict[dt.datetime | None, list[int]] = {}
    for row_id, until in rows:
        by_time.setdefault(until, []).append(row_id)
    for until, ids in by_time.items():
        values: dict[str, Any] = dict(state=PENDING, claimed_by=None, claimed_at=None)
        if until is not None:
            values["next_attempt_at"] = until
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker)
                        .values(**values).execution_options(synchronize_session=False))


def _send_all(db: Any, outcomes: OutcomeWriter, ready: list[Claimed], *, directory: Directory, throttle: Throttle,
              client: httpx.Client, worker: str, now: dt.datetime, report: RelayReport, deadline: float | None) -> None:
    blocked: dict[str, dt.datetime] = {}  # robots (by URL) that must wait: throttled or asked us to
    released: list[tuple[int, dt.datetime | None]] = []
    for i, row in enumerate(ready):
        if deadline is not None and time.monotonic() >= deadline:
            released += [(r.id, None) for r in ready[i:]]
            report.deferred += len(ready) - i
            break
        target = directory.target(row.campaign_id, row.target)
        message = row.message()
        key, cost = target.url, requests_for(target.channel, message)
        if key not in blocked and (wait := throttle.wait(target.channel, key, now, cost)) > 0:
            blocked[key] = now + dt.timedelta(seconds=wait)
        if key in blocked:
            released.append((row.id, blocked[key]))
            report.throttled += 1
            continue
        throttle.record(target.channel, key, now, cost)
        outcome = _attempt(client, target, row, message, now)
        max_attempts = directory.spec(row.campaign_id).max_attempts
        decision: Decision | None
        if row.template == DIGEST_TEMPLATE:  # the carrier and its merged rows, in one transaction
            with db.unit_of_work() as s:
                decision = record_outcome(s, row=row, worker=worker, outcome=outcome, now=now,
                                          channel=target.channel, max_attempts=max_attempts)
        else:
            # one UPDATE in autocommit: this outcome is committed before the next message goes out
            decision, values = _outcome_values(row=row, outcome=outcome, now=now, max_attempts=max_attempts,
                                               channel=target.channel)
            if not outcomes.finish(row, worker, values):
                _claim_lost(row, outcome)
                decision = None
        if decision is None:
            report.lost += 1
        elif decision.state == "sent":
            report.sent += 1
        elif decision.state == "pending":
            report.retried += 1
            blocked[key] = now + dt.timedelta(seconds=decision.delay_s)
        else:
            report.dead += 1
    if released:
        with outcomes.conn.begin():
            release(outcomes.conn, rows=released, worker=worker)


def _no_flush_wait(session: Session) -> None:
    """On PostgreSQL, let this claim's commit return before the WAL flush (see the module's docstring)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_NO_FLUSH_WAIT)


_NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO OFF")


def _attempt(client: httpx.Client, target: Any, row: Claimed, message: Message, now: dt.datetime) -> Outcome:
    try:
        return send(client, target, message, now)
    except Exception as exc:  # an adapter bug must not stop the relay; the retries bound it
        log.exception("adapter crashed on outbox %s", row.id)
        detail = mask_text(f"{TEXT['crash']} {type(exc).__name__}: {exc}", target.secret_values())
        return Outcome("retry", None, detail)


def _merge(session: Session, rows: list[Claimed], worker: str, now: dt.datetime) -> Claimed:
    messages = [r.message() for r in rows]
    keys = sorted(k for m in messages for k in (m.digest_keys or (m.idempotency_key,)))
    key = "digest:" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:40]
    digest = merge_digest(key, messages)
    payload = {"title": digest.title, "body": digest.body, "mentions": list(digest.mentions), "link": digest.link,
               "links": [{"title": label, "url": url} for label, url in digest.links],
               "digest_keys": list(digest.digest_keys), "recipients": [r.payload.get("recipient") for r in rows]}
    first = rows[0]
    carrier = OutboxMessage(campaign_id=first.campaign_id, idempotency_key=key, target=first.target,
                            template=DIGEST_TEMPLATE, payload=payload, state=SENDING, due_at=now, next_attempt_at=now,
                            attempts=0, claimed_by=worker, claimed_at=now, created_at=now)
    session.add(carrier)
    session.flush()
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in rows]),
                                                OutboxMessage.claimed_by == worker)
                    .values(state=MERGED, merged_into=carrier.id, claimed_by=None, claimed_at=None)
                    .execution_options(synchronize_session=False))
    return Claimed(carrier.id, first.campaign_id, first.target, key, DIGEST_TEMPLATE, payload, 0)
