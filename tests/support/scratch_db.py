"""Scratch PostgreSQL databases for tests: created empty, always dropped (``WITH (FORCE)``).

PostgreSQL is the one running on this machine (127.0.0.1:5432, user postgres, or
``CW_TEST_PG_URL``). Without it a test is skipped, except in CI (``CI=true``), where a missing
PostgreSQL fails the run: every integration test must run on both databases there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from models.db import make_engine

PG_ADMIN_URL = os.environ.get("CW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_postgres(prefix: str, *, extensions: tuple[str, ...] = ()) -> Iterator[str]:
    """Yield the URL of a new empty database (with ``extensions`` created); drop it on leaving."""
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001 - any driver error means there is no PostgreSQL to test on
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but not reachable: {e}")
        pytest.skip(f"PostgreSQL not reachable: {e}")
    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        if extensions:
            engine = make_engine(url)
            with engine.begin() as c:
                for ext in extensions:
                    c.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{ext}"'))
            engine.dispose()
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
