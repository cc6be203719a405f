"""Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from models import Base
from services import schema


def test_migrating_to_head_gives_the_schema_the_models_describe(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_upgrading_an_up_to_date_database_is_a_no_op(db):
    before = schema.current_revision(db.engine)
    schema.upgrade(db.engine)
    assert schema.current_revision(db.engine) == before == schema.head_revision(db.engine)
