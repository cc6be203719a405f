"""Set-based writes for the sweep: one UPDATE … FROM (VALUES …) per batch, and outbox rows built for
many messages at once (targets read once per batch, texts worked out once per shape of message:
``outbox_shapes``); values become driver values in ``services.bulk``, except the rows ``write_rows``
appends on SQLite, which the sweep builds as driver values already.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from models.base import json_text
from models.outbox import PENDING
from services.bulk import driver_connection, driver_rows, driver_value, insert_ignore, insert_rows
from services.escalation.outbox_shapes import Rendered, Shape, key_text, shape_of
from services.notifications.links import public_base, stamp
from services.notifications.outbox import Recipient, idempotency_key, recipient_targets

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

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


def row_time(session: Session, value: dt.datetime) -> Any:
    """A datetime as ``write_rows`` takes it: on SQLite the text a DateTime column stores (worked out once
    per batch, not once per row), on PostgreSQL the datetime itself (``services.bulk`` converts it)."""
    return value if is_pg(session) else driver_value(value, pg=False)


def write_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
               conflict: Sequence[str] = ()) -> None:
    """Append the rows of a batch, skipping those that clash on the unique ``conflict`` columns if given.

    On SQLite the rows' values are driver values already (datetimes from ``row_time``, JSON as text)
    and go to the driver's executemany as they are: converting every value of tens of thousands of
    rows again costs more than the insert. They go into a bare temporary table first and from there
    into ``table`` with one INSERT … SELECT: the executemany straight into ``table`` cost about twice
    as much a row (its constraints and indexes visited statement by statement). PostgreSQL takes the
    ``services.bulk`` paths (COPY).
    """
    if not rows:
        return
    raw, pg = driver_connection(session)
    if pg:
        if conflict:
            insert_ignore(session, table, columns, rows, conflict)
        else:
            insert_rows(session, table, columns, rows)
        return
    verb = "INSERT OR IGNORE" if conflict else "INSERT"  # as ``services.bulk.insert_ignore`` does on SQLite
    names = ", ".join(columns)
    staged = f"staged_{table}_{zlib.crc32(names.encode()):08x}"  # the connection's own, one per column list
    cur = raw.cursor()
    try:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staged} ({names})")
        cur.execute(f"DELETE FROM {staged}")  # it holds this call's rows only, whatever an earlier call left
        cur.executemany(f"INSERT INTO {staged} VALUES ({', '.join('?' for _ in columns)})", rows)
        cur.execute(f"{verb} INTO {table} ({names}) SELECT {names} FROM {staged} ORDER BY rowid")
        cur.execute(f"DELETE FROM {staged}")
    finally:
        cur.close()


def from_driver(value: Any) -> dt.datetime:
    """A datetime column's value as ``fetch_plain`` returns it, as the models read it (aware UTC)."""
    naive = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return naive.replace(tzinfo=dt.UTC)


_PARAM = re.compile(r":([a-z_]+)\b")


def _sqlite_datetimes() -> Callable[[Any], str]:
    """``json.dumps``'s hook for what JSON has no type for: a datetime becomes the text SQLite stores
    (each distinct one converted once: a batch's rows share a few deadlines)."""
    seen: dict[dt.datetime, str] = {}

    def convert(value: Any) -> str:
        if not isinstance(value, dt.datetime):
            raise TypeError(f"{type(value).__name__} is not a value of a row to update")
        found = seen.get(value)
        if found is None:
            found = seen[value] = str(driver_value(value, pg=False))
        return found

    return convert


def update_from_values(session: Session, *, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]],
                       set_: dict[str, str], where: str, params: dict[str, Any], returning: str = "id") -> list[Any]:
    """``UPDATE table SET … FROM (rows) v WHERE table.id = v.id AND where RETURNING …``, one statement.

    ``columns`` are (name, SQL type) of the rows (scalars or datetimes), the first being ``id``; ``set_``
    maps a column to an expression over ``v.*`` and ``:named`` params; ``where`` re-checks the state the rows
    were selected in, so a row another sweep moved meanwhile is left alone. The rows travel as a
    few parameters whatever their number: one array per column (PostgreSQL ``unnest``) or one
    JSON document (SQLite ``json_each``). Runs on the driver's cursor: SQLAlchemy's
    per-parameter processing would cost more than the UPDATE.
    """
    if not rows:
        return []
    raw, pg = driver_connection(session)
    mark = "%s" if pg else "?"
    args: list[Any] = []

    def bind(expr: str) -> str:
        def one(m: re.Match[str]) -> str:
            args.append(driver_value(params[m.group(1)], pg=pg))
            return mark
        return _PARAM.sub(one, expr)

    names = [c for c, _ in columns]
    assignments = bind(", ".join(f"{c} = {e}" for c, e in set_.items()))
    if pg:
        values = driver_rows(rows, pg=pg)
        arrays = ", ".join(f"CAST(%s AS {t}[])" for _, t in columns)
        source = f"unnest({arrays}) AS v ({', '.join(names)})"
        args.extend([row[j] for row in values] for j in range(len(columns)))
    else:
        cols = ", ".join(f"json_extract(value, '$[{j}]') AS {n}" for j, n in enumerate(names))
        source = f"(SELECT {cols} FROM json_each(?)) AS v"
        # the rows as one parameter, not a stored value; only their datetimes need converting on the way
        args.append(json.dumps(rows, ensure_ascii=False, default=_sqlite_datetimes()))
    sql = (f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.id = v.id AND {bind(where)} "
           f"RETURNING {returning}")
    cur = raw.cursor()
    try:
        cur.execute(sql, args)
        return list(cur.fetchall())
    finally:
        cur.close()


