"""``cw db copy``: campaigns move between databases whole, verified by row counts, or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench.synthetic_city import load
from config.loader import load_campaign
from models import Campaign, Task
from models.db import make_engine
from rules.errors import Conflict
from services.campaigns.context import load_context
from services.campaigns.loading import init_campaign
from services.campaigns.phases import advance_phases
from services.operations import db_copy
from services.uow import Database
from tests.conftest import EXAMPLE, at


@pytest.fixture
def county(tmp_path):
    """A county's own SQLite file: the example after its first phase opened."""
    url = f"sqlite:///{tmp_path / 'county.db'}"
    src = Database(make_engine(url))
    from services import schema

    schema.upgrade(src.engine)
    with src.unit_of_work() as s:
        init_campaign(s, loaded=load_campaign(EXAMPLE), now=at("2024-12-20 09:00"))
    with src.unit_of_work() as s:
        c = s.scalars(select(Campaign)).one()
        advance_phases(s, ctx=load_context(s, campaign=c), now=at("2025-01-02 00:05"))
    yield src
    src.dispose()


def test_a_county_copied_into_an_empty_database_has_identical_row_counts(county, db):
    report = db_copy.copy_campaigns(county.engine, db.engine)
    assert report.campaigns == ["demo-county"] and report.rows["task"] > 0
    assert db_copy.row_counts(db.engine) == db_copy.row_counts(county.engine)


def test_a_second_county_joins_a_database_that_holds_another(county, db, tmp_path):
    other = f"sqlite:///{tmp_path / 'other.db'}"
    load(other, 120, code="other-county")
    db_copy.copy_campaigns(make_engine(other), db.engine)
    db_copy.copy_campaigns(county.engine, db.engine)
    counts = db_copy.row_counts(db.engine, ["demo-county"])
    assert counts == db_copy.row_counts(county.engine)
    assert db_copy.row_counts(db.engine, ["other-county"]) == db_copy.row_counts(make_engine(other))
    with db.reader() as s:
        demo = s.scalars(select(Campaign).where(Campaign.code == "demo-county")).one()
        n = s.scalar(select(func.count()).select_from(Task).where(Task.campaign_id == demo.id))
    assert n == counts["task"]


def test_copying_a_campaign_that_is_already_there_is_refused_and_changes_nothing(county, db):
    db_copy.copy_campaigns(county.engine, db.engine)
    before = db_copy.row_counts(db.engine)
    with pytest.raises(Conflict):
        db_copy.copy_campaigns(county.engine, db.engine)
    assert db_copy.row_counts(db.engine) == before


def test_a_failed_verification_rolls_the_whole_copy_back(county, db, monkeypatch):
    def broken(*args, **kwargs):
        raise db_copy.CopyFailed("simulated mismatch")

    monkeypatch.setattr(db_copy, "_verify", broken)
    with pytest.raises(db_copy.CopyFailed):
        db_copy.copy_campaigns(county.engine, db.engine)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Campaign)) == 0


def test_a_county_after_a_simulated_month_copies_with_identical_counts_and_brief_numbers(county, db, tmp_path):
    from models.briefs import Brief
    from services.briefs.issues import reserve, write_issue
    from services.escalation.sweep import sweep

    for week, when in (("2025-W02", "2025-01-13 06:00"), ("2025-W03", "2025-01-20 06:00"),
                       ("2025-W04", "2025-01-27 06:00")):
        with county.unit_of_work() as s:
            c = s.scalars(select(Campaign)).one()
            sweep(s, ctx=load_context(s, campaign=c), now=at(when))
            issue = reserve(s, campaign=c, week=week, now=at(when))
        with county.unit_of_work() as s:
            write_issue(s, ctx=load_context(s, campaign=s.scalars(select(Campaign)).one()), issue_id=issue.id, out_dir=tmp_path / "b",
                        now=at(when))
    db_copy.copy_campaigns(county.engine, db.engine)
    assert db_copy.row_counts(db.engine) == db_copy.row_counts(county.engine)

    def numbers(database):
        with database.reader() as s:
            return s.execute(select(Brief.key, Brief.number).order_by(Brief.number)).all()

    assert numbers(db) == numbers(county) == [("2025-W02", 1), ("2025-W03", 2), ("2025-W04", 3)]


def test_every_integer_reference_without_a_foreign_key_is_known_to_the_copy():
    """A new polymorphic column must be listed, or a copied county would point at other rows."""
    from models import Base

    loose = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.c
             if c.name.endswith("_id") and not c.foreign_keys and not c.primary_key}
    assert loose <= set(db_copy.POLYMORPHIC) | set(db_copy.IMPLICIT_FK)
