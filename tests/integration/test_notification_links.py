"""Messages that lead to the action, on both databases, delivered to the local sandbox receivers:
a link under CW_PUBLIC_URL on every row, a card or button per channel, throttles per robot URL,
DingTalk's 410100 retried, digests that keep their links."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from sqlalchemy import select, update

from demo.sandbox import FakePlatforms, smtp_server
from models import Leader, OutboxMessage
from models.outbox import DEAD, PENDING, SENT
from rules import ladders as L
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation.problems import act
from services.notifications import morning_digests
from services.notifications.relay import deliver_due
from tests.conftest import at
from tests.support import outbox_world as world
from tests.support.escalation_world import (
    messages,
    open_first_phase,
    people,
    raise_member_problem,
    run_sweep,
    unit_principal,
)

NOW = world.NOW
PUBLIC = "https://cw.example.gov.cn"


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    monkeypatch.setenv("CW_PUBLIC_URL", PUBLIC + "/")  # a trailing slash is dropped


@pytest.fixture
def fake():
    with FakePlatforms(dingtalk_keyword="创卫", feishu_keyword="创卫", clock=lambda: NOW.timestamp()) as f:
        yield f


def relay(db, client, env, now=NOW):
    return deliver_due(db, now=now, client=client, environ=env)


def _escalated(db, p, title: str = "路口护栏缺失需协调") -> int:
    """A participating unit's problem handed up to its lead department (上报 with a reason)."""
    pid = raise_member_problem(db, p, "2025-03-03 10:00", title=title)
    member = unit_principal(db, p.member_unit_id)
    with db.unit_of_work() as s:
        act(s, ctx=load_context(s, campaign=get_campaign(s)), problem_id=pid, kind=L.C_ESCALATE,
            actor=member, now=at("2025-03-03 10:30"), reason="需城管、住建协调")
    return pid


def test_a_problem_message_links_to_its_page_under_the_public_url_without_a_sign_in_token(db, example):
    open_first_phase(db)
    pid = _escalated(db, people(db))

    rows = messages(db, problem_id=pid)

    assert rows and {r.payload["link"] for r in rows} == {f"{PUBLIC}/problems/{pid}"}
    text = " ".join(str(r.payload) for r in rows)
    assert "/l/" not in text and not re.search(r"20\d\d-W\d\d", text)


def test_office_messages_link_to_console_pages_and_unit_messages_to_their_task_list(db, example):
    world.notify(db, 1, now=NOW, recipients=[("office", None), ("unit", 1)])

    links = {r.payload["recipient"]: r.payload["link"] for r in world.outbox(db)}

    assert links == {"office:": f"{PUBLIC}/office", "unit:1": f"{PUBLIC}/tasks"}


def test_each_channel_receives_a_card_or_button_that_opens_the_link(db, example, fake, client):
    world.configure(db, office_targets=["创卫办群", "县领导群", "牵头部门群", "职能部门邮箱", "政务协同平台"],
                    职能部门邮箱={"smtp_security": "none"})
    with smtp_server(username=world.SMTP_USER, password=world.SMTP_PASSWORD) as sink:
        world.notify(db, 1, now=NOW)
        report = relay(db, client, world.environ(fake, sink))
        [mail] = sink.messages
    link = f"{PUBLIC}/office"
    assert report.sent == 5 and {r.state for r in world.outbox(db)} == {SENT}
    [wecom] = [r.json for r in fake.requests_for("wecom")]
    assert wecom["msgtype"] == "template_card"
    assert wecom["template_card"]["card_action"] == {"type": 1, "url": link}
    [dingtalk] = [r.json for r in fake.requests_for("dingtalk")]
    assert dingtalk["msgtype"] == "actionCard" and dingtalk["actionCard"]["singleURL"] == link
    [feishu] = [r.json for r in fake.requests_for("feishu")]
    assert feishu["msg_type"] == "interactive"
    assert feishu["card"]["elements"][-1]["actions"][0]["url"] == link
    assert "创卫" in feishu["card"]["elements"][0]["text"]["content"]  # the keyword where Feishu scans it
    [hook] = [r.json for r in fake.requests_for("webhook")]
    assert hook["url"] == link
    html = email.message_from_bytes(mail.content, policy=email.policy.default).get_body(("html",)).get_content()
    assert f'<a href="{link}">' in html


