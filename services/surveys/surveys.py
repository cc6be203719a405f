"""群众满意度测评: a public questionnaire per period; one answer per device, a cap per network address.

Residents answer 满意/基本满意/不满意 (optionally for a segment, with a comment) without signing in.
A device is a random cookie the page sets; the network address caps how many devices behind one
address may answer (an office network must still be able to answer, so the cap is generous).
Only hashes of both are stored. The satisfaction rate counts 满意 + 基本满意, like the 回访 of
complaints (``SATISFIED_RESULTS``); 90 % is the working threshold of the standard's item (五).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Assignment, Campaign, Segment, Survey, SurveyResponse
from rules.errors import Conflict, Forbidden, InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, SATISFIED_RESULTS, VisitResult
from services.campaigns.context import CampaignContext
from services.surveys import texts

#: answers one network address may give to one survey (a county office behind one NAT has a few hundred phones)
PER_ADDRESS = 300
_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")


def period_label(period: str) -> str:
    """2025Q1 → 2025年第一季度; 2025-03 → 2025年3月; 2025 → 2025年."""
    m = _PERIOD.match(period)
    if not m:
        return period
    year, q, month = m.groups()
    if q:
        return f"{year}年第{texts.QUARTERS[int(q) - 1]}季度"
    return f"{year}年{int(month)}月" if month else f"{year}年"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SurveyInfo:
    id: int
    code: str
    title: str
    period: str
    period_label: str
    path: str  # /s/<code>
    closed: bool


@dataclass(frozen=True)
class SegmentChoice:
    code: str
    name: str


@dataclass(frozen=True)
class SurveyPage:
    survey: SurveyInfo
    county: str
    segments: list[SegmentChoice]
    answers: tuple[str, ...]


@dataclass
class SegmentResult:
    segment: str
    name: str
    responses: int
    satisfied_rate: float | None


@dataclass
class SurveyResult:
    code: str
    title: str
    period: str
    period_label: str
    responses: int
    satisfied: int  # 满意
    fairly_satisfied: int  # 基本满意
    dissatisfied: int
    satisfied_rate: float | None  # (满意 + 基本满意) / responses
    by_segment: list[SegmentResult] = field(default_factory=list)


def _info(s: Survey) -> SurveyInfo:
    return SurveyInfo(id=s.id, code=s.code, title=s.title, period=s.period, period_label=period_label(s.period),
                      path=f"/s/{s.code}", closed=s.closed_at is not None)


def create_survey(session: Session, *, ctx: CampaignContext, title: str, period: str, now: dt.datetime,
                  per_address: int = PER_ADDRESS, actor: str = OFFICE_NAME) -> SurveyInfo:
    """Open a survey for ``period`` with an unguessable public code."""
    title, period = title.strip(), period.strip().upper()
    if not title or len(title) > 200:
        raise InvalidInput("测评标题不能为空，且不超过 200 字")
    if not _PERIOD.match(period):
        raise InvalidInput(texts.BAD_PERIOD.format(period=period))
    if per_address < 1:
        raise InvalidInput("每个网络地址的答卷上限至少为 1")
    s = Survey(campaign_id=ctx.id, code=secrets.token_urlsafe(9), title=title, period=period,
               per_address=per_address, opened_at=now, created_by=actor)
    session.add(s)
    session.flush()
    return _info(s)


def close_survey(session: Session, *, ctx: CampaignContext, code: str, now: dt.datetime) -> SurveyInfo:
    s = _survey(session, code)
    if s.campaign_id != ctx.id:
        raise NotFound(texts.NO_SURVEY)
    s.closed_at = s.closed_at or now
    return _info(s)


def _survey(session: Session, code: str) -> Survey:
    s = session.scalars(select(Survey).where(Survey.code == code)).first() if len(code) <= 32 else None
    if s is None:
        raise NotFound(texts.NO_SURVEY)
    return s


def survey_page(session: Session, *, code: str) -> SurveyPage:
    """What the public page shows: the survey, the county and the segments one may name."""
    s = _survey(session, code)
    county = session.scalar(select(Campaign.county).where(Campaign.id == s.campaign_id)) or ""
    segs = [SegmentChoice(code=c, name=n) for c, n in session.execute(
        select(Segment.code, Segment.name).where(Segment.campaign_id == s.campaign_id, Segment.kind == "路段")
        .order_by(Segment.code))]
    return SurveyPage(survey=_info(s), county=county, segments=segs, answers=tuple(VisitResult))


def answer_survey(session: Session, *, code: str, device: str, address: str, answer: str, now: dt.datetime,
                  segment: str | None = None, comment: str | None = None) -> SurveyInfo:
    """Record one device's answer; refuse a second one from the device or one past the address's cap."""
    s = _survey(session, code)
    if s.closed_at is not None:
        raise Conflict(texts.CLOSED)
    if answer not in set(VisitResult):
        raise InvalidInput(texts.BAD_ANSWER)
    seg_id = None
    if segment:
        seg_id = session.scalar(select(Segment.id).where(Segment.campaign_id == s.campaign_id,
                                                         Segment.code == segment[:40]))
        if seg_id is None:
            raise InvalidInput(texts.NO_SEGMENT)
    dev, addr = digest(f"{s.code}:{device}"), digest(f"{s.code}:{address}")
    if session.scalar(select(SurveyResponse.id).where(SurveyResponse.survey_id == s.id,
                                                      SurveyResponse.device == dev)) is not None:
        raise Conflict(texts.ALREADY)
    used = session.scalar(select(func.count()).select_from(SurveyResponse)
                          .where(SurveyResponse.survey_id == s.id, SurveyResponse.address == addr)) or 0
    if used >= s.per_address:
        raise Forbidden(texts.ADDRESS_FULL)
    text = (comment or "").strip()[:texts.COMMENT_MAX] or None
    try:
        with session.begin_nested():
            session.add(SurveyResponse(survey_id=s.id, device=dev, address=addr, answer=answer, segment_id=seg_id,
                                       comment=text, created_at=now))
    except IntegrityError:  # the same device twice at the same moment
        raise Conflict(texts.ALREADY) from None
    return _info(s)


def _rate(counts: dict[str, int]) -> float | None:
    n = sum(counts.values())
    return round(sum(counts.get(a, 0) for a in SATISFIED_RESULTS) / n, 4) if n else None


def survey_results(session: Session, *, ctx: CampaignContext, code: str | None = None,
                   period: str | None = None) -> list[SurveyResult]:
    """Each survey's responses and satisfaction rate (满意 + 基本满意), newest first, by segment where given."""
    q = select(Survey).where(Survey.campaign_id == ctx.id)
    if code:
        q = q.where(Survey.code == code)
    if period:
        q = q.where(Survey.period == period.strip().upper())
    surveys = list(session.scalars(q.order_by(Survey.opened_at.desc(), Survey.id.desc())))
    if code and not surveys:
        raise NotFound(texts.NO_SURVEY)
    names = {i: (c, n) for i, c, n in session.execute(select(Segment.id, Segment.code, Segment.name)
                                                      .where(Segment.campaign_id == ctx.id))}
    out = []
    for s in surveys:
        counts: dict[str, int] = {}
        per_seg: dict[int, dict[str, int]] = {}
        for answer, seg, n in session.execute(select(SurveyResponse.answer, SurveyResponse.segment_id, func.count())
                                              .where(SurveyResponse.survey_id == s.id)
                                              .group_by(SurveyResponse.answer, SurveyResponse.segment_id)):
            counts[answer] = counts.get(answer, 0) + n
            if seg is not None:
                per_seg.setdefault(seg, {})[answer] = n
        by_segment = [SegmentResult(segment=names[k][0], name=names[k][1], responses=sum(v.values()),
                                    satisfied_rate=_rate(v)) for k, v in sorted(per_seg.items()) if k in names]
        out.append(SurveyResult(code=s.code, title=s.title, period=s.period, period_label=period_label(s.period),
                                responses=sum(counts.values()), satisfied=counts.get(VisitResult.SATISFIED, 0),
                                fairly_satisfied=counts.get(VisitResult.FAIRLY_SATISFIED, 0),
                                dissatisfied=counts.get(VisitResult.DISSATISFIED, 0), satisfied_rate=_rate(counts),
                                by_segment=by_segment))
    return out


