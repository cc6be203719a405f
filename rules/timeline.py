"""Phase timeline: stages (阶段) and their sub-phases (时段), and which transitions are due.

Transitions are data: `due_transitions` turns (opened phase, today) into the ordered list of
transitions the service should apply, so one run catches up every boundary it missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rules.calendar import WorkCalendar
from rules.errors import Conflict

AUTO = "auto"
CONFIRM = "confirm"  # 创卫办 must confirm before the phase opens


@dataclass(frozen=True)
class PhaseSpan:
    """A sub-phase (时段) such as 起步 or 冲刺; `end` is inclusive."""

    name: str
    stage: str
    start: date
    end: date
    transition: str = AUTO  # how the phase opens: "auto" | "confirm"


@dataclass(frozen=True)
class StageSpan:
    """A stage (阶段) with its sub-phases; `end` is inclusive."""

    name: str
    start: date
    end: date
    phases: tuple[PhaseSpan, ...] = ()


@dataclass(frozen=True)
class Transition:
    """Open `to_phase` (closing `from_phase`); if `held`, wait for 创卫办 to confirm first."""

    from_phase: str | None
    to_phase: str
    on: date  # the boundary: first day of `to_phase`
    held: bool = False


def validate_phases(stages: list[StageSpan] | tuple[StageSpan, ...]) -> list[str]:
    """All problems with the stages and phases, as Chinese messages (empty if none)."""
    errors: list[str] = []
    seen: set[str] = set()
    ordered_stages = sorted(stages, key=lambda s: s.start)
    for previous_stage, stage in zip(ordered_stages, ordered_stages[1:], strict=False):
        if stage.start <= previous_stage.end:
            errors.append(f"阶段「{previous_stage.name}」与阶段「{stage.name}」日期重叠")
    for stage in stages:
        if stage.start > stage.end:
            errors.append(f"阶段「{stage.name}」开始日期 {stage.start} 晚于结束日期 {stage.end}")
        for phase in stage.phases:
            errors.extend(_phase_errors(stage, phase))
            if phase.name in seen:
                errors.append(f"时段名称「{phase.name}」重复")
            seen.add(phase.name)
        ordered = sorted(stage.phases, key=lambda p: p.start)
        for previous, phase in zip(ordered, ordered[1:], strict=False):
            if phase.start <= previous.end:
                errors.append(f"时段「{previous.name}」与时段「{phase.name}」日期重叠")
            elif phase.start > previous.end + timedelta(days=1):
                errors.append(
                    f"时段「{previous.name}」（止于 {previous.end}）与时段「{phase.name}」"
                    f"（始于 {phase.start}）之间有空档，时段必须首尾相接"
                )
    return errors


def _phase_errors(stage: StageSpan, phase: PhaseSpan) -> list[str]:
    errors = []
    if phase.stage != stage.name:
        errors.append(f"时段「{phase.name}」属于阶段「{phase.stage}」，却列在阶段「{stage.name}」下")
    if phase.start > phase.end:
        errors.append(f"时段「{phase.name}」开始日期 {phase.start} 晚于结束日期 {phase.end}")
    if phase.start < stage.start or phase.end > stage.end:
        errors.append(
            f"时段「{phase.name}」（{phase.start} 至 {phase.end}）超出阶段「{stage.name}」"
            f"（{stage.start} 至 {stage.end}）"
        )
    if phase.transition not in (AUTO, CONFIRM):
        errors.append(f"时段「{phase.name}」的切换方式「{phase.transition}」无效，应为 auto 或 confirm")
    return errors


def current_phase(phases: list[PhaseSpan] | tuple[PhaseSpan, ...], day: date) -> PhaseSpan | None:
    """The phase whose date range contains `day`, or None."""
    for phase in phases:
        if phase.start <= day <= phase.end:
            return phase
    return None


def due_transitions(
    phases: list[PhaseSpan] | tuple[PhaseSpan, ...], opened_phase_name: str | None, now_day: date
) -> list[Transition]:
    """Transitions due by `now_day`, in order, after the phase currently open.

    Every boundary passed is caught up; the list stops at the first phase that needs
    confirmation, which is reported as the last item with `held=True` and must not be applied.
    """
    ordered = sorted(phases, key=lambda p: p.start)
    names = [p.name for p in ordered]
    if opened_phase_name is None:
        pending = ordered
    elif opened_phase_name in names:
        pending = ordered[names.index(opened_phase_name) + 1 :]
    else:
        raise Conflict(
            f"当前开启的时段「{opened_phase_name}」不在活动配置的时段列表中，无法推进时段",
            log_detail=f"open phase {opened_phase_name!r} not in {names}",
        )
    transitions: list[Transition] = []
    previous = opened_phase_name
    for phase in pending:
        if phase.start > now_day:
            break
        held = phase.transition == CONFIRM
        transitions.append(Transition(previous, phase.name, phase.start, held=held))
        if held:
            break
        previous = phase.name
    return transitions


def working_days_left(calendar: WorkCalendar, phase: PhaseSpan, day: date) -> int:
    """Working days of `phase` after `day` (the whole phase if it has not started)."""
    after = max(day, phase.start - timedelta(days=1))
    return calendar.working_days_between(after, phase.end)
