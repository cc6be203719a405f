"""The traffic light on the task board: green, yellow past 80 % of the limit, red when overdue."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from services.tasks.board import Card, section_of_card, traffic_light

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2025, 1, 1, 0, 0, tzinfo=TZ)
DEADLINE = dt.datetime(2025, 1, 11, 0, 0, tzinfo=TZ)  # a ten-day limit


def test_web_light_is_green_before_80_percent_yellow_after_and_red_once_overdue():
    assert traffic_light(START, DEADLINE, START + dt.timedelta(days=7, hours=23)) == "green"
    assert traffic_light(START, DEADLINE, START + dt.timedelta(days=8)) == "yellow"
    assert traffic_light(START, DEADLINE, DEADLINE) == "yellow"
    assert traffic_light(START, DEADLINE, DEADLINE + dt.timedelta(seconds=1)) == "red"


def _card(deadline: dt.datetime, status: str = "open") -> Card:
    return Card(id=1, title="t", category="c", status=status, light="green", deadline=deadline,
                segment_code=None, segment_name=None, unit="u", rework_count=0, carried_over=False, version=1)


def test_web_board_sections_are_overdue_this_week_up_to_sunday_later_and_pending():
    monday = dt.datetime(2025, 1, 20, 10, 0, tzinfo=TZ)
    assert section_of_card(_card(monday - dt.timedelta(minutes=1)), monday, TZ) == "overdue"
    assert section_of_card(_card(dt.datetime(2025, 1, 26, 18, 0, tzinfo=TZ)), monday, TZ) == "week"
    assert section_of_card(_card(dt.datetime(2025, 1, 27, 18, 0, tzinfo=TZ)), monday, TZ) == "later"
    assert section_of_card(_card(monday, status="done"), monday, TZ) == "pending"
    assert section_of_card(_card(monday, status="verified"), monday, TZ) == "verified"
