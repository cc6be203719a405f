from datetime import date
from zoneinfo import ZoneInfo

import pytest

from rules.calendar import HolidayTable, OfficeHours, WorkCalendar
from rules.errors import Conflict
from rules.timeline import (
    PhaseSpan,
    StageSpan,
    Transition,
    current_phase,
    due_transitions,
    validate_phases,
    working_days_left,
)

STAGE = "综合整治、硬件达标"
QIBU = PhaseSpan("起步", STAGE, date(2025, 5, 1), date(2025, 6, 30))
JIASU = PhaseSpan("加速", STAGE, date(2025, 7, 1), date(2025, 9, 30))
GONGJIAN = PhaseSpan("攻坚", STAGE, date(2025, 10, 1), date(2025, 12, 31))
CHONGCI = PhaseSpan("冲刺", STAGE, date(2026, 1, 1), date(2026, 3, 31), transition="confirm")
PHASES = (QIBU, JIASU, GONGJIAN, CHONGCI)


def _stage(*phases, start=date(2025, 5, 1), end=date(2026, 3, 31)):
    return StageSpan(STAGE, start, end, tuple(phases))


# --- current phase ---------------------------------------------------------------------------


def test_the_current_phase_contains_the_day_including_both_ends():
    assert current_phase(PHASES, date(2025, 5, 1)) is QIBU
    assert current_phase(PHASES, date(2025, 9, 30)) is JIASU
    assert current_phase(PHASES, date(2025, 10, 1)) is GONGJIAN


def test_there_is_no_current_phase_before_the_first_or_after_the_last():
    assert current_phase(PHASES, date(2025, 4, 30)) is None
    assert current_phase(PHASES, date(2026, 4, 1)) is None


# --- due transitions -------------------------------------------------------------------------


def test_nothing_is_due_before_the_next_boundary():
    assert due_transitions(PHASES, "起步", date(2025, 6, 30)) == []


def test_the_first_phase_opens_on_its_start_day():
    assert due_transitions(PHASES, None, date(2025, 5, 1)) == [
        Transition(None, "起步", date(2025, 5, 1))
    ]


def test_one_run_catches_up_several_missed_boundaries_in_order():
    assert due_transitions(PHASES, None, date(2025, 11, 15)) == [
        Transition(None, "起步", date(2025, 5, 1)),
        Transition("起步", "加速", date(2025, 7, 1)),
        Transition("加速", "攻坚", date(2025, 10, 1)),
    ]


def test_catching_up_holds_at_a_phase_that_needs_confirmation():
    transitions = due_transitions(PHASES, "加速", date(2026, 2, 1))
    assert transitions == [
        Transition("加速", "攻坚", date(2025, 10, 1)),
        Transition("攻坚", "冲刺", date(2026, 1, 1), held=True),
    ]


def test_a_held_transition_is_reported_again_until_confirmed():
    assert due_transitions(PHASES, "攻坚", date(2026, 3, 1)) == [
        Transition("攻坚", "冲刺", date(2026, 1, 1), held=True)
    ]


def test_nothing_is_due_once_the_last_phase_is_open():
    assert due_transitions(PHASES, "冲刺", date(2026, 6, 1)) == []


def test_phases_given_out_of_order_are_taken_in_date_order():
    shuffled = (GONGJIAN, QIBU, CHONGCI, JIASU)
    assert [t.to_phase for t in due_transitions(shuffled, None, date(2025, 7, 1))] == ["起步", "加速"]


def test_an_open_phase_missing_from_the_timeline_is_a_conflict():
    with pytest.raises(Conflict, match="巩固"):
        due_transitions(PHASES, "巩固", date(2025, 7, 1))


# --- validation ------------------------------------------------------------------------------


def test_contiguous_phases_inside_their_stage_are_valid():
    assert validate_phases([_stage(*PHASES)]) == []


def test_a_gap_between_phases_is_reported():
    late = PhaseSpan("加速", STAGE, date(2025, 7, 2), date(2025, 9, 30))
    errors = validate_phases([_stage(QIBU, late)])
    assert len(errors) == 1 and "空档" in errors[0]


def test_overlapping_phases_are_reported():
    early = PhaseSpan("加速", STAGE, date(2025, 6, 30), date(2025, 9, 30))
    errors = validate_phases([_stage(QIBU, early)])
    assert len(errors) == 1 and "重叠" in errors[0]


def test_a_phase_outside_its_stage_is_reported():
    errors = validate_phases([_stage(QIBU, JIASU, end=date(2025, 8, 31))])
    assert len(errors) == 1 and "超出阶段" in errors[0]


def test_every_problem_is_reported_at_once():
    backwards = PhaseSpan("起步", "别的阶段", date(2025, 6, 30), date(2025, 5, 1), transition="manual")
    errors = validate_phases([_stage(backwards, QIBU)])
    # wrong stage, start after end, bad transition, duplicate name, overlap
    assert len(errors) == 5


def test_overlapping_stages_are_reported():
    first = StageSpan("第一阶段", date(2025, 1, 1), date(2025, 5, 1))
    errors = validate_phases([first, _stage()])
    assert len(errors) == 1 and "第一阶段" in errors[0]


# --- working days left -----------------------------------------------------------------------


def test_working_days_left_count_the_days_after_today_to_the_phase_end():
    weekends_only = HolidayTable(frozenset({2025}))
    calendar = WorkCalendar(weekends_only, OfficeHours(), ZoneInfo("Asia/Shanghai"))
    # Weekends-only table: after Monday 2025-06-23 to Monday 2025-06-30 there are 5 working days.
    assert working_days_left(calendar, QIBU, date(2025, 6, 23)) == 5
    assert working_days_left(calendar, QIBU, date(2025, 6, 30)) == 0
    assert working_days_left(calendar, QIBU, date(2025, 3, 1)) == 43  # the whole phase
