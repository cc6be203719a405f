"""The web app's caches for the request path (issue 22): the validated campaign file, validated again
only when the stored file changes, and the autocommit readers of the phone API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Campaign, Unit
from services.campaigns.context import SpecCache, load_context
from services.campaigns.loading import get_campaign


def campaign_id(db) -> int:
    with db.reader() as s:
        return get_campaign(s).id


def test_an_unchanged_campaign_file_is_validated_once_across_units_of_work(db, example):
    cache, cid = SpecCache(), campaign_id(db)
    with db.reader() as s:
        first = load_context(s, campaign_id=cid, specs=cache)
    with db.reader(autocommit=True) as s:
        again = load_context(s, campaign_id=cid, specs=cache)
        assert again.spec is first.spec
        assert again.campaign.code == example
        assert again.calendar.tz.key == first.spec.campaign.timezone


def test_a_campaign_file_changed_by_another_unit_of_work_is_seen_by_the_next_load(db, example):
    cache, cid = SpecCache(), campaign_id(db)
    with db.reader() as s:
        before = load_context(s, campaign_id=cid, specs=cache).spec
    with db.unit_of_work() as s:
        campaign = s.get(Campaign, cid)
        assert campaign is not None
        spec = dict(campaign.spec)
        spec["campaign"] = {**spec["campaign"], "name": before.campaign.name + "（修订）"}
        campaign.spec = spec
    with db.reader(autocommit=True) as s:
        after = load_context(s, campaign_id=cid, specs=cache)
        assert after.spec is not before
        assert after.spec.campaign.name == before.campaign.name + "（修订）"
        # the row's own spec column is left unloaded by the cache, and still loads when asked for
        assert after.campaign.spec["campaign"]["name"] == after.spec.campaign.name


def test_the_cache_gives_the_same_file_as_loading_without_it(db, example):
    cid = campaign_id(db)
    with db.reader() as s:
        plain = load_context(s, campaign=get_campaign(s)).spec
        cached = load_context(s, campaign_id=cid, specs=SpecCache()).spec
    assert cached == plain


def test_an_unknown_campaign_is_not_found_through_the_cache(db, example):
    from rules.errors import NotFound

    with db.reader() as s, pytest.raises(NotFound):
        load_context(s, campaign_id=10**6, specs=SpecCache())


def test_an_autocommit_reader_reads_what_others_committed_and_refuses_to_write(db, example):
    with db.unit_of_work() as s:
        s.add(Unit(campaign_id=campaign_id(db), name="新设单位", kind="参与单位"))
    with db.reader(autocommit=True) as s:
        assert s.scalars(select(Unit.name).where(Unit.name == "新设单位")).one() == "新设单位"
        if db.engine.dialect.name == "postgresql":  # SQLite's readers keep their transaction (rolled back)
            s.add(Unit(campaign_id=campaign_id(db), name="不该写入", kind="参与单位"))
            with pytest.raises(RuntimeError, match="read-only"):
                s.flush()
            s.rollback()
    with db.reader() as s:
        assert s.scalars(select(Unit).where(Unit.name == "不该写入")).first() is None


def test_a_cached_context_reads_the_campaign_row_only_when_a_step_asks_for_it(db, example):
    from sqlalchemy import event

    cache, cid = SpecCache(), campaign_id(db)
    with db.reader() as s:
        load_context(s, campaign_id=cid, specs=cache)  # the first load validates the file
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.reader(autocommit=True) as s:
            ctx = load_context(s, campaign_id=cid, specs=cache)
            assert (ctx.id, ctx.code) == (cid, example)
            assert ctx.calendar.tz.key == ctx.spec.campaign.timezone
            assert not [o for o in s.identity_map.values() if isinstance(o, Campaign)]
            before = len(statements)  # the fingerprint is read on the driver's cursor (no statement event)
            assert ctx.campaign.code == example and ctx.campaign.id == cid  # read now, once
            assert ctx.campaign is ctx.campaign is s.get(Campaign, cid)
            assert len(statements) == before + 1
            assert "spec" not in ctx.campaign.__dict__  # its stored file stays unloaded
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
