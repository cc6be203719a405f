"""Assessment counts from findings, re-inspections, complaints and escalations written by their own
services (SQLite and PostgreSQL): each source lands on the unit that answers for it."""

from __future__ import annotations

from models import Finding, Problem
from models.people import ROLE_UNIT
from rules import ladders as L
from services.assessment.ranking import assess, week_period
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.escalation.problems import act
from services.inspections.checks import reinspect, report_rectified
from services.inspections.complaints import complaint_finding, create_complaint, visit_complaint
from services.inspections.findings import record_finding
from services.people.auth import Principal
from tests.support.inspections import HOUZHUANG_STOP, WANGJING_BUS_STOP, at, lead_of, lonlat, open_first_phase, unit


def _week(db, week="2025-W11", now="2025-03-17 08:00"):
    with db.reader() as s:
        c = get_campaign(s)
        rows = assess(s, campaign=c, period=week_period(c, week, at(now)), now=at(now)).rows
    return {r.name: r.indicators for r in rows}


def test_assess_counts_findings_failed_reinspections_complaints_and_escalations_per_unit(db, example):
    open_first_phase(db)
    lon, lat = lonlat(WANGJING_BUS_STOP)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        f = record_finding(s, ctx=load_context(s, campaign=c), category="占道经营", lon=lon, lat=lat, now=at("2025-03-10 09:00"),
                           actor="督查员")
        fid, lead, market = f.id, lead_of(s, "LD-21"), unit(s, "县市场监督管理局")
        lead_id, lead_name, market_name = lead.id, lead.name, market.name
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=fid, now=at("2025-03-10 16:00"), actor=lead_name)
    with db.unit_of_work() as s:
        reinspect(s, ctx=load_context(s, campaign=get_campaign(s)), finding_id=fid, passed=False, now=at("2025-03-11 10:00"),
                  note="仍有摊点")
    with db.unit_of_work() as s:
        c = get_campaign(s)
        problem_id = s.get(Finding, fid).problem_id
        # the finding's problem entered at the segment's participating unit, which asks for coordination first
        member = s.get(Problem, problem_id).holder_unit_id
        act(s, ctx=load_context(s, campaign=c), problem_id=problem_id, kind=L.C_ESCALATE, reason="需牵头部门协调",
            actor=Principal(campaign_id=c.id, role=ROLE_UNIT, name="参与单位", unit_id=member),
            now=at("2025-03-12 09:00"))
        act(s, ctx=load_context(s, campaign=c), problem_id=problem_id, kind=L.C_ESCALATE, reason="涉及多个部门，协调不了",
            actor=Principal(campaign_id=c.id, role=ROLE_UNIT, name=lead_name, unit_id=lead_id),
            now=at("2025-03-12 10:00"))
    hlon, hlat = lonlat(HOUZHUANG_STOP)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        complaint = create_complaint(s, ctx=load_context(s, campaign=c), order_no="GD-0001", content="路口垃圾无人清理",
                                     received_at=at("2025-03-10 08:30"), now=at("2025-03-10 08:35"), lon=hlon, lat=hlat)
        cf = complaint_finding(s, complaint)
        other_lead = lead_of(s, "LD-11").name
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=cf.id, now=at("2025-03-11 15:00"), actor=other_lead)
        complaint_id = complaint.id
    with db.unit_of_work() as s:
        visit_complaint(s, ctx=load_context(s, campaign=get_campaign(s)), complaint_id=complaint_id, result="不满意",
                        now=at("2025-03-12 09:00"), note="还有垃圾")

    week = _week(db)
    lead_ind, market_ind = week[lead_name].counts, week[market_name].counts
    assert (lead_ind.findings, lead_ind.checks, lead_ind.rework, lead_ind.escalated) == (1, 1, 1, 1)
    assert (market_ind.findings, market_ind.checks, market_ind.rework, market_ind.escalated) == (1, 1, 1, 0)
    assert lead_ind.rect_handled == 0 and lead_ind.rect_overdue == 1  # reopened by the 返工, new deadline passed
    assert other_lead != lead_name
    other = week[other_lead]
    assert (other.counts.complaints, other.counts.visits, other.counts.satisfied) == (1, 1, 0)
    assert other.satisfaction_rate == 0.0 and other.counts.rework == 1 and other.counts.findings == 1
    quiet = _week(db, "2025-W09", "2025-03-17 08:00")[lead_name].counts
    assert (quiet.findings, quiet.checks, quiet.escalated, quiet.complaints) == (0, 0, 0, 0)
