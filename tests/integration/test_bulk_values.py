"""Values written by the bulk paths (COPY, executemany, UPDATE … FROM) read back through the ORM as written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from models import OutboxMessage
from models.outbox import PENDING
from services.bulk import driver_value, insert_ignore, insert_rows
from services.campaigns.loading import get_campaign
from services.escalation.sweep_io import OUTBOX_COLUMNS, update_from_values

BJ = dt.timezone(dt.timedelta(hours=8))
WHEN = dt.datetime(2025, 3, 20, 10, 5, 6, 123456, tzinfo=BJ)
ON_THE_SECOND = dt.datetime(2025, 3, 20, 18, 0, tzinfo=BJ)
PAYLOAD = {"title": "【督办】路段问题", "body": "第1项：请整改\n", "n": 3, "items": [{"z": 1, "a": None}], "ok": True}


def _row(campaign_id: int, key: str, when: dt.datetime) -> tuple:
    return (campaign_id, key, "政务协同平台", "test", PAYLOAD, PENDING, when, when, 0, ON_THE_SECOND)


@pytest.mark.parametrize("write", ["insert_rows", "insert_ignore"])
def test_a_datetime_and_a_json_value_written_in_bulk_read_back_equal_through_the_orm(db, example, write):
    with db.unit_of_work() as s:
        cid = get_campaign(s).id
        rows = [_row(cid, "bulk-1", WHEN), _row(cid, "bulk-2", ON_THE_SECOND)]
        if write == "insert_rows":
            insert_rows(s, "outbox", OUTBOX_COLUMNS, rows)
        else:
            insert_ignore(s, "outbox", OUTBOX_COLUMNS, rows, ("idempotency_key",))
    with db.reader() as s:
        got = {m.idempotency_key: m for m in s.scalars(select(OutboxMessage))}
    assert got["bulk-1"].due_at == WHEN and got["bulk-1"].due_at.tzinfo == dt.UTC
    assert got["bulk-2"].due_at == ON_THE_SECOND and got["bulk-1"].created_at == ON_THE_SECOND
    assert got["bulk-1"].payload == PAYLOAD and got["bulk-1"].state == PENDING


def test_rows_written_in_bulk_are_stored_exactly_as_the_orm_stores_them(db, example):
    """On SQLite datetimes are text: the same instant must be the same text, or range queries miss rows."""
    with db.unit_of_work() as s:
        cid = get_campaign(s).id
        insert_rows(s, "outbox", OUTBOX_COLUMNS, [_row(cid, "bulk", WHEN)])
        s.add(OutboxMessage(campaign_id=cid, idempotency_key="orm", target="政务协同平台", template="test",
                            payload=PAYLOAD, state=PENDING, due_at=WHEN, next_attempt_at=WHEN, attempts=0,
                            created_at=ON_THE_SECOND))
    with db.reader() as s:
        stored = dict(s.execute(text("SELECT idempotency_key, due_at || '|' || created_at || '|' || payload "
                                     "FROM outbox WHERE idempotency_key IN ('bulk', 'orm')")).all())
        found = s.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.due_at == WHEN,
                                                                      OutboxMessage.created_at <= ON_THE_SECOND)).all()
    assert stored["bulk"] == stored["orm"]
    assert sorted(found) == ["bulk", "orm"]


def test_an_update_from_values_writes_datetimes_from_rows_and_parameters_as_the_orm_reads_them(db, example):
    with db.unit_of_work() as s:
        cid = get_campaign(s).id
        insert_rows(s, "outbox", OUTBOX_COLUMNS, [_row(cid, "u-1", ON_THE_SECOND), _row(cid, "u-2", ON_THE_SECOND)])
        ids = dict(s.execute(select(OutboxMessage.idempotency_key, OutboxMessage.id)).all())
        moved = update_from_values(
            s, table="outbox", columns=[("id", "INTEGER"), ("next_at", "TIMESTAMP")],
            rows=[(ids["u-1"], WHEN), (ids["u-2"], WHEN + dt.timedelta(days=1))],
            set_={"next_attempt_at": "v.next_at", "sent_at": ":now"}, where="outbox.due_at > :now",
            params={"now": WHEN}, returning="outbox.id")
    with db.reader() as s:
        got = {m.idempotency_key: m for m in s.scalars(select(OutboxMessage))}
    assert len(moved) == 2
    assert got["u-1"].next_attempt_at == WHEN and got["u-2"].next_attempt_at == WHEN + dt.timedelta(days=1)
    assert got["u-1"].sent_at == got["u-2"].sent_at == WHEN


def test_a_naive_datetime_is_refused_as_the_orm_refuses_it():
    with pytest.raises(ValueError, match="naive"):
        driver_value(dt.datetime(2025, 3, 20, 10, 0), pg=False)
