"""Benchmark: one sweep over N open items (half problems, half tasks) of which a share is due.

Loads a synthetic city (``bench.synthetic_city``), bulk-loads the items with COPY (PostgreSQL)
or the driver's executemany (SQLite), then times

* **hand**: hand-written SQL making the same writes — the state UPDATEs, the history rows
  (``problem_event``, ``accountability_step``) and one outbox row per moved item — in one
  transaction, on a copy of the loaded database (so the sweep starts from the same data);
* **sweep**: the real sweep, batch after batch, each batch its own transaction, exactly as the
  ``sweep`` flow runs it (without Prefect);

checks that both wrote the same number of rows, and prints both times and their ratio.

    .venv/bin/python -m bench.bench_sweep [--items 1000000] [--due 0.1] [--db sqlite postgresql]
    .venv/bin/python -m bench.bench_sweep --growth      # due items fixed, items not due × 10: time ≤ 1.5 ×
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator

from sqlalchemy import func, select, text, update

from bench.scratch import scratch_postgres
from bench.synthetic_city import load
from bench.verdict import verdict
from models import AccountabilityStep, Assignment, AssignmentMember, Campaign, OutboxMessage, Phase, ProblemEvent, Unit
from models.db import make_engine
from rules.ladders import LEAD, LEADER, MEMBER, OFFICE
from services.bulk import driver_value, insert_rows
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation.sweep import PASSES, sweep_batch
from services.escalation.sweep_io import BATCH
from services.uow import Database

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 3, 20, 10, 0, tzinfo=TZ)
DEFAULT_ITEMS = 1_000_000
PROBLEM_COLUMNS = ("campaign_id", "source", "segment_id", "unit_id", "title", "description", "status", "level",
                   "holder_unit_id", "holder_leader_id", "level_since", "level_deadline", "rework_count", "acc_stage",
                   "opened_at", "version")
TASK_COLUMNS = ("campaign_id", "kind", "phase_id", "segment_id", "unit_id", "target_key", "period_key", "category",
                "title", "description", "deadline", "status", "carried_over", "created_at", "rework_count",
                "acc_stage", "version")
BODY = "路段：{seg}\\n呈报：{level}\\n上报原因：办理时限已过，系统自动上报\\n办理时限：2025-03-25 18:00\\n前序意见：无\\n请及时研究解决；逾期未办结的，将按程序继续上报。"


def _copy(db: Database, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with db.unit_of_work() as s:
        insert_rows(s, table, columns, rows)


def setup(url: str, items: int, due: float, spread: int = 1) -> tuple[Database, int, int]:
    """The city, a notification target for everyone, and ``items`` open problems and tasks; with ``spread``
    > 1 every item that is not due is there ``spread`` times (the due items stay exactly the same)."""
    city = load(url, 5000)
    db = Database(make_engine(url))
    rng = random.Random(5)
    with db.unit_of_work() as s:
        c = s.get(Campaign, city.campaign_id)
        c.spec = {**c.spec, "notifications": {"targets": [{"name": "bench", "channel": "webhook",
                                                          "url": "http://127.0.0.1:9/hook"}],
                                              "default_targets": ["bench"], "office_targets": ["bench"]}}
        phase = s.scalars(select(Phase).where(Phase.campaign_id == c.id).order_by(Phase.seq)).first()
        s.execute(update(Phase).where(Phase.id == phase.id).values(opened_at=NOW - dt.timedelta(days=70)))
        assigned = s.execute(select(Assignment.segment_id, Assignment.lead_unit_id, Assignment.leader_id,
                                    AssignmentMember.unit_id).join(AssignmentMember,
                                                                   AssignmentMember.assignment_id == Assignment.id)
                             .where(Assignment.campaign_id == c.id)).all()
        cid, phase_id = c.id, phase.id
    half = items // 2
    since, past, future = NOW - dt.timedelta(days=10), NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=30)
    levels = (MEMBER, LEAD, LEADER)
    problems, tasks = [], []
    for i in range(half):
        seg, lead, leader, member = assigned[i % len(assigned)]
        is_due = rng.random() < due
        level = levels[i % 3]
        hu, hl = {MEMBER: (member, None), LEAD: (lead, None), LEADER: (lead, leader)}[level]
        for _ in range(1 if is_due else spread):
            problems.append((cid, "report", seg, member, f"协调事项{i}", "", "open", level, hu, hl, since,
                             past if is_due else future, 0, 0, since, 1))
        is_due = rng.random() < due
        for k in range(1 if is_due else spread):
            tasks.append((cid, "plan", phase_id, seg, lead, f"B{i}" + (f"-{k}" if k else ""), "bench", "综合治理",
                          f"任务{i}", "", past if is_due else future, "open", False, since, 0, 0, 1))
    _copy(db, "problem", PROBLEM_COLUMNS, problems)
    _copy(db, "task", TASK_COLUMNS, tasks)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE problem"))
            conn.execute(text("VACUUM ANALYZE task"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return db, cid, phase_id


def _statements(pg: bool, office: int) -> list[str]:
    """Hand-written SQL for the sweep's writes; PostgreSQL chains them with data-modifying CTEs."""
    up = f"CASE p.level WHEN '{MEMBER}' THEN '{LEAD}' WHEN '{LEAD}' THEN '{LEADER}' ELSE '{OFFICE}' END"
    down = f"CASE level WHEN '{LEAD}' THEN '{MEMBER}' WHEN '{LEADER}' THEN '{LEAD}' ELSE '{LEADER}' END"
    payload = ("'{\"title\":\"【{t}】' || title || '\",\"body\":\"" + BODY + "\",\"{k}_id\":' "
               "|| CAST(id AS TEXT) || '}'")
    move = (f"UPDATE problem AS p SET level = {up}, "
            f"holder_unit_id = CASE WHEN p.level = '{LEADER}' THEN {office} ELSE a.lead_unit_id END, "
            f"holder_leader_id = CASE WHEN p.level = '{LEAD}' THEN a.leader_id END, level_since = :now, "
            "level_deadline = :later, acc_stage = 0, acc_at = :now, version = p.version + 1 "
            "FROM assignment AS a WHERE a.segment_id = p.segment_id AND a.valid_to IS NULL AND p.campaign_id = :cid "
            "AND p.status = 'open' AND p.level <> '创卫办' AND p.level_deadline <= :now AND p.level_since < :now")
    event = ("INSERT INTO problem_event (problem_id, at, actor, action, from_level, to_level, reason, detail) "
             f"SELECT id, :now, '系统', 'auto_escalated', {down}, level, '办理时限已过，系统自动上报', '{{}}' FROM {{src}}")
    ping = ("INSERT INTO outbox (campaign_id, idempotency_key, target, template, payload, state, due_at, "
            "next_attempt_at, attempts, created_at) SELECT campaign_id, 'p:' || CAST(id AS TEXT) || ':' || "
            f"CAST(version AS TEXT), 'bench', 'escalation', {payload.replace('{t}', '上报').replace('{k}', 'problem')}, "
            "'pending', :now, :now, 0, :now FROM {src}")
    step = ("UPDATE task SET acc_stage = 2, acc_at = :now WHERE campaign_id = :cid AND status = 'open' "
            "AND acc_stage = 0 AND deadline < :now AND (extended_until IS NULL OR extended_until < :now) "
            "AND (acc_at IS NULL OR acc_at < :now)")
    log = ("INSERT INTO accountability_step (campaign_id, object_type, object_id, stage, at, unit_id, detail) "
           "SELECT campaign_id, 'task', id, 2, :now, unit_id, '{}' FROM {src}")
    tell = ("INSERT INTO outbox (campaign_id, idempotency_key, target, template, payload, state, due_at, "
            "next_attempt_at, attempts, created_at) SELECT campaign_id, 't:' || CAST(id AS TEXT), 'bench', 'overdue', "
            f"{payload.replace('{t}', '逾期').replace('{k}', 'task')}, 'pending', :now, :now, 0, :now FROM {{src}}")
    if pg:
        def chain(update: str, returning: str, *inserts: str) -> str:
            parts = [f"moved AS ({update} RETURNING {returning})"]
            parts += [f"w{i} AS ({x.replace('{src}', 'moved')} RETURNING 1)" for i, x in enumerate(inserts)]
            counts = ", ".join(["(SELECT count(*) FROM moved)"] + [f"(SELECT count(*) FROM w{i})"
                                                                  for i in range(len(inserts))])
            return f"WITH {', '.join(parts)} SELECT {counts}"
        return [chain(move, "p.id, p.campaign_id, p.level, p.version, p.title", event, ping),
                chain(step, "id, campaign_id, unit_id, title", log, tell)]
    problems = "problem WHERE campaign_id = :cid AND level_since = :now"
    tasks = "task WHERE campaign_id = :cid AND acc_at = :now"
    return [move, event.replace("{src}", problems), ping.replace("{src}", problems), step,
            log.replace("{src}", tasks), tell.replace("{src}", tasks)]


