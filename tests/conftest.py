"""Shared fixtures: every integration test runs on SQLite and on PostgreSQL.

PostgreSQL is the one running on this machine (127.0.0.1:5432, user postgres). Each test
session creates its own scratch database and drops it at the end. With CI=true a missing
PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from models.db import make_engine
from services import schema
from services.uow import Database
from tests.support.scratch_db import scratch_postgres

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "examples" / "demo_county"
DATA = Path(__file__).resolve().parent / "data"
TZ = dt.timezone(dt.timedelta(hours=8))


def at(text_: str) -> dt.datetime:
    """A Beijing-time instant from 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text_).replace(tzinfo=TZ)


@pytest.fixture(scope="session")
def pg_url():
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    with scratch_postgres("cw_test") as url:
        engine = make_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """An upgraded SQLite file copied for every test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return path


def _truncate_all(engine) -> None:
    from models import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as c:
        c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The URL of an empty, migrated database: once SQLite, once PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "cw.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        engine = make_engine(url)
        _truncate_all(engine)
        engine.dispose()
        yield url


@pytest.fixture
def db(db_url):
    database = Database(make_engine(db_url))
    yield database
    database.dispose()


@pytest.fixture
def example(db):
    """The bundled example campaign loaded into ``db``; returns its code."""
    from config.loader import load_campaign
    from services.campaigns.loading import init_campaign

    with db.unit_of_work() as s:
        report = init_campaign(s, loaded=load_campaign(EXAMPLE), now=at("2024-12-20 09:00"))
    return report.campaign
