"""A relay pass's fixed cost on both databases: what an idle or a small pass runs, and that it still recovers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from models.outbox import SENDING, SENT
from services.notifications.outcome_writer import _PREPARED
from services.notifications.relay import claim, deliver_due
from tests.support import outbox_world as world

NOW = world.NOW


@contextmanager
def watched(engine) -> Iterator[dict[str, list]]:
    """The statements run and the pool checkouts made while the block runs."""
    seen: dict[str, list] = {"statements": [], "checkouts": []}

    def on_execute(_conn, _cursor, statement, *_args):
        seen["statements"].append(" ".join(statement.split()))

    def on_checkout(*_args):
        seen["checkouts"].append(1)

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine.pool, "checkout", on_checkout)


def test_relay_pass_with_nothing_due_writes_nothing_and_opens_no_outcome_connection(db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"])
    with watched(db.engine) as seen:
        report = deliver_due(db, now=NOW, client=client, environ=world.environ(fake))
    assert (report.recovered, report.claimed) == (0, 0)
    writes = [s for s in seen["statements"] if s.upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes == []  # the stale-claim look found none: no UPDATE (the claim is a WITH … UPDATE)
    assert len(seen["checkouts"]) == 1  # one unit of work: its reads and the (empty) claim


def test_relay_small_pass_claims_in_its_first_transaction_and_reuses_its_compiled_outcomes(db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 3, now=NOW)
    with watched(db.engine) as seen:
        assert deliver_due(db, now=NOW, client=client, environ=world.environ(fake)).sent == 3
    assert len(seen["checkouts"]) == 2  # the unit of work (reads + claim) and the outcome connection
    prepared = dict(_PREPARED[db.engine.dialect])
    assert prepared  # compiled for the dialect, kept beyond the pass
    world.notify(db, 2, now=NOW + dt.timedelta(minutes=1), tag="u")
    assert deliver_due(db, now=NOW + dt.timedelta(minutes=1), client=client, environ=world.environ(fake)).sent == 2
    assert all(_PREPARED[db.engine.dialect][k] is v for k, v in prepared.items())
    assert {r.state for r in world.outbox(db)} == {SENT}


def test_relay_pass_still_puts_a_dead_relays_claims_back_and_sends_them(db, example, fake, client):
    world.configure(db, office_targets=["政务协同平台"])
    world.notify(db, 2, now=NOW)
    with db.unit_of_work() as s:  # a relay that claimed and then died
        assert len(claim(s, worker="died", now=NOW, limit=10)) == 2
    env = world.environ(fake)
    early = deliver_due(db, now=NOW + dt.timedelta(minutes=4, seconds=59), client=client, environ=env)
    assert (early.recovered, early.claimed) == (0, 0)
    assert {r.state for r in world.outbox(db)} == {SENDING}
    report = deliver_due(db, now=NOW + dt.timedelta(minutes=5), client=client, environ=env)
    assert (report.recovered, report.claimed, report.sent) == (2, 2, 2)
    assert {(r.state, r.claimed_by) for r in world.outbox(db)} == {(SENT, None)}
