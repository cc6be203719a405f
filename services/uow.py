"""Unit of work: one use case, one transaction, one commit (the caller owns it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.db import make_session_factory


class Database:
    """An engine and its session factory, built once per process by an entry point."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = make_session_factory(engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for queries only; nothing it does is committed (closing rolls back)."""
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
