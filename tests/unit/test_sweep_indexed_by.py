"""The sweep's SQLite queries read their table through the index they name, or refuse to run."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from models import Problem, ProblemEvent
from services.bulk import indexed_by


def _sql(query) -> str:
    return str(query.compile(dialect=sqlite.dialect()))


def test_the_table_is_read_by_the_index_and_a_table_with_a_longer_name_is_left_alone():
    query = select(Problem.id).where(Problem.id.in_(select(ProblemEvent.problem_id))).order_by(Problem.id)
    hinted = indexed_by(_sql(query), "problem", "ix_problem_due")
    assert "FROM problem INDEXED BY ix_problem_due" in hinted
    assert "FROM problem_event" in hinted and hinted.count("INDEXED BY") == 1


def test_a_query_that_does_not_read_the_table_once_is_refused_rather_than_run_unhinted():
    with pytest.raises(ValueError, match="reads problem 0 times"):
        indexed_by(_sql(select(ProblemEvent.id)), "problem", "ix_problem_due")
