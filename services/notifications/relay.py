"""The outbox relay: claim due messages, deliver them through the channel adapters, record the outcome.

Delivery is at least once. A pass claims a batch (state ``sending`` with its own token and
time) and commits; then it sends one message at a time and commits each outcome at once. A
kill at any moment leaves only the message in flight unrecorded; when its claim's lease runs
out it goes out again with the same idempotency key. Unlike other services the relay
therefore owns its transactions: a short unit of work per claim and per outcome.

The per-outcome transaction is the relay's hot path, so it is kept lean without batching
(a batched commit would repeat every message sent since the last one after a kill): the pass
holds one connection, and each outcome is one prepared Core UPDATE (built once, cached by the
columns it sets) committed on its own — no ORM session, no statement building and no pool
checkout (with its ping) per message. On PostgreSQL that UPDATE runs in autocommit (one
statement, one transaction, one round trip) with ``synchronous_commit`` off for this connection
only: the commit is applied and visible at once, so a killed relay repeats nothing more than
before; the server merely does not wait for the WAL flush (an fsync per message). Should the
database server itself crash in the moment after, the last outcomes it acknowledged may be
rolled back: those messages are left claimed, the lease puts them back and each goes out once
more with its idempotency key — nothing is lost and no message is repeated more than once.
A digest's outcome (two statements) keeps an ordinary transaction.

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
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, cast

import httpx
from sqlalchemy import Connection, Engine, Table, Update, bindparam, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.outbox import DEAD, MERGED, PENDING, SENDING, SENT
from notify import Message, Outcome, merge_digest, requests_for, send
from notify.masking import mask_text
from rules.delivery import Decision, decide
from rules.errors import ConfigError
from services.notifications.targets import Directory, known_secrets, masked_logs
from services.notifications.texts import TEXT, describe
from services.notifications.throttle import Throttle

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
    with db.unit_of_work() as s:
        report.recovered = recover_stale(s, now=now, lease=lease)
        directory = Directory.load(s, environ)
        throttle = Throttle.seed(s, directory, now)
        bursting = bursts(s, directory=directory, now=now, campaign_id=campaign_id)
    with masked_logs(known_secrets(directory.specs(), environ)), _outcome_connection(db.engine) as outcomes:
        while budget_s is None or time.monotonic() - started < budget_s:
            with db.unit_of_work() as s:
                claimed = claim(s, worker=worker, now=now, limit=batch_size, campaign_id=campaign_id)
                ready = prepare(s, claimed=claimed, directory=directory, worker=worker, now=now, report=report,
                                bursting=bursting)
            if not claimed:
                break
            report.claimed += len(claimed)
            _send_all(db, outcomes, ready, directory=directory, throttle=throttle, client=client, worker=worker,
                      now=now, report=report, deadline=None if budget_s is None else started + budget_s)
    log.info("relay pass %s at %s: %s", worker, now.isoformat(), report.as_dict())
    return report


def recover_stale(session: Session, *, now: dt.datetime, lease: dt.timedelta = LEASE) -> int:
    """Put claims older than ``lease`` back to pending: their relay died (crash-recovery lease)."""
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.state == SENDING, OutboxMessage.claimed_at <= now - lease)
        .values(state=PENDING, claimed_by=None, claimed_at=None).execution_options(synchronize_session=False))
    # an UPDATE's result is a cursor result
    return max(cast("CursorResult[Any]", result).rowcount or 0, 0)


def claim(session: Session, *, worker: str, now: dt.datetime, limit: int, campaign_id: int | None = None,
          target: tuple[int, str] | None = None) -> list[Claimed]:
    """Mark up to ``limit`` due messages as ours: a conditional UPDATE … RETURNING.

    PostgreSQL skips rows another relay has locked (FOR UPDATE SKIP LOCKED); SQLite
    serializes writers (BEGIN IMMEDIATE), so two relays never claim the same row.
    """
    m = OutboxMessage
    due = select(m.id).where(m.state == PENDING, m.next_attempt_at <= now)
    if campaign_id is not None:
        due = due.where(m.campaign_id == campaign_id)
    if target is not None:  # more of one bursting target's messages, for its digest
        due = due.where(m.campaign_id == target[0], m.target == target[1], m.template != DIGEST_TEMPLATE)
    due = due.order_by(m.next_attempt_at, m.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # a CTE is evaluated once; PostgreSQL may rescan an IN (subquery) and so claim past the LIMIT
    chosen = due.cte("due")
    stmt = (update(m).where(m.id.in_(select(chosen.c.id)), m.state == PENDING)
            .values(state=SENDING, claimed_by=worker, claimed_at=now)
            .returning(m.id, m.campaign_id, m.target, m.idempotency_key, m.template, m.payload, m.attempts)
            .execution_options(synchronize_session=False))
    return sorted((Claimed(*row) for row in session.execute(stmt)), key=lambda c: c.id)


def bursts(session: Session, *, directory: Directory, now: dt.datetime,
           campaign_id: int | None = None) -> set[tuple[int, str]]:
    """Targets with more messages due now than their digest threshold: these are merged."""
    m = OutboxMessage
    q = (select(m.campaign_id, m.target, func.count())
         .where(m.state == PENDING, m.next_attempt_at <= now, m.template != DIGEST_TEMPLATE)
         .group_by(m.campaign_id, m.target))
    if campaign_id is not None:
        q = q.where(m.campaign_id == campaign_id)
    found = set()
    for cid, target, count in session.execute(q):
        directory.ensure(session, cid)
        threshold = directory.digest_threshold(cid, target)
        if threshold and count > threshold:
            found.add((cid, target))
    return found


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
            _finish(session, row, worker, dict(state=DEAD, last_error=exc.message, last_attempt_at=now))
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
    if not _finish(session, row, worker, values):
        log.warning("claim on outbox %s lost before its outcome (%s) was recorded", row.id, outcome.kind)
        return None
    if decision.state == "sent" and row.template == DIGEST_TEMPLATE:
        session.execute(update(OutboxMessage).where(OutboxMessage.merged_into == row.id)
                        .values(sent_at=now).execution_options(synchronize_session=False))
    return decision


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


def _send_all(db: Any, conn: Connection, ready: list[Claimed], *, directory: Directory, throttle: Throttle, client: httpx.Client,
              worker: str, now: dt.datetime, report: RelayReport, deadline: float | None) -> None:
    blocked: dict[str, dt.datetime] = {}  # robots (by URL) that must wait: throttled or asked us to
    released: list[tuple[int, dt.datetime | None]] = []
    for i, row in enumerate(ready):
        if deadline is not None and time.monotonic() >= deadline:
            released += [(r.id, None) for r in ready[i:]]
            report.deferred += len(ready) - i
            break
        target = directory.target(row.campaign_id, row.target)
        key, cost = target.url, requests_for(target.channel, row.message())
        if key not in blocked and (wait := throttle.wait(target.channel, key, now, cost)) > 0:
            blocked[key] = now + dt.timedelta(seconds=wait)
        if key in blocked:
            released.append((row.id, blocked[key]))
            report.throttled += 1
            continue
        throttle.record(target.channel, key, now, cost)
        outcome = _attempt(client, target, row, now)
        max_attempts = directory.spec(row.campaign_id).max_attempts
        if row.template == DIGEST_TEMPLATE:  # the carrier and its merged rows, in one transaction
            with db.unit_of_work() as s:
                decision = record_outcome(s, row=row, worker=worker, outcome=outcome, now=now,
                                          channel=target.channel, max_attempts=max_attempts)
        else:
            # one UPDATE in autocommit: this outcome is committed before the next message goes out
            decision = record_outcome(conn, row=row, worker=worker, outcome=outcome, now=now,
                                      channel=target.channel, max_attempts=max_attempts)
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
        with conn.begin():
            release(conn, rows=released, worker=worker)


#: per dialect and column set: SQL text, positional parameter order (or None), defaults, bind processors
_PREPARED: dict[tuple[str, frozenset[str]], tuple[str, Sequence[str] | None, Mapping[str, Any],
                                                  dict[str, Callable[[Any], Any]]]] = {}


def _finish_autocommit(conn: Connection, row: Claimed, worker: str, values: dict[str, Any]) -> bool:
    """``_finish``'s statement, compiled once for this dialect and run on the driver's cursor.

    The driver is in autocommit (SQLite: SQLAlchemy opens transactions itself, the driver none;
    PostgreSQL: see ``_outcome_connection``), so the one UPDATE is its own transaction.
    """
    columns = frozenset(values)
    key = (conn.dialect.name, columns)
    prepared = _PREPARED.get(key)
    if prepared is None:
        compiled = _finish_statement(columns).compile(dialect=conn.dialect)
        names = [*(f"v_{name}" for name in columns), "w_id", "w_worker"]
        processors: dict[str, Callable[[Any], Any]] = {
            name: proc for bind, name in compiled.bind_names.items()
            if (proc := bind.type.bind_processor(conn.dialect)) is not None}
        found = (compiled.string, compiled.positiontup, compiled.construct_params(dict.fromkeys(names)),
                 processors)
        _PREPARED[key] = prepared = found
    sql, order, defaults, processors = prepared
    params = dict(defaults, w_id=row.id, w_worker=worker)
    params.update((f"v_{name}", value) for name, value in values.items())
    for name, convert in processors.items():
        params[name] = convert(params[name])
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, tuple(params[n] for n in order) if order else params)
        return (cursor.rowcount or 0) > 0
    finally:
        cursor.close()


@contextmanager
def _outcome_connection(engine: Engine) -> Iterator[Connection]:
    """The connection a pass records its outcomes on (see the module's docstring)."""
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            yield conn
            return
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when the pool takes it back
        conn.exec_driver_sql("SET synchronous_commit TO OFF")
        conn.commit()  # ends SQLAlchemy's autobegun (logical) transaction
        try:
            yield conn
        finally:
            try:
                conn.rollback()  # a failed outcome's logical transaction, if any
                conn.exec_driver_sql("RESET synchronous_commit")
                conn.commit()
            except DBAPIError:  # a broken connection: the pool must not hand it out again
                conn.invalidate()


def _attempt(client: httpx.Client, target: Any, row: Claimed, now: dt.datetime) -> Outcome:
    try:
        return send(client, target, row.message(), now)
    except Exception as exc:  # an adapter bug must not stop the relay; the retries bound it
        log.exception("adapter crashed on outbox %s", row.id)
        detail = mask_text(f"{TEXT['crash']} {type(exc).__name__}: {exc}", target.secret_values())
        return Outcome("retry", None, detail)


def _finish(session: Session | Connection, row: Claimed, worker: str, values: dict[str, Any]) -> bool:
    """Record ``values`` on our claimed row and end the claim; False if the claim is no longer ours.

    On a bare ``Connection`` outside a transaction (the pass's outcome connection) the UPDATE
    goes straight to the driver, which commits it by itself.
    """
    if isinstance(session, Connection) and not session.in_transaction():
        return _finish_autocommit(session, row, worker, values)
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(w_id=row.id, w_worker=worker)
    result = session.execute(_finish_statement(frozenset(values)), params)
    return (cast("CursorResult[Any]", result).rowcount or 0) > 0  # an UPDATE's result is a cursor result


_FINISH_STATEMENTS: dict[frozenset[str], Update] = {}


def _finish_statement(columns: frozenset[str]) -> Update:
    """The outcome UPDATE setting ``columns`` (bound as ``v_<name>``), built once per column set.

    A plain Core statement on the table: its compiled form is cached by SQLAlchemy, and it
    needs no ORM session around it.
    """
    stmt = _FINISH_STATEMENTS.get(columns)
    if stmt is None:
        table = cast("Table", OutboxMessage.__table__)
        stmt = (update(table)
                .where(table.c.id == bindparam("w_id"), table.c.claimed_by == bindparam("w_worker"),
                       table.c.state == SENDING)
                .values({**{name: bindparam(f"v_{name}") for name in sorted(columns)},
                         "claimed_by": None, "claimed_at": None}))
        _FINISH_STATEMENTS[columns] = stmt
    return stmt


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
