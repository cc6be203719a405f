"""Unit of work: one use case, one transaction, one commit (the caller owns it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Select, event
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_session_factory


class Database:
    """An engine and its session factory, built once per process by an entry point."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = make_session_factory(engine)
        self._autocommit = self._sessions
        if engine.dialect.name == "postgresql":
            # Under READ COMMITTED every statement reads its own snapshot anyway, so a reader in
            # autocommit sees what it would inside a transaction and saves the BEGIN and ROLLBACK
            # round trips. (SQLite keeps transactions: they cost no round trip there, and its
            # "begin" hook is what takes the write lock for writers.)
            self._autocommit = sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"),
                                            expire_on_commit=False)
            event.listen(self._autocommit, "before_flush", _refuse_writes)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self, *, autocommit: bool = False) -> Iterator[Session]:
        """A session for queries only; nothing it does is committed (closing rolls back).

        ``autocommit=True`` is for a request's few queries (the web API's reads): on PostgreSQL
        they run without a transaction around them, and a flush is refused.
        """
        with (self._autocommit if autocommit else self._sessions)() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    raise RuntimeError("a read-only session (Database.reader(autocommit=True)) was asked to write")


def plain_rows(session: Session, statement: Select[Any], params: dict[str, Any]) -> Result[Any]:
    """``session.execute`` for a SELECT of plain columns (no entities), run on the session's connection:
    the same rows without the ORM's execution layer, which cost more than the query itself (issue 22:
    ~0.35 of 0.5 ms for a task's history, ~0.4 of 1 ms for a page of 50 cards). Pending changes are
    flushed first, as the session's autoflush would."""
    flush_pending(session)
    return session.connection().execute(statement, params)


def flush_pending(session: Session) -> None:
    """Flush what the caller added, changed or deleted, if anything: before a statement that does not go
    through the ORM (a Core statement on the session's connection, the driver's cursor), which would not
    autoflush, so rows keep the order of events."""
    if session.new or session.dirty or session.deleted:
        session.flush()
