"""考核: indicators, composite scores and rankings per unit (or 路段) per week, phase or campaign.

The counts come from ``services.assessment.counts``, the formulas from ``rules.scores``, the
weights, tiers and thresholds from the campaign file's ``assessment:`` section. Units are
ranked only against units of their own kind. The stored record (ratings proposed and
confirmed, 表彰) is ``services.assessment.record``; the brief's 红榜/黑榜 reads confirmed
ratings through ``ranking_for_brief``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.assessment import AssessmentSpec
from models import Campaign, Phase, Rating, Segment, Stage, Unit
from models.assessment import CONFIRMED
from models.geo import SEGMENT as SEGMENT_KIND
from rules import ratings as rr
from rules import scores as rs
from rules import weeks
from rules.errors import InvalidInput, NotFound
from rules.times import day_span
from services.assessment import texts as tx
from services.assessment.counts import SEGMENT, UNIT, gather
from services.briefs.sections import RankingRow, RankingSection
from services.campaigns.spec import campaign_spec

WEEK, PHASE, WHOLE = "week", "phase", "campaign"


@dataclass(frozen=True)
class Period:
    """A window ``[start, end)`` assessed as of ``as_of`` = min(end, now)."""

    kind: str  # week | phase | campaign
    key: str  # 2025-W10 | 起步 | 全程
    label: str
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime


@dataclass(frozen=True)
class Result:
    """One unit's (or segment's) line of the ranking."""

    id: int
    name: str
    kind: str
    indicators: rs.Indicators
    score: float | None
    rank: int | None
    ranked: int  # how many of its kind have a rank
    movement: int | None
    rating: str | None  # weeks only


@dataclass(frozen=True, slots=True)
class RankingLine:
    """A ranking line as plain values (the keys of ``texts.COLUMNS``); ratios in [0, 1] or None (无数据)."""

    id: int
    kind: str
    rank: int | None
    ranked: int  # how many of its kind have a rank
    name: str
    score: float | None
    rating: str | None  # weeks only
    movement: int | None
    due: int
    handled: int
    on_time: int
    verified: int
    overdue: int
    completion_rate: float | None
    on_time_rate: float | None
    checks: int
    rework: int
    rework_rate: float | None
    load_points: float
    findings: int
    rectification_due: int
    rectification_rate: float | None
    escalated: int
    complaints: int
    visits: int
    satisfaction_rate: float | None


@dataclass(frozen=True)
class Assessment:
    period: Period
    by: str
    rows: list[Result]

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(r.kind for r in self.rows))


def settings(campaign: Campaign) -> AssessmentSpec:
    """The campaign's ``assessment:`` section."""
    return campaign_spec(campaign).assessment


def weights(spec: AssessmentSpec) -> rs.Weights:
    return rs.Weights(**spec.weights.model_dump())


def tiers(spec: AssessmentSpec) -> rs.LoadTiers:
    return tuple((t.upto, t.points) for t in spec.load_tiers)


def thresholds(spec: AssessmentSpec) -> rr.Thresholds:
    r = spec.ratings
    return rr.Thresholds(green_min=r.green_min, yellow_min=r.yellow_min, red_overdue_min=r.red_overdue_min)