class Outbox:
    """Messages of one batch, written with one set-based insert (idempotent by key, like ``enqueue``).

    ``state`` and ``extra`` serve notices written already folded into the morning digest (``MERGED``
    with ``{"folded": …}``, as ``services.notifications.daily.Fold`` writes them); ``like`` shares
    another batch's targets and link base instead of reading them again."""

    def __init__(self, session: Session, ctx: CampaignContext, now: dt.datetime, *, state: str = PENDING,
                 extra: dict[str, Any] | None = None, like: Outbox | None = None):
        self.session, self.now, self.state, self.extra = session, now, state, extra or {}
        self._at = row_time(session, now)
        self._code, self._cid = ctx.code, ctx.id
        if like is None:
            self._targets = recipient_targets(session, ctx=ctx)  # every unit and leader: a batch reaches many
            self._base = public_base()  # links to the page where each recipient acts (CW_PUBLIC_URL)
        else:
            self._targets, self._base = like._targets, like._base
        self._seen: dict[Recipient, tuple[str, list[str]]] = {}  # recipient → (its label, its targets)
        self._shapes: dict[tuple[Recipient, str, Hashable], Shape | None] = {}  # None: a shape not to use
        self.rows: list[tuple[Any, ...]] = []

    def add(self, recipients: Iterable[Recipient], template: str, payload: dict[str, Any],
            key_parts: tuple[Any, ...]) -> None:
        """Queue one message to each recipient's targets (the same keys ``enqueue`` would use)."""
        for r in recipients:
            body, keyed = self._render(r, template, payload, key_parts)
            self._append(template, body, [(target, idempotency_key(*parts)) for target, parts in keyed])

    def add_alike(self, recipient: Recipient, template: str, shape: Hashable, item_id: int, texts: tuple[str, ...],
                  build: Callable[[int, Sequence[str]], tuple[dict[str, Any], tuple[Any, ...]]]) -> None:
        """Queue what ``add(recipient, template, *build(item_id, texts))`` queues, with the texts of all items
        of one ``shape`` worked out once (``outbox_shapes``): ``build`` gives (payload, key parts) and must
        put the id and ``texts`` into them unchanged (no cutting, no case change); the id is the only
        key part that varies within a shape."""
        key = (recipient, template, shape)
        if key not in self._shapes:
            self._shapes[key] = self._first_of_shape(recipient, template, item_id, texts, build)
            return
        found = self._shapes[key]
        if found is None:
            self.add([recipient], template, *build(item_id, texts))
        else:
            self._append(template, *found.render(item_id, texts))

    def _first_of_shape(self, recipient: Recipient, template: str, item_id: int, texts: tuple[str, ...],
                        build: Callable[[int, Sequence[str]], tuple[dict[str, Any], tuple[Any, ...]]]) -> Shape | None:
        """Queue a shape's first item as ``add`` does and return the shape if it gives that item the very same
        rows (None if not: a stand-in among its fixed texts; its items then take the long way)."""
        def render(i: int, t: Sequence[str]) -> Rendered:
            body, keyed = self._render(recipient, template, *build(i, t))
            return body, [(target, key_text(parts)) for target, parts in keyed]

        made = shape_of(self._code, render, len(texts))
        n = len(self.rows)
        self.add([recipient], template, *build(item_id, texts))
        body, keyed = made.render(item_id, texts)
        same = [(row[4], row[1]) for row in self.rows[n:]] == [(body, key) for _, key in keyed]
        return made if same else None

    def _render(self, r: Recipient, template: str, payload: dict[str, Any],
                key_parts: tuple[Any, ...]) -> tuple[str, list[tuple[str, tuple[Any, ...]]]]:
        """The payload JSON of ``r``'s message and, per target, the parts of its idempotency key."""
        seen = self._seen.get(r)
        if seen is None:
            seen = self._seen[r] = (f"{r[0]}:{r[1] or ''}", self._targets.targets(r))
        linked = stamp(payload, template=template, recipient_kind=r[0], base=self._base)  # a new dict
        linked["recipient"] = seen[0]
        if self.extra:
            linked.update(self.extra)
        return json_text(linked), [(target, (self._code, template, *key_parts, r[0], r[1], target))
                                   for target in seen[1]]

    def _append(self, template: str, body: str, keyed: list[tuple[str, str]]) -> None:
        cid, at, state = self._cid, self._at, self.state
        self.rows += [(cid, key, target, template, body, state, at, at, 0, at) for target, key in keyed]

    def flush(self) -> int:
        """Write the queued rows; a key that exists already (a retried batch) is skipped."""
        n = len(self.rows)
        write_rows(self.session, "outbox", OUTBOX_COLUMNS, self.rows, conflict=("idempotency_key",))
        self.rows = []
        return n
