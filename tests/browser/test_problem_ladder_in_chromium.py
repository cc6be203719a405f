"""The four-step procedure on phones in a real browser (Debian's headless Chromium, driven by Playwright).

创卫办 hands a problem to a participating unit; the unit 上报 with a reason → the lead department 上报
with its opinion → the county leader 签署意见 (转创卫办) → the lead department carries it to 创卫办,
who sees every opinion on the final page and in the history. After each step the relay delivers the
outbox to the sandbox receivers (WeCom, DingTalk, Feishu, webhook); the next person opens the link in
the message they received, signs in on the phone and lands on the problem's page. Screenshots of
every step go to the test's output folder (``tmp_path``).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from demo.sandbox import FakePlatforms, SmtpSink, smtp_server
from models import Leader, OutboxMessage, Unit
from notify import make_client
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation import raise_problem
from services.notifications.relay import deliver_due
from services.people import Principal
from services.people.users import add_user
from tests.browser.test_ticking_in_chromium import ARGS, CHROMIUM, PHONE, _watch, server  # noqa: F401  (fixture)
from tests.conftest import at
from tests.support import outbox_world as world
from tests.support.escalation_world import people
from tests.web.conftest import app, clock, settings, town  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs chromium: run scripts/install_system_deps.sh"),
]
PASSWORD = "ladder-pass-1"


@dataclass
class Who:
    name: str
    phone: str
    recipient: str  # the outbox recipient whose message they read


@pytest.fixture
def fake():
    with FakePlatforms() as f:
        yield f


@pytest.fixture
def sink():
    with smtp_server(username=world.SMTP_USER, password=world.SMTP_PASSWORD) as s:
        yield s


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _cast(db) -> tuple[int, dict[str, Who]]:
    """Users for LD-03's participating unit, lead department, county leader and 创卫办; the problem 创卫办 hands over."""
    seg = people(db, "LD-03")
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        units = {u.id: u.name for u in s.scalars(select(Unit))}
        leader = s.get(Leader, seg.leader_id).name
        cast = {"unit": (Who("参与单位联络员", "13966661001", f"unit:{seg.member_unit_id}"),
                         {"unit": units[seg.member_unit_id]}),
                "lead": (Who("牵头部门联络员", "13966661002", f"unit:{seg.lead_unit_id}"), {"unit": units[seg.lead_unit_id]}),
                "leader": (Who(leader, "13966661003", f"leader:{seg.leader_id}"), {"leader": leader}),
                "office": (Who("创卫办值班员", "13966661004", "office:"), {"unit": "县创卫办"})}
        for key, (who, extra) in cast.items():
            add_user(s, campaign=campaign, name=who.name, phone=who.phone, role="office" if key == "office" else
                     key if key == "leader" else "unit", now=at("2025-01-02 09:00"), password=PASSWORD, **extra)
        office = Principal(campaign_id=campaign.id, role="office", name="创卫办值班员")
        pid = raise_problem(s, ctx=load_context(s, campaign=campaign), unit_id=seg.member_unit_id,
                            segment_id=seg.segment_id, title="路口护栏缺失", description="LD-03 路口护栏缺失约 12 米",
                            now=at("2025-01-20 09:30"), actor=office).id
    return pid, {k: v[0] for k, v in cast.items()}


def _link_received(db, fake: FakePlatforms, sink: SmtpSink, pid: int, who: Who, seen: tuple[int, int]) -> str:
    """The problem's link in the newest message the sandbox received for ``who`` (after ``seen`` requests, mails)."""
    with db.reader() as s:
        rows = [m for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                if m.payload.get("problem_id") == pid and m.payload.get("recipient") == who.recipient]
    assert rows, f"no message for {who.recipient}"
    keys = {m.idempotency_key for m in rows}
    wanted = re.compile(r"https?://[^\s\"'<>)\]]+/problems/" + str(pid) + r"\b")
    found = []
    for mail in sink.messages[seen[1]:]:
        body = email.message_from_bytes(mail.content, policy=email.policy.default).get_body(("plain",))
        found += wanted.findall(body.get_content() if body is not None else "")
    for r in fake.requests[seen[0]:]:
        text = r.body.decode("utf-8", "replace")
        if r.platform == "webhook" and r.headers.get("idempotency-key") not in keys:
            continue  # another recipient's message on the shared platform webhook
        found += wanted.findall(text) or wanted.findall(text.encode().decode("unicode_escape", "ignore"))
    assert found, f"the sandbox received no link for {who.recipient}"
    return found[-1]