def _local(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def _period(kind: str, key: str, label: str, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Period:
    if now <= start:
        raise InvalidInput(f"{key} 尚未开始，没有可考核的数据")
    return Period(kind, key, label, start, end, min(end, now))


def week_period(campaign: Campaign, week: str, now: dt.datetime) -> Period:
    """The ISO week ``2025-W10``: Monday 00:00 to the next Monday 00:00, local time."""
    tz = ZoneInfo(campaign.timezone)
    monday = weeks.week_monday(week)
    label = weeks.week_label(week)
    return _period(WEEK, weeks.week_key(monday), label, _local(monday, tz), _local(monday + dt.timedelta(days=7), tz),
                   now)


def phase_period(session: Session, campaign: Campaign, name: str, now: dt.datetime) -> Period:
    """A sub-phase (时段) from its first day 00:00 to the day after its last."""
    phase = session.scalars(select(Phase).where(Phase.campaign_id == campaign.id, Phase.name == name)).first()
    if phase is None:
        known = "、".join(session.scalars(select(Phase.name).where(Phase.campaign_id == campaign.id)
                                         .order_by(Phase.seq))) or "（无）"
        raise NotFound(f"没有名为「{name}」的时段（可选：{known}）")
    tz = ZoneInfo(campaign.timezone)
    label = tx.PHASE_LABEL.format(name=phase.name, span=day_span(phase.start_date, phase.end_date))
    return _period(PHASE, phase.name, label, _local(phase.start_date, tz),
                   _local(phase.end_date + dt.timedelta(days=1), tz), now)


def whole_period(session: Session, campaign: Campaign, now: dt.datetime) -> Period:
    """The whole campaign, first stage's first day to last stage's last day."""
    first, last = session.execute(select(func.min(Stage.start_date), func.max(Stage.end_date))
                                  .where(Stage.campaign_id == campaign.id)).one()
    tz = ZoneInfo(campaign.timezone)
    return _period(WHOLE, tx.WHOLE, tx.WHOLE_LABEL.format(span=day_span(first, last)), _local(first, tz),
                   _local(last + dt.timedelta(days=1), tz), now)


def period_for(session: Session, campaign: Campaign, *, now: dt.datetime, week: str | None = None,
               phase: str | None = None, whole: bool = False) -> Period:
    """The period a command names: a week, a phase or the whole campaign (default: last week)."""
    if sum(x is not None and x is not False for x in (week, phase, whole or None)) > 1:
        raise InvalidInput("--week、--phase 与 --whole 只能选一个")
    if phase:
        return phase_period(session, campaign, phase, now)
    if whole:
        return whole_period(session, campaign, now)
    if week is None:
        week = weeks.previous_week(weeks.week_key(now.astimezone(ZoneInfo(campaign.timezone)).date()))
    return week_period(campaign, week, now)


def previous_period(session: Session, campaign: Campaign, period: Period, now: dt.datetime) -> Period | None:
    """The period movements are measured against: the week before, the phase before, none."""
    if period.kind == WEEK:
        return week_period(campaign, weeks.previous_week(period.key), now)
    if period.kind == PHASE:
        seq = select(Phase.seq).where(Phase.campaign_id == campaign.id, Phase.name == period.key).scalar_subquery()
        before = session.scalars(select(Phase.name).where(Phase.campaign_id == campaign.id, Phase.seq < seq)
                                 .order_by(Phase.seq.desc())).first()
        return phase_period(session, campaign, before, now) if before else None
    return None


def subjects(session: Session, campaign: Campaign, by: str) -> list[tuple[int, str, str]]:
    """(id, name, kind) of what is ranked: units of the ranked kinds, or the 路段."""
    if by == SEGMENT:
        rows = session.execute(select(Segment.id, Segment.code, Segment.name).where(
            Segment.campaign_id == campaign.id, Segment.kind == SEGMENT_KIND).order_by(Segment.code)).all()
        return [(i, f"{code} {name}", tx.SEGMENTS) for i, code, name in rows]
    kinds = settings(campaign).ranked_kinds
    rows = session.execute(select(Unit.id, Unit.name, Unit.kind).where(
        Unit.campaign_id == campaign.id, Unit.kind.in_(kinds)).order_by(Unit.id)).all()
    return sorted(((i, n, k) for i, n, k in rows), key=lambda r: kinds.index(r[2]))


def _scores(session: Session, campaign: Campaign, period: Period, by: str, who: list[tuple[int, str, str]]
            ) -> tuple[dict[int, rs.Indicators], dict[int, float | None], dict[int, int | None]]:
    spec = settings(campaign)
    counts = gather(session, campaign_id=campaign.id, start=period.start, as_of=period.as_of, by=by)
    backlog = rs.Backlog(weight=spec.backlog_weight, cap=spec.backlog_cap)
    ind = {i: rs.indicators(counts.get(i, rs.Counts()), tiers(spec), backlog) for i, _, _ in who}
    score = {i: rs.composite(ind[i], weights(spec), tiers(spec)) for i in ind}
    return ind, score, rs.rank_within({i: k for i, _, k in who}, score)


def assess(session: Session, *, campaign: Campaign, period: Period, now: dt.datetime, by: str = UNIT) -> Assessment:
    """Indicators, scores, ranks within each kind and movements since the previous period."""
    if by not in (UNIT, SEGMENT):
        raise InvalidInput(f"未知的考核对象 {by}（可选：unit、segment）")
    who = subjects(session, campaign, by)
    ind, score, ranks = _scores(session, campaign, period, by, who)
    before = previous_period(session, campaign, period, now) if period.kind != WHOLE else None
    prev_ranks = _scores(session, campaign, before, by, who)[2] if before else {}
    moved = rs.movements(ranks, prev_ranks)
    th = thresholds(settings(campaign))
    kinds = list(dict.fromkeys(k for _, _, k in who))
    ranked = {k: sum(1 for i, _, kk in who if kk == k and ranks[i] is not None) for k in kinds}
    rows = [Result(id=i, name=n, kind=k, indicators=ind[i], score=score[i], rank=ranks[i], ranked=ranked[k],
                   movement=moved[i],
                   rating=rr.rate(score[i], ind[i].counts.overdue, th) if period.kind == WEEK else None)
            for i, n, k in who]
    rows.sort(key=lambda r: (kinds.index(r.kind), r.rank is None, r.rank or 0, r.name))
    return Assessment(period=period, by=by, rows=rows)


def ranking_line(r: Result) -> RankingLine:
    """A ranking line as plain values."""
    ind, c = r.indicators, r.indicators.counts
    return RankingLine(id=r.id, kind=r.kind, rank=r.rank, ranked=r.ranked, name=r.name, score=r.score,
                       rating=r.rating, movement=r.movement, due=ind.due, handled=c.handled, on_time=c.on_time,
                       verified=c.verified, overdue=c.overdue, completion_rate=ind.completion_rate,
                       on_time_rate=ind.on_time_rate, checks=c.checks, rework=c.rework,
                       rework_rate=ind.rework_rate, load_points=ind.load_points, findings=c.findings,
                       rectification_due=ind.rectification_due, rectification_rate=ind.rectification_rate,
                       escalated=c.escalated, complaints=c.complaints, visits=c.visits,
                       satisfaction_rate=ind.satisfaction_rate)


def ranking_for_brief(session: Session, campaign: Campaign, week_key: str) -> RankingSection | None:
    """红榜/黑榜 of a week from the confirmed ratings; None when none is confirmed."""
    rows = session.execute(select(Rating, Unit.name).join(Unit, Unit.id == Rating.unit_id).where(
        Rating.campaign_id == campaign.id, Rating.week == week_key, Rating.status == CONFIRMED)).all()
    if not rows:
        return None
    by_id = {r.unit_id: (r, name) for r, name in rows}
    entries = [rr.Entry(key=r.unit_id, kind=r.unit_kind, score=r.score, rank=r.rank, rating=r.rating)
               for r, _ in rows]
    spec = settings(campaign)
    red, black = rr.boards(entries, spec.board_size, spec.ranked_kinds)

    def line(e: rr.Entry[int]) -> RankingRow:
        rating, name = by_id[e.key]
        assert e.rank is not None  # the boards hold ranked entries only
        note = tx.STREAK.format(n=rating.red_streak) if rating.red_streak > 1 else ""
        return RankingRow(rank=e.rank, unit=name, unit_kind=e.kind, score=e.score, rating=e.rating, note=note)

    return RankingSection(period=week_key, red=[line(e) for e in red], black=[line(e) for e in black])


def brief_ranking(session: Session, *, campaign: Campaign, start: dt.datetime, as_of: dt.datetime,
                  photo_dir: Path | None = None) -> RankingSection | None:
    """The brief's hook (``services.briefs.sections``): the week's confirmed 红榜/黑榜, or None."""
    week = weeks.week_key(start.astimezone(ZoneInfo(campaign.timezone)).date())
    return ranking_for_brief(session, campaign, week)
