"""群众满意度测评 answers feed the 满意率 indicator of the segment they name and of its lead department."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Assignment, Segment
from rules.errors import Conflict, InvalidInput
from services.assessment.counts import SEGMENT, UNIT, gather
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.surveys import answer_survey, create_survey, survey_results
from tests.conftest import at


def test_answers_naming_a_segment_count_towards_its_satisfaction_rate(db, example):
    with db.unit_of_work() as s:
        code = create_survey(s, ctx=load_context(s, campaign=get_campaign(s)), title="测评", period="2025-03",
                             now=at("2025-03-01 09:00")).code
        for k, answer in enumerate(["满意", "基本满意", "不满意", "满意"]):
            answer_survey(s, code=code, device=f"phone-{k}", address="10.0.0.1", answer=answer,
                          segment="LD-03" if k < 3 else None, now=at("2025-03-05 10:00"))
    with db.reader() as s:
        seg = s.scalars(select(Segment).where(Segment.code == "LD-03")).one()
        lead = s.scalars(select(Assignment.lead_unit_id).where(Assignment.segment_id == seg.id)).one()
        by_seg = gather(s, campaign_id=seg.campaign_id, start=at("2025-03-01 00:00"), as_of=at("2025-04-01 00:00"),
                        by=SEGMENT)
        by_unit = gather(s, campaign_id=seg.campaign_id, start=at("2025-03-01 00:00"), as_of=at("2025-04-01 00:00"),
                         by=UNIT)
        result = survey_results(s, ctx=load_context(s, campaign=get_campaign(s)))[0]
    assert (by_seg[seg.id].visits, by_seg[seg.id].satisfied) == (3, 2)
    assert (by_unit[lead].visits, by_unit[lead].satisfied) == (3, 2)
    assert (result.responses, result.satisfied_rate, result.period_label) == (4, 0.75, "2025年3月")


def test_a_device_answers_once_and_a_bad_period_is_refused(db, example):
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        with pytest.raises(InvalidInput):
            create_survey(s, ctx=ctx, title="测评", period="2025-W03", now=at("2025-03-01 09:00"))
        code = create_survey(s, ctx=ctx, title="测评", period="2025", now=at("2025-03-01 09:00")).code
        answer_survey(s, code=code, device="phone", address="a", answer="满意", now=at("2025-03-05 10:00"))
    with pytest.raises(Conflict), db.unit_of_work() as s:
        answer_survey(s, code=code, device="phone", address="b", answer="不满意", now=at("2025-03-05 10:01"))
    with db.reader() as s:
        assert survey_results(s, ctx=load_context(s, campaign=get_campaign(s)), code=code)[0].responses == 1
