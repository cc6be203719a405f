"""Which tasks a phase needs: templates × targets × periods, each with a working-day deadline.

Pure: templates, targets and the calendar come in as values; rows to insert come out. A
deadline depends on the template and the period only, so it is computed once per pair and
shared by every target (5,000 segments cost one calendar computation, not 5,000).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from rules.calendar import ClockType, WorkCalendar
from rules.milestones import monthly_periods, period_deadline, plan_monthly_milestones, weekly_periods
from rules.timeline import PhaseSpan
from rules.weeks import span_label


@dataclass(frozen=True)
class TemplateRule:
    id: int
    code: str
    phase_name: str  # a phase name, or "*" for every phase
    scope: str
    title: str
    recurrence: str = "once"  # once | weekly | monthly
    milestones: str = "none"  # none | monthly
    deadline_rule: str = "phase_end"  # phase_end | working_days | period_end
    deadline_days: int = 0


@dataclass(frozen=True)
class Target:
    """Who a task is for: ``key`` is unique per template (seg:12, u:5, su:12:5 …)."""

    key: str
    unit_id: int
    segment_id: int | None = None


@dataclass(frozen=True)
class Slot:
    """One (template, period) with its deadline and the title suffix the period adds."""

    template: TemplateRule
    period_key: str
    deadline: datetime
    title: str


def applies(template: TemplateRule, phase: PhaseSpan) -> bool:
    return template.phase_name in ("*", phase.name)


def _deadline_after(calendar: WorkCalendar, template: TemplateRule, opened: date, fallback: date) -> datetime:
    if template.deadline_rule == "working_days" and template.deadline_days > 0:
        start = datetime.combine(opened, time.min, tzinfo=calendar.tz)
        return calendar.add_limit(start, template.deadline_days, ClockType.WORKDAY)
    return calendar.close_of_business(fallback)


def once_slots(template: TemplateRule, phase: PhaseSpan, calendar: WorkCalendar, opened: date) -> list[Slot]:
    """The slots of a once-per-phase template: one, or one per monthly milestone (倒排进度)."""
    if template.milestones == "monthly":
        dates = plan_monthly_milestones(phase.start, phase.end, calendar)
        return [Slot(template, f"{phase.name}:{d:%Y-%m}", calendar.close_of_business(d),
                     f"{template.title}（{d.month}月节点）") for d in dates]
    end = calendar.previous_workday_on_or_before(phase.end)
    start = max(opened, phase.start)
    return [Slot(template, phase.name, _deadline_after(calendar, template, start, end), template.title)]


def recurring_slots(template: TemplateRule, phase: PhaseSpan, calendar: WorkCalendar, day: date) -> list[Slot]:
    """The slot of a weekly/monthly template for the period of ``day`` inside ``phase``."""
    periods = weekly_periods(phase.start, phase.end) if template.recurrence == "weekly" \
        else monthly_periods(phase.start, phase.end)
    out = []
    for key, first, last in periods:
        if first <= day <= last:
            end = period_deadline(first, last, calendar)
            label = span_label(first, last) if template.recurrence == "weekly" else f"{first.year}年{first.month}月"
            out.append(Slot(template, key, _deadline_after(calendar, template, first, end),
                            f"{template.title}（{label}）"))
    return out


def plan_slots(templates: Iterable[TemplateRule], phase: PhaseSpan, calendar: WorkCalendar,
               *, opened: date, day: date, include_once: bool = True) -> list[Slot]:
    """Every slot ``phase`` needs at ``day``: its once templates (when opening) and current periods."""
    slots: list[Slot] = []
    for t in templates:
        if not applies(t, phase):
            continue
        if t.recurrence == "once":
            if include_once:
                slots.extend(once_slots(t, phase, calendar, opened))
        elif phase.start <= day <= phase.end:
            slots.extend(recurring_slots(t, phase, calendar, day))
    return slots


def task_rows(slots: Sequence[Slot], targets: Mapping[str, Sequence[Target]]) -> Iterable[tuple[Slot, Target]]:
    """Cross every slot with its scope's targets."""
    for slot in slots:
        for target in targets.get(slot.template.scope, ()):
            yield slot, target
