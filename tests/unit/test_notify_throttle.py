from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notify.throttle import SlidingWindow, limits_for

T0 = datetime(2026, 5, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_eighteen_sends_a_minute_pass_and_the_nineteenth_waits_for_the_oldest_to_leave():
    window = SlidingWindow(limits_for("wecom"))
    for i in range(18):
        assert window.wait_time("企微群", at(i)) == 0.0
        window.record("企微群", at(i))

    assert window.wait_time("企微群", at(30)) == pytest.approx(30.0)
    assert window.wait_time("企微群", at(60)) == 0.0  # the send at t=0 has left the window


def test_robots_are_limited_independently():
    window = SlidingWindow(limits_for("dingtalk"))
    for i in range(18):
        window.record("钉钉一群", at(i))

    assert window.wait_time("钉钉一群", at(20)) > 0
    assert window.wait_time("钉钉二群", at(20)) == 0.0


def test_feishu_is_held_to_four_a_second_and_ninety_a_minute():
    window = SlidingWindow(limits_for("feishu"))
    for i in range(4):
        window.record("飞书群", at(0.1 * i))

    assert window.wait_time("飞书群", at(0.5)) == pytest.approx(0.5)

    window = SlidingWindow(limits_for("feishu"))
    for i in range(90):
        window.record("飞书群", at(0.5 * i))  # two a second, 45 s in all

    assert window.wait_time("飞书群", at(45)) == pytest.approx(15.0)


def test_asking_for_the_wait_does_not_count_as_a_send():
    window = SlidingWindow([(1, 60.0)])
    for _ in range(5):
        assert window.wait_time("群", T0) == 0.0


def test_email_and_webhooks_have_no_local_limit():
    window = SlidingWindow(limits_for("email"))
    for _ in range(1000):
        window.record("邮箱", T0)

    assert window.wait_time("邮箱", T0) == 0.0
    assert limits_for("webhook") == ()


def test_old_sends_are_forgotten_once_outside_every_window():
    window = SlidingWindow([(2, 1.0), (3, 10.0)])
    for i in range(3):
        window.record("群", at(i))
    window.record("群", at(100))

    assert window.wait_time("群", at(100.5)) == 0.0
    assert len(window._sent["群"]) == 1


def test_a_limit_must_allow_at_least_one_send_in_a_positive_window():
    with pytest.raises(ValueError):
        SlidingWindow([(0, 60.0)])
    with pytest.raises(ValueError):
        SlidingWindow([(5, 0.0)])


def test_a_card_with_its_mention_line_costs_two_sends_of_the_robots_allowance():
    window = SlidingWindow(limits_for("wecom"))
    for i in range(17):
        window.record("企微群", at(i))

    assert window.wait_time("企微群", at(20)) == 0.0  # one more single message fits
    assert window.wait_time("企微群", at(20), cost=2) == pytest.approx(40.0)  # a card + mention waits for t=0
    window.record("企微群", at(20), cost=1)
    assert window.wait_time("企微群", at(60.5), cost=2) == pytest.approx(0.5)  # t=0 left; t=1 must leave too
