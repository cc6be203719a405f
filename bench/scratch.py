"""Scratch PostgreSQL databases for the benchmarks: created empty (or from a template), always dropped."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

#: the maintenance database of the PostgreSQL server the benchmarks use (trust auth on this machine)
ADMIN_URL = os.environ.get("CW_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_postgres(prefix: str = "cw_bench", *, template: str | None = None) -> Iterator[str]:
    """Yield the URL of a new database (a copy of ``template`` if given) and drop it on leaving,
    also when the block fails; ``WITH (FORCE)`` ends the connections a benchmark left open."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        try:
            yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
