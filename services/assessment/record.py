"""The 目标责任考核 record: weekly ratings and 表彰 candidates, proposed then confirmed by 创卫办.

Proposing computes and stores (rows still proposed are refreshed, confirmed rows never move);
confirming publishes: the notices go into the outbox and the brief's 红榜/黑榜 reads the
confirmed rows. Red-rating streaks count confirmed weeks only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Campaign, Commendation, Phase, Rating, Sanction, Unit
from models.assessment import CONFIRMED, PROPOSED
from rules import ratings as rr
from rules import weeks
from rules.errors import Conflict, NotFound
from services.assessment import texts as tx
from services.assessment.interviews import InterviewProposal, phase_of_week, recommend_interviews
from services.assessment.ranking import Period, RankingLine, assess, phase_period, ranking_line, settings, week_period
from services.campaigns.context import CampaignContext
from services.campaigns.directory import unit_directory
from services.escalation.sanctions import propose_repeats
from services.notifications.outbox import enqueue
from services.people.audit import SYSTEM, record


@dataclass(frozen=True, slots=True)
class StoredRating(RankingLine):
    """A stored week's line: the snapshot taken when it was proposed, with its colour, streak and status."""

    red_streak: int
    status: str  # proposed | confirmed


@dataclass(frozen=True, slots=True)
class ProposedRatings:
    week: str
    proposed: int
    frozen: int  # confirmed ratings left as they were


@dataclass(frozen=True, slots=True)
class ConfirmedRatings:
    week: str
    confirmed: int
    notified: int  # units told of their rating
    interviews: tuple[InterviewProposal, ...]


@dataclass(frozen=True, slots=True)
class CommendationRow:
    """A 表彰 candidate or confirmed commendation of a phase."""

    unit_id: int
    unit: str
    kind: str  # the unit's kind
    rank: int
    score: float
    reason: str
    status: str  # proposed | confirmed


@dataclass(frozen=True, slots=True)
class ConfirmedCommendations:
    phase: str
    confirmed: int
    notified: int


@dataclass(frozen=True, slots=True)
class PhaseCandidates:
    phase: str
    candidates: int


@dataclass(frozen=True, slots=True)
class ScheduledProposals:
    """What the weekly flow proposed: last week's ratings (None outside the phases) and new 表彰 candidates."""

    campaign: str
    week: ProposedRatings | None
    commendations: tuple[PhaseCandidates, ...]


_LINE_FIELDS = [f.name for f in fields(RankingLine)]


def _unit_ids(session: Session, campaign: Campaign, names: list[str] | None) -> set[int] | None:
    if not names:
        return None
    directory = unit_directory(session, campaign.id)
    found = {n: directory.find(n) for n in names}
    missing = [n for n, u in found.items() if u is None]
    if missing:
        raise NotFound(f"找不到单位：{'、'.join(missing)}")
    return {u.id for u in found.values() if u is not None}


def confirmed_history(session: Session, campaign: Campaign, before: str) -> dict[int, dict[str, str | None]]:
    """Confirmed colours per unit per week, weeks before ``before``."""
    rows = session.execute(select(Rating.unit_id, Rating.week, Rating.rating).where(
        Rating.campaign_id == campaign.id, Rating.status == CONFIRMED, Rating.week < before)).all()
    out: dict[int, dict[str, str | None]] = defaultdict(dict)
    for unit_id, week, colour in rows:
        out[unit_id][week] = colour
    return out


def _streak(history: dict[int, dict[str, str | None]], unit_id: int, week: str, colour: str | None) -> int:
    return rr.red_streak({**history.get(unit_id, {}), week: colour}, week)


def _finished_week(campaign: Campaign, week: str, now: dt.datetime) -> Period:
    period = week_period(campaign, week, now)
    if now < period.end:
        raise Conflict(f"{period.key} 尚未结束（周日24时结束），不能提出评级")
    return period


