"""Ticking on a phone in a real browser: Debian's headless Chromium, driven by Playwright.

The app runs under uvicorn on a free loopback port, as ``cw web`` runs it. A unit contact signs
in by their link on a 390×844 viewport, ticks a task with a photo and the browser's position;
the screenshot is saved as test-output/ticking_phone.png. Then 创卫办 opens the 核查 queue and
passes one tick and rejects another, and the unit sees the reason. Any request that leaves
the machine is aborted and recorded, so a CDN reference would fail the test.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import at
from tests.web.conftest import app, clock, jpeg, link_token, settings, town  # noqa: F401  (fixtures)

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app):  # noqa: F811 - the app fixture is imported above by name, as pytest needs
    """The app under uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True, viewport=PHONE,
            device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
        yield pw, context
        context.close()


def _watch(page, base: str) -> dict:
    log = {"errors": [], "console": [], "blocked": []}
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("console", lambda m: log["console"].append(m.text) if m.type == "error" else None)

    def only_local(route):
        if route.request.url.startswith((base, "data:", "blob:")):
            route.continue_()
        else:
            log["blocked"].append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return log


def _sign_in(page, base: str, token: str, home: str = "/tasks") -> None:
    page.goto(f"{base}/l/{token}")
    page.get_by_role("button", name="确认登录").click()
    page.wait_for_url(f"{base}{home}")  # units land on their tasks, the office on its console


def test_unit_ticks_with_a_photo_on_a_phone_and_the_office_verifies_in_chromium(server, chromium, db, town,  # noqa: F811 - fixtures by name
                                                                                 tmp_path):
    base = server
    _, context = chromium
    lon, lat = _on_segment(db, town.segment_a)
    context.grant_permissions(["geolocation"], origin=base)
    context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 12})
    page = context.new_page()
    log = _watch(page, base)

    _sign_in(page, base, link_token(db, town.unit_a, at("2025-01-20 10:00")))
    assert page.locator("h1").inner_text() == "我的任务"
    assert page.locator(".sec-overdue h2").inner_text().startswith("已逾期")
    assert page.locator(".light-red").count() > 0
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "tasks_phone.png"))

    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(jpeg(taken=at("2025-01-20 09:40"), lon=lon, lat=lat, size=(1200, 900)))
    page.locator(f'a.card[href="/tasks/{town.task_a}"]').first.click()
    page.wait_for_url(f"{base}/tasks/{town.task_a}")
    assert "剩余" in page.locator(".due").inner_text()
    page.get_by_label("完成情况说明").fill("已清理路段垃圾 3 处，悬挂创卫横幅 2 条")
    page.locator("#photos").set_input_files(str(photo))
    page.wait_for_selector("#previews img")
    page.get_by_role("button", name="附上当前位置").click()
    _until(page, "document.getElementById('lon').value !== ''")
    assert "已附上位置" in page.locator("#loc-status").inner_text()
    page.screenshot(path=str(OUTPUT / "ticking_phone_form.png"), full_page=True)
    page.get_by_role("button", name="提交打卡").click()
    page.wait_for_url(f"{base}/tasks/{town.task_a}?msg=ticked")
    _until(page, "[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert "打卡成功" in page.locator(".notice").inner_text()
    assert page.locator(".thumbs img").count() == 1
    assert page.locator(".flags").count() == 0  # a clean photo: taken now, on the segment
    page.screenshot(path=str(OUTPUT / "ticking_phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"

    page.goto(f"{base}/tasks/{town.task_a2}")
    page.get_by_label("完成情况说明").fill("已拆除广告牌")
    page.locator("#photos").set_input_files(str(photo))  # the same picture again: flagged for the verifier
    page.get_by_role("button", name="提交打卡").click()
    page.wait_for_url(f"{base}/tasks/{town.task_a2}?msg=ticked_flagged")

    # 创卫办 on the same phone: the persistent profile has one cookie jar, so sign out of it first
    context.clear_cookies()
    office_page = context.new_page()
    office_log = _watch(office_page, base)
    _sign_in(office_page, base, link_token(db, town.office, at("2025-01-20 10:00")), home="/office")
    office_page.goto(f"{base}/verify")
    items = office_page.locator("article.qitem")
    assert items.count() == 2
    assert "照片重复使用" in office_page.locator(f"#q-{town.task_a2}").inner_text()
    office_page.locator(f"#q-{town.task_a} button", has_text="通过，销号").click()
    office_page.wait_for_url(f"{base}/verify?msg=passed")
    rejecting = office_page.locator(f"#q-{town.task_a2}")
    rejecting.locator("summary", has_text="退回返工").click()
    rejecting.get_by_label("退回原因").fill("照片与上一项任务相同，请补拍本路段现场")
    office_page.screenshot(path=str(OUTPUT / "verify_phone.png"), full_page=True)
    rejecting.get_by_role("button", name="确认退回").click()
    office_page.wait_for_url(f"{base}/verify?msg=rejected")
    assert "没有待核查的打卡" in office_page.locator("main").inner_text()

    context.clear_cookies()
    _sign_in(page, base, link_token(db, town.unit_a, at("2025-01-20 10:00")))
    page.goto(f"{base}/tasks/{town.task_a2}")
    assert "照片与上一项任务相同" in page.locator(".alert").inner_text()
    assert "返工 1 次" in page.locator(".status-line").inner_text()
    page.goto(f"{base}/tasks/{town.task_a}")
    assert "已核查销号" in page.locator(".status-line").inner_text()
    log_text = page.locator("ol.log").inner_text()
    assert "打卡" in log_text and "核查通过" in log_text

    context.clear_cookies()  # the county leader of the segment opens its page, with the offline map
    leader_page = context.new_page()
    leader_log = _watch(leader_page, base)
    _sign_in(leader_page, base, link_token(db, town.leader_a, at("2025-01-20 10:00")))
    leader_page.goto(f"{base}/segments/{town.segment_a}")
    leader_page.wait_for_selector("#segment-map path[stroke='#c62828']")  # the segment itself
    assert leader_page.locator("#segment-map path[stroke='#b0bec5']").count() >= 2  # neighbouring roads
    assert leader_page.locator("#segment-map .leaflet-interactive[stroke='#1565c0']").count() == 1  # the tick
    assert town.leader_a.name in leader_page.locator(".facts").inner_text()
    leader_page.screenshot(path=str(OUTPUT / "segment_phone.png"), full_page=True)

    for watched in (log, office_log, leader_log):
        assert watched["errors"] == [] and watched["console"] == [] and watched["blocked"] == []


def _on_segment(db, code: str) -> tuple[float, float]:
    from sqlalchemy import select

    from models import Segment

    with db.reader() as s:
        geometry = s.scalars(select(Segment.geometry).where(Segment.code == code)).one()
    coords = geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0]
    return tuple(coords[len(coords) // 2])


def _until(page, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` with page.evaluate: the pages' Content-Security-Policy forbids eval, which
    Playwright's wait_for_function needs for a string."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)
