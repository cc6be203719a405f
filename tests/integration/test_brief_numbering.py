"""创卫简报 numbering: 第N期 then 第N+1期, reruns keep their number, 专刊 share the sequence."""

from __future__ import annotations

import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models import Brief, Campaign
from models.db import make_engine
from rules.errors import InvalidInput
from services.briefs.issues import due_week, last_week, reserve, week_window, window
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.uow import Database
from tests.conftest import at

NOW = at("2025-06-01 09:00")


def take(db, *, week=None, special=None, now=NOW):
    with db.unit_of_work() as s:
        return reserve(s, campaign=get_campaign(s), week=week, special=special, now=now)


def numbers(db) -> dict[str, int]:
    with db.reader() as s:
        return dict(s.execute(select(Brief.key, Brief.number)).all())


def test_two_weekly_runs_take_consecutive_numbers(db, example):
    first, second = take(db, week="2025-W18"), take(db, week="2025-W19")
    assert (first.number, second.number) == (1, 2)
    assert first.created and second.created
    assert numbers(db) == {"2025-W18": 1, "2025-W19": 2}


def test_a_rerun_of_the_same_week_keeps_its_number_and_adds_no_row(db, example):
    take(db, week="2025-W18")
    take(db, week="2025-W19")
    again = take(db, week="2025-W18")
    assert again.number == 1 and not again.created
    assert take(db, week="2025-W20").number == 3
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Brief)) == 3


def test_special_issues_share_the_sequence_and_a_rerun_keeps_its_number(db, example):
    assert take(db, week="2025-W17").number == 1
    special = take(db, special="起步转加速动员会专刊")
    assert special.number == 2 and special.kind == "special"
    assert take(db, week="2025-W18").number == 3
    assert take(db, special="起步转加速动员会专刊").number == 2
    assert take(db, special="冲刺阶段迎检专刊").number == 4


def test_the_numbering_survives_a_restart(db, example, db_url):
    take(db, week="2025-W18")
    db.dispose()
    restarted = Database(make_engine(db_url))
    try:
        assert take(restarted, week="2025-W19").number == 2
        assert take(restarted, week="2025-W18").number == 1
    finally:
        restarted.dispose()


def _race(db, first: dict, second: dict) -> tuple:
    """Run two reservations at once: the first holds its transaction open while the second starts."""
    results, errors = {}, []
    inserted = threading.Event()

    def run(name: str, kwargs: dict, hold: bool) -> None:
        try:
            with db.unit_of_work() as s:
                results[name] = reserve(s, campaign=get_campaign(s), now=NOW, **kwargs)
                if hold:
                    inserted.set()
                    threading.Event().wait(0.5)  # keep the row uncommitted while the other run inserts
        except Exception as e:  # noqa: BLE001 - any failure of the racing run is reported by the test
            errors.append(e)
            inserted.set()

    a = threading.Thread(target=run, args=("a", first, True))
    a.start()
    inserted.wait(10)
    b = threading.Thread(target=run, args=("b", second, False))
    b.start()
    a.join(30)
    b.join(30)
    assert errors == []
    return results["a"], results["b"]


def test_two_concurrent_runs_of_the_same_week_share_one_number(db, example):
    a, b = _race(db, {"week": "2025-W18"}, {"week": "2025-W18"})
    assert a.number == b.number == 1
    assert [a.created, b.created] == [True, False]
    assert numbers(db) == {"2025-W18": 1}


def test_two_concurrent_runs_of_different_issues_take_different_numbers(db, example):
    a, b = _race(db, {"week": "2025-W18"}, {"special": "专刊"})
    assert sorted([a.number, b.number]) == [1, 2]
    assert sorted(numbers(db).values()) == [1, 2]


def test_a_week_ends_on_sunday_at_24_00_local_time():
    tz = ZoneInfo("Asia/Shanghai")
    start, end = week_window("2025-W18", tz)
    assert (start, end) == (at("2025-04-28 00:00"), at("2025-05-05 00:00"))
    assert last_week(at("2025-05-05 06:00"), tz) == "2025-W18"


def test_the_brief_is_as_of_the_week_end_or_now_while_the_week_runs():
    campaign = Campaign(timezone="Asia/Shanghai")
    assert window(campaign, week="2025-W18", now=at("2026-01-01 00:00"))[1] == at("2025-05-05 00:00")
    assert window(campaign, week="2025-W18", now=at("2025-04-30 10:00"))[1] == at("2025-04-30 10:00")
    with pytest.raises(InvalidInput):
        window(campaign, week="2025-W19", now=at("2025-04-30 10:00"))


@pytest.mark.parametrize("bad", ["2025-18", "2025-W54", "W18", "2025-W1"])
def test_a_malformed_week_is_refused_with_an_example(db, example, bad):
    with pytest.raises(InvalidInput):
        take(db, week=bad)


def test_exactly_one_of_week_and_special_is_required(db, example):
    with pytest.raises(InvalidInput):
        take(db)
    with pytest.raises(InvalidInput):
        take(db, week="2025-W18", special="专刊")


def test_the_scheduled_brief_skips_weeks_outside_the_campaign(db, example):
    with db.reader() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        assert due_week(ctx, now=at("2025-05-05 06:00")) == "2025-W18"
        assert due_week(ctx, now=at("2024-11-25 06:00")) is None  # before the first stage
        assert due_week(ctx, now=at("2026-08-03 06:00")) is None  # after the last