def propose_ratings(session: Session, *, campaign: Campaign, week: str, now: dt.datetime,
                    actor: str = SYSTEM) -> ProposedRatings:
    """Compute the week's ratings and store them as proposed (confirmed ones stay as they are)."""
    period = _finished_week(campaign, week, now)
    result = assess(session, campaign=campaign, period=period, now=now)
    existing = {r.unit_id: r for r in session.scalars(select(Rating).where(
        Rating.campaign_id == campaign.id, Rating.week == period.key))}
    history = confirmed_history(session, campaign, period.key)
    proposed = frozen = 0
    for row in result.rows:
        stored = existing.get(row.id)
        if stored is not None and stored.status == CONFIRMED:
            frozen += 1
            continue
        values = dict(unit_kind=row.kind, score=row.score, rating=row.rating, rank=row.rank, ranked=row.ranked,
                      red_streak=_streak(history, row.id, period.key, row.rating), snapshot=asdict(ranking_line(row)),
                      status=PROPOSED, proposed_at=now)
        if stored is None:
            session.add(Rating(campaign_id=campaign.id, week=period.key, unit_id=row.id, **values))
        else:
            for k, v in values.items():
                setattr(stored, k, v)
        proposed += 1
    record(session, campaign_id=campaign.id, action="assessment.propose", object_type="week", object_id=None,
           now=now, actor=actor, detail={"week": period.key, "proposed": proposed, "frozen": frozen})
    session.flush()
    return ProposedRatings(week=period.key, proposed=proposed, frozen=frozen)


def _stored(r: Rating) -> StoredRating:
    """The line from the stored snapshot (a key an older snapshot lacks reads as None)."""
    line: dict[str, Any] = {name: r.snapshot.get(name) for name in _LINE_FIELDS}
    line["rating"] = r.rating
    return StoredRating(**line, red_streak=r.red_streak, status=r.status)


def list_ratings(session: Session, *, campaign: Campaign, week: str) -> list[StoredRating]:
    """The stored ratings of a week (snapshot lines plus streak and status), best first per kind."""
    kinds = settings(campaign).ranked_kinds
    rows = session.scalars(select(Rating).where(Rating.campaign_id == campaign.id,
                                                Rating.week == weeks.week_key(weeks.week_monday(week)))).all()
    return sorted((_stored(r) for r in rows), key=lambda x: (kinds.index(x.kind) if x.kind in kinds else len(kinds),
                                                             x.rank is None, x.rank or 0, x.name))


def stored_weeks(session: Session, campaign: Campaign) -> list[str]:
    """Weeks that have stored ratings, in order."""
    return list(session.scalars(select(Rating.week).where(Rating.campaign_id == campaign.id)
                                .distinct().order_by(Rating.week)))


def _rating_notices(session: Session, ctx: CampaignContext, rows: list[Rating], now: dt.datetime) -> int:
    """Tell each rated unit its rating; how many were told.

    The units' names are read in one query, after the confirmed rows are flushed together (issue 22:
    one lookup per rating flushed that rating on its own, a flush per row)."""
    rated = [r for r in rows if r.rating is not None]
    if not rated:
        return 0
    names = {unit_id: name for unit_id, name in session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(sorted({r.unit_id for r in rated}))))}
    for r in rated:
        _rating_notice(session, ctx, r, names.get(r.unit_id, ""), now)
    return len(rated)


def _rating_notice(session: Session, ctx: CampaignContext, r: Rating, unit: str, now: dt.datetime) -> None:
    advice = tx.ADVICE[r.rating or ""] + (tx.STREAK.format(n=r.red_streak) if r.red_streak > 1 else "")
    label = weeks.week_label(r.week)
    body = tx.RATING_BODY.format(unit=unit, week=label, score=tx.points(r.score), rank=r.rank,
                                 rating=r.rating, advice=advice)
    enqueue(session, ctx=ctx, recipients=[("unit", r.unit_id)], template="assessment_rating",
            payload={"title": tx.RATING_TITLE.format(week=label), "body": body, "week": label,  # dates, not 2025-W03
                     "rating": r.rating, "score": r.score, "rank": r.rank},
            key_parts=("rating", r.week, r.unit_id), now=now)


def confirm_ratings(session: Session, *, ctx: CampaignContext, week: str, now: dt.datetime, actor: str,
                    units: list[str] | None = None) -> ConfirmedRatings:
    """创卫办 confirms the week's proposed ratings: they are published (outbox, brief)."""
    campaign = ctx.campaign
    key = weeks.week_key(weeks.week_monday(week))
    only = _unit_ids(session, campaign, units)
    rows = [r for r in session.scalars(select(Rating).where(Rating.campaign_id == campaign.id, Rating.week == key,
                                                            Rating.status == PROPOSED))
            if only is None or r.unit_id in only]
    if not rows:
        raise Conflict(f"{key} 没有待确认的评级（请先运行 cw assess ratings --week {key}）")
    history = confirmed_history(session, campaign, key)
    for r in rows:
        r.status, r.confirmed_at, r.confirmed_by = CONFIRMED, now, actor
        r.red_streak = _streak(history, r.unit_id, key, r.rating)
    notified = _rating_notices(session, ctx, rows, now)
    colours = [r.rating for r in rows]
    enqueue(session, ctx=ctx, recipients=[("office", None)], template="assessment_rating",
                    payload={"title": tx.OFFICE_TITLE.format(week=weeks.week_label(key)),
                             "body": tx.OFFICE_BODY.format(week=weeks.week_label(key), n=len(rows), green=colours.count(rr.GREEN),
                                                           yellow=colours.count(rr.YELLOW), red=colours.count(rr.RED))},
                    key_parts=("rating-office", key, len(rows), now.isoformat()), now=now)
    record(session, campaign_id=campaign.id, action="assessment.confirm", object_type="week", object_id=None,
           now=now, actor=actor, detail={"week": key, "confirmed": len(rows)})
    interviews = recommend_interviews(session, ctx=ctx, ratings=rows, now=now, actor=actor)
    _yellow_on_red_streaks(session, ctx, rows, now)
    session.flush()
    return ConfirmedRatings(week=key, confirmed=len(rows), notified=notified, interviews=tuple(interviews))


