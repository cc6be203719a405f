"""Bulk writes at driver speed: values turned into driver parameters here, once, for every dialect.

The ORM's executemany costs about 60 µs a row in parameter processing; instantiating a
phase for a city (65,000 tasks) would spend seconds there. So the bulk paths bypass the
column types and convert values themselves, the way those types would (``driver_value``):
PostgreSQL gets COPY (into a temporary table and one INSERT … SELECT where rows may clash),
SQLite the driver's executemany. Reads at driver speed too: ``fetch_plain``, its SQL compiled once per
shape of query.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ClauseElement, Dialect, Select
from sqlalchemy.orm import Session
from sqlalchemy.sql.cache_key import CacheKey
from sqlalchemy.sql.compiler import SQLCompiler

from models.base import json_text, naive_utc
from services.uow import flush_pending


def driver_value(value: Any, *, pg: bool) -> Any:
    """``value`` as the driver parameter the models' column types would bind.

    An aware datetime becomes naive UTC (``UTCDateTime``; a naive one is refused alike): a
    ``datetime`` for psycopg, which also writes it in COPY's text format, and on SQLite the
    text SQLAlchemy's DateTime stores, always with microseconds (``2025-03-20 02:00:00.000000``),
    so comparisons with rows the ORM wrote stay exact. A dict or list becomes JSON text as
    ``JSONText`` writes it. Anything else (numbers, text, None, JSON text made earlier) is unchanged.
    """
    if isinstance(value, dt.datetime):
        utc = naive_utc(value)
        return utc if pg else utc.isoformat(" ", "microseconds")
    if isinstance(value, dict | list):
        return json_text(value)
    return value


def driver_rows(rows: Sequence[Sequence[Any]], *, pg: bool) -> list[list[Any]]:
    """Every value of ``rows`` through ``driver_value``; a datetime many rows share is converted once."""
    seen: dict[dt.datetime, Any] = {}

    def one(v: Any) -> Any:
        kind = type(v)
        if kind is int or kind is str or v is None:
            return v
        if kind is dt.datetime:
            found = seen.get(v)
            if found is None:
                found = seen[v] = driver_value(v, pg=pg)
            return found
        return driver_value(v, pg=pg)

    return [[one(v) for v in row] for row in rows]


def driver_connection(session: Session) -> tuple[Any, bool]:
    """The DB-API connection under the session's transaction, and whether it is PostgreSQL's."""
    conn = session.connection()
    raw = conn.connection.driver_connection
    assert raw is not None, "a session's connection has a driver connection"
    return raw, conn.dialect.name == "postgresql"


def insert_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Append rows: COPY on PostgreSQL, the driver's executemany on SQLite (no ORM objects)."""
    if not rows:
        return
    raw, pg = driver_connection(session)
    cols = ", ".join(columns)
    values = driver_rows(rows, pg=pg)
    if pg:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    cur = raw.cursor()
    try:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' for _ in columns)})", values)
    finally:
        cur.close()


def insert_ignore(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                  conflict: Sequence[str]) -> None:
    """Insert ``rows`` into ``table``, skipping rows that clash on the unique ``conflict`` columns."""
    if not rows:
        return
    raw, pg = driver_connection(session)
    cols = ", ".join(columns)
    values = driver_rows(rows, pg=pg)
    if pg:
        tmp = f"_bulk_{table}"
        with raw.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
            cur.execute(f"TRUNCATE {tmp}")
            with cur.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp} "
                        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
        return
    cur = raw.cursor()
    try:
        cur.executemany(f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({', '.join('?' for _ in columns)})", values)
    finally:
        cur.close()


def insert_new(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
               conflict: Sequence[str]) -> int:
    """Insert ``rows`` into ``table`` one by one on the driver's cursor, skipping rows that clash on the unique
    ``conflict`` columns (``ON CONFLICT … DO NOTHING``, other violations still raise); how many were inserted.

    For a few rows at a time, many times over: SQLAlchemy compiles a dialect's ON CONFLICT insert anew
    on every execution (it has no cache key). Pending ORM changes are flushed first.
    """
    if not rows:
        return 0
    flush_pending(session)
    raw, pg = driver_connection(session)
    mark = "%s" if pg else "?"
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)}) "
           f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING 1")
    inserted = 0
    cur = raw.cursor()
    try:
        for values in driver_rows(rows, pg=pg):
            cur.execute(sql, values)
            inserted += len(cur.fetchall())
    finally:
        cur.close()
    return inserted


def fetch_plain(session: Session, query: Select[Any], params: Mapping[str, Any] | None = None, *,
                sqlite_index: tuple[str, str] | None = None) -> list[tuple[Any, ...]]:
    """``query``'s rows as the driver returns them (plain tuples, datetimes as the driver gives them: text on
    SQLite, naive UTC on PostgreSQL; read them with ``from_driver``). A batch's ten thousand rows skip the
    result processing and ``Row`` objects a sweep would pay for on every column of every row.

    ``params`` are the values of ``query``'s named ``bindparam``s: a query built once and run with them costs
    neither its building nor its cache key per call. ``sqlite_index`` (table, index): on SQLite the query
    reads that table ``INDEXED BY`` that index (SQLAlchemy's ``with_hint`` renders nothing for SQLite).
    """
    return _on_driver(session, query, params, sqlite_index)[1]


