"""Two sweeps at once (own connections, small batches, interleaved): every item moves once, one message per step."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from models import AccountabilityStep, OutboxMessage, ProblemEvent, SupervisionNotice
from models.db import make_engine
from rules import ladders as L
from services.campaigns.loading import get_campaign
from services.escalation.sweep import PASSES, sweep_batch
from services.uow import Database
from tests.conftest import at
from tests.support.escalation_world import open_first_phase, people, raise_member_problem

NOW = "2025-04-02 09:00"


def _flow_like_sweep(url: str, barrier: threading.Barrier, results: list, errors: list) -> None:
    """What the flow does: every pass, batch after batch, each batch its own transaction."""
    db = Database(make_engine(url))
    try:
        barrier.wait()
        for name in PASSES:
            after = 0
            while True:
                with db.unit_of_work() as s:
                    r = sweep_batch(s, campaign=get_campaign(s), name=name, now=at(NOW), after_id=after, limit=7)
                if r.done:
                    break
                after = r.last_id
                results.append((name, r.moved, r.messages, threading.get_ident()))
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(e)
    finally:
        db.dispose()


def test_two_sweeps_at_once_move_every_item_exactly_once_with_one_message_per_step(db, db_url, example):
    open_first_phase(db)
    pids = [raise_member_problem(db, people(db, f"LD-{i:02d}"), "2025-03-28 09:00", f"协调事项{i}")
            for i in range(1, 21)]
    barrier, results, errors = threading.Barrier(2), [], []
    threads = [threading.Thread(target=_flow_like_sweep, args=(db_url, barrier, results, errors)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    with db.reader() as s:
        escalations = Counter(s.scalars(select(ProblemEvent.problem_id).where(
            ProblemEvent.action == L.AUTO_ESCALATED)))
        steps = Counter(s.execute(select(AccountabilityStep.object_id, AccountabilityStep.stage)
                                  .where(AccountabilityStep.object_type == "task")).all())
        keys = s.scalars(select(OutboxMessage.idempotency_key)).all()
        notices = s.scalars(select(SupervisionNotice.number)).all()
        per_problem = Counter(m.payload["problem_id"] for m in s.scalars(select(OutboxMessage)) if "problem_id" in m.payload)
        messages = s.scalar(select(func.count()).select_from(OutboxMessage))
    assert escalations == Counter({pid: 1 for pid in pids})
    assert steps and set(steps.values()) == {1}
    assert len({task for task, _ in steps}) == len(steps)  # one rung per task in one sweep
    assert len(keys) == len(set(keys)) == messages
    assert sorted(notices) == list(range(1, len(notices) + 1))
    assert set(per_problem) == set(pids) and len(set(per_problem.values())) == 1  # same targets for every lead
    moved = Counter()
    for name, n, _, _ in results:
        moved[name] += n
    assert moved["coordination"] == len(pids) and moved["task"] == len(steps)
    assert sum(m for _, _, m, _ in results) == messages  # no message was even attempted twice
    if db_url.startswith("postgresql"):  # SKIP LOCKED: both did part of the work (SQLite takes turns)
        assert len({who for _, n, _, who in results if n}) == 2


def test_the_sweeps_batched_outbox_reaches_the_same_targets_as_enqueue(db, example):
    from models import Leader, Unit
    from services.escalation.sweep_io import Outbox
    from services.notifications.outbox import targets_for

    with db.reader() as s:
        c = get_campaign(s)
        box = Outbox(s, c, at(NOW))
        people = [("unit", u) for u in s.scalars(select(Unit.id))] + [("leader", x) for x in s.scalars(select(Leader.id))]
        for who in [*people, ("office", None)]:
            assert box.targets(who) == targets_for(s, c, who), who