def hand_sql(db: Database, cid: int) -> dict[str, int]:
    """The same writes in plain set-based SQL, in one transaction; returns row counts."""
    pg = db.engine.dialect.name == "postgresql"
    with db.unit_of_work() as s:
        office = s.scalar(select(Unit.id).where(Unit.campaign_id == cid, Unit.kind == "创卫办"))
    params = {"now": driver_value(NOW, pg=pg), "later": driver_value(NOW + dt.timedelta(days=5), pg=pg), "cid": cid}
    with db.engine.begin() as conn:
        results = [conn.execute(text(sql), params) for sql in _statements(pg, office)]
        if pg:
            (p, pe, po), (t, ts, to) = (r.one() for r in results)
        else:
            p, pe, po, t, ts, to = (r.rowcount for r in results)
    return {"problems": p, "problem_events": pe, "tasks": t, "steps": ts, "outbox": po + to}


def real_sweep(db: Database, code: str, batch: int) -> dict[str, int]:
    """The sweep as the flow runs it: every pass, batch by batch, one transaction each."""
    moved = {}
    for name in PASSES:
        after, total = 0, 0
        while True:
            with db.unit_of_work() as s:
                r = sweep_batch(s, ctx=load_context(s, campaign=get_campaign(s, code)), name=name, now=NOW, after_id=after, limit=batch)
            if r.done:
                break
            after, total = r.last_id, total + r.moved
        moved[name] = total
    with db.reader() as s:
        return {"problems": moved["coordination"], "tasks": moved["task"],
                "problem_events": s.scalar(select(func.count()).select_from(ProblemEvent)),
                "steps": s.scalar(select(func.count()).select_from(AccountabilityStep)),
                "outbox": s.scalar(select(func.count()).select_from(OutboxMessage))}


