"""The progress map in a real browser: Debian's headless Chromium, driven by Playwright.

The network is cut off (every request that is not file: or data: is aborted and
recorded), so a page that still reached for a CDN would fail here, as it would offline.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from maps import styles
from tests.unit.test_render_folium import wangjing_page, wangjing_segments

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-output" / "progress_map.png"
BACKGROUND = (0xF7, 0xF7, 0xF5)  # .leaflet-container background in the page CSS
OPACITY = 0.9  # segment stroke opacity

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"
    ),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def loaded(browser, tmp_path_factory):
    """The 望京 progress map opened from file://, with its console and network log."""
    html = tmp_path_factory.mktemp("map") / "progress_map.html"
    html.write_text(wangjing_page(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    log = {"console": [], "errors": [], "blocked": []}
    page.on("console", lambda m: log["console"].append(m) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))

    def only_local(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            log["blocked"].append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(html.as_uri())
    page.wait_for_selector(".leaflet-overlay-pane canvas")
    page.wait_for_timeout(500)  # let the cluster animation settle
    yield page, log
    page.close()


def _blend(colour: str) -> tuple[int, int, int]:
    """The stroke colour as drawn at OPACITY over the map background."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(
        round(OPACITY * c + (1 - OPACITY) * b) for c, b in zip(rgb, BACKGROUND, strict=True)
    )


def test_the_map_loads_offline_with_no_console_or_page_errors(loaded):
    page, log = loaded
    assert log["errors"] == []
    assert [m.text for m in log["console"]] == []
    assert log["blocked"] == []
    assert page.evaluate("typeof L") == "object"


def test_the_screenshot_shows_hundreds_of_pixels_of_segment_colours(loaded):
    from PIL import Image

    page, _ = loaded
    SCREENSHOT.parent.mkdir(exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(path=SCREENSHOT))).convert("RGB")
    pixels = np.asarray(image, dtype=int)
    total = 0
    for colour in {styles.segment_colour(s) for s in wangjing_segments()}:
        distance = np.abs(pixels - np.array(_blend(colour))).max(axis=2)
        count = int((distance <= 10).sum())
        assert count > 100, colour
        total += count
    assert total > 2000


def test_the_title_legend_and_layer_names_are_shown_in_chinese(loaded):
    page, _ = loaded
    assert page.inner_text(".cw-title") == "望京街道创卫进度图（第12期）"
    legend = page.inner_text(".cw-legend")
    for _colour, label in styles.progress_legend():
        assert label in legend
    control = page.inner_text(".leaflet-control-layers")
    for name in (
        styles.LAYER_SEGMENTS,
        styles.LAYER_ALLEYS,
        styles.LAYER_FINDINGS,
        styles.LAYER_HEAT,
        styles.LAYER_PROBLEMS,
        styles.LAYER_INSPECTIONS,
    ):
        assert name in control
    assert "OpenStreetMap contributors" in page.inner_text(".leaflet-control-attribution")


def test_findings_are_clustered(loaded):
    page, _ = loaded
    assert page.locator(".cw-cluster").count() > 5


def test_hovering_a_segment_shows_its_responsibilities(loaded):
    page, log = loaded
    # The midpoint of the longest 路段, as a pixel of the map container.
    segment = max(
        (s for s in wangjing_segments() if s.kind == "路段"),
        key=lambda s: len(s.geometry["coordinates"]),
    )
    lon, lat = segment.geometry["coordinates"][len(segment.geometry["coordinates"]) // 2]
    x, y = page.evaluate(
        """([lat, lon]) => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            const p = map.latLngToContainerPoint([lat, lon]);
            const r = map.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top];
        }""",
        [lat, lon],
    )
    page.mouse.move(x, y)
    tooltip = page.wait_for_selector(".leaflet-tooltip", timeout=3000)
    text = tooltip.inner_text()
    for field in ("所属街道", "包段县级领导", "牵头部门", "参与单位", "任务完成", "未办结问题"):
        assert field in text
    assert log["errors"] == []


def test_switching_on_the_heat_layer_draws_it_without_errors(loaded):
    page, log = loaded
    page.get_by_text(styles.LAYER_HEAT, exact=True).click()
    page.wait_for_selector(".leaflet-heatmap-layer")
    assert log["errors"] == [] and [m.text for m in log["console"]] == []
