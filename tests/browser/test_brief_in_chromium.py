"""The brief's HTML in a real browser, offline: Debian's headless Chromium, driven by Playwright.

Every request that is not file:, data: or about: is aborted and recorded, so a brief that
still reached for the network would fail here as it would on the office's offline PC.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from services.briefs import texts as t
from services.briefs.render import render_issue
from tests.support.brief_sample import ISSUE, full_sections, sample_data

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-output" / "brief.png"
MASTHEAD_RED = (0xC0, 0x00, 0x00)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The sample brief (every section filled, photos, both maps) opened from file://."""
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("brief")
    files = render_issue(sample_data(full_sections(folder)), ISSUE, folder / "out")
    log = {"console": [], "errors": [], "blocked": []}

    def only_local(route):
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            log["blocked"].append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.on("console", lambda m: log["console"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log["errors"].append(str(e)))
        page.route("**/*", only_local)
        page.goto(files.html.as_uri())
        frame = page.frame_locator("iframe.map")
        frame.locator(".leaflet-overlay-pane canvas").first.wait_for()
        page.wait_for_timeout(500)
        yield page, log
        browser.close()


def test_the_brief_opens_offline_with_no_console_or_page_errors(loaded):
    _page, log = loaded
    assert log == {"console": [], "errors": [], "blocked": []}


def test_every_image_is_decoded_none_broken(loaded):
    page, _ = loaded
    sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) == 1 + 4  # the static map and four photos
    assert all(done and width > 0 for done, width in sizes)


def test_the_interactive_map_runs_inside_the_brief(loaded):
    page, _ = loaded
    frame = page.frame_locator("iframe.map")
    assert frame.locator(".cw-title").inner_text().startswith("望京街道创卫进度图（第12期）")
    assert frame.locator(".leaflet-control-layers").count() == 1


def test_the_masthead_and_sections_read_in_chinese(loaded):
    page, _ = loaded
    assert page.inner_text(".masthead") == "创卫简报"
    assert page.inner_text(".number") == "第12期"
    headings = page.locator("h2").all_inner_texts()
    assert headings == [t.H_NEWS, t.H_OVERVIEW, t.H_ROUNDS, t.H_RANKING, t.H_EXPOSURES, t.H_SEGMENTS, t.H_LEDGER,
                        t.H_NEXT, t.H_MAPS]  # the order offices use


def test_the_screenshot_shows_the_red_masthead(loaded):
    from PIL import Image

    page, _ = loaded
    SCREENSHOT.parent.mkdir(exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(path=SCREENSHOT, full_page=True))).convert("RGB")
    top = np.asarray(image, dtype=int)[:300]
    red = (np.abs(top - np.array(MASTHEAD_RED)).max(axis=2) <= 20).sum()
    assert red > 1500  # the four characters of 创卫简报 in 52 px red
