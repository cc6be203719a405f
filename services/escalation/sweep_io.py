"""Set-based writes for the sweep: one UPDATE … FROM (VALUES …) per batch, COPY/executemany inserts,
and outbox rows built for many messages at once (targets looked up once per recipient).

Values are driver values: naive UTC datetimes (text in SQLAlchemy's format on SQLite) and JSON text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, Leader, Unit
from models.outbox import PENDING
from services.bulk import insert_ignore
from services.campaigns.spec import campaign_spec
from services.notifications.outbox import Recipient, idempotency_key

#: rows per batch: one transaction, one Prefect task (id lists stay under SQLite's 32,766 parameters)
BATCH = 10000
OUTBOX_COLUMNS = ("campaign_id", "idempotency_key", "target", "template", "payload", "state", "due_at",
                  "next_attempt_at", "attempts", "created_at")


@dataclass
class BatchResult:
    """What one batch of one sweep pass did."""

    selected: int = 0
    moved: int = 0
    messages: int = 0
    last_id: int = 0
    by_step: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.selected == 0

    def add(self, other: BatchResult) -> None:
        self.selected += other.selected
        self.moved += other.moved
        self.messages += other.messages
        self.last_id = other.last_id
        for k, v in other.by_step.items():
            self.by_step[k] = self.by_step.get(k, 0) + v


def is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def cell(value: Any, pg: bool) -> Any:
    """A driver value; on SQLite a datetime is written the way SQLAlchemy writes it, so text
    comparisons with rows the ORM wrote stay exact."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value if pg else value.isoformat(" ", "microseconds")
    return value


_PARAM = re.compile(r":([a-z_]+)\b")


def update_from_values(session: Session, *, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]],
                       set_: dict[str, str], where: str, params: dict[str, Any], returning: str = "id") -> list[Any]:
    """``UPDATE table SET … FROM (rows) v WHERE table.id = v.id AND where RETURNING …``, one statement.

    ``columns`` are (name, SQL type) of the rows, the first being ``id``; ``set_`` maps a column
    to an expression over ``v.*`` and ``:named`` params; ``where`` re-checks the state the rows
    were selected in, so a row another sweep moved meanwhile is left alone. The rows travel as a
    few parameters whatever their number: one array per column (PostgreSQL ``unnest``) or one
    JSON document (SQLite ``json_each``). Runs on the driver's cursor: SQLAlchemy's
    per-parameter processing would cost more than the UPDATE.
    """
    if not rows:
        return []
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    args: list[Any] = []

    def bind(expr: str) -> str:
        def one(m: re.Match[str]) -> str:
            args.append(cell(params[m.group(1)], pg))
            return mark
        return _PARAM.sub(one, expr)

    names = [c for c, _ in columns]
    assignments = bind(", ".join(f"{c} = {e}" for c, e in set_.items()))
    if pg:
        arrays = ", ".join(f"CAST(%s AS {t}[])" for _, t in columns)
        source = f"unnest({arrays}) AS v ({', '.join(names)})"
        args.extend([cell(row[j], pg) if type(row[j]) is dt.datetime else row[j] for row in rows]
                    for j in range(len(columns)))
    else:
        cols = ", ".join(f"json_extract(value, '$[{j}]') AS {n}" for j, n in enumerate(names))
        source = f"(SELECT {cols} FROM json_each(?)) AS v"
        args.append(json.dumps([[cell(v, pg) if type(v) is dt.datetime else v for v in row] for row in rows],
                               ensure_ascii=False))
    sql = (f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.id = v.id AND {bind(where)} "
           f"RETURNING {returning}")
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(sql, args)
        return list(cur.fetchall())
    finally:
        cur.close()


def insert_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Append rows: COPY on PostgreSQL, the driver's executemany on SQLite (no ORM objects)."""
    if not rows:
        return
    conn = session.connection()
    raw = conn.connection.driver_connection
    cols = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([cell(v, True) if type(v) is dt.datetime else v for v in row])
        return
    cur = raw.cursor()
    try:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' for _ in columns)})",
                        [[cell(v, False) if type(v) is dt.datetime else v for v in row] for row in rows])
    finally:
        cur.close()


#: one encoder for every row (``json.dumps`` with options builds a new one per call)
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def as_json(value: Any) -> str:
    """JSON text exactly as ``models.base.JSONText`` writes it."""
    return _JSON.encode(value)


class Outbox:
    """Messages of one batch, written with one set-based insert (idempotent by key, like ``enqueue``)."""

    def __init__(self, session: Session, campaign: Campaign, now: dt.datetime):
        self.session, self.campaign, self.now = session, campaign, now
        self._pg = is_pg(session)
        self._at = cell(now, self._pg)
        self._code, self._cid = campaign.code, campaign.id
        self._spec = campaign_spec(campaign).notifications
        conn = session.connection()
        self._own = {("unit", i): n for i, n in conn.execute(select(Unit.id, Unit.notify).where(
            Unit.campaign_id == campaign.id))}
        self._own |= {("leader", i): n for i, n in conn.execute(select(Leader.id, Leader.notify).where(
            Leader.campaign_id == campaign.id))}
        self.rows: list[tuple[Any, ...]] = []

    def targets(self, recipient: Recipient) -> list[str]:
        """What ``services.notifications.outbox.targets_for`` answers, from names loaded once per batch."""
        names = list(self._spec.office_targets) if recipient[0] == "office" else list(self._own.get(recipient) or [])
        return names or list(self._spec.default_targets)

    def add(self, recipients: Iterable[Recipient], template: str, payload: dict[str, Any],
            key_parts: tuple[Any, ...]) -> None:
        """Queue one message to each recipient's targets (the same keys ``enqueue`` would use)."""
        code, cid, at = self._code, self._cid, self._at
        for r in recipients:
            body = as_json({**payload, "recipient": f"{r[0]}:{r[1] or ''}"})
            for target in self.targets(r):
                key = idempotency_key(code, template, *key_parts, r[0], r[1], target)
                self.rows.append((cid, key, target, template, body, PENDING, at, at, 0, at))

    def flush(self) -> int:
        """Write the queued rows; a key that exists already (a retried batch) is skipped."""
        n = len(self.rows)
        if self._pg:
            insert_ignore(self.session, "outbox", OUTBOX_COLUMNS, self.rows, ("idempotency_key",))
        elif self.rows:  # values are driver values already: skip ``insert_ignore``'s conversion pass
            cur = self.session.connection().connection.driver_connection.cursor()
            try:
                cur.executemany(f"INSERT OR IGNORE INTO outbox ({', '.join(OUTBOX_COLUMNS)}) "
                                f"VALUES ({', '.join('?' for _ in OUTBOX_COLUMNS)})", self.rows)
            finally:
                cur.close()
        self.rows = []
        return n
