"""Findings at real places of 望京 reach the right segment and units; duplicates, triage, 改派, 返工."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Finding, Problem, ProblemEvent, Task
from models.problems import LEVEL_MEMBER
from rules.errors import Conflict
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.checks import reinspect, report_rectified
from services.inspections.findings import assign_finding, find_duplicates, record_finding, return_finding
from tests.support.inspections import (
    GRID_OFFICE,
    HOUZHUANG_STOP,
    HYATT,
    WANGJING_BUS_STOP,
    at,
    lead_of,
    lonlat,
    open_first_phase,
    outbox_recipients,
    segment,
    unit,
    with_sink_targets,
)


@pytest.fixture
def campaign_db(db, example):
    open_first_phase(db)
    with_sink_targets(db)
    return db


def _record(db, osm_id: str, category: str = "占道经营", when: str = "2025-03-10 09:00", **kw) -> int:
    lon, lat = lonlat(osm_id)
    with db.unit_of_work() as s:
        return record_finding(s, ctx=load_context(s, campaign=get_campaign(s)), category=category, lon=lon, lat=lat, now=at(when),
                              actor="督查员", **kw).id


def test_a_finding_at_a_real_bus_stop_reaches_its_segment_lead_department_and_functional_departments(campaign_db):
    fid = _record(campaign_db, WANGJING_BUS_STOP, description="公交站旁流动摊贩占道经营")
    with campaign_db.reader() as s:
        f = s.get(Finding, fid)
        lead = lead_of(s, "LD-21")
        assert f.segment_id == segment(s, "LD-21").id and f.alley_id is None and f.status == "open"
        assert f.distance_m < 5 and f.lead_unit_id == lead.id
        assert f.deadline == at("2025-03-11 18:00")  # 占道经营: 1 工作日
        owners = {t.unit_id for t in s.scalars(select(Task).where(Task.finding_id == fid))}
        assert owners == {lead.id, unit(s, "县市场监督管理局").id, unit(s, "县城市管理局").id}
        tasks = list(s.scalars(select(Task).where(Task.finding_id == fid)))
        assert {(t.kind, t.template_id, t.status) for t in tasks} == {("rectify", None, "open")}
        problem = s.get(Problem, f.problem_id)  # it enters at the segment's participating units (example policy)
        assert (problem.level, problem.holder_unit_id, problem.source, problem.source_id) == (
            LEVEL_MEMBER, problem.unit_id, "finding", fid)
        assert problem.unit_id != lead.id
        told = {r for r, template, _ in outbox_recipients(s) if template == "rectification"}
        assert told == {f"unit:{u}" for u in owners}


def test_a_finding_on_an_alley_routes_to_the_parent_segments_units(campaign_db):
    fid = _record(campaign_db, GRID_OFFICE, category="暴露垃圾")
    with campaign_db.reader() as s:
        f = s.get(Finding, fid)
        assert f.alley_id == segment(s, "XD-53").id and f.segment_id == segment(s, "LD-27").id
        assert f.lead_unit_id == lead_of(s, "LD-27").id
        assert f.deadline == at("2025-03-11 09:00")  # 暴露垃圾: 24 紧急时


def test_a_finding_outside_every_buffer_lands_in_triage_and_the_office_assigns_it(campaign_db):
    fid = _record(campaign_db, HYATT, category="卫生死角")
    with campaign_db.reader() as s:
        f = s.get(Finding, fid)
        assert (f.status, f.segment_id, f.problem_id) == ("triage", None, None)
        assert not list(s.scalars(select(Task).where(Task.finding_id == fid)))
        assert [r for r, t, _ in outbox_recipients(s) if t == "triage"] == ["office:"]
    with campaign_db.unit_of_work() as s:
        assign_finding(s, ctx=load_context(s, campaign=get_campaign(s)), finding_id=fid, segment_code="LD-23", now=at("2025-03-10 10:00"))
    with campaign_db.reader() as s:
        f = s.get(Finding, fid)
        assert f.status == "open" and f.lead_unit_id == lead_of(s, "LD-23").id and f.problem_id is not None


def test_a_duplicate_within_50_m_of_an_open_finding_of_the_same_category_is_offered_and_can_be_merged(campaign_db):
    first = _record(campaign_db, WANGJING_BUS_STOP)
    lon, lat = lonlat(WANGJING_BUS_STOP)
    with campaign_db.unit_of_work() as s:
        c = get_campaign(s)
        near = find_duplicates(s, ctx=load_context(s, campaign=c), category="占道经营", lon=lon + 0.0003, lat=lat)  # ≈ 26 m east
        assert [i for i, _ in near] == [first] and 20 < near[0][1] < 30
        assert find_duplicates(s, ctx=load_context(s, campaign=c), category="占道经营", lon=lon + 0.0007, lat=lat) == []  # ≈ 60 m
        assert find_duplicates(s, ctx=load_context(s, campaign=c), category="暴露垃圾", lon=lon, lat=lat) == []
        with pytest.raises(Conflict) as offered:
            record_finding(s, ctx=load_context(s, campaign=c), category="占道经营", lon=lon + 0.0003, lat=lat, now=at("2025-03-10 11:00"))
        assert f"问题 {first}" in offered.value.details[0]
    with campaign_db.unit_of_work() as s:
        merged = record_finding(s, ctx=load_context(s, campaign=get_campaign(s)), category="占道经营", lon=lon + 0.0003, lat=lat,
                                now=at("2025-03-10 11:00"), merge_into=first)
        assert (merged.status, merged.merged_into_id) == ("merged", first)
        assert not list(s.scalars(select(Task).where(Task.finding_id == merged.id)))


def test_a_misrouted_finding_is_returned_by_its_lead_department_and_reassigned(campaign_db):
    fid = _record(campaign_db, HOUZHUANG_STOP, category="乱堆乱放")
    with campaign_db.unit_of_work() as s:
        c = get_campaign(s)
        wrong, right = lead_of(s, "LD-11"), lead_of(s, "LD-10")
        return_finding(s, ctx=load_context(s, campaign=c), finding_id=fid, unit_id=wrong.id, reason="该点位在侯庄路口南侧，属 LD-10",
                       now=at("2025-03-10 14:00"), actor=wrong.name)
        assert s.get(Finding, fid).status == "triage"
        assign_finding(s, ctx=load_context(s, campaign=c), finding_id=fid, segment_code="LD-10", now=at("2025-03-10 15:00"),
                       reason="牵头部门退回，改派")
    with campaign_db.reader() as s:
        f = s.get(Finding, fid)
        lead_task = s.scalars(select(Task).where(Task.finding_id == fid, Task.target_key == f"F{fid}:lead")).one()
        assert (f.status, f.segment_id, f.lead_unit_id) == ("open", segment(s, "LD-10").id, right.id)
        assert (lead_task.unit_id, lead_task.segment_id) == (right.id, f.segment_id)
        actions = [e.action for e in s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == f.problem_id)
                                                .order_by(ProblemEvent.id))]
        assert actions == ["raised", "returned", "assigned"]
        assert s.get(Problem, f.problem_id).holder_unit_id == right.id


def test_a_failed_reinspection_counts_rework_with_a_new_deadline_and_a_pass_closes_the_finding(campaign_db):
    fid = _record(campaign_db, WANGJING_BUS_STOP, category="卫生死角", when="2025-03-10 09:00")  # 2 工作日
    with campaign_db.unit_of_work() as s:
        c = get_campaign(s)
        report_rectified(s, ctx=load_context(s, campaign=c), finding_id=fid, now=at("2025-03-11 16:00"), actor="牵头部门", quantity=2)
        f = reinspect(s, ctx=load_context(s, campaign=c), finding_id=fid, passed=False, note="死角垃圾仍未清运", now=at("2025-03-13 10:00"))
        assert (f.status, f.rework_count, f.deadline) == ("open", 1, at("2025-03-17 18:00"))
    with campaign_db.reader() as s:
        tasks = list(s.scalars(select(Task).where(Task.finding_id == fid)))
        assert {(t.status, t.rework_count, t.deadline) for t in tasks} == {("open", 1, at("2025-03-17 18:00"))}
        problem = s.get(Problem, s.get(Finding, fid).problem_id)
        assert problem.rework_count == 1 and problem.closed_at is None and problem.level == LEVEL_MEMBER
        assert any(t == "rectification" and "返工" in p["title"] for _, t, p in outbox_recipients(s))
    with campaign_db.unit_of_work() as s:
        f = reinspect(s, ctx=load_context(s, campaign=get_campaign(s)), finding_id=fid, passed=True, now=at("2025-03-18 10:00"))
        assert f.status == "closed"
    with campaign_db.reader() as s:
        assert {t.status for t in s.scalars(select(Task).where(Task.finding_id == fid))} == {"verified"}
        assert s.get(Problem, s.get(Finding, fid).problem_id).status == "closed"
