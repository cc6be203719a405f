"""Engine and session factories. Entry points build the engine; no module-level engine exists."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5, max_overflow: int = 10,
                ping_idle_after: float | None = None) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout.

    ``pool_size``/``max_overflow`` size PostgreSQL's connection pool: a server handling many
    requests at once needs a pool as large as its concurrency, or connections beyond
    ``pool_size`` are opened and closed per request.

    A PostgreSQL connection is checked (a ``SELECT 1`` round trip) before each use, so one the
    server dropped (a restart, an idle timeout) is replaced instead of failing a request. With
    ``ping_idle_after`` only a connection idle for longer than that many seconds is checked: a
    busy server (the web app) saves a round trip per request on connections used moments ago.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # let SQLAlchemy, not the driver, open transactions (see _begin_immediate)
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):
            # take the write lock up front: a deferred transaction that reads and then writes
            # fails at once with "database is locked" when another process wrote meanwhile
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, echo=echo, pool_pre_ping=ping_idle_after is None, pool_size=pool_size,
                           max_overflow=max_overflow)
    if ping_idle_after is not None:
        _ping_when_idle(engine, ping_idle_after)
    return engine


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """Check a pooled connection on checkout only when it has been idle more than ``seconds``."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= seconds:
            return  # new, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as e:
            raise exc.DisconnectionError("stale pooled connection") from e  # the pool connects afresh


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
