"""Benchmark: one sweep over N open items (half problems, half tasks) of which a share is due.

Loads a synthetic city (``bench.synthetic_city``), bulk-loads the items with COPY (PostgreSQL)
or the driver's executemany (SQLite), then times

* **hand**: hand-written set-based SQL making the same writes — the state UPDATEs, the history
  rows (``problem_event``, ``accountability_step``), the outbox rows with their texts, the audit
  entries — in one transaction, on a copy of the loaded database (so the sweep starts from the
  same data); PostgreSQL chains each pass with data-modifying CTEs;
* **sweep**: the real sweep, batch after batch, each batch its own transaction, exactly as the
  ``sweep`` flow runs it (without Prefect);

checks that both wrote the same (rows changed, rows added per table and kind; on PostgreSQL the very
same outbox keys), and prints both times and their ratio. With the bench's data the sweep climbs
参与单位 → 牵头部门 and 县级领导 → 创卫办 (a 牵头部门 problem waits ``climb_after``), sends one
上报 message per climb, marks overdue tasks 逾期 and reminds 牵头部门 problems that wait (steps and
notices folded into the morning digest); no item is overdue long enough for a 督办单.

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

from sqlalchemy import select, text, update

from bench.scratch import scratch_postgres
from bench.synthetic_city import load
from bench.verdict import verdict
from models import Assignment, AssignmentMember, Campaign, Phase, Unit
from models.accountability import PROBLEM, TASK
from models.db import make_engine
from models.inspections import RECTIFIED
from rules.accountability import overdue_cutoff, rungs
from rules.ladders import (
    AUTO_ESCALATED,
    LEAD,
    LEADER,
    MEMBER,
    NOTE_LEADER_SIGNED,
    NOTE_OPINION_MISSING,
    OFFICE,
    OPINION,
)
from rules.vocabulary import AccStage
from services.bulk import driver_value, insert_rows
from services.campaigns.context import SpecCache, load_context
from services.escalation.accountability import STEP_COLUMNS
from services.escalation.ladders import local_text
from services.escalation.sweep import PASSES, sweep_batch
from services.escalation.sweep_io import BATCH, OUTBOX_COLUMNS
from services.notifications.links import public_base
from services.tasks.lapse import lapse_cutoff
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
NONE, REMINDED, OVERDUE, YELLOW_CARD = (int(x) for x in (AccStage.NONE, AccStage.REMINDED, AccStage.OVERDUE,
                                                          AccStage.YELLOW_CARD))


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


NOTE = {"missing": NOTE_OPINION_MISSING, "signed": NOTE_LEADER_SIGNED}
OVERDUE_TAIL = "。请立即办理，并向创卫办说明逾期原因。"


def _dialect(pg: bool) -> dict[str, str]:
    """Expressions over one timestamp column ``{0}`` (naive UTC; local time is ``:off`` hours ahead)."""
    if pg:
        local = "({0} + make_interval(hours => :off))"
        return {
            "day": f"to_char({local}, 'YYYY-MM-DD')",
            "text": f"(to_char({local}, 'FMYYYY\"年\"FMMM\"月\"FMDD\"日\"FMHH24\"时\"') || "
                    "CASE WHEN extract(minute FROM {0}) > 0 THEN to_char({0}, 'MI\"分\"') ELSE '' END)",
            "iso": "(to_char({0}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+00:00')",
            "hours": "CAST(floor(extract(epoch FROM (:now - {0})) / 3600) AS INTEGER)",
            "json": "CAST(json_build_object({0}) AS TEXT)",
            "true": "true",
            "said": "string_agg(e.opinion, '；' ORDER BY e.id)",
            # the sweep's idempotency keys exactly: code + the first 40 hex digits of sha256("code|template|…")
            "insert": "INSERT INTO", "conflict": " ON CONFLICT (idempotency_key) DO NOTHING",
            "key": "(:code || ':' || left(encode(sha256(convert_to(:code || '|' || {0}, 'UTF8')), 'hex'), 40))",
        }
    part = "CAST(strftime('{f}', {{0}}, :off_mod) AS INTEGER)"
    return {
        "day": "date({0}, :off_mod)",
        "text": f"({part.format(f='%Y')} || '年' || {part.format(f='%m')} || '月' || {part.format(f='%d')} || '日' || "
                f"{part.format(f='%H')} || '时' || "
                "CASE WHEN strftime('%M', {0}) <> '00' THEN strftime('%M', {0}) || '分' ELSE '' END)",
        "iso": "(replace(substr({0}, 1, 19), ' ', 'T') || '+00:00')",
        "hours": "CAST((julianday(:now) - julianday({0})) * 24 AS INTEGER)",
        "json": "json_object({0})",
        "true": "json('true')",
        "said": "group_concat(e.opinion, '；')",
        # no hash function in SQLite: 40 random hex digits, keys of the same shape spread over the index alike
        "key": "(:code || ':' || lower(hex(randomblob(20))))",
        "insert": "INSERT OR IGNORE INTO", "conflict": "",
    }


def _recipient(unit: str, leader: str) -> tuple[str, str]:
    """The recipient of a holder as the sweep names it: kind, and id (``None`` for 创卫办) as text."""
    kind = (f"CASE WHEN {leader} IS NOT NULL THEN 'leader' WHEN {unit} IS NULL OR {unit} = :office THEN 'office' "
            "ELSE 'unit' END")
    ident = (f"CASE WHEN {leader} IS NOT NULL THEN CAST({leader} AS TEXT) WHEN {unit} IS NULL OR {unit} = :office "
             f"THEN NULL ELSE CAST({unit} AS TEXT) END")
    return kind, ident


def _coordination(d: dict[str, str]) -> tuple[str, str, list[str]]:
    """Problems past their level's limit climb one level (牵头部门 → 县级领导 only after ``:climb``):
    (the moves, the UPDATE over them as ``c``, the inserts from them as ``moved``)."""
    to = f"CASE p.level WHEN '{MEMBER}' THEN '{LEAD}' WHEN '{LEAD}' THEN '{LEADER}' ELSE '{OFFICE}' END"
    by_level = "CASE p.level WHEN '" + MEMBER + "' THEN :{0}_lead WHEN '" + LEAD + "' THEN :{0}_leader ELSE :{0}_office END"
    moves = (f"SELECT p.id, p.campaign_id, p.title, p.segment_id, p.version + 1 AS version, p.level AS from_level, "
             f"{to} AS to_level, CASE WHEN p.level = '{LEADER}' THEN :office ELSE a.lead_unit_id END AS hu, "
             f"CASE WHEN p.level = '{LEAD}' THEN a.leader_id END AS hl, a.lead_unit_id AS lead_unit, "
             f"{by_level.format('dl')} AS dl, {by_level.format('tx')} AS dl_text, {by_level.format('iso')} AS dl_iso, "
             f"CASE WHEN p.level = '{LEADER}' THEN (SELECT {d['said']} FROM problem_event AS e WHERE e.problem_id = p.id "
             f"AND e.action = '{OPINION}' AND e.at >= p.level_since) END AS said "
             "FROM problem AS p JOIN assignment AS a ON a.segment_id = p.segment_id AND a.campaign_id = p.campaign_id "
             "AND a.valid_to IS NULL "
             f"WHERE p.campaign_id = :cid AND p.status = 'open' AND p.level <> '{OFFICE}' AND p.level_deadline <= :now "
             "AND p.level_since < :now AND (p.on_hold_until IS NULL OR p.on_hold_until <= :now) "
             f"AND (p.level <> '{LEAD}' OR p.level_since < :climb) AND NOT EXISTS (SELECT 1 FROM finding AS f "
             f"WHERE f.problem_id = p.id AND f.status = '{RECTIFIED}')")
    update = ("UPDATE problem AS p SET level = c.to_level, holder_unit_id = c.hu, holder_leader_id = c.hl, "
              "level_since = :now, level_deadline = c.dl, acc_stage = 0, acc_at = :now, version = p.version + 1 "
              "FROM {src} AS c WHERE p.id = c.id")
    leader = f"m.from_level = '{LEADER}'"
    reason = (f"CASE WHEN {leader} THEN CASE WHEN m.said IS NULL THEN '{NOTE['missing']}' ELSE '{NOTE['signed']}' END "
              "ELSE m.from_level || '办理时限已过，系统自动上报' END")
    opinion = f"COALESCE(m.said, '{NOTE['missing']}')"
    auto = f"'auto', {d['true']}, 'deadline', m.dl_iso"
    event = ("INSERT INTO problem_event (problem_id, at, actor, action, from_level, to_level, reason, opinion, detail) "
             f"SELECT m.id, :now, '系统', '{AUTO_ESCALATED}', m.from_level, m.to_level, {reason}, "
             f"CASE WHEN {leader} THEN {opinion} END, CASE WHEN {leader} THEN "
             f"{d['json'].format(auto + ', ' + chr(39) + 'on_behalf_of' + chr(39) + ', lu.name')} "
             f"ELSE {d['json'].format(auto)} END FROM moved AS m LEFT JOIN unit AS lu ON lu.id = m.lead_unit")
    body = ("'路段：' || COALESCE(s.code || ' ' || s.name, '未定位') || '\n呈报：' || m.to_level || '（' || "
            f"COALESCE(hl.name, hu.name, '创卫办') || '）\n上报原因：' || {reason} || '\n办理时限：' || m.dl_text || "
            f"'\n前序意见：' || CASE WHEN {leader} THEN '\n1. ' || {opinion} ELSE '无' END || "
            "'\n请及时研究解决；逾期未办结的，将按程序继续上报。'")
    kind, ident = _recipient("m.hu", "m.hl")
    who = f"{kind} || ':' || COALESCE({ident}, '')"
    key = d["key"].format(f"'escalation|problem|' || CAST(m.id AS TEXT) || '|' || CAST(m.version AS TEXT) || '|' || "
                          f"{kind} || '|' || COALESCE({ident}, 'None') || '|bench'")
    payload = d["json"].format(f"'title', '【上报】' || m.title, 'body', {body}, 'level', m.to_level, 'link', "
                               f":base || '/problems/' || CAST(m.id AS TEXT), 'problem_id', m.id, 'recipient', {who}")
    ping = (f"{d['insert']} outbox ({', '.join(OUTBOX_COLUMNS)}) SELECT m.campaign_id, {key}, 'bench', 'escalation', "
            f"{payload}, 'pending', :now, :now, 0, :now FROM moved AS m LEFT JOIN segment AS s ON s.id = m.segment_id "
            f"LEFT JOIN unit AS hu ON hu.id = m.hu LEFT JOIN leader AS hl ON hl.id = m.hl{d['conflict']}")
    return moves, update, [event, ping]


def _ladder(d: dict[str, str], kind: str, days: str) -> tuple[str, str, list[str]]:
    """Tasks (``kind='task'``) or problems one rung up: reminded before the deadline, overdue after it (a
    problem only once 创卫办 has assigned it), each with its step and its folded notice."""
    if kind == TASK:
        due = "CASE WHEN x.extended_until > x.deadline THEN x.extended_until ELSE x.deadline END"
        cols, terminal = "x.unit_id, CAST(NULL AS INTEGER) AS hl", "1 = 1"
        where = "x.deadline <= :remind AND (x.extended_until IS NULL OR x.extended_until <= :remind)"
    else:
        due = "x.level_deadline"
        cols, terminal = "x.holder_unit_id AS unit_id, x.holder_leader_id AS hl", \
            f"x.level = '{OFFICE}' AND x.assigned_at IS NOT NULL"
        where = f"x.level_deadline <= :remind AND NOT (x.level = '{OFFICE}' AND x.assigned_at IS NULL)"
    rkind, ident = _recipient("m.unit_id", "m.hl")
    who = f"{rkind} || ':' || COALESCE({ident}, '')"
    template = f"CASE WHEN m.to_stage = {OVERDUE} THEN 'overdue' ELSE 'reminder' END"
    key = d["key"].format(f"{template} || '|{kind}|' || CAST(m.id AS TEXT) || '|acc|' || CAST(m.to_stage AS TEXT) || '|' "
                          f"|| {d['iso'].format('m.due')} || '|' || {rkind} || '|' || COALESCE({ident}, 'None') || '|bench'")
    to = (f"CASE WHEN {terminal} AND x.acc_stage IN ({NONE}, {REMINDED}) AND {due} < :now THEN {OVERDUE} "
          f"WHEN x.acc_stage = {NONE} AND {due} <= :remind THEN {REMINDED} END")
    moves = (f"SELECT * FROM (SELECT x.id, x.campaign_id, x.title, {cols}, {due} AS due, {to} AS to_stage FROM {kind} AS x "
             f"WHERE x.campaign_id = :cid AND x.status = 'open' AND x.acc_stage < {YELLOW_CARD} "
             f"AND (x.acc_at IS NULL OR x.acc_at < :now) AND {where}) AS y WHERE to_stage IS NOT NULL")
    update = f"UPDATE {kind} AS x SET acc_stage = c.to_stage, acc_at = :now FROM {{src}} AS c WHERE x.id = c.id"
    detail = d["json"].format(f"'deadline', {d['iso'].format('m.due')}, 'overdue_workdays', COALESCE(w.n, 0)")
    step = (f"INSERT INTO accountability_step ({', '.join(STEP_COLUMNS)}) SELECT m.campaign_id, '{kind}', m.id, "
            f"m.to_stage, :now, m.unit_id, NULL, {detail} FROM moved AS m "
            f"LEFT JOIN {days} AS w ON w.day = {d['day'].format('m.due')}")
    hours, deadline = d["hours"].format("m.due"), d["text"].format("m.due")
    state = (f"CASE WHEN {hours} < 1 THEN '现已到期' WHEN {hours} < 24 THEN '现已逾期' || CAST({hours} AS TEXT) || '小时' "
             f"ELSE '现已逾期' || CAST({hours} / 24 AS TEXT) || '天' END")
    common = (f"'{kind}_id', m.id, 'stage', m.to_stage, 'folded', 'morning_digest', 'recipient', {who}, 'link', "
              f":base || '/{kind}s/' || CAST(m.id AS TEXT)")
    overdue = d["json"].format(f"{common}, 'title', '【逾期】' || m.title, 'body', COALESCE(u.name, '') || "
                               f"'：\n任务「' || m.title || '」办理时限为' || {deadline} || '，' || {state} || '{OVERDUE_TAIL}'")
    remind = d["json"].format(f"{common}, 'title', '【提醒】' || m.title, 'body', '任务「' || m.title || "
                              f"'」办理时限为' || {deadline} || '，请抓紧落实，完成后及时打卡销号。'")
    tell = (f"{d['insert']} outbox ({', '.join(OUTBOX_COLUMNS)}) SELECT m.campaign_id, {key}, 'bench', {template}, "
            f"CASE WHEN m.to_stage = {OVERDUE} THEN {overdue} ELSE {remind} END, 'merged', :now, :now, 0, :now "
            f"FROM moved AS m LEFT JOIN unit AS u ON u.id = m.unit_id{d['conflict']}")
    return moves, update, [step, tell]


LAPSE = ("UPDATE task SET status = 'missed', acc_at = :now, version = version + 1 WHERE campaign_id = :cid "
         "AND status = 'open' AND template_id IN (SELECT id FROM task_template WHERE recurrence IN ('weekly', 'monthly')) "
         "AND deadline < :lapse AND (extended_until IS NULL OR extended_until < :lapse)")
AUDIT = ("INSERT INTO audit_entry (campaign_id, at, actor, action, object_type, object_id, detail) "
         "VALUES (:cid, :now, '系统', :action, 'campaign', :cid, '{}')")


def _statements(pg: bool, days: str) -> list[tuple[str, str]]:
    """(audit action, SQL) in order: PostgreSQL chains each pass with data-modifying CTEs; SQLite keeps its
    moves in a temporary table."""
    d = _dialect(pg)
    passes = [("sweep.escalate", _coordination(d)), ("task.lapse", None), ("sweep.accountability", _ladder(d, TASK, days)),
              ("sweep.accountability", _ladder(d, PROBLEM, days))]
    out: list[tuple[str, str]] = []
    for action, chain in passes:
        if chain is None:
            out.append((action, LAPSE))
            continue
        moves, update, inserts = chain
        if pg:
            parts = [f"c AS ({moves})", f"moved AS ({update.format(src='c')} RETURNING c.*)"]
            parts += [f"w{i} AS ({x} RETURNING 1)" for i, x in enumerate(inserts)]
            counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(inserts)))
            out.append((action, f"WITH {', '.join(parts)} SELECT (SELECT count(*) FROM moved), {counts}"))
        else:
            out += [("", f"CREATE TEMP TABLE moved AS {moves}"), ("", update.format(src="moved")),
                    *(("", x) for x in inserts), (action, "DROP TABLE moved")]
    return out


def hand_sql(db: Database, cid: int) -> None:
    """The sweep's writes in plain set-based SQL, in one transaction; what the rules give for ``NOW`` (the
    new levels' deadlines and their texts, the cutoffs, the working days overdue per date) as parameters."""
    pg = db.engine.dialect.name == "postgresql"
    with db.unit_of_work() as s:
        office = s.scalar(select(Unit.id).where(Unit.campaign_id == cid, Unit.kind == "创卫办"))
        ctx = load_context(s, campaign=s.get(Campaign, cid))
        pol, cal = ctx.policy, ctx.calendar
        climb = pol.coordination.climb_after
        params: dict[str, object] = {
            "now": NOW, "cid": cid, "code": ctx.code, "office": office, "base": public_base(),
            "climb": overdue_cutoff(cal, NOW, int(climb.amount)) if climb else NOW,
            "remind": rungs(pol.accountability, cal, NOW)[-1].cutoff, "lapse": lapse_cutoff(ctx, NOW)}
    off = int((NOW.astimezone(cal.tz).utcoffset() or dt.timedelta()).total_seconds() // 3600)
    params |= {"off": off, "off_mod": f"{off:+d} hours"}
    for level, name in ((LEAD, "lead"), (LEADER, "leader"), (OFFICE, "office")):
        due = pol.coordination.limit(level).due(cal, NOW)
        params |= {f"dl_{name}": due, f"tx_{name}": local_text(due, cal), f"iso_{name}": due.isoformat()}
    params = {k: driver_value(v, pg=pg) for k, v in params.items()}
    today = NOW.astimezone(cal.tz).date()
    dates = [today - dt.timedelta(days=i) for i in range(400)]
    days = ("(SELECT column1 AS day, column2 AS n FROM (VALUES " +
            ", ".join(f"('{x.isoformat()}', {cal.working_days_between(x, today)})" for x in dates) + ") AS v)")
    with db.engine.begin() as conn:
        for action, sql in _statements(pg, days):
            conn.execute(text(sql), params)
            if action:
                conn.execute(text(AUDIT), {**params, "action": action})


def real_sweep(db: Database, cid: int, batch: int) -> None:
    """The sweep as the flow runs it: every pass, batch by batch, one transaction each, the campaign file
    validated once per process; a short batch is a pass's last."""
    specs = SpecCache()
    for name in PASSES:
        after = 0
        while True:
            with db.unit_of_work() as s:
                r = sweep_batch(s, ctx=load_context(s, campaign_id=cid, specs=specs), name=name, now=NOW,
                                after_id=after, limit=batch)
            after = r.last_id
            if r.selected < batch:
                break


def written(db: Database, cid: int) -> dict[str, int | str]:
    """What a run wrote, counted the same way for both: rows changed (by their new ``now`` stamps) and added;
    on PostgreSQL also a digest of the outbox's idempotency keys (both write the same keys there)."""
    pg = db.engine.dialect.name == "postgresql"
    now = driver_value(NOW, pg=pg)
    counts = {
        "problems climbed": "SELECT count(*) FROM problem WHERE campaign_id = :cid AND level_since = :now",
        "problems stepped": "SELECT count(*) FROM problem WHERE campaign_id = :cid AND acc_at = :now AND level_since <> :now",
        "tasks stepped": "SELECT count(*) FROM task WHERE campaign_id = :cid AND acc_at = :now AND status = 'open'",
        "tasks lapsed": "SELECT count(*) FROM task WHERE campaign_id = :cid AND acc_at = :now AND status = 'missed'",
        "problem_event": "SELECT count(*) FROM problem_event",
        "accountability_step": "SELECT count(*) FROM accountability_step",
        "supervision_notice": "SELECT count(*) FROM supervision_notice",
        "sanction": "SELECT count(*) FROM sanction",
    }
    with db.engine.connect() as conn:
        out: dict[str, int | str] = {k: int(conn.execute(text(q), {"cid": cid, "now": now}).scalar_one())
                                     for k, q in counts.items()}
        if pg:
            out["outbox keys"] = conn.execute(text("SELECT left(md5(string_agg(idempotency_key, ',' ORDER BY "
                                                   "idempotency_key)), 12) FROM outbox")).scalar_one()
        for template, state, n in conn.execute(text("SELECT template, state, count(*) FROM outbox GROUP BY template, "
                                                    "state ORDER BY template, state")):
            out[f"outbox {template}/{state}"] = int(n)
    return out


MOVES = ("problems ", "tasks ")


def _moved(counts: dict[str, int | str]) -> int:
    return sum(v for k, v in counts.items() if isinstance(v, int) and k.startswith(MOVES))


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
    db.dispose()
    with clone(url) as copy_url:
        hand_db = Database(make_engine(copy_url))
        t1 = time.perf_counter()
        hand_sql(hand_db, cid)
        hand_s = time.perf_counter() - t1
        hand = written(hand_db, cid)
        hand_db.dispose()
    db = Database(make_engine(url))
    t2 = time.perf_counter()
    real_sweep(db, cid, batch)
    sweep_s = time.perf_counter() - t2
    swept = written(db, cid)
    db.dispose()
    same = "same writes" if swept == hand else f"DIFFERENT writes: sweep {swept} vs hand {hand}"
    moved = _moved(swept)
    rows = sum(v for k, v in swept.items() if isinstance(v, int) and not k.startswith(MOVES))
    print(f"{kind:<10} items={items:,} due={due:.0%} load={loaded:.1f}s moved={moved:,} rows written={rows:,} ({same})\n"
          f"{'':<10} {swept}\n"
          f"{'':<10} hand-written SQL {hand_s:.2f}s | sweep {sweep_s:.2f}s (batch {batch}) | ratio {sweep_s / hand_s:.2f}x",
          flush=True)
    return verdict(f"sweep-{kind}", sweep_s / hand_s, 2.0,
                   detail=f"sweep {sweep_s:.2f} s, hand-written SQL {hand_s:.2f} s, {same.split(':')[0]}")


def timed_sweep(url: str, items: int, due: float, batch: int, spread: int) -> tuple[float, dict[str, int | str]]:
    db, cid, _ = setup(url, items, due, spread)
    db.dispose()
    db = Database(make_engine(url))
    t0 = time.perf_counter()
    real_sweep(db, cid, batch)
    elapsed = time.perf_counter() - t0
    swept = written(db, cid)
    db.dispose()
    return elapsed, swept


def growth(kind: str, items: int, due: float, batch: int, factor: int = 10) -> bool:
    """The same due items among ``factor`` × as many items that are not due: the sweep's cost must follow due items."""
    times = []
    for spread in (1, factor):
        with scratch_db(kind) as url:
            elapsed, swept = timed_sweep(url, items, due, batch, spread)
        print(f"{kind:<10} due items fixed, not-due items ×{spread}: sweep {elapsed:.2f}s, moved "
              f"{_moved(swept):,}", flush=True)
        times.append((elapsed, swept))
    (base, a), (grown, b) = times
    a, b = ({k: v for k, v in x.items() if isinstance(v, int)} for x in (a, b))  # counts: the ids differ
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
