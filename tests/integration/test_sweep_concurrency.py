"""Two sweeps at once (own connections, small batches, interleaved) leave what one sweep alone leaves:
every due item one rung up, once, and one message per step and configured target."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.loader import load_campaign
from models import (
    AccountabilityStep,
    Leader,
    OutboxMessage,
    Problem,
    ProblemEvent,
    Sanction,
    SupervisionNotice,
    Unit,
)
from models.db import make_engine
from rules import ladders as L
from services.campaigns.context import CampaignContext, load_context
from services.campaigns.loading import get_campaign
from services.escalation.sweep import PASSES, sweep, sweep_batch
from services.uow import Database
from tests.conftest import EXAMPLE, at
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
                    r = sweep_batch(s, ctx=_ctx(s), name=name, now=at(NOW), after_id=after, limit=7)
                if r.done:
                    break
                after = r.last_id
                results.append((name, r.moved, r.messages, threading.get_ident()))
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(e)
    finally:
        db.dispose()


def _ctx(s: Session) -> CampaignContext:
    return load_context(s, campaign=get_campaign(s))


def _message_key(m: OutboxMessage) -> tuple:
    """A message by what it is about and whom it reaches (not by 督办单 number: the two sweeps may
    number the units' notices in another order than one sweep alone)."""
    p = m.payload
    return m.template, p["recipient"], p.get("problem_id"), p.get("task_id"), p.get("stage"), p.get("level"), m.target


def _outcome(s: Session) -> dict[str, Counter]:
    """What sweeping left in the database, whichever sweep and batch did which part."""
    return {
        "escalations": Counter(s.execute(select(ProblemEvent.problem_id, ProblemEvent.from_level, ProblemEvent.to_level)
                                         .where(ProblemEvent.action == L.AUTO_ESCALATED)).all()),
        "problems": Counter(s.execute(select(Problem.id, Problem.level, Problem.holder_unit_id, Problem.holder_leader_id,
                                             Problem.acc_stage)).all()),
        "steps": Counter(s.execute(select(AccountabilityStep.object_type, AccountabilityStep.object_id,
                                          AccountabilityStep.stage, AccountabilityStep.unit_id)).all()),
        "notices": Counter(s.scalars(select(SupervisionNotice.unit_id))),
        "sanctions": Counter(s.execute(select(Sanction.unit_id, Sanction.kind, Sanction.object_type,
                                              Sanction.object_id)).all()),
        "messages": Counter(_message_key(m) for m in s.scalars(select(OutboxMessage))),
    }


def _configured_targets(s: Session, recipient: str) -> list[str]:
    """Whom a recipient is reached by, read from the campaign file itself (not through the services):
    its own ``notify`` names, 创卫办 the office targets, anyone without names the default targets."""
    spec = load_campaign(EXAMPLE).spec
    kind, _, rid = recipient.partition(":")
    if kind == "office":
        return list(spec.notifications.office_targets)
    model, people = (Unit, spec.units) if kind == "unit" else (Leader, spec.leaders)
    name = s.scalar(select(model.name).where(model.id == int(rid)))
    [own] = [x.notify for x in people if x.name == name]
    return list(own or spec.notifications.default_targets)


def test_two_sweeps_at_once_move_every_item_exactly_once_with_one_message_per_step(db, db_url, example):
    open_first_phase(db)
    pids = [raise_member_problem(db, people(db, f"LD-{i:02d}"), "2025-03-28 09:00", f"协调事项{i}")
            for i in range(1, 21)]
    with db.reader() as s:
        before = _outcome(s)
        report = sweep(s, ctx=_ctx(s), now=at(NOW), limit=7)  # one sweep alone, rolled back: the reference
        alone = _outcome(s)
    with db.reader() as s:
        assert _outcome(s) == before
    barrier, results, errors = threading.Barrier(2), [], []
    threads = [threading.Thread(target=_flow_like_sweep, args=(db_url, barrier, results, errors)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    with db.reader() as s:
        after = _outcome(s)
        problems = {p.id: p for p in s.scalars(select(Problem))}
        keys = s.scalars(select(OutboxMessage.idempotency_key)).all()
        numbers = s.scalars(select(SupervisionNotice.number)).all()
        sent = after["messages"] - before["messages"]
        configured = {r: _configured_targets(s, r) for r in {k[1] for k in sent}}
    # the two sweeps together did exactly what one sweep alone does
    assert after == alone
    moved, attempted = Counter(), Counter()
    for name, n, m, _ in results:
        moved[name] += n
        attempted[name] += m
    assert moved == Counter({name: r.moved for name, r in report.items()})
    assert attempted == Counter({name: r.messages for name, r in report.items()})
    # … and what one sweep does is right: every due problem one rung up, to its new holder
    assert after["escalations"] - before["escalations"] == Counter(
        {(pid, L.MEMBER, problems[pid].level): 1 for pid in pids})
    assert all(problems[pid].level != L.MEMBER for pid in pids)
    steps = after["steps"] - before["steps"]
    assert steps and set(steps.values()) == {1}
    assert len({(kind, item) for kind, item, _, _ in steps}) == len(steps)  # one rung per item in one sweep
    assert moved["coordination"] == len(pids) and moved["task"] + moved["problem"] == len(steps)
    assert sum(moved.values()) == len(pids) + len(steps)
    # one message per step and configured target, each reaching the new holder
    assert len(keys) == len(set(keys)) == sum(after["messages"].values())
    assert sum(attempted.values()) == sum(sent.values()) > 0 and set(sent.values()) == {1}
    per_step: dict[tuple, list[str]] = {}
    for template, recipient, *about, target in sent:
        per_step.setdefault((template, recipient, *about), []).append(target)
    for (_, recipient, *_), targets in per_step.items():
        assert sorted(targets) == sorted(configured[recipient]), recipient
    for pid in pids:
        holder = problems[pid].holder_unit_id
        assert [r for t, r, p, *_ in per_step if t == "escalation" and p == pid] == [f"unit:{holder}"]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert sum(1 for t, *_ in per_step if t == "supervision") == len(numbers) == sum(after["notices"].values())
    if db_url.startswith("postgresql"):  # SKIP LOCKED: both did part of the work (SQLite takes turns)
        assert len({who for _, n, _, who in results if n}) == 2
