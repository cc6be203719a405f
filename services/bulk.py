"""Bulk writes at driver speed: values turned into driver parameters here, once, for every dialect.

The ORM's executemany costs about 60 µs a row in parameter processing; instantiating a
phase for a city (65,000 tasks) would spend seconds there. So the bulk paths bypass the
column types and convert values themselves, the way those types would (``driver_value``):
PostgreSQL gets COPY (into a temporary table and one INSERT … SELECT where rows may clash),
SQLite the driver's executemany. Reads at driver speed too: ``fetch_plain``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from models.base import json_text, naive_utc


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


def fetch_plain(session: Session, query: Select[Any], *, sqlite_index: tuple[str, str] | None = None
                ) -> list[tuple[Any, ...]]:
    """``query``'s rows as the driver returns them (plain tuples, datetimes as the driver gives them: text on
    SQLite, naive UTC on PostgreSQL; read them with ``from_driver``). A batch's ten thousand rows skip the
    result processing and ``Row`` objects a sweep would pay for on every column of every row.

    ``sqlite_index`` (table, index): on SQLite the query reads that table ``INDEXED BY`` that index
    (SQLAlchemy's ``with_hint`` renders nothing for SQLite).
    """
    raw, pg = driver_connection(session)
    compiled = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    sql = str(compiled)
    if pg:
        args: Any = {k: driver_value(v, pg=True) for k, v in values.items()}
    else:
        args = [driver_value(values[k], pg=False) for k in compiled.positiontup or ()]
        if sqlite_index:
            sql = indexed_by(sql, *sqlite_index)
    cur = raw.cursor()
    try:
        cur.execute(sql, args)
        return cur.fetchall()
    finally:
        cur.close()


def indexed_by(sql: str, table: str, index: str) -> str:
    """``sql`` reading ``table`` through ``index`` (SQLite's ``INDEXED BY``: for ``ORDER BY id LIMIT`` the planner
    would walk the whole table in id order); the query must read ``table`` in exactly one FROM."""
    hinted, n = re.subn(rf"\bFROM {table}\b", f"FROM {table} INDEXED BY {index}", sql)
    if n != 1:
        raise ValueError(f"the query reads {table} {n} times: cannot read it by {index}")
    return hinted
