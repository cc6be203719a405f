"""Writing to the outbox: one row per recipient and target, counted, never twice for one key."""

from __future__ import annotations

from sqlalchemy import func, select

from models import OutboxMessage
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.notifications.outbox import enqueue
from tests.conftest import at


def test_enqueue_counts_the_rows_it_wrote_and_skips_them_the_second_time(db, example):
    def write():
        with db.unit_of_work() as s:
            return enqueue(s, ctx=load_context(s, campaign=get_campaign(s)), recipients=[("office", None)], template="test",
                           payload={"title": "测试", "body": "内容"}, key_parts=("outbox-test", 1), now=at("2025-03-03 09:00"))

    first, second = write(), write()
    with db.reader() as s:
        rows = s.scalar(select(func.count()).select_from(OutboxMessage))
    assert first == rows > 0 and second == 0
