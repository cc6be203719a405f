"""督办单 numbering and sanctions: proposed by the accountability ladder, confirmed or dismissed by 创卫办.

Only a confirmed sanction is published (``published_at``) and sent; the 约谈 recommendation
follows the one rule in ``rules.accountability.interview_recommended``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from models import Campaign, Phase, Sanction, SupervisionNotice, Unit
from models.accountability import UNIT
from notify.templates import sanction_notice
from rules.accountability import (
    CONFIRMED,
    CRITICISM,
    DISMISSED,
    INTERVIEW,
    PHASE,
    PROPOSED,
    YELLOW_CARD,
    AccountabilityLadder,
    criticism_key,
    criticism_window,
    interview_key,
    interview_recommended,
    repeat_sanctions,
)
from rules.errors import Conflict, InvalidInput, NotFound
from services.bulk import insert_ignore
from services.escalation.sweep_io import is_pg
from services.notifications.outbox import enqueue
from services.people.audit import record

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

#: PostgreSQL advisory-lock namespace for 督办单 numbers (one lock per campaign)
_NOTICE_LOCK = 0x43570000
#: the reasons a proposal gives (the unit reads them when 创卫办 confirms it)
REASON_CRITICISM = {"week": "本周已收到督办单{n}张", "month": "本月已收到督办单{n}张", "phase": "本时段已收到督办单{n}张"}
REASON_YELLOW = "本时段已被通报批评{n}次"
REASON_RED = "连续{n}周评级为红色"
REASON_INTERVIEW = "活动以来已被黄牌警告{n}次，建议约谈主要负责人"
SANCTION_COLUMNS = ("campaign_id", "key", "unit_id", "kind", "state", "reason", "phase_id", "object_type",
                    "object_id", "detail", "proposed_at")


def doc_no(prefix: str, year: int, number: int) -> str:
    """文号: 创卫督〔2025〕12号."""
    return f"{prefix}〔{year}〕{number}号"


def allocate_numbers(session: Session, *, campaign_id: int, year: int, count: int) -> list[int]:
    """The next ``count`` 督办单 numbers of the year; concurrent sweeps wait for each other here."""
    if is_pg(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _NOTICE_LOCK + campaign_id})
    last = session.scalar(select(func.max(SupervisionNotice.number)).where(
        SupervisionNotice.campaign_id == campaign_id, SupervisionNotice.year == year)) or 0
    return list(range(last + 1, last + 1 + count))


def issue_notices(session: Session, *, campaign: Campaign, prefix: str, year: int, phase_id: int | None,
                  deadline: dt.datetime, items_by_unit: dict[int, list[dict[str, Any]]],
                  now: dt.datetime) -> dict[int, tuple[int, str]]:
    """One numbered 督办单 per unit; returns unit id → (notice id, 文号)."""
    units = sorted(items_by_unit)
    if not units:
        return {}
    numbers = allocate_numbers(session, campaign_id=campaign.id, year=year, count=len(units))
    rows: list[dict[str, Any]] = [
        dict(campaign_id=campaign.id, year=year, number=n, doc_no=doc_no(prefix, year, n), unit_id=u,
             phase_id=phase_id, issued_at=now, deadline=deadline, items=items_by_unit[u])
        for u, n in zip(units, numbers, strict=False)]
    ids = session.execute(insert(SupervisionNotice).returning(SupervisionNotice.id, sort_by_parameter_order=True),
                          rows).scalars().all()
    return {r["unit_id"]: (i, r["doc_no"]) for r, i in zip(rows, ids, strict=False)}


def add_to_week_notices(session: Session, *, campaign_id: int, since: dt.datetime,
                        items_by_unit: dict[int, list[dict[str, Any]]]) -> dict[int, tuple[int, str]]:
    """Add items to the 督办单 each unit received since ``since`` (this week's), where it has one;
    returns unit id → (notice id, 文号) of the notices that grew."""
    notices = session.scalars(select(SupervisionNotice).where(
        SupervisionNotice.campaign_id == campaign_id, SupervisionNotice.unit_id.in_(sorted(items_by_unit)),
        SupervisionNotice.issued_at >= since).order_by(SupervisionNotice.id)).all()
    out: dict[int, tuple[int, str]] = {}
    for n in notices:
        if n.unit_id in out:
            continue
        n.items = [*n.items, *items_by_unit[n.unit_id]]  # a new list: the JSON column sees the change
        out[n.unit_id] = (n.id, n.doc_no)
    session.flush()
    return out


def propose(session: Session, *, campaign_id: int, proposals: Sequence[dict[str, Any]], now: dt.datetime) -> None:
    """Insert sanction proposals; one whose key exists already (a retried sweep) is skipped."""
    rows = [(campaign_id, p["key"], p["unit_id"], p["kind"], PROPOSED, p["reason"], p.get("phase_id"),
             p["object_type"], p.get("object_id"), p.get("detail", {}), now) for p in proposals]
    insert_ignore(session, "sanction", SANCTION_COLUMNS, rows, ("campaign_id", "key"))


def _count(session: Session, campaign_id: int, unit_id: int, phase_id: int | None, model: Any, *where: Any) -> int:
    q = select(func.count()).select_from(model).where(model.campaign_id == campaign_id, model.unit_id == unit_id,
                                                      model.phase_id == phase_id, *where)
    return int(session.scalar(q) or 0)


def _notices_in(session: Session, campaign: Campaign, ladder: AccountabilityLadder, unit_id: int,
                phase_id: int | None, now: dt.datetime) -> int:
    """督办单 the unit received in the criticism period ``now`` falls in (week, month or phase)."""
    if ladder.criticism_period == PHASE:
        return _count(session, campaign.id, unit_id, phase_id, SupervisionNotice)
    tz = ZoneInfo(campaign.timezone)
    first, after = criticism_window(ladder.criticism_period, now.astimezone(tz).date())
    start, end = (dt.datetime.combine(d, dt.time(0), tzinfo=tz) for d in (first, after))
    return int(session.scalar(select(func.count()).select_from(SupervisionNotice).where(
        SupervisionNotice.campaign_id == campaign.id, SupervisionNotice.unit_id == unit_id,
        SupervisionNotice.issued_at >= start, SupervisionNotice.issued_at < end)) or 0)


def propose_repeats(session: Session, *, campaign: Campaign, ladder: AccountabilityLadder, unit_ids: Sequence[int],
                    phase_id: int | None, now: dt.datetime, red_weeks: dict[int, int] | None = None) -> None:
    """Sanctions a unit's record calls for: a 通报批评 for the period of its repeated 督办单, a 黄牌警告
    for the phase of its confirmed 通报批评 (or red weeks running). One of each kind per unit and
    period: the key is the period, so a dismissed proposal is not made again for the same period."""
    today = now.astimezone(ZoneInfo(campaign.timezone)).date()
    proposals = []
    for u in unit_ids:
        notices = _notices_in(session, campaign, ladder, u, phase_id, now)
        criticisms = _count(session, campaign.id, u, phase_id, Sanction, Sanction.kind == CRITICISM,
                            Sanction.state == CONFIRMED)
        streak = (red_weeks or {}).get(u, 0)
        for kind in repeat_sanctions(ladder, supervisions=notices, criticisms=criticisms, red_weeks=streak):
            if kind == CRITICISM:
                period = criticism_key(ladder.criticism_period, today, phase_id)
                key, why = f"unit:{u}:{period}:{kind}", REASON_CRITICISM[ladder.criticism_period].format(n=notices)
            else:
                key = f"unit:{u}:phase:{phase_id}:{kind}:repeat"
                why = (REASON_YELLOW.format(n=criticisms) if ladder.yellow_after_criticisms
                       and criticisms >= ladder.yellow_after_criticisms else REASON_RED.format(n=streak))
            proposals.append(dict(key=key, unit_id=u, kind=kind, reason=why, phase_id=phase_id, object_type=UNIT,
                                  object_id=u, detail={"supervisions": notices, "criticisms": criticisms,
                                                       "red_weeks": streak}))
    propose(session, campaign_id=campaign.id, proposals=proposals, now=now)


def _get(session: Session, campaign: Campaign, sanction_id: int) -> Sanction:
    s = session.get(Sanction, sanction_id, with_for_update=True)
    if s is None or s.campaign_id != campaign.id:
        raise NotFound(f"找不到处理建议 {sanction_id}")
    if s.state != PROPOSED:
        raise Conflict(f"处理建议 {sanction_id} 已{'确认' if s.state == CONFIRMED else '撤销'}，不能重复处理")
    return s


def confirm(session: Session, *, ctx: CampaignContext, sanction_id: int, actor: str, now: dt.datetime,
            note: str | None = None) -> Sanction:
    """创卫办 confirms a proposal: it is published and sent; repeats may propose the next sanction."""
    campaign, ladder = ctx.campaign, ctx.policy.accountability
    s = _get(session, campaign, sanction_id)
    s.state, s.decided_at, s.decided_by, s.decision_note, s.published_at = CONFIRMED, now, actor, note, now
    record(session, campaign_id=campaign.id, action="sanction.confirm", object_type="sanction", object_id=s.id,
           now=now, actor=actor, detail={"kind": s.kind, "unit_id": s.unit_id, "note": note})
    unit = session.get(Unit, s.unit_id)
    title, body = sanction_notice(s.kind, unit.name if unit else "", s.reason)
    enqueue(session, ctx=ctx, recipients=[("unit", s.unit_id), ("office", None)], template="sanction",
            payload={"title": title, "body": body, "sanction_id": s.id, "kind": s.kind},
            key_parts=("sanction", s.id), now=now)
    session.flush()
    if s.kind == CRITICISM:
        propose_repeats(session, campaign=campaign, ladder=ladder, unit_ids=[s.unit_id], phase_id=s.phase_id, now=now)
    if s.kind == YELLOW_CARD:
        cards = int(session.scalar(select(func.count()).select_from(Sanction).where(
            Sanction.campaign_id == campaign.id, Sanction.unit_id == s.unit_id, Sanction.kind == YELLOW_CARD,
            Sanction.state == CONFIRMED)) or 0)
        # each ``yellow_cards`` confirmed cards call for one 约谈: the 2nd card, then the 4th …
        step = ladder.interview.yellow_cards
        if step and cards % step == 0 and interview_recommended(ladder.interview, yellow_cards=cards):
            propose(session, campaign_id=campaign.id, now=now, proposals=[dict(
                key=interview_key(s.phase_id, s.unit_id), unit_id=s.unit_id, kind=INTERVIEW,
                reason=REASON_INTERVIEW.format(n=cards), phase_id=s.phase_id, object_type=UNIT,
                object_id=s.unit_id, detail={"yellow_cards": cards})])
    return s


def dismiss(session: Session, *, campaign: Campaign, sanction_id: int, actor: str, reason: str,
            now: dt.datetime) -> Sanction:
    """创卫办 dismisses a proposal (reason required); nothing is published."""
    if not reason.strip():
        raise InvalidInput("撤销处理建议必须说明理由")
    s = _get(session, campaign, sanction_id)
    s.state, s.decided_at, s.decided_by, s.decision_note = DISMISSED, now, actor, reason.strip()
    record(session, campaign_id=campaign.id, action="sanction.dismiss", object_type="sanction", object_id=s.id,
           now=now, actor=actor, detail={"reason": reason.strip()})
    return s


@dataclass(frozen=True, slots=True)
class SanctionRow:
    """A sanction (proposed, confirmed or dismissed) with its unit and phase names; times in the campaign's zone."""

    id: int
    kind: str
    state: str
    unit: str
    phase: str | None
    reason: str
    object_type: str
    object_id: int | None
    proposed_at: dt.datetime
    decided_by: str | None
    published_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """A numbered 督办单 with its unit and items; times in the campaign's zone."""

    id: int
    doc_no: str
    unit: str
    issued_at: dt.datetime
    deadline: dt.datetime
    items: list[dict[str, Any]]


def list_sanctions(session: Session, *, campaign: Campaign, state: str | None = None,
                   unit_id: int | None = None) -> list[SanctionRow]:
    """Sanctions (newest first), with the unit and phase names."""
    q = (select(Sanction, Unit.name, Phase.name).join(Unit, Unit.id == Sanction.unit_id)
         .outerjoin(Phase, Phase.id == Sanction.phase_id).where(Sanction.campaign_id == campaign.id))
    if state:
        q = q.where(Sanction.state == state)
    if unit_id:
        q = q.where(Sanction.unit_id == unit_id)
    tz = ZoneInfo(campaign.timezone)
    return [SanctionRow(id=s.id, kind=s.kind, state=s.state, unit=unit, phase=phase, reason=s.reason,
                        object_type=s.object_type, object_id=s.object_id, proposed_at=s.proposed_at.astimezone(tz),
                        decided_by=s.decided_by,
                        published_at=s.published_at.astimezone(tz) if s.published_at else None)
            for s, unit, phase in session.execute(q.order_by(Sanction.id.desc()))]


def published(session: Session, *, campaign: Campaign, start: dt.datetime, end: dt.datetime) -> list[SanctionRow]:
    """Confirmed sanctions published in [start, end): what the brief and the assessment may show."""
    return [r for r in list_sanctions(session, campaign=campaign, state=CONFIRMED)
            if r.published_at is not None and start <= r.published_at < end]


def list_notices(session: Session, *, campaign: Campaign, unit_id: int | None = None) -> list[NoticeRow]:
    """督办单 (newest first)."""
    q = (select(SupervisionNotice, Unit.name).join(Unit, Unit.id == SupervisionNotice.unit_id)
         .where(SupervisionNotice.campaign_id == campaign.id))
    if unit_id:
        q = q.where(SupervisionNotice.unit_id == unit_id)
    tz = ZoneInfo(campaign.timezone)
    return [NoticeRow(id=n.id, doc_no=n.doc_no, unit=unit, issued_at=n.issued_at.astimezone(tz),
                      deadline=n.deadline.astimezone(tz), items=n.items)
            for n, unit in session.execute(q.order_by(SupervisionNotice.year.desc(), SupervisionNotice.number.desc()))]
