"""约谈 recommendations from confirmed ratings, by the accountability ladder's one 约谈 rule.

``rules.accountability.interview_recommended`` decides; here on the red-rating streak, the
assessment's input (the 约谈 that confirmed 黄牌警告 call for is proposed when a card is confirmed,
``services.escalation.sanctions``), thresholds in ``escalation.accountability.interview``; a
recommendation is stored as a proposed ``Sanction`` of kind 约谈 that 创卫办 confirms or dismisses
like any other sanction. One 约谈 per unit and phase at most: once 创卫办 has decided on it (even
dismissed it), a longer streak in the same phase does not propose it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Campaign, Phase, Rating, Sanction, Unit
from models.accountability import UNIT
from rules import weeks
from rules.accountability import CONFIRMED, INTERVIEW, PROPOSED, YELLOW_CARD, interview_key, interview_recommended
from services.assessment import texts as tx
from services.campaigns.context import CampaignContext
from services.notifications.outbox import enqueue
from services.people.audit import SYSTEM, record


@dataclass(frozen=True, slots=True)
class InterviewProposal:
    """A 约谈 proposed for a unit: the streak and the yellow cards that called for it."""

    unit_id: int
    unit: str
    red_streak: int
    yellow_cards: int
    phase: str


def phase_of_week(session: Session, campaign: Campaign, week: str) -> Phase | None:
    """The sub-phase the week's Sunday falls in (a week is counted where it ends)."""
    sunday = weeks.week_monday(week) + dt.timedelta(days=6)
    return session.scalars(select(Phase).where(Phase.campaign_id == campaign.id, Phase.start_date <= sunday,
                                               Phase.end_date >= sunday)).first()


def yellow_cards(session: Session, campaign: Campaign, unit_ids: list[int]) -> dict[int, int]:
    """Confirmed 黄牌警告 per unit over the campaign (the 约谈 rule's input)."""
    rows = session.execute(select(Sanction.unit_id, func.count()).where(
        Sanction.campaign_id == campaign.id, Sanction.kind == YELLOW_CARD,
        Sanction.state == CONFIRMED, Sanction.unit_id.in_(unit_ids)).group_by(Sanction.unit_id)).all()
    return {u: int(n) for u, n in rows}


def _interviewed(session: Session, campaign: Campaign, phase_id: int) -> set[int]:
    """Units with a 约谈 of the phase already proposed, confirmed or dismissed by 创卫办."""
    return set(session.scalars(select(Sanction.unit_id).where(
        Sanction.campaign_id == campaign.id, Sanction.phase_id == phase_id, Sanction.kind == INTERVIEW)))


def recommend_interviews(session: Session, *, ctx: CampaignContext, ratings: list[Rating], now: dt.datetime,
                         actor: str = SYSTEM) -> list[InterviewProposal]:
    """Apply the 约谈 rule to the units of freshly confirmed ratings; propose where it says so."""
    campaign = ctx.campaign
    if not ratings:
        return []
    week = ratings[0].week
    phase = phase_of_week(session, campaign, week)
    if phase is None:
        return []
    rule = ctx.policy.accountability.interview
    yellow = yellow_cards(session, campaign, [r.unit_id for r in ratings])
    done = _interviewed(session, campaign, phase.id)
    names = dict(session.execute(select(Unit.id, Unit.name)
                                 .where(Unit.id.in_([r.unit_id for r in ratings]))).tuples().all())
    out = []
    for r in ratings:
        cards = yellow.get(r.unit_id, 0)
        # the cards' own 约谈 is proposed when the card is confirmed (services.escalation.sanctions);
        # here the red streak is the input, the cards only named in the reason
        if r.unit_id in done or not interview_recommended(rule, yellow_cards=0, red_streak=r.red_streak):
            continue
        reason = tx.INTERVIEW_REASON.format(phase=phase.name, week=weeks.week_label(week), streak=r.red_streak, cards=cards)
        session.add(Sanction(campaign_id=campaign.id, key=interview_key(phase.id, r.unit_id),
                             unit_id=r.unit_id, kind=INTERVIEW, state=PROPOSED, reason=reason, phase_id=phase.id,
                             object_type=UNIT, object_id=r.unit_id, proposed_at=now,
                             detail={"source": "assessment", "week": week, "red_streak": r.red_streak,
                                     "yellow_cards": cards}))
        record(session, campaign_id=campaign.id, action="assessment.interview", object_type="unit",
               object_id=r.unit_id, now=now, actor=actor, detail={"week": week, "red_streak": r.red_streak,
                                                                 "yellow_cards": cards})
        enqueue(session, ctx=ctx, recipients=[("office", None)], template="interview_proposed",
                payload={"title": tx.INTERVIEW_TITLE.format(unit=names.get(r.unit_id, "")),
                         "body": f"{names.get(r.unit_id, '')}：{reason}。请创卫办在工作台“处理建议”页审核确认。"},
                key_parts=("interview", phase.id, r.unit_id), now=now)
        out.append(InterviewProposal(unit_id=r.unit_id, unit=names.get(r.unit_id, ""), red_streak=r.red_streak,
                                     yellow_cards=cards, phase=phase.name))
    session.flush()
    return out
