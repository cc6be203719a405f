"""Script injection through a segment name (issue 16): the segment page's map, in Chromium, under the app's CSP.

A segment imported as ``阜通西大街<img src=x onerror=…>`` is opened by the county leader who
holds it: the name shows as text in the map's tooltips, no script runs, and the vendored
Leaflet still draws the map with the Content-Security-Policy the app sends.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Segment
from tests.browser.test_ticking_in_chromium import CHROMIUM, _sign_in, _watch, chromium, server  # noqa: F401
from tests.conftest import at
from tests.web.conftest import app, clock, link_token, settings, town  # noqa: F401  (fixtures)

EVIL = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"),
]


def test_a_hostile_segment_name_is_text_on_the_map_and_no_script_runs(server, chromium, db, town):  # noqa: F811
    with db.unit_of_work() as s:
        for seg in s.scalars(select(Segment)):
            seg.name = seg.name + EVIL  # the page's segment and every neighbour and alley
    base = server
    _, context = chromium
    page = context.new_page()
    log = _watch(page, base)
    _sign_in(page, base, link_token(db, town.leader_a, at("2025-01-20 10:00")))
    page.goto(f"{base}/segments/{town.segment_a}")
    page.wait_for_selector('#segment-map path[stroke="#c62828"]')  # the segment itself, drawn by Leaflet
    assert page.locator("#segment-map path.leaflet-interactive").count() >= 2  # and its neighbours
    page.locator('#segment-map path[stroke="#c62828"]').first.hover(force=True)
    page.wait_for_selector(".leaflet-tooltip")
    tooltip = page.locator(".leaflet-tooltip").first
    assert "<img" in tooltip.inner_text() and tooltip.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert not log["errors"], log["errors"]
    assert not [m for m in log["console"] if "Content Security Policy" in m], log["console"]
    assert "frame-ancestors 'none'" in page.request.get(f"{base}/segments/{town.segment_a}").headers[
        "content-security-policy"]
