"""The database refuses values outside the vocabulary, and upgrading to those checks keeps the data."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import CheckConstraint, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from models import Base, Campaign, Problem, ProblemEvent, Task, Unit
from models.db import make_engine
from rules.vocabulary import ProblemAction, ProblemLevel, UnitKind
from services import schema
from tests.conftest import at
from tests.support.scratch_db import scratch_postgres

NOW = at("2025-03-03 09:00")


def _campaign(s) -> Campaign:
    c = Campaign(code=f"c{uuid.uuid4().hex[:8]}", name="测试", county="测试县", spec={}, created_at=NOW,
                 updated_at=NOW)
    s.add(c)
    s.flush()
    return c


@pytest.mark.parametrize(("statement", "column"), [
    ("UPDATE unit SET kind = '机关'", "unit.kind"),
    ("UPDATE problem SET status = 'lapsed'", "problem.status"),
    ("UPDATE problem SET level = '乡镇'", "problem.level"),
    ("UPDATE problem_event SET action = '上报'", "problem_event.action"),
    ("UPDATE problem SET source = 'complaint'", "problem.source"),
])
def test_the_database_refuses_a_value_outside_the_closed_set(db, statement, column):
    with db.unit_of_work() as s:
        c = _campaign(s)
        u = Unit(campaign_id=c.id, name="城管局", kind=UnitKind.LEAD, aliases=[], contacts=[], notify=[])
        s.add(u)
        s.flush()
        p = Problem(campaign_id=c.id, source="report", title="占道经营", level=ProblemLevel.LEAD, level_since=NOW,
                    opened_at=NOW, unit_id=u.id)
        s.add(p)
        s.flush()
        s.add(ProblemEvent(problem_id=p.id, at=NOW, actor="城管局", action=ProblemAction.RAISED))
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(statement))
    with db.engine.connect() as conn:  # the refused update left the row as it was
        assert conn.execute(text("SELECT kind FROM unit")).scalar_one() == UnitKind.LEAD


def test_the_migrated_schema_has_every_check_constraint_the_models_declare(db):
    declared = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.constraints
                if c.__class__.__name__ == "CheckConstraint"}
    insp = inspect(db.engine)
    found = {(t, ck["name"]) for t in {t for t, _ in declared} for ck in insp.get_check_constraints(t)}
    assert declared and declared <= found


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """An engine on a database with no schema at all."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    with scratch_postgres("cw_test") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_database_with_data_at_0008_upgrades_to_the_checks_keeping_every_row(empty_engine):
    schema.upgrade(empty_engine, revision="0008")
    with empty_engine.begin() as conn:  # rows written by 0008-era code, children referring to parents
        cid = conn.execute(text(
            "INSERT INTO campaign (code, name, county, timezone, spec, created_at, updated_at) "
            "VALUES ('old', '旧活动', '旧县', 'Asia/Shanghai', '{}', :t, :t) RETURNING id"), {"t": NOW}).scalar_one()
        uid = conn.execute(text(
            "INSERT INTO unit (campaign_id, name, kind, aliases, contacts, notify) "
            "VALUES (:c, '城管局', '牵头部门', '[]', '[]', '[]') RETURNING id"), {"c": cid}).scalar_one()
        pid = conn.execute(text(
            "INSERT INTO problem (campaign_id, source, title, description, status, level, level_since, "
            "rework_count, acc_stage, opened_at, version, unit_id) VALUES (:c, 'report', '占道经营', '', 'open', "
            "'牵头部门', :t, 0, 0, :t, 1, :u) RETURNING id"), {"c": cid, "t": NOW, "u": uid}).scalar_one()
        conn.execute(text("INSERT INTO problem_event (problem_id, at, actor, action, detail) "
                          "VALUES (:p, :t, '城管局', 'raised', '{}')"), {"p": pid, "t": NOW})
    schema.upgrade(empty_engine)
    assert schema.current_revision(empty_engine) == schema.head_revision(empty_engine)
    with empty_engine.connect() as conn:
        counts = {m.__tablename__: conn.execute(select(func.count()).select_from(m)).scalar_one()
                  for m in (Campaign, Unit, Problem, ProblemEvent, Task)}
        assert counts == {"campaign": 1, "unit": 1, "problem": 1, "problem_event": 1, "task": 0}
        assert conn.execute(select(Problem.level, Problem.status)).one() == (ProblemLevel.LEAD, "open")
    with pytest.raises(IntegrityError), empty_engine.begin() as conn:
        conn.execute(text("UPDATE problem SET status = 'lapsed'"))


def test_the_migrated_database_holds_every_check_the_models_declare(db):
    """Revision by revision the migrations add the CHECKs; at head the database has exactly the models' ones."""
    declared = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.constraints
                if isinstance(c, CheckConstraint) and c.name}
    assert declared, "the models declare no CHECK constraint"
    reflected = inspect(db.engine)
    present = {(t, c["name"]) for t in reflected.get_table_names() for c in reflected.get_check_constraints(t)
               if c.get("name") and not c["name"].endswith("_not_null")}
    tables = {t for t, _ in declared}
    assert declared == {(t, n) for t, n in present if t in tables or n.startswith("ck_")}
    if db.engine.dialect.name == "sqlite":  # SQLite keeps the text as written: the allowed values must agree too
        def words(sql: str) -> str:
            return " ".join(sql.replace("(", " ").replace(")", " ").split())
        wanted = {(t.name, c.name): words(str(c.sqltext)) for t in Base.metadata.sorted_tables
                  for c in t.constraints if isinstance(c, CheckConstraint) and c.name}
        found = {(t, c["name"]): words(c["sqltext"]) for t in tables for c in reflected.get_check_constraints(t)
                 if c.get("name")}
        assert {k: v for k, v in found.items() if k in wanted} == wanted