def _yellow_on_red_streaks(session: Session, ctx: CampaignContext, rows: list[Rating], now: dt.datetime) -> None:
    """黄牌警告 proposed for units red N weeks running (``yellow_after_red_weeks``; once per unit and phase)."""
    ladder = ctx.policy.accountability
    if not ladder.yellow_after_red_weeks or not rows:
        return
    streaks = {r.unit_id: r.red_streak for r in rows if r.red_streak >= ladder.yellow_after_red_weeks}
    phase = phase_of_week(session, ctx.campaign, rows[0].week)
    if streaks and phase is not None:
        propose_repeats(session, campaign=ctx.campaign, ladder=ladder, unit_ids=sorted(streaks), phase_id=phase.id,
                        now=now, red_weeks=streaks)


def _phase(session: Session, campaign: Campaign, name: str) -> Phase:
    phase = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id, Phase.name == name)).first()
    if phase is None:
        raise NotFound(f"没有名为「{name}」的时段")
    return phase


def red_weeks_in(session: Session, campaign: Campaign, start: dt.date, end: dt.date) -> dict[int, int]:
    """Confirmed 红 weeks per unit among the ISO weeks that overlap ``[start, end]``."""
    first, last = weeks.week_key(start), weeks.week_key(end)
    rows = session.execute(select(Rating.unit_id, Rating.week).where(
        Rating.campaign_id == campaign.id, Rating.status == CONFIRMED, Rating.rating == rr.RED,
        Rating.week >= first, Rating.week <= last)).all()
    out: dict[int, int] = defaultdict(int)
    for unit_id, _ in rows:
        out[unit_id] += 1
    return out


def propose_commendations(session: Session, *, campaign: Campaign, phase: str, now: dt.datetime,
                          actor: str = SYSTEM) -> list[CommendationRow]:
    """表彰 candidates at the end of a phase: the best of each kind, 绿 score, no 红 week, a minimum
    workload (``commendation_min_due``) and no confirmed sanction in the phase."""
    period = phase_period(session, campaign, phase, now)
    if now < period.end:
        raise Conflict(f"{phase}时段尚未结束，不能提出表彰候选")
    p = _phase(session, campaign, phase)
    result = assess(session, campaign=campaign, period=period, now=now)
    spec = settings(campaign)
    entries = [rr.Entry(key=r.id, kind=r.kind, score=r.score, rank=r.rank, rating=None) for r in result.rows]
    sanctioned = set(session.scalars(select(Sanction.unit_id).where(
        Sanction.campaign_id == campaign.id, Sanction.phase_id == p.id, Sanction.state == CONFIRMED)))
    light = {r.id for r in result.rows if r.indicators.due < spec.commendation_min_due}
    chosen = rr.commendation_candidates(entries, red_weeks_in(session, campaign, p.start_date, p.end_date),
                                        spec.commendations, spec.ratings.green_min, spec.ranked_kinds,
                                        excluded=sanctioned | light)
    session.execute(delete(Commendation).where(Commendation.campaign_id == campaign.id,
                                               Commendation.phase_id == p.id, Commendation.status == PROPOSED))
    kept = set(session.scalars(select(Commendation.unit_id).where(Commendation.phase_id == p.id)))
    for e in chosen:
        if e.key in kept or e.rank is None or e.score is None:
            continue
        session.add(Commendation(campaign_id=campaign.id, phase_id=p.id, unit_id=e.key, unit_kind=e.kind,
                                 rank=e.rank, score=e.score, status=PROPOSED, proposed_at=now,
                                 reason=tx.COMMEND_REASON.format(phase=phase, score=tx.points(e.score), rank=e.rank)))
    record(session, campaign_id=campaign.id, action="assessment.commend", object_type="phase", object_id=p.id,
           now=now, actor=actor, detail={"candidates": [e.key for e in chosen]})
    session.flush()
    return list_commendations(session, campaign=campaign, phase=phase)


