"""The web app's router cache: one spatial index per campaign, rebuilt only when its segments change."""

from __future__ import annotations

from sqlalchemy import select

from models import Segment
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.routing import RouterCache


def test_a_cached_router_is_reused_across_units_of_work_while_the_segments_are_unchanged(db, example):
    cache = RouterCache()
    with db.reader() as s:
        first = load_context(s, campaign=get_campaign(s), routers=cache).router
    with db.reader() as s:
        again = load_context(s, campaign=get_campaign(s), routers=cache).router
    assert again is first


def test_a_redrawn_segment_rebuilds_the_cached_router(db, example):
    cache = RouterCache()
    with db.reader() as s:
        before = load_context(s, campaign=get_campaign(s), routers=cache).router
    with db.unit_of_work() as s:
        seg = s.scalars(select(Segment).where(Segment.kind == "路段").order_by(Segment.id)).first()
        assert seg is not None
        (x0, y0), *rest = seg.geometry["coordinates"]
        seg.geometry = {"type": "LineString", "coordinates": [[x0 + 0.001, y0], *rest]}
        seg.min_lon = min(seg.min_lon, x0 + 0.001)
        seg_id = seg.id
    with db.reader() as s:
        after = load_context(s, campaign=get_campaign(s), routers=cache).router
    assert after is not before
    start = after.route(x0 + 0.001, y0, 5.0)
    assert start.segment_id == seg_id


def test_without_a_cache_each_context_builds_its_own_router(db, example):
    with db.reader() as s:
        first = load_context(s, campaign=get_campaign(s)).router
    with db.reader() as s:
        assert load_context(s, campaign=get_campaign(s)).router is not first
