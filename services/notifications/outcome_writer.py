"""Where the relay records each outcome: one prepared UPDATE on one connection, committed by itself.

Split from the relay (``services.notifications.relay``, whose docstring says why the hot path is
kept this way): the pass holds one connection and one driver cursor; each outcome's statement is
compiled once per dialect for the columns it sets (kept for the process: a pass of a few messages
would otherwise spend more on compiling than on its UPDATEs); on PostgreSQL the connection runs in
autocommit with ``synchronous_commit`` off for itself only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Dialect, Engine, Table, Update, bindparam, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.outbox import SENDING

if TYPE_CHECKING:
    from services.notifications.relay import Claimed

#: an outcome statement ready for the driver: SQL text, positional parameter order (or None), the
#: statement's constant parameters, and the bind processors still to apply (by parameter name)
Prepared = tuple[str, Sequence[str] | None, dict[str, Any], dict[str, Callable[[Any], Any]]]

#: per dialect (an engine's; gone with it), per column set: the compiled outcome statement. Its few
#: column sets (sent, retry, dead) bound it; it depends on the dialect alone, never on the data.
_PREPARED: WeakKeyDictionary[Dialect, dict[frozenset[str], Prepared]] = WeakKeyDictionary()


class OutcomeWriter:
    """The connection a pass records its outcomes on, each one UPDATE committed by itself.

    The statement for a set of columns is compiled once per dialect (``_PREPARED``) and run on
    one driver cursor, kept for the pass. The driver is in autocommit (SQLite: SQLAlchemy opens transactions itself, the
    driver none; PostgreSQL: see ``outcome_writer``), so the one UPDATE is its own transaction.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self._prepared = _PREPARED.setdefault(conn.dialect, {})
        self._converted: dict[tuple[str, Any], Any] = {}  # a pass's few distinct times, converted once

    def finish(self, row: Claimed, worker: str, values: dict[str, Any]) -> bool:
        """``finish_row`` for one row: record ``values`` and end our claim; False if it is no longer ours."""
        sql, order, defaults, processors = self._statement(frozenset(values))
        params = dict(defaults, w_id=row.id, w_worker=worker)
        params.update((f"v_{name}", value) for name, value in values.items())
        for name, convert in processors.items():  # the times: mostly the pass's ``now``
            if (value := params[name]) is not None:
                memo = (name, value)
                if memo not in self._converted:
                    if len(self._converted) >= 64:  # retry times differ: keep the memo small
                        self._converted.clear()
                    self._converted[memo] = convert(value)
                params[name] = self._converted[memo]
        self._cursor.execute(sql, tuple(params[n] for n in order) if order else params)
        return (self._cursor.rowcount or 0) > 0

    def _statement(self, columns: frozenset[str]) -> Prepared:
        found = self._prepared.get(columns)
        if found is None:
            dialect = self.conn.dialect
            compiled = finish_statement(columns).compile(dialect=dialect)
            names = [*(f"v_{name}" for name in columns), "w_id", "w_worker"]
            processors: dict[str, Callable[[Any], Any]] = {
                name: proc for bind, name in compiled.bind_names.items()
                if (proc := bind.type.bind_processor(dialect)) is not None}
            defaults = dict(compiled.construct_params(dict.fromkeys(names)))
            for name in set(processors) - set(names):  # constants of the statement (its ``sending``)
                defaults[name] = processors.pop(name)(defaults[name])
            found = (compiled.string, compiled.positiontup, defaults, processors)
            self._prepared[columns] = found
        return found

    def close(self) -> None:
        self._cursor.close()


@contextmanager
def outcome_writer(engine: Engine) -> Iterator[OutcomeWriter]:
    """The pass's outcome connection (see the module's docstring)."""
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            writer = OutcomeWriter(conn)
            try:
                yield writer
            finally:
                writer.close()
            return
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when the pool takes it back
        conn.exec_driver_sql("SET synchronous_commit TO OFF")
        conn.commit()  # ends SQLAlchemy's autobegun (logical) transaction
        writer = OutcomeWriter(conn)
        try:
            yield writer
        finally:
            try:
                writer.close()
                conn.rollback()  # a failed outcome's logical transaction, if any
                conn.exec_driver_sql("RESET synchronous_commit")
                conn.commit()
            except DBAPIError:  # a broken connection: the pool must not hand it out again
                conn.invalidate()


def finish_row(session: Session | Connection, row: Claimed, worker: str, values: dict[str, Any]) -> bool:
    """Record ``values`` on our claimed row and end the claim; False if the claim is no longer ours."""
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(w_id=row.id, w_worker=worker)
    result = session.execute(finish_statement(frozenset(values)), params)
    return (cast("CursorResult[Any]", result).rowcount or 0) > 0  # an UPDATE's result is a cursor result


_FINISH_STATEMENTS: dict[frozenset[str], Update] = {}


def finish_statement(columns: frozenset[str]) -> Update:
    """The outcome UPDATE setting ``columns`` (bound as ``v_<name>``), built once per column set.

    A plain Core statement on the table: its compiled form is cached by SQLAlchemy, and it
    needs no ORM session around it.
    """
    stmt = _FINISH_STATEMENTS.get(columns)
    if stmt is None:
        table = cast("Table", OutboxMessage.__table__)
        stmt = (update(table)
                .where(table.c.id == bindparam("w_id"), table.c.claimed_by == bindparam("w_worker"),
                       table.c.state == SENDING)
                .values({**{name: bindparam(f"v_{name}") for name in sorted(columns)},
                         "claimed_by": None, "claimed_at": None}))
        _FINISH_STATEMENTS[columns] = stmt
    return stmt
