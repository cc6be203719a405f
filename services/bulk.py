"""Bulk INSERT … ON CONFLICT DO NOTHING at driver speed, for set-based instantiation.

The ORM's executemany costs about 60 µs a row in parameter processing; instantiating a
phase for a city (65,000 tasks) would spend seconds there. PostgreSQL gets COPY into a
temporary table and one INSERT … SELECT; SQLite gets the driver's executemany with
INSERT OR IGNORE. Values must already be database values (naive UTC datetimes, JSON text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session


def db_value(v: Any) -> Any:
    """An aware datetime as naive UTC (what UTCDateTime stores); anything else unchanged."""
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


def _sqlite_value(v: Any) -> Any:
    """Datetimes as SQLAlchemy's SQLite dialect writes them (always with microseconds), so
    equality and range comparisons against ORM-written rows agree."""
    if isinstance(v, dt.datetime):
        return v.isoformat(" ", "microseconds")
    return v


def insert_ignore(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                  conflict: Sequence[str]) -> None:
    """Insert ``rows`` into ``table``, skipping rows that clash on the unique ``conflict`` columns."""
    if not rows:
        return
    conn = session.connection()
    cols = ", ".join(columns)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        tmp = f"_bulk_{table}"
        with raw.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
            cur.execute(f"TRUNCATE {tmp}")
            with cur.copy(f"COPY {tmp} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([db_value(v) for v in row])
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {tmp} "
                        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
        return
    marks = ", ".join("?" for _ in columns)
    cur = raw.cursor()
    try:
        cur.executemany(f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({marks})",
                        [[_sqlite_value(db_value(v)) for v in row] for row in rows])
    finally:
        cur.close()