def run_plain(session: Session, statement: ClauseElement, params: Mapping[str, Any] | None = None
              ) -> tuple[int, list[tuple[Any, ...]]]:
    """An INSERT, UPDATE or DELETE built once with named ``bindparam``s, run with ``params`` on the driver's
    cursor as ``fetch_plain`` runs a query: (rows it changed, rows it returned). For a few rows of the
    request path, where SQLAlchemy's execution layer cost more than the statement (issue 22). Values go
    through ``driver_value``, as the models' column types would bind them; pending ORM changes are
    flushed first."""
    flush_pending(session)
    return _on_driver(session, statement, params, None)


def _on_driver(session: Session, statement: ClauseElement, params: Mapping[str, Any] | None,
               sqlite_index: tuple[str, str] | None) -> tuple[int, list[tuple[Any, ...]]]:
    """``statement`` compiled once (``_COMPILED``) and run on the driver's cursor: (rowcount, rows)."""
    raw, pg = driver_connection(session)
    sql, names, values = _COMPILED.statement(statement, params, session.get_bind().dialect, None if pg else sqlite_index)
    if pg:
        args: Any = {k: driver_value(v, pg=True) for k, v in values.items()}
    else:
        args = [driver_value(values[k], pg=False) for k in names]
    cur = raw.cursor()
    try:
        cur.execute(sql, args)
        return cur.rowcount, cur.fetchall() if cur.description else []
    finally:
        cur.close()


class CompiledStatements:
    """SQL compiled once per shape of query, as SQLAlchemy's own statement cache does for ``execute``.

    ``fetch_plain`` runs the same few queries thousands of times a day (the sweep's batches, most of them
    finding little or nothing), and compiling one cost about a third of such a batch. An entry is keyed by
    the dialect, the statement's cache key (its structure, not its values) and the SQLite index it reads
    by; each call takes its values from its own statement (the cache key's extracted parameters) and
    expands its ``IN`` lists afresh. A statement without a cache key is compiled every time. Bounded
    (the least recently used entry goes) and thread-safe.
    """

    def __init__(self, size: int = 64):
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], Compiled] = OrderedDict()

    def statement(self, query: ClauseElement, params: Mapping[str, Any] | None, dialect: Dialect,
                  sqlite_index: tuple[str, str] | None) -> tuple[str, Sequence[str], Mapping[str, Any]]:
        """(SQL, the parameters' names in order when positional, values by name) of ``query`` with ``params``."""
        key = query._generate_cache_key()
        if key is None:
            return Compiled(query, dialect, None, sqlite_index).filled(None, params)
        entry = (dialect, key.key, sqlite_index)
        with self._lock:
            found = self._entries.get(entry)
            if found is not None:
                self._entries.move_to_end(entry)
        if found is None:
            found = Compiled(query, dialect, key, sqlite_index)
            with self._lock:
                self._entries[entry] = found
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return found.filled(key, params)

    def __len__(self) -> int:
        return len(self._entries)


class Compiled:
    """One query compiled for a dialect, its SQL read ``INDEXED BY`` ``sqlite_index`` when given."""

    def __init__(self, query: ClauseElement, dialect: Dialect, key: CacheKey | None,
                 sqlite_index: tuple[str, str] | None):
        self.compiled = cast(SQLCompiler, query.compile(dialect=dialect, cache_key=key))
        self.sqlite_index = sqlite_index
        #: an IN list (or a value rendered into the SQL) gets its placeholders per execution
        self.expanding = bool(self.compiled.post_compile_params or self.compiled.literal_execute_params)
        self.sql = self._hinted(self.compiled.string)  # checked here: a query that cannot be hinted is not kept

    def filled(self, key: CacheKey | None, params: Mapping[str, Any] | None
               ) -> tuple[str, Sequence[str], Mapping[str, Any]]:
        """(SQL, positional names, values) of the statement ``key`` was taken from (this one's own when None),
        with ``params``."""
        values = self.compiled.construct_params(params, extracted_parameters=key.bindparams if key else None)
        if not self.expanding:
            return self.sql, self.compiled.positiontup or (), values
        expanded = self.compiled.construct_expanded_state(values)
        return self._hinted(expanded.statement), expanded.positiontup or (), expanded.parameters

    def _hinted(self, sql: str) -> str:
        return indexed_by(sql, *self.sqlite_index) if self.sqlite_index else sql


#: the process's compiled ``fetch_plain`` statements
_COMPILED = CompiledStatements()


def indexed_by(sql: str, table: str, index: str) -> str:
    """``sql`` reading ``table`` through ``index`` (SQLite's ``INDEXED BY``: for ``ORDER BY id LIMIT`` the planner
    would walk the whole table in id order); the query must read ``table`` in exactly one FROM."""
    hinted, n = re.subn(rf"\bFROM {table}\b", f"FROM {table} INDEXED BY {index}", sql)
    if n != 1:
        raise ValueError(f"the query reads {table} {n} times: cannot read it by {index}")
    return hinted
