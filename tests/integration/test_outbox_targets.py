"""Who an outbox message reaches: the example campaign's units and leaders by their own targets, else the defaults."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from models import Leader, OutboxMessage, Unit
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation.sweep_io import Outbox
from services.notifications.outbox import enqueue, recipient_targets
from tests.conftest import at

NOW = at("2025-03-20 10:00")


def _unit(s, name: str) -> int:
    return s.scalars(select(Unit.id).where(Unit.name == name)).one()


def _sent(db) -> dict[str, list[str]]:
    """Target names of the queued messages, per recipient (``unit:12``)."""
    found: dict[str, list[str]] = defaultdict(list)
    with db.reader() as s:
        for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)):
            found[m.payload["recipient"]].append(m.target)
    return dict(found)


def test_each_recipient_is_reached_by_its_own_targets_or_else_the_defaults(db, example):
    with db.unit_of_work() as s:
        lead, member, leader = _unit(s, "县教育局"), _unit(s, "县电信公司"), s.scalars(select(Leader.id)).first()
        written = enqueue(s, ctx=load_context(s, campaign=get_campaign(s)), template="test", payload={"title": "测试", "body": "内容"},
                          recipients=[("unit", lead), ("unit", member), ("leader", leader), ("office", None)],
                          key_parts=("targets", 1), now=NOW)
    assert _sent(db) == {f"unit:{lead}": ["牵头部门群"],  # a 牵头部门 names its group
                         f"unit:{member}": ["政务协同平台"],  # a 参与单位 names none: the default
                         f"leader:{leader}": ["县领导群"],
                         "office:": ["创卫办群", "政务协同平台"]}
    assert written == 5


def test_a_unit_that_changes_its_targets_gets_the_next_message_at_the_new_ones(db, example):
    with db.unit_of_work() as s:
        unit = s.get(Unit, _unit(s, "县电信公司"))
        unit.notify = ["职能部门邮箱", "牵头部门群"]
        enqueue(s, ctx=load_context(s, campaign=get_campaign(s)), recipients=[("unit", unit.id)], template="test",
                payload={"title": "测试"}, key_parts=("targets", 2), now=NOW)
    assert _sent(db) == {f"unit:{unit.id}": ["职能部门邮箱", "牵头部门群"]}


def test_an_unknown_recipient_gets_the_default_targets(db, example):
    with db.unit_of_work() as s:
        targets = recipient_targets(s, ctx=load_context(s, campaign=get_campaign(s)))
        enqueue(s, ctx=load_context(s, campaign=get_campaign(s)), recipients=[("unit", 10**6), ("leader", 10**6)], template="test",
                payload={"title": "测试"}, key_parts=("targets", 3), now=NOW)
    assert targets.targets(("unit", 10**6)) == targets.targets(("unit", None)) == ["政务协同平台"]
    assert _sent(db) == {f"unit:{10**6}": ["政务协同平台"], f"leader:{10**6}": ["政务协同平台"]}


def test_the_sweeps_batched_outbox_reaches_the_same_targets_under_the_same_keys_so_nothing_is_sent_twice(db, example):
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        lead, member = _unit(s, "县教育局"), _unit(s, "县电信公司")
        box = Outbox(s, load_context(s, campaign=campaign), NOW)
        box.add([("unit", lead), ("unit", member), ("office", None)], "test", {"title": "测试"}, ("targets", 4))
        queued = box.flush()
    with db.unit_of_work() as s:
        again = enqueue(s, ctx=load_context(s, campaign=get_campaign(s)), recipients=[("unit", lead), ("unit", member), ("office", None)],
                        template="test", payload={"title": "测试"}, key_parts=("targets", 4), now=NOW)
    assert _sent(db) == {f"unit:{lead}": ["牵头部门群"], f"unit:{member}": ["政务协同平台"],
                         "office:": ["创卫办群", "政务协同平台"]}
    assert queued == 4 and again == 0