def satisfaction_by(session: Session, *, campaign_id: int, start: dt.datetime, as_of: dt.datetime,
                    by: str) -> list[tuple[int, int, int]]:
    """(key, answers, satisfied) of answers in ``[start, as_of)`` that name a 路段: per segment id
    (``by='segment'``) or per the unit that led the segment when the answer came (``by='unit'``)."""
    happy = func.sum(case((SurveyResponse.answer.in_(SATISFIED_RESULTS), 1), else_=0))
    when = and_(SurveyResponse.created_at >= start, SurveyResponse.created_at < as_of,
                SurveyResponse.segment_id.is_not(None), Survey.campaign_id == campaign_id)
    if by == "segment":
        key: Any = SurveyResponse.segment_id
        q = select(key, func.count(SurveyResponse.id), happy).join(Survey, Survey.id == SurveyResponse.survey_id)
    else:
        held = and_(Assignment.segment_id == SurveyResponse.segment_id, Assignment.valid_from <= SurveyResponse.created_at,
                    or_(Assignment.valid_to.is_(None), Assignment.valid_to > SurveyResponse.created_at))
        key = Assignment.lead_unit_id
        q = (select(key, func.count(SurveyResponse.id), happy).join(Survey, Survey.id == SurveyResponse.survey_id)
             .join(Assignment, held))
    return [(k, int(n), int(h or 0)) for k, n, h in session.execute(q.where(when).group_by(key))]


def qr_png(url: str) -> bytes | None:
    """A QR code of ``url`` as PNG for posters, or None when no QR library (segno) is installed."""
    try:
        import segno
    except ImportError:
        return None
    import io

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10, border=4)
    return buf.getvalue()
