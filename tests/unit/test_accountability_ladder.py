"""The accountability ladder as pure functions: rungs on the working calendar, 延期/挂账, repeats, 约谈."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from config.escalation import EscalationSpec
from rules import accountability as A
from rules.calendar import HolidayTable, OfficeHours, WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(HolidayTable(frozenset({2025}), holidays=frozenset({date(2025, 4, 4)})), OfficeHours(), TZ)
LADDER = A.AccountabilityLadder()  # remind 1 before; 督办 after 1 工作日; sanctions are about units


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def step(stage: int, deadline: str, now: str, **kw) -> int | None:
    return A.next_stage(A.rungs(LADDER, CAL, at(now)), stage, at(deadline), **kw)


def test_the_reminder_comes_one_working_day_before_the_deadline():
    assert step(A.NONE, "2025-03-21 18:00", "2025-03-19 10:00") is None  # Wed, due Fri
    assert step(A.NONE, "2025-03-21 18:00", "2025-03-20 10:00") == A.REMINDED  # Thu
    assert step(A.NONE, "2025-03-24 18:00", "2025-03-21 10:00") == A.REMINDED  # Fri, due Mon: weekend skipped


def test_an_item_first_seen_overdue_gets_the_overdue_notice_not_a_reminder():
    assert step(A.NONE, "2025-03-21 18:00", "2025-03-22 10:00") == A.OVERDUE
    assert step(A.REMINDED, "2025-03-21 18:00", "2025-03-21 17:59") is None
    assert step(A.REMINDED, "2025-03-21 18:00", "2025-03-21 18:01") == A.OVERDUE


def test_the_supervision_notice_waits_for_one_full_working_day_overdue():
    assert step(A.OVERDUE, "2025-03-21 18:00", "2025-03-23 10:00") is None  # Sunday does not count
    assert step(A.OVERDUE, "2025-03-21 18:00", "2025-03-24 09:00") == A.SUPERVISED  # Monday


def test_an_item_stops_at_the_supervision_notice_sanctions_are_about_units():
    # due Tue 04-01; long overdue, still no per-item 通报批评 or 黄牌警告
    assert step(A.SUPERVISED, "2025-04-01 18:00", "2025-04-09 10:00") is None
    assert step(A.SUPERVISED, "2025-04-01 18:00", "2025-06-16 10:00") is None


def test_an_item_climbs_one_rung_per_evaluation_even_when_long_overdue():
    stage, seen = A.NONE, []
    while (nxt := step(stage, "2025-03-03 18:00", "2025-05-06 10:00")) is not None:
        seen.append(nxt)
        stage = nxt
    assert seen == [A.OVERDUE, A.SUPERVISED]


def test_a_criticism_is_proposed_for_the_week_month_or_phase_of_the_supervision_notices():
    assert A.criticism_window(A.MONTH, date(2025, 3, 19)) == (date(2025, 3, 1), date(2025, 4, 1))
    assert A.criticism_window(A.WEEK, date(2025, 3, 19)) == (date(2025, 3, 17), date(2025, 3, 24))
    assert A.criticism_key(A.MONTH, date(2025, 12, 31), 3) == "2025-12"
    assert A.criticism_key(A.WEEK, date(2025, 1, 1), 3) == "2025-W01"
    assert A.criticism_key(A.PHASE, date(2025, 1, 1), 3) == "phase:3"


def test_a_yellow_card_follows_criticisms_or_a_red_streak_in_the_phase():
    ladder = A.AccountabilityLadder(yellow_after_criticisms=2, yellow_after_red_weeks=4)
    assert A.repeat_sanctions(ladder, supervisions=0, criticisms=1, red_weeks=3) == []
    assert A.repeat_sanctions(ladder, supervisions=0, criticisms=0, red_weeks=4) == [A.YELLOW_CARD]
    assert A.repeat_sanctions(ladder, supervisions=0, criticisms=2) == [A.YELLOW_CARD]


def test_an_approved_extension_or_hold_moves_the_effective_deadline():
    deadline = A.effective_deadline(at("2025-03-21 18:00"), at("2025-04-30 18:00"))
    assert deadline == at("2025-04-30 18:00")
    assert step(A.NONE, "2025-04-30 18:00", "2025-03-25 10:00") is None
    assert A.effective_deadline(at("2025-03-21 18:00"), None) == at("2025-03-21 18:00")
    assert A.effective_deadline(at("2025-03-21 18:00"), at("2025-03-01 18:00")) == at("2025-03-21 18:00")


def test_items_still_on_the_coordination_ladder_get_only_the_reminder():
    assert step(A.NONE, "2025-03-21 18:00", "2025-03-20 10:00", terminal=False) == A.REMINDED
    assert step(A.REMINDED, "2025-03-21 18:00", "2025-03-25 10:00", terminal=False) is None


def test_working_days_overdue_counts_only_working_days():
    assert A.working_days_overdue(CAL, at("2025-04-03 18:00"), at("2025-04-07 10:00")) == 1
    assert A.working_days_overdue(CAL, at("2025-04-03 18:00"), at("2025-04-03 17:00")) == 0


def test_repeats_in_a_phase_propose_criticism_then_a_yellow_card():
    assert A.repeat_sanctions(LADDER, supervisions=2, criticisms=0) == []
    assert A.repeat_sanctions(LADDER, supervisions=3, criticisms=0) == [A.CRITICISM]
    assert A.repeat_sanctions(LADDER, supervisions=3, criticisms=2) == [A.CRITICISM, A.YELLOW_CARD]
    off = A.AccountabilityLadder(criticise_after_supervisions=0, yellow_after_criticisms=0)
    assert A.repeat_sanctions(off, supervisions=9, criticisms=9) == []


def test_interview_is_recommended_after_two_yellow_cards_or_a_configured_red_streak():
    rule = A.InterviewRule(yellow_cards=2, red_streak=3)
    assert not A.interview_recommended(rule, yellow_cards=1, red_streak=2)
    assert A.interview_recommended(rule, yellow_cards=2)
    assert A.interview_recommended(rule, yellow_cards=0, red_streak=3)
    assert not A.interview_recommended(A.InterviewRule(yellow_cards=0), yellow_cards=5)


def test_thresholds_must_be_in_order():
    with pytest.raises(ValueError):
        A.AccountabilityLadder(supervise_after=6, criticise_after=5)


def test_the_escalation_section_has_defaults_forbids_unknown_keys_and_checks_the_ladder_order():
    spec = EscalationSpec()
    assert [x.level for x in spec.coordination] == ["参与单位", "牵头部门", "县级领导", "创卫办"]
    assert spec.accountability.remind_before == 1 and spec.accountability.notice_prefix == "创卫督"
    with pytest.raises(ValidationError):
        EscalationSpec.model_validate({"coordination": [], "typo": 1})
    with pytest.raises(ValidationError):
        EscalationSpec.model_validate({"coordination": [{"level": "创卫办", "limit": 5},
                                                        {"level": "牵头部门", "limit": 3}]})
    with pytest.raises(ValidationError):
        EscalationSpec.model_validate({"accountability": {"supervise_after": 3, "criticise_after": 2}})
    with pytest.raises(ValidationError):
        EscalationSpec.model_validate({"return_window": {"limit": 1.5, "clock": "工作日"}})
