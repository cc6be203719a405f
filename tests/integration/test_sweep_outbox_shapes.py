"""The sweep's outbox rows built once per shape are byte for byte the rows built message by message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from models import OutboxMessage, Unit
from models.outbox import MERGED
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation.accountability import Notices
from services.escalation.outbox_shapes import ID_MARK, TEXT_MARKS
from services.escalation.sweep import Escalation
from services.escalation.sweep_io import Outbox
from services.notifications.daily import TEMPLATE as DIGEST
from tests.conftest import at

NOW = at("2025-03-20 10:00")
#: titles and names as people type them, and some that look like the shapes' stand-ins or format fields
TEXTS = ["东风路人行道破损", '他说"马上修"\\再看', "第一行\n第二行\t完", "{0} 与 {1}}", "井盖🚧缺失",
         f"编号{ID_MARK}", f"私用{TEXT_MARKS[0]}字{TEXT_MARKS[1]}", ""]


def _boxes(s, **kw: Any) -> tuple[Outbox, Outbox]:
    ctx = load_context(s, campaign=get_campaign(s))
    one_by_one = Outbox(s, ctx, NOW, **kw)
    return one_by_one, Outbox(s, ctx, NOW, like=one_by_one, **kw)


def _both(one_by_one: Outbox, shaped: Outbox, recipient: tuple[str, int | None], template: str, shape: Any,
          texts: Sequence[tuple[str, ...]], build: Any) -> None:
    for i, t in enumerate(texts, start=41):
        one_by_one.add([recipient], template, *build(i, t))
        shaped.add_alike(recipient, template, shape, i, t, build)


def test_reminders_and_overdue_notices_built_per_shape_are_the_rows_built_one_by_one(db, example):
    with db.unit_of_work() as s:
        unit = s.scalars(select(Unit.id).where(Unit.name == "县教育局")).one()
        one_by_one, shaped = _boxes(s, state=MERGED, extra={"folded": DIGEST})
        notices = Notices("task", "2025-03-19T01:00:00+00:00", "2025年3月19日9时", "1天")
        _both(one_by_one, shaped, ("unit", unit), "reminder", "d1", [(t,) for t in TEXTS], notices.reminder)
        _both(one_by_one, shaped, ("unit", unit), "overdue", "d1", [(t, "县教育局") for t in TEXTS], notices.overdue)
        _both(one_by_one, shaped, ("office", None), "overdue", "d1", [(t, u) for t, u in zip(TEXTS, TEXTS[::-1], strict=True)],
              notices.overdue)
        assert shaped.rows == one_by_one.rows
        assert None not in shaped._shapes.values()  # every shape was used, not only the long way


def test_escalations_built_per_shape_are_the_rows_built_one_by_one(db, example):
    with db.unit_of_work() as s:
        one_by_one, shaped = _boxes(s)
        notice = Escalation("牵头部门", "牵头部门（县教育局）", "2025年3月21日18时30分", ("王局长：请{尽快}办理",),
                            "参与单位办理时限已过，系统自动上报", 3)
        _both(one_by_one, shaped, ("office", None), "escalation", notice,
              [(t, seg) for t, seg in zip(TEXTS, ["A01 东风路", *TEXTS[1:]], strict=True)], notice.build)
        assert shaped.rows == one_by_one.rows
        assert None not in shaped._shapes.values()


def test_a_shape_whose_fixed_text_holds_a_stand_in_is_not_used_and_its_rows_are_still_right(db, example):
    with db.unit_of_work() as s:
        one_by_one, shaped = _boxes(s)
        for level_name in (f"牵头部门（{TEXT_MARKS[0]}）", f"牵头部门（{ID_MARK}）", f"牵头部门（{TEXT_MARKS[2]}）"):
            notice = Escalation("牵头部门", level_name, "2025年3月21日18时", (), "原因", 2)
            _both(one_by_one, shaped, ("office", None), "escalation", notice, [(t, "路段") for t in TEXTS],
                  notice.build)
        assert shaped.rows == one_by_one.rows
        # a stand-in no text of the shape stands for is kept as it is: that shape is used
        assert [v is None for v in shaped._shapes.values()] == [True, True, False]


def test_a_retried_flush_of_shaped_rows_writes_nothing_twice(db, example):
    for _ in range(2):
        with db.unit_of_work() as s:
            _, shaped = _boxes(s)
            notice = Escalation("县级领导", "县级领导（李县长）", "2025年3月21日18时", (), "原因", 2)
            for i, t in enumerate(TEXTS, start=41):
                shaped.add_alike(("office", None), "escalation", notice, i, (t, "路段"), notice.build)
            shaped.flush()
    with db.reader() as s:
        keys = s.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.template == "escalation")).all()
        assert len(keys) == len(set(keys)) == len(_office_targets(s)) * len(TEXTS)


def _office_targets(s) -> list[str]:
    ctx = load_context(s, campaign=get_campaign(s))
    return Outbox(s, ctx, NOW)._targets.targets(("office", None))


def test_no_outbox_row_is_left_behind_by_the_staged_insert_of_a_rolled_back_batch(db, example):
    try:
        with db.unit_of_work() as s:
            _, shaped = _boxes(s)
            notice = Escalation("县级领导", "县级领导（李县长）", "2025年3月21日18时", (), "原因", 2)
            shaped.add_alike(("office", None), "escalation", notice, 7, ("标题", "路段"), notice.build)
            shaped.flush()
            raise RuntimeError("the batch fails after its writes")
    except RuntimeError:
        pass
    with db.unit_of_work() as s:
        _, shaped = _boxes(s)
        notice = Escalation("县级领导", "县级领导（李县长）", "2025年3月21日18时", (), "原因", 2)
        shaped.add_alike(("office", None), "escalation", notice, 8, ("标题", "路段"), notice.build)
        shaped.flush()
    with db.reader() as s:
        payloads = s.scalars(select(OutboxMessage.payload).where(OutboxMessage.template == "escalation")).all()
        assert {p["problem_id"] for p in payloads} == {8}
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == len(payloads)
