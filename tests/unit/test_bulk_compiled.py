"""``fetch_plain`` compiles a shape of query once: every later call still reads with its own values."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Integer, bindparam, literal, select

from models import Campaign
from models.base import UTCDateTime
from services.bulk import _COMPILED, fetch_plain

T0 = dt.datetime(2025, 3, 20, 10, 0, tzinfo=dt.UTC)
CODES = ("a-county", "b-county", "c-county", "d-county")


@pytest.fixture
def campaigns(db):
    with db.unit_of_work() as s:
        s.add_all([Campaign(code=code, name=code, county=code, spec={}, created_at=T0 + dt.timedelta(days=i),
                            updated_at=T0) for i, code in enumerate(CODES)])
    return db


def _query(since: dt.datetime, codes: list[str], after_id: int, limit: int):
    """One shape of query whatever the values (the IN list's length included)."""
    return (select(Campaign.code, literal(None).label("none"), literal(True).label("flag"))
            .where(Campaign.created_at >= since, Campaign.code.in_(codes), Campaign.id > after_id)
            .order_by(Campaign.id).limit(limit))


def test_calls_with_different_values_each_read_their_own_rows_from_one_compiled_statement(campaigns):
    with campaigns.reader() as s:
        first = fetch_plain(s, _query(T0, list(CODES), 0, 10))
        kept = len(_COMPILED)
        after = fetch_plain(s, _query(T0 + dt.timedelta(days=1), ["a-county", "c-county", "d-county"], 0, 10))
        fewer = fetch_plain(s, _query(T0, ["b-county"], 0, 10))
        limited = fetch_plain(s, _query(T0, list(CODES), 0, 2))
        first_id = s.scalar(select(Campaign.id).where(Campaign.code == "a-county"))
        keyset = fetch_plain(s, _query(T0, list(CODES), first_id, 10))
        again = fetch_plain(s, _query(T0, list(CODES), 0, 10))
    assert len(_COMPILED) == kept  # the same shape: compiled once
    assert [r[0] for r in first] == list(CODES) and first == again
    assert {tuple(r[1:]) for r in first} in ({(None, True)}, {(None, 1)})  # as the driver gives them
    assert [r[0] for r in after] == ["c-county", "d-county"]
    assert [r[0] for r in fewer] == ["b-county"]
    assert [r[0] for r in limited] == ["a-county", "b-county"]
    assert [r[0] for r in keyset] == ["b-county", "c-county", "d-county"]


def test_a_query_read_by_a_sqlite_index_keeps_its_values_per_call(campaigns):
    with campaigns.reader() as s:
        index = ("campaign", "sqlite_autoindex_campaign_1") if s.get_bind().dialect.name == "sqlite" else None
        got = [[r[0] for r in fetch_plain(s, select(Campaign.code).where(Campaign.code > after)
                                          .order_by(Campaign.code), sqlite_index=index)]
               for after in ("a-county", "c-county", "")]
    assert got == [["b-county", "c-county", "d-county"], ["d-county"], list(CODES)]


def test_a_query_built_once_reads_with_the_parameters_of_each_call(campaigns):
    query = (select(Campaign.code).where(Campaign.created_at >= bindparam("since", type_=UTCDateTime()),
                                         Campaign.code.in_(bindparam("codes", expanding=True)))
             .order_by(Campaign.id).limit(bindparam("limit", type_=Integer())))
    with campaigns.reader() as s:
        got = [[r[0] for r in fetch_plain(s, query, {"since": since, "codes": codes, "limit": limit})]
               for since, codes, limit in ((T0, list(CODES), 10), (T0 + dt.timedelta(days=2), list(CODES), 10),
                                           (T0, ["d-county", "a-county"], 10), (T0, list(CODES), 1))]
    assert got == [list(CODES), ["c-county", "d-county"], ["a-county", "d-county"], ["a-county"]]
