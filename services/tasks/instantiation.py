"""Instantiate a phase's tasks: set-based, idempotent (INSERT … ON CONFLICT DO NOTHING)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from models import Assignment, AssignmentMember, Phase, Segment, Task, TaskTemplate, Unit
from models.geo import ALLEY, SEGMENT
from models.tasks import OPEN
from rules.task_plan import Slot, Target, TemplateRule, plan_slots, task_rows
from rules.timeline import PhaseSpan
from rules.vocabulary import TaskKind, TemplateScope, UnitKind
from services.bulk import insert_ignore
from services.campaigns.context import CampaignContext


def phase_span(p: Phase) -> PhaseSpan:
    return PhaseSpan(name=p.name, stage="", start=p.start_date, end=p.end_date, transition=p.transition)


def template_rules(session: Session, campaign_id: int) -> list[TemplateRule]:
    rows = session.scalars(select(TaskTemplate).where(TaskTemplate.campaign_id == campaign_id)
                           .order_by(TaskTemplate.id))
    return [TemplateRule(id=t.id, code=t.code, phase_name=t.phase_name, scope=t.scope, title=t.title,
                         recurrence=t.recurrence, milestones=t.milestones, deadline_rule=t.deadline_rule,
                         deadline_days=t.deadline_days) for t in rows]


def _units_of_kind(session: Session, cid: int, kind: UnitKind) -> list[int]:
    return list(session.scalars(select(Unit.id).where(Unit.campaign_id == cid, Unit.kind == kind.value)
                                .order_by(Unit.id)))


def scope_targets(session: Session, campaign_id: int, scopes: set[str],
                  templates: list[TemplateRule]) -> dict[str, list[Target]]:
    """Targets of each needed scope, from the active 包联 assignments and the unit list."""
    cid = campaign_id
    out: dict[str, list[Target]] = {}
    active = (Assignment.campaign_id == cid, Assignment.valid_to.is_(None))
    if scopes & {TemplateScope.SEGMENT.value, TemplateScope.LEAD_UNIT.value}:
        rows = session.execute(select(Segment.id, Assignment.lead_unit_id)
                               .join(Assignment, Assignment.segment_id == Segment.id)
                               .where(*active, Segment.kind == SEGMENT).order_by(Segment.id)).all()
        out[TemplateScope.SEGMENT.value] = [Target(f"seg:{s}", u, s) for s, u in rows]
        leads = sorted({u for _, u in rows} | set(_units_of_kind(session, cid, UnitKind.LEAD)))
        out[TemplateScope.LEAD_UNIT.value] = [Target(f"u:{u}", u) for u in leads]
    if TemplateScope.ALLEY.value in scopes:
        parent = aliased(Segment)
        rows = session.execute(select(Segment.id, Assignment.lead_unit_id)
                               .join(parent, parent.id == Segment.parent_id)
                               .join(Assignment, Assignment.segment_id == parent.id)
                               .where(*active, Segment.kind == ALLEY).order_by(Segment.id)).all()
        out[TemplateScope.ALLEY.value] = [Target(f"seg:{s}", u, s) for s, u in rows]
    if scopes & {TemplateScope.SEGMENT_UNIT.value, TemplateScope.PARTICIPATING_UNIT.value}:
        rows = session.execute(select(Assignment.segment_id, AssignmentMember.unit_id)
                               .join(AssignmentMember, AssignmentMember.assignment_id == Assignment.id)
                               .where(*active).order_by(Assignment.segment_id, AssignmentMember.unit_id)).all()
        out[TemplateScope.SEGMENT_UNIT.value] = [Target(f"su:{s}:{u}", u, s) for s, u in rows]
        members = sorted({u for _, u in rows} | set(_units_of_kind(session, cid, UnitKind.PARTICIPATING)))
        out[TemplateScope.PARTICIPATING_UNIT.value] = [Target(f"u:{u}", u) for u in members]
    if TemplateScope.FUNCTIONAL_UNIT.value in scopes:
        out[TemplateScope.FUNCTIONAL_UNIT.value] = [
            Target(f"u:{u}", u) for u in _units_of_kind(session, cid, UnitKind.FUNCTIONAL)]
    if TemplateScope.TOWN.value in scopes:
        out[TemplateScope.TOWN.value] = [Target(f"u:{u}", u) for u in _units_of_kind(session, cid, UnitKind.TOWN)]
    return out


def _unit_scope_targets(session: Session, campaign_id: int) -> dict[int, Target]:
    rows = session.execute(select(TaskTemplate.id, TaskTemplate.unit_id).where(
        TaskTemplate.campaign_id == campaign_id, TaskTemplate.scope == TemplateScope.UNIT.value,
        TaskTemplate.unit_id.is_not(None))).all()
    return {t: Target(f"u:{u}", u) for t, u in rows}


COLUMNS = ("campaign_id", "kind", "template_id", "phase_id", "segment_id", "unit_id", "target_key",
           "period_key", "category", "title", "description", "deadline", "status", "carried_over",
           "created_at", "rework_count", "acc_stage", "version")


def _count(session: Session, campaign_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Task).where(Task.campaign_id == campaign_id)))


def instantiate(session: Session, *, ctx: CampaignContext, phase: Phase, now: dt.datetime,
                include_once: bool = True) -> int:
    """Create the tasks ``phase`` needs at ``now`` that do not exist yet; return how many."""
    campaign, cal = ctx.campaign, ctx.calendar
    day = now.astimezone(cal.tz).date()
    opened = (phase.opened_at or now).astimezone(cal.tz).date()
    templates = template_rules(session, campaign.id)
    slots: list[Slot] = plan_slots(templates, phase_span(phase), cal, opened=opened, day=day,
                                   include_once=include_once)
    if not slots:
        return 0
    targets = scope_targets(session, campaign.id, {s.template.scope for s in slots}, templates)
    unit_targets = _unit_scope_targets(session, campaign.id)
    by_template: dict[int, list[Target]] = defaultdict(list)
    for tid, target in unit_targets.items():
        by_template[tid].append(target)
    descriptions = dict(session.execute(select(TaskTemplate.id, TaskTemplate.description)
                                        .where(TaskTemplate.campaign_id == campaign.id)).tuples().all())
    categories = dict(session.execute(select(TaskTemplate.id, TaskTemplate.category)
                                      .where(TaskTemplate.campaign_id == campaign.id)).tuples().all())
    pairs = list(task_rows([s for s in slots if s.template.scope != TemplateScope.UNIT.value], targets))
    pairs += [(s, t) for s in slots if s.template.scope == TemplateScope.UNIT.value
              for t in by_template.get(s.template.id, ())]
    rows = [(campaign.id, TaskKind.PLAN, s.template.id, phase.id, t.segment_id, t.unit_id, t.key, s.period_key,
             categories[s.template.id], s.title, descriptions[s.template.id], s.deadline, OPEN, False,
             now, 0, 0, 1) for s, t in pairs]
    before = _count(session, campaign.id)
    insert_ignore(session, "task", COLUMNS, rows, ("template_id", "target_key", "period_key"))
    return _count(session, campaign.id) - before
