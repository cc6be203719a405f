"""System evidence: what the program's own records say about an item (tasks, findings, complaints, survey, 病媒).

Each source gives a small table (title, columns, rows) that the archive writes as an xlsx extract
in the item's folder. Items name their sources in the standard file: ``task_categories``,
``finding_categories``, ``indicator: survey``, ``pest`` and evidence rows with ``system:``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import Complaint, Finding, StandardItem, Task, TaskTemplate, VectorRecord
from models.inspections import C_CLOSED, CLOSED, MERGED
from rules.vocabulary import SATISFIED_RESULTS, TaskStatus
from services.campaigns.context import CampaignContext
from services.standard import texts as tx
from services.surveys import survey_results


@dataclass(frozen=True)
class Extract:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _tasks(session: Session, cid: int, categories: list[str]) -> Extract:
    done = case((Task.status.in_((TaskStatus.DONE, TaskStatus.VERIFIED)), 1), else_=0)
    verified = case((Task.status == TaskStatus.VERIFIED, 1), else_=0)
    rows = session.execute(select(TaskTemplate.category, func.count(Task.id), func.sum(done), func.sum(verified))
                           .join(Task, Task.template_id == TaskTemplate.id)
                           .where(TaskTemplate.campaign_id == cid, TaskTemplate.category.in_(categories))
                           .group_by(TaskTemplate.category).order_by(TaskTemplate.category)).all()
    return Extract(tx.EXTRACT_TASKS, tx.TASK_COLUMNS,
                   [(c, n, int(d or 0), int(v or 0), _ratio(int(d or 0), n)) for c, n, d, v in rows])


def _findings(session: Session, cid: int, categories: list[str]) -> Extract:
    closed = case((Finding.status == CLOSED, 1), else_=0)
    rows = session.execute(select(Finding.category, func.count(Finding.id), func.sum(closed))
                           .where(Finding.campaign_id == cid, Finding.category.in_(categories),
                                  Finding.status != MERGED)
                           .group_by(Finding.category).order_by(Finding.category)).all()
    return Extract(tx.EXTRACT_FINDINGS, tx.FINDING_COLUMNS,
                   [(c, n, int(k or 0), n - int(k or 0), _ratio(int(k or 0), n)) for c, n, k in rows])


def _complaints(session: Session, cid: int) -> Extract:
    closed = case((Complaint.status == C_CLOSED, 1), else_=0)
    visited = case((Complaint.visit_result.is_not(None), 1), else_=0)
    happy = case((Complaint.visit_result.in_(SATISFIED_RESULTS), 1), else_=0)
    n, c, v, h = session.execute(select(func.count(Complaint.id), func.sum(closed), func.sum(visited), func.sum(happy))
                                 .where(Complaint.campaign_id == cid)).one()
    v, h = int(v or 0), int(h or 0)
    return Extract(tx.EXTRACT_COMPLAINTS, tx.COMPLAINT_COLUMNS, [(n, int(c or 0), v, h, _ratio(h, v))] if n else [])


def _survey(session: Session, ctx: CampaignContext) -> Extract:
    rows = [(r.title, r.period_label, r.responses, r.satisfied, r.fairly_satisfied, r.dissatisfied, r.satisfied_rate)
            for r in survey_results(session, ctx=ctx)]
    return Extract(tx.EXTRACT_SURVEY, tx.SURVEY_COLUMNS, rows)


def _vector(session: Session, cid: int, pest: str, verified: dict[tuple[str, str], bool]) -> Extract:
    rows = session.scalars(select(VectorRecord).where(VectorRecord.campaign_id == cid, VectorRecord.pest == pest)
                           .order_by(VectorRecord.surveyed_on, VectorRecord.id))
    return Extract(tx.EXTRACT_VECTOR, tx.VECTOR_COLUMNS, [
        (r.pest, r.metric, r.method, r.place, f"{r.surveyed_on.year}年{r.surveyed_on.month}月{r.surveyed_on.day}日",
         r.value, r.unit, r.threshold, tx.PASSED[r.passed],
         tx.VERIFIED[verified.get((r.pest, r.metric), False)] if r.threshold is not None else "")
        for r in rows])


def system_evidence(session: Session, *, ctx: CampaignContext, item: StandardItem,
                    thresholds: list[dict] | None = None) -> list[Extract]:
    """The extracts of the program's records that evidence ``item`` (empty tables left out)."""
    sources = {e.get("system") for e in item.evidence or []}
    out: list[Extract] = []
    if item.task_categories or "tasks" in sources:
        out.append(_tasks(session, ctx.id, list(item.task_categories or [])))
    if item.finding_categories or "findings" in sources:
        out.append(_findings(session, ctx.id, list(item.finding_categories or [])))
    if "complaints" in sources:
        out.append(_complaints(session, ctx.id))
    if item.indicator == "survey" or "survey" in sources:
        out.append(_survey(session, ctx))
    if item.pest:
        verified = {(t["pest"], t["metric"]): bool(t.get("verified")) for t in thresholds or []}
        out.append(_vector(session, ctx.id, item.pest, verified))
    return [e for e in out if e.rows]


def as_of(now: dt.datetime) -> str:
    return f"{now.year}年{now.month}月{now.day}日"
