"""Create or upgrade the database schema with Alembic (``cw init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "models" / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the project's migrations and ``engine``'s URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, *, revision: str = "head") -> None:
    """Bring the schema to ``revision``, the newest by default (creating it on an empty database).

    On SQLite a batch migration copies a table and drops the old one; with foreign keys on,
    that drop would delete the rows referring to it (ON DELETE CASCADE). So foreign keys are
    off for the run (a pragma that only takes effect outside a transaction) and checked before
    the commit instead.
    """
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _pragma(conn, "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left rows whose foreign keys point nowhere; rolled back")
        finally:
            if sqlite:
                _pragma(conn, "PRAGMA foreign_keys=ON")


def _pragma(conn: Connection, statement: str) -> None:
    # on the driver's connection: SQLAlchemy would open a transaction first, where the pragma is a no-op
    conn.connection.dbapi_connection.execute(statement)  # type: ignore[union-attr]  # SQLite's connection has execute


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