def list_commendations(session: Session, *, campaign: Campaign, phase: str) -> list[CommendationRow]:
    """表彰 candidates and confirmed commendations of a phase."""
    p = _phase(session, campaign, phase)
    rows = session.execute(select(Commendation, Unit.name).join(Unit, Unit.id == Commendation.unit_id)
                           .where(Commendation.phase_id == p.id)
                           .order_by(Commendation.unit_kind, Commendation.rank, Unit.name)).all()
    return [CommendationRow(unit_id=c.unit_id, unit=name, kind=c.unit_kind, rank=c.rank, score=c.score,
                            reason=c.reason, status=c.status) for c, name in rows]


def confirm_commendations(session: Session, *, ctx: CampaignContext, phase: str, now: dt.datetime, actor: str,
                          units: list[str] | None = None) -> ConfirmedCommendations:
    """创卫办 confirms 表彰: each unit is told, and the record is published."""
    campaign = ctx.campaign
    p = _phase(session, campaign, phase)
    only = _unit_ids(session, campaign, units)
    rows = [c for c in session.scalars(select(Commendation).where(Commendation.phase_id == p.id,
                                                                  Commendation.status == PROPOSED))
            if only is None or c.unit_id in only]
    if not rows:
        raise Conflict(f"{phase}时段没有待确认的表彰候选（请先运行 cw assess commend --phase {phase}）")
    for c in rows:
        c.status, c.confirmed_at, c.confirmed_by = CONFIRMED, now, actor
        unit = session.get(Unit, c.unit_id)
        enqueue(session, ctx=ctx, recipients=[("unit", c.unit_id), ("office", None)],
                template="commendation",
                payload={"title": tx.COMMEND_TITLE.format(phase=phase),
                         "body": tx.COMMEND_BODY.format(unit=unit.name if unit else "", phase=phase,
                                                        score=tx.points(c.score), rank=c.rank)},
                key_parts=("commendation", p.id, c.unit_id), now=now)
    record(session, campaign_id=campaign.id, action="assessment.commend_confirm", object_type="phase",
           object_id=p.id, now=now, actor=actor, detail={"units": [c.unit_id for c in rows]})
    session.flush()
    return ConfirmedCommendations(phase=phase, confirmed=len(rows), notified=len(rows))


def local_week(campaign: Campaign, now: dt.datetime) -> str:
    """The ISO week ``now`` falls in, in the campaign's time zone."""
    return weeks.week_key(now.astimezone(ZoneInfo(campaign.timezone)).date())



def scheduled_proposals(session: Session, *, ctx: CampaignContext, now: dt.datetime) -> ScheduledProposals:
    """What the weekly flow proposes: last week's ratings (inside the phases) and the 表彰
    candidates of every closed phase that has none yet; 创卫办 is told there is something to confirm."""
    campaign = ctx.campaign
    week = weeks.previous_week(local_week(campaign, now))
    phases = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id).order_by(Phase.seq)).all()
    monday = weeks.week_monday(week)
    inside = any(p.opened_at is not None and p.start_date <= monday + dt.timedelta(days=6) and monday <= p.end_date
                 for p in phases)
    proposed = propose_ratings(session, campaign=campaign, week=week, now=now) if inside else None
    done = set(session.scalars(select(Commendation.phase_id).where(Commendation.campaign_id == campaign.id)))
    tz = ZoneInfo(campaign.timezone)
    commendations: list[PhaseCandidates] = []
    for p in phases:
        ended = dt.datetime.combine(p.end_date + dt.timedelta(days=1), dt.time(0), tzinfo=tz) <= now
        if ended and p.closed_at is not None and p.id not in done:
            commendations.append(PhaseCandidates(phase=p.name, candidates=len(
                propose_commendations(session, campaign=campaign, phase=p.name, now=now))))
    if proposed or commendations:
        enqueue(session, ctx=ctx, recipients=[("office", None)], template="assessment_proposed",
                payload={"title": tx.PROPOSED_TITLE, "body": tx.PROPOSED_BODY.format(label=weeks.week_label(week), week=week)},
                key_parts=("assessment-proposed", week), now=now)
    return ScheduledProposals(campaign=campaign.code, week=proposed, commendations=tuple(commendations))
