"""An office's week on the console in a real browser: Debian's headless Chromium at 1366 × 900, via Playwright.

The example campaign three weeks into 起步 (the app's clock at 2025-01-20 10:00). 创卫办 signs in
by link, passes two ticks and sends one back, confirms one proposed sanction and dismisses
another with a reason, plans an unannounced round, registers a finding by clicking the map and
publishes the round, uploads a 包联 table with errors (every bad row shown, nothing changed) and
then a correct one, and confirms last week's ratings. Every page's screenshot goes under the
test's tmp_path; any request leaving the machine is aborted and fails the test, as does any
error in the page.
"""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from models import Assignment, Finding, Rating, Sanction, Task, Unit
from services.campaigns import get_campaign
from services.escalation import sanctions as sanction_service
from services.imports import COLUMNS, assignment_rows
from tests.browser.test_ticking_in_chromium import ARGS, CHROMIUM, _watch, server  # noqa: F401 (fixture)
from tests.conftest import at
from tests.web.conftest import TestClient, app, clock, csrf_of, link_token, settings, town  # noqa: F401 (fixtures)
from web.office.texts import NAV

DESK = {"width": 1366, "height": 900}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"),
]


@pytest.fixture
def desktop(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        context = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
        yield context
        context.close()
        browser.close()


def _tick_three(app, db, town) -> list[int]:  # noqa: F811 - the app fixture is imported by name
    """Unit A ticks three of its tasks (as it would from its phone)."""
    with db.reader() as s:
        unit_id = s.scalar(select(Task.unit_id).where(Task.id == town.task_a))
        third = s.scalar(select(Task.id).where(Task.unit_id == unit_id, Task.status == "open",
                                               Task.id.not_in([town.task_a, town.task_a2])).order_by(Task.id))
    ids = [town.task_a, town.task_a2, third]
    with TestClient(app, follow_redirects=False) as c:
        assert c.post(f"/l/{link_token(db, town.unit_a)}").status_code == 303
        for i, task_id in enumerate(ids):
            r = c.post(f"/tasks/{task_id}/tick", data={"csrf": csrf_of(c), "version": "1", "note": f"第{i + 1}项已完成"})
            assert r.status_code == 303
    return ids


def _propose_two(db, town) -> None:  # noqa: F811 - the town fixture is imported by name
    with db.unit_of_work() as s:
        c = get_campaign(s)
        task = s.get(Task, town.task_b)
        sanction_service.propose(s, campaign_id=c.id, now=at("2025-01-20 08:00"), proposals=[
            dict(key=f"week:{kind}", unit_id=task.unit_id, kind=kind, reason=f"{kind}：本周多项任务逾期未完成",
                 phase_id=task.phase_id, object_type="unit", object_id=task.unit_id)
            for kind in ("通报批评", "黄牌警告")])


def _assignment_csv(db, path, broken: bool) -> None:
    with db.reader() as s:
        rows = [list(r) for r in assignment_rows(s, campaign=get_campaign(s))]
    if broken:
        rows[1][0] = "XX-99"  # 第3行
        rows[2][3] = ""  # 第4行
        rows[4][2] = "查无此人"  # 第6行
    else:
        rows[0][4] += "、县新成立中心"
    buf = io.StringIO()
    csv.writer(buf).writerows([COLUMNS, *rows])
    path.write_bytes(buf.getvalue().encode("gb18030"))


def _count(db, model, *where) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_an_office_week_on_the_console_in_chromium(server, desktop, app, db, town, tmp_path):  # noqa: F811
    base = server
    ticked = _tick_three(app, db, town)
    _propose_two(db, town)
    shots = tmp_path / "screens"
    shots.mkdir()
    page = desktop.new_page()
    log = _watch(page, base)

    page.goto(f"{base}/l/{link_token(db, town.office)}")
    page.get_by_role("button", name="确认登录").click()
    page.wait_for_load_state()
    for name, path in NAV:
        page.goto(base + path)
        assert page.locator("h1").first.inner_text().startswith(name), path
        assert page.locator("nav.onav a").count() == len(NAV)
        if page.locator("#office-map").count():
            page.wait_for_selector("#office-map[data-ready='1']")
        page.screenshot(path=str(shots / f"{path.strip('/').replace('/', '_')}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]

    # 核查: pass two ticks together, send the third back with a reason
    page.goto(f"{base}/office/verify")
    for task_id in ticked[:2]:
        page.locator(f"input[name=task][value^='{task_id}:']").check()
    page.get_by_role("button", name="通过", exact=True).click()
    page.wait_for_url("**/office/verify?ok=verified*")
    assert "已核查" in page.locator(".notice").inner_text()
    page.locator(f"input[name=task][value^='{ticked[2]}:']").check()
    page.get_by_placeholder("退回原因").fill("照片不是本路段，请重新拍摄")
    page.get_by_role("button", name="退回返工").click()
    page.wait_for_url("**/office/verify?ok=verified*")
    with db.reader() as s:
        assert [s.get(Task, t).status for t in ticked] == ["verified", "verified", "open"]

    # 处理建议: confirm the 通报批评, dismiss the 黄牌警告 with a reason
    page.goto(f"{base}/office/sanctions")
    page.locator("tr", has_text="通报批评：").locator("input[type=checkbox]").check()
    page.get_by_role("button", name="确认", exact=True).click()
    page.wait_for_url("**/office/sanctions?ok=sanctions")
    page.locator("tr", has_text="黄牌警告：").locator("input[type=checkbox]").check()
    page.get_by_placeholder("理由").fill("该单位已说明客观原因，本次不予处理")
    page.get_by_role("button", name="不予采纳").click()
    page.wait_for_url("**/office/sanctions?ok=sanctions")
    with db.reader() as s:
        assert dict(s.execute(select(Sanction.kind, Sanction.state)).tuples().all()) == {
            "通报批评": "confirmed", "黄牌警告": "dismissed"}

    # 督查: plan an unannounced round, register a finding on it by clicking the map, publish
    page.goto(f"{base}/office/inspections")
    page.get_by_label("检查类型").select_option("暗访")
    page.get_by_label("检查周").fill("2025-01-22")
    page.get_by_role("button", name="生成计划").click()
    page.wait_for_url("**/office/inspections?ok=planned*")
    assert "暗访未发布" in page.locator("table.grid").first.inner_text()
    page.wait_for_selector("#office-map[data-ready='1']")
    point = page.evaluate("""async () => {
        const el = document.getElementById('office-map'), map = el.leafletMap;
        const seg = (await (await fetch('/office/map.json')).json()).segments[0];
        const g = seg.geometry, line = g.type === 'MultiLineString' ? g.coordinates[0] : g.coordinates;
        const c = line[Math.floor(line.length / 2)];
        map.setView([c[1], c[0]], 17, {animate: false});
        const p = map.latLngToContainerPoint([c[1], c[0]]);
        return {x: p.x, y: p.y, code: seg.code};
    }""")
    page.locator("#office-map").click(position={"x": point["x"], "y": point["y"]})
    assert page.locator("#pick-lon").input_value() != ""
    page.get_by_label("问题描述").fill("路边垃圾堆放未清运")
    page.get_by_label("所属督查计划").select_option(index=1)
    photo = tmp_path / "现场.jpg"
    from tests.web.conftest import jpeg

    photo.write_bytes(jpeg(taken=at("2025-01-20 09:30")))
    page.locator("#finding-photos").set_input_files(str(photo))
    assert page.locator(".file-name").last.inner_text() == "现场.jpg"
    page.get_by_role("button", name="登记并分派").click()
    page.wait_for_url("**/office/inspections?ok=finding")
    with db.reader() as s:
        finding = s.scalars(select(Finding)).one()
    assert finding.status == "pending" and finding.inspection_id is not None
    page.get_by_role("button", name="发布").click()
    page.wait_for_url("**/office/inspections?ok=published*")
    with db.reader() as s:
        assert s.get(Finding, finding.id).status == "open"
    page.screenshot(path=str(shots / "inspections_published.png"), full_page=True)

    # 路段与包联: a 包联 table with errors shows every bad row and changes nothing; the right one imports
    before = _count(db, Assignment)
    bad, good = tmp_path / "包联表_有误.csv", tmp_path / "包联表.csv"
    _assignment_csv(db, bad, broken=True)
    _assignment_csv(db, good, broken=False)
    page.goto(f"{base}/office/segments")
    form = page.locator("form#assignment-upload")
    form.locator("input[type=file]").set_input_files(str(bad))
    form.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    errors = page.locator("#upload-errors").inner_text()
    assert all(f"第{n}行" in errors for n in (3, 4, 6)), errors
    assert _count(db, Assignment) == before
    page.screenshot(path=str(shots / "segments_upload_errors.png"), full_page=True)
    form = page.locator("form#assignment-upload")
    form.locator("input[type=file]").set_input_files(str(good))
    form.get_by_label("自动新建表中未登记的单位和领导").check()
    form.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert "更新 1" in page.locator("#upload-report").inner_text()
    assert _count(db, Assignment) == before + 1 and _count(db, Unit, Unit.name == "县新成立中心") == 1

    # 台账与考核: last week's ratings, computed and confirmed
    page.goto(f"{base}/office/ledger")
    assert "1月13日—19日" in page.locator("h2").first.inner_text()
    page.get_by_role("button", name="按本周记录生成评级").click()
    page.wait_for_url("**/office/ledger?ok=ratings_proposed*")
    page.get_by_role("button", name="确认", exact=True).click()
    page.wait_for_url("**/office/ledger?ok=ratings*")
    assert _count(db, Rating, Rating.status == "proposed") == 0 and _count(db, Rating) > 0
    page.screenshot(path=str(shots / "ledger_confirmed.png"), full_page=True)

    assert log["errors"] == [] and log["blocked"] == [], log
    assert len(list(shots.glob("*.png"))) >= 15
