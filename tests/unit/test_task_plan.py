"""倒排进度 task planning as a pure function: slots, deadlines on working days, targets."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar as cc

from rules.calendar import WorkCalendar
from rules.task_plan import Target, TemplateRule, plan_slots, task_rows
from rules.timeline import PhaseSpan
from services.campaigns.holidays import build_holiday_table

CAL = WorkCalendar(holidays=build_holiday_table([]))
QIBU = PhaseSpan(name="起步", stage="综合整治、硬件达标", start=date(2025, 1, 1), end=date(2025, 4, 30))
SHANGHAI = ZoneInfo("Asia/Shanghai")


def rule(code="T", **kw):
    base = dict(id=1, code=code, phase_name="起步", scope="segment", title="整治")
    return TemplateRule(**{**base, **kw})


def test_a_once_template_is_due_at_close_of_business_on_the_phases_last_working_day():
    (slot,) = plan_slots([rule()], QIBU, CAL, opened=date(2025, 1, 2), day=date(2025, 1, 2))
    assert slot.deadline == datetime.combine(date(2025, 4, 30), time(18), tzinfo=SHANGHAI)
    assert slot.period_key == "起步"


def test_monthly_milestones_are_planned_backward_from_the_phase_end_on_working_days():
    slots = plan_slots([rule(milestones="monthly")], QIBU, CAL, opened=date(2025, 1, 2), day=date(2025, 1, 2))
    days = [s.deadline.date() for s in slots]
    assert [d.month for d in days] == [1, 2, 3, 4]
    assert days[-1] == date(2025, 4, 30)
    assert all(cc.is_workday(d) for d in days)
    # 2025-01-28..31 are Spring Festival holidays: January's milestone moves back to Monday the 27th
    assert days[0] == date(2025, 1, 27)
    assert slots[0].title == "整治（1月节点）"


def test_working_day_limits_count_from_the_day_the_phase_opens():
    (slot,) = plan_slots([rule(deadline_rule="working_days", deadline_days=3)], QIBU, CAL,
                         opened=date(2025, 4, 30), day=date(2025, 4, 30))
    # 2025-05-01..05 is the Labour Day holiday
    assert slot.deadline.date() == date(2025, 5, 8)


def test_a_weekly_template_makes_one_slot_for_the_week_of_the_day_only():
    slots = plan_slots([rule(recurrence="weekly", phase_name="*")], QIBU, CAL,
                       opened=date(2025, 1, 2), day=date(2025, 3, 12))
    assert [s.period_key for s in slots] == ["2025-W11"]
    assert slots[0].deadline.date() == date(2025, 3, 14)


def test_recurring_templates_are_left_out_when_only_once_templates_are_due_and_vice_versa():
    templates = [rule("A"), rule("B", recurrence="monthly")]
    once_only = plan_slots(templates, QIBU, CAL, opened=date(2025, 1, 2), day=date(2025, 5, 2))
    recurring_only = plan_slots(templates, QIBU, CAL, opened=date(2025, 1, 2), day=date(2025, 2, 3),
                                include_once=False)
    assert [s.template.code for s in once_only] == ["A"]
    assert [(s.template.code, s.period_key) for s in recurring_only] == [("B", "2025-02")]


def test_templates_of_another_phase_make_no_slots():
    assert plan_slots([rule(phase_name="冲刺")], QIBU, CAL, opened=date(2025, 1, 2), day=date(2025, 1, 2)) == []


def test_every_slot_is_crossed_with_its_scopes_targets_only():
    slots = plan_slots([rule("A"), rule("B", scope="town")], QIBU, CAL, opened=date(2025, 1, 2), day=date(2025, 1, 2))
    targets = {"segment": [Target("seg:1", 7, 1), Target("seg:2", 8, 2)], "town": [Target("u:3", 3)]}
    rows = [(s.template.code, t.key) for s, t in task_rows(slots, targets)]
    assert rows == [("A", "seg:1"), ("A", "seg:2"), ("B", "u:3")]
