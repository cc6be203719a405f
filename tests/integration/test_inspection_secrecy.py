"""An unannounced round (暗访) stays invisible to the inspected units until it is published."""

from __future__ import annotations

import datetime as dt

import pytest
from shapely.geometry import shape
from sqlalchemy import select

from models import Finding, Inspection, InspectionStop, Segment, Task, Unit
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections.brief_sections import brief_findings
from services.inspections.checks import list_findings
from services.inspections.findings import record_finding
from services.inspections.planning import plan_week
from services.inspections.rounds import (
    brief_inspection_points,
    list_plans,
    office_principal,
    publish_inspection,
    unit_principal,
)
from services.tasks.queries import list_tasks
from tests.support.inspections import at, open_first_phase, outbox_recipients, with_sink_targets

PLANNED = at("2025-04-28 07:30")
FOUND = at("2025-04-29 10:00")


@pytest.fixture
def secret_round(db, example):
    """Week 18 planned (every kind), a finding recorded during its 暗访 round; returns ids."""
    open_first_phase(db)
    with_sink_targets(db)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        plans = {p.kind: p for p in plan_week(s, ctx=load_context(s, campaign=c), week="2025-W18", now=PLANNED, seed=7)}
        secret = plans["暗访"].id
        stop = s.scalars(select(InspectionStop).where(InspectionStop.inspection_id == secret,
                                                      InspectionStop.place_id.is_(None))
                         .order_by(InspectionStop.id)).first()
        seg = s.get(Segment, stop.segment_id)
        mid = shape(seg.geometry).interpolate(0.5, normalized=True)
        office = s.scalar(select(Unit.id).where(Unit.kind == "创卫办"))
        finding = record_finding(s, ctx=load_context(s, campaign=c), category="暴露垃圾", lon=mid.x, lat=mid.y, now=FOUND,
                                 inspection_id=secret, inspector_unit_id=office, actor="暗访组").id
        inspected = {u for u in s.scalars(select(InspectionStop.inspected_unit_id)
                                          .where(InspectionStop.inspection_id == secret)) if u}
        units = list(s.scalars(select(Unit.id).where(Unit.kind != "创卫办")))
    return {"secret": secret, "finding": finding, "inspected": inspected, "units": units, "office": office}


def test_an_unannounced_inspection_is_hidden_from_every_inspected_unit_before_publication(db, secret_round):
    secret, fid = secret_round["secret"], secret_round["finding"]
    assert secret_round["inspected"]
    with db.reader() as s:
        c = get_campaign(s)
        assert s.get(Finding, fid).status == "pending"
        for unit_id in secret_round["units"]:
            viewer = unit_principal(c, unit_id)
            plans = list_plans(s, principal=viewer)
            assert plans and secret not in {p.id for p in plans}  # the announced rounds are there
            assert fid not in {f.id for f in list_findings(s, campaign=c, principal=viewer, now=FOUND)}
            name = s.get(Unit, unit_id).name
            assert all(t.title != "整改：暴露垃圾" for t in list_tasks(s, campaign=c, now=FOUND, unit=name))
        assert not list(s.scalars(select(Task).where(Task.finding_id == fid)))  # nothing to leak through tasks
        office = office_principal(c)
        assert secret in {p.id for p in list_plans(s, principal=office)}
        assert fid in {f.id for f in list_findings(s, campaign=c, principal=office, now=FOUND)}


def test_an_unannounced_inspection_notifies_the_inspectors_only(db, secret_round):
    with db.reader() as s:
        messages = outbox_recipients(s)
        about_secret = {r for r, _, p in messages if p.get("inspection_id") == secret_round["secret"]}
        # the only target here ("sink") is every unit's default too: not office-only, so the plan is not sent
        # (issue 16; test_unannounced_notices walks a campaign with an office-only target)
        assert about_secret == set()
        inspected = {f"unit:{u}" for u in secret_round["inspected"]}
        assert not [r for r, t, p in messages if r in inspected and (p.get("confidential") or t != "inspection_plan")]
        # the only unit messages are the announced rounds' plans for their own inspectors
        told_units = {r for r, _, _ in messages if r.startswith("unit:")}
        cross = s.scalar(select(Inspection.id).where(Inspection.kind == "交叉"))
        inspectors = set(s.scalars(select(InspectionStop.inspector_unit_id)
                                   .where(InspectionStop.inspection_id == cross)))
        assert {r for r in told_units} == {f"unit:{u}" for u in inspectors}


def test_an_unannounced_inspection_stays_out_of_the_brief_until_published(db, secret_round):
    window = {"start": at("2025-04-28 00:00"), "as_of": at("2025-05-04 23:59")}
    with db.reader() as s:
        c = get_campaign(s)
        secret_stops = set(s.scalars(select(InspectionStop.id)
                                     .where(InspectionStop.inspection_id == secret_round["secret"])))
        points = brief_inspection_points(s, campaign=c, **window)
        assert points and not {p.id for p in points} & secret_stops
        assert brief_findings(s, campaign=c, **window) is None
    with db.unit_of_work() as s:
        publish_inspection(s, ctx=load_context(s, campaign=get_campaign(s)), inspection_id=secret_round["secret"],
                           now=at("2025-04-30 17:00"))
    with db.reader() as s:
        c = get_campaign(s)
        assert secret_stops <= {p.id for p in brief_inspection_points(s, campaign=c, **window)}
        section = brief_findings(s, campaign=c, **window)
        assert [(x.category, x.new) for x in section.by_category] == [("暴露垃圾", 1)]


def test_publishing_an_unannounced_inspection_shows_it_and_hands_its_findings_to_the_units(db, secret_round):
    with db.unit_of_work() as s:
        result = publish_inspection(s, ctx=load_context(s, campaign=get_campaign(s)), inspection_id=secret_round["secret"],
                                    now=at("2025-04-30 17:00"))
    assert result["dispatched"] == 1
    with db.reader() as s:
        c = get_campaign(s)
        f = s.get(Finding, secret_round["finding"])
        assert f.status == "open" and f.deadline == at("2025-04-30 17:00") + dt.timedelta(hours=24)
        viewer = unit_principal(c, f.lead_unit_id)
        assert secret_round["secret"] in {p.id for p in list_plans(s, principal=viewer)}
        assert f.id in {x.id for x in list_findings(s, campaign=c, principal=viewer, now=at("2025-04-30 17:00"))}
        assert f"unit:{f.lead_unit_id}" in {r for r, t, _ in outbox_recipients(s) if t == "rectification"}