def _relay(db, fake, sink, now: dt.datetime) -> int:
    with make_client() as client:
        report = deliver_due(db, now=now, client=client, environ=world.environ(fake, sink))
    assert report.dead == 0
    return report.sent


def _open_from_message(browser, url: str, who: Who, base: str, shots, name: str):
    """A fresh phone opens the link, is asked to sign in, and lands on the problem's page."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN")
    page = context.new_page()
    log = _watch(page, base)
    page.goto(url)
    assert "/login?next=" in page.url
    page.get_by_label("手机号").fill(who.phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(url)
    page.screenshot(path=str(shots / f"{name}_opened.png"), full_page=True)
    return context, page, log


def _act(page, verb: str, button: str, text: str, shots, name: str, choice: str | None = None) -> None:
    panel = page.locator(f"#act-{verb}")
    panel.locator("summary").click()
    if choice:
        panel.get_by_label(choice).check()
    panel.locator("textarea").fill(text)
    page.screenshot(path=str(shots / f"{name}_form.png"), full_page=True)
    panel.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(rf".*\?msg=problem_{verb}$"))
    page.screenshot(path=str(shots / f"{name}_done.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"


def test_a_problem_climbs_the_four_steps_on_phones_from_the_links_in_the_messages(
        server, browser, fake, sink, db, town, clock, tmp_path, monkeypatch):  # noqa: F811 - fixtures by name
    base = server
    monkeypatch.setenv("CW_PUBLIC_URL", base)  # the outbox puts links under it when it writes a row
    world.configure(db, 职能部门邮箱={"smtp_security": "none"})  # the local sink speaks no TLS
    pid, cast = _cast(db)
    shots = tmp_path / "screens"
    shots.mkdir()
    logs = []

    steps = [("unit", "escalate", "确认上报牵头部门（需协调）", "涉及交警、城管多个单位，需牵头部门协调", None),
             ("lead", "escalate", "确认上报县级领导", "牵头部门意见：需县级领导协调交警、城管", None),
             ("leader", "opinion", "确认签署意见", "请交警大队三日内补齐护栏，报创卫办跟踪", "转创卫办"),
             ("lead", "escalate", "确认连同领导意见报创卫办", "按县级领导意见报创卫办", None)]
    for n, (key, verb, button, text, choice) in enumerate(steps, start=1):
        clock.advance(minutes=30)
        seen = len(fake.requests), len(sink.messages)
        assert _relay(db, fake, sink, clock.now) > 0
        url = _link_received(db, fake, sink, pid, cast[key], seen)
        assert url == f"{base}/problems/{pid}" and "/l/" not in url
        context, page, log = _open_from_message(browser, url, cast[key], base, shots, f"{n}_{key}")
        logs.append(log)
        if key == "unit":  # the wrong role has no button for the leader's step
            assert page.locator("#act-opinion").count() == 0
        _act(page, verb, button, text, shots, f"{n}_{key}", choice)
        context.close()

    clock.advance(minutes=30)
    seen = len(fake.requests), len(sink.messages)
    _relay(db, fake, sink, clock.now)
    url = _link_received(db, fake, sink, pid, cast["office"], seen)
    context, page, log = _open_from_message(browser, url, cast["office"], base, shots, "5_office")
    logs.append(log)
    assert page.locator("#level").inner_text() == "创卫办"
    opinions = page.locator("#opinions").inner_text()
    assert "需县级领导协调交警、城管" in opinions and "请交警大队三日内补齐护栏" in opinions and "转创卫办" in opinions
    history = page.locator("#history").inner_text()
    assert "请交警大队三日内补齐护栏" in history and "涉及交警、城管多个单位" in history
    assert page.locator("#act-assign").count() == 1 and page.locator("#act-supervise").count() == 1
    assert not re.search(r"20\d\d-W\d\d|\d{4}-\d\d-\d\dT", page.locator("main").inner_text())
    page.screenshot(path=str(shots / "5_office_final.png"), full_page=True)
    context.close()
    assert len(list(shots.glob("*.png"))) >= 13
    for watched in logs:
        assert watched["errors"] == [] and watched["console"] == [] and watched["blocked"] == []
