"""The weekly brief as the office console serves it, under the app's document policy (issue 16).

The app sends a Content-Security-Policy with every response; a generated brief gets the
document policy (its offline folium map runs inline scripts in an iframe). Served here with
exactly those headers, the map must still draw with no CSP violation, and the app's page
policy must be the one that would block it (so the document policy is needed, and is used).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from services.briefs.render import render_issue
from tests.support.brief_sample import ISSUE, full_sections, sample_data
from web.guard import security_headers

CHROMIUM = Path("/usr/bin/chromium")
BASE = "http://cw.test"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"),
]


def _open(html: bytes, path: str) -> dict:
    from playwright.sync_api import sync_playwright

    headers = {k.decode(): v.decode() for k, v in security_headers(path)}
    log: dict = {"csp": [], "errors": [], "drawn": False}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.on("console", lambda m: log["csp"].append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: log["errors"].append(str(e)))
        page.route("**/*", lambda route: route.fulfill(status=200, body=html, headers={
            **headers, "content-type": "text/html; charset=utf-8"}) if route.request.url == BASE + path
            else route.abort())
        page.goto(BASE + path)
        try:
            page.frame_locator("iframe.map").locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=8000)
            log["drawn"] = True
        except Exception:  # noqa: BLE001 - a map that never draws is what the test reports
            log["drawn"] = False
        browser.close()
    return log


def test_the_brief_draws_its_map_under_the_document_policy_and_not_under_the_page_policy(tmp_path):
    files = render_issue(sample_data(full_sections(tmp_path)), ISSUE, tmp_path / "out")
    html = files.html.read_bytes()
    served = _open(html, "/office/briefs/12.html")
    assert served["drawn"] and not served["csp"] and not served["errors"], served
    strict = _open(html, "/tasks/brief.html")  # the same page under the pages' policy
    assert not strict["drawn"] and strict["csp"]