def test_two_target_names_on_one_robot_share_its_allowance(db, example, fake, client):
    with db.reader() as s:
        targets = get_campaign(s).spec["notifications"]["targets"]
    twin = {**next(t for t in targets if t["name"] == "创卫办群"), "name": "创卫办群（副）", "digest_after": 0}
    world.configure(db, office_targets=["创卫办群", "创卫办群（副）"], section_changes={"targets": [*targets, twin]},
                    创卫办群={"digest_after": 0})
    world.notify(db, 12, now=NOW)  # 24 rows: 12 to each name, one robot URL

    report = relay(db, client, world.environ(fake))

    assert (report.sent, report.throttled) == (18, 6)
    assert len(fake.requests_for("wecom")) == 18
    assert relay(db, client, world.environ(fake), NOW + dt.timedelta(seconds=60)).sent == 6


def test_a_dingtalk_rate_limit_410100_is_retried_after_its_block_not_dead_lettered(db, example, fake, client):
    world.configure(db, office_targets=["县领导群"])
    world.notify(db, 1, now=NOW)
    fake.fail_next("dingtalk", "rate_limit")  # the sandbox answers the current code, 410100

    assert relay(db, client, world.environ(fake)).retried == 1
    [row] = world.outbox(db)
    assert row.state == PENDING and row.state != DEAD
    assert "410100" in row.last_error and "限流10分钟" in row.last_error
    assert row.next_attempt_at >= NOW + dt.timedelta(seconds=600)
    assert relay(db, client, world.environ(fake), row.next_attempt_at).sent == 1


def test_a_burst_digest_keeps_the_links_of_the_messages_it_merges(db, example, fake, client):
    open_first_phase(db)
    world.configure(db, office_targets=["创卫办群"], 创卫办群={"digest_after": 2})
    p = people(db)
    ids = [_escalated(db, p, title=f"路口护栏缺失{i}") for i in range(3)]
    with db.unit_of_work() as s:  # the problems' own messages go to the office group here
        s.execute(update(OutboxMessage).values(target="创卫办群"))

    report = relay(db, client, world.environ(fake), at("2025-03-03 10:31"))

    assert report.digests == 1
    card = fake.requests_for("wecom")[0].json["template_card"]
    urls = [j["url"] for j in card["jump_list"]]
    assert urls == [f"{PUBLIC}/problems/{i}" for i in ids]


def test_sweep_reminders_are_folded_and_carried_by_the_next_morning_digest(db, example):
    open_first_phase(db)
    run_sweep(db, "2025-03-28 10:00")  # reminders for the tasks due on 3月31日18时
    folded = [m for m in messages(db) if m.template == "reminder"]
    assert folded and {m.state for m in folded} == {"merged"} and {m.merged_into for m in folded} == {None}

    def digest(when: str):
        with db.unit_of_work() as s:
            return morning_digests(s, ctx=load_context(s, campaign=get_campaign(s)), now=at(when))

    assert digest("2025-03-29 08:00").messages == 0  # a Saturday: no morning list
    report = digest("2025-03-31 08:00")
    again = digest("2025-03-31 08:00")
    assert report.messages > 0 and again.messages == 0  # once a day per recipient
    mornings = [m for m in messages(db) if m.template == "morning_digest"]
    unit = folded[0].payload["recipient"]
    [mine] = [m for m in mornings if m.payload["recipient"] == unit and m.target == folded[0].target]
    assert mine.payload["title"].startswith("【今日待办】3月31日")
    assert re.search(r"【[^】]+】\n· ", mine.payload["body"])  # grouped by segment, items named
    assert folded[0].payload["title"].removeprefix("【提醒】") in mine.payload["body"]
    assert mine.payload["link"] == f"{PUBLIC}/tasks" and all(
        x["url"].startswith(f"{PUBLIC}/tasks/") for x in mine.payload["links"])
    carried = [m for m in messages(db, recipient=unit) if m.template == "reminder" and m.target == mine.target]
    assert {m.merged_into for m in carried} == {mine.id}
    text = " ".join(str(m.payload) for m in mornings)
    assert "逾期0小时" not in text and not re.search(r"20\d\d-W\d\d", text)


def test_the_county_secretary_and_head_get_their_segment_line_only_on_mondays(db, example):
    open_first_phase(db)
    with db.reader() as s:
        firsts = {f"leader:{i}" for i, t in s.execute(select(Leader.id, Leader.title)) if t in ("县委书记", "县长")}

    def leaders_told(when: str) -> set[str]:
        with db.unit_of_work() as s:
            morning_digests(s, ctx=load_context(s, campaign=get_campaign(s)), now=at(when))
        return {m.payload["recipient"] for m in messages(db) if m.template == "morning_digest"
                and m.payload["day"] == at(when).date().isoformat() and m.payload["recipient"].startswith("leader:")}

    tuesday, monday = leaders_told("2025-04-08 08:00"), leaders_told("2025-04-14 08:00")
    assert tuesday and not tuesday & firsts  # others get a line on their overdue segments; the first two do not
    assert firsts and monday & firsts