@contextlib.contextmanager
def clone(url: str) -> Iterator[str]:
    """A copy of the loaded database for the hand-written SQL (file copy / CREATE DATABASE … TEMPLATE)."""
    if url.startswith("postgresql"):
        with scratch_postgres("cw_bench_hand", template=url.rsplit("/", 1)[1]) as copy_url:
            yield copy_url
        return
    path = url.split("///", 1)[1]
    with contextlib.closing(sqlite3.connect(path)) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(path, path + ".hand")
    try:
        yield f"sqlite:///{path}.hand"
    finally:
        os.remove(path + ".hand")


def run(url: str, items: int, due: float, batch: int) -> bool:
    kind = url.split(":", 1)[0].split("+")[0]
    t0 = time.perf_counter()
    db, cid, _ = setup(url, items, due)
    loaded = time.perf_counter() - t0
    with db.reader() as s:
        code = s.get(Campaign, cid).code
    db.dispose()
    with clone(url) as copy_url:
        hand_db = Database(make_engine(copy_url))
        t1 = time.perf_counter()
        hand = hand_sql(hand_db, cid)
        hand_s = time.perf_counter() - t1
        hand_db.dispose()
    db = Database(make_engine(url))
    t2 = time.perf_counter()
    swept = real_sweep(db, code, batch)
    sweep_s = time.perf_counter() - t2
    db.dispose()
    same = "same writes" if swept == hand else f"DIFFERENT writes: sweep {swept} vs hand {hand}"
    print(f"{kind:<10} items={items:,} due={due:.0%} load={loaded:.1f}s moved={hand['problems'] + hand['tasks']:,} "
          f"rows written={hand['problem_events'] + hand['steps'] + hand['outbox']:,} ({same})\n"
          f"{'':<10} hand-written SQL {hand_s:.2f}s | sweep {sweep_s:.2f}s (batch {batch}) | ratio {sweep_s / hand_s:.2f}x",
          flush=True)
    return verdict(f"sweep-{kind}", sweep_s / hand_s, 2.0, detail=f"sweep {sweep_s:.2f} s, hand-written SQL {hand_s:.2f} s, {same}")


def timed_sweep(url: str, items: int, due: float, batch: int, spread: int) -> tuple[float, dict[str, int]]:
    db, cid, _ = setup(url, items, due, spread)
    with db.reader() as s:
        code = s.get(Campaign, cid).code
    db.dispose()
    db = Database(make_engine(url))
    t0 = time.perf_counter()
    swept = real_sweep(db, code, batch)
    elapsed = time.perf_counter() - t0
    db.dispose()
    return elapsed, swept


def growth(kind: str, items: int, due: float, batch: int, factor: int = 10) -> bool:
    """The same due items among ``factor`` × as many items that are not due: the sweep's cost must follow due items."""
    times = []
    for spread in (1, factor):
        with scratch_db(kind) as url:
            elapsed, swept = timed_sweep(url, items, due, batch, spread)
        print(f"{kind:<10} due items fixed, not-due items ×{spread}: sweep {elapsed:.2f}s, moved "
              f"{swept['problems'] + swept['tasks']:,}", flush=True)
        times.append((elapsed, swept))
    (base, a), (grown, b) = times
    assert a == b, f"the due items differ between the runs: {a} vs {b}"
    return verdict(f"sweep-growth-{kind}", grown / base, 1.5, detail=f"{base:.2f} s → {grown:.2f} s with ×{factor} items not due")


@contextlib.contextmanager
def scratch_db(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
    else:
        with scratch_postgres() as url:
            yield url


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=DEFAULT_ITEMS)
    p.add_argument("--due", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=BATCH)
    p.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    p.add_argument("--growth", action="store_true",
                   help="keep the due items, multiply the items that are not due by 10 (default --items 100000)")
    a = p.parse_args()
    for kind in a.db:
        if a.growth:
            growth(kind, a.items if a.items != DEFAULT_ITEMS else 100_000, a.due, a.batch)
        else:
            with scratch_db(kind) as url:
                run(url, a.items, a.due, a.batch)


if __name__ == "__main__":
    main()
