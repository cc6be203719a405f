"""Several campaigns in one database: no query of one campaign sees or touches another's rows."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.synthetic_city import load
from models import Segment, Task
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.campaigns.status import campaign_status, rollup_status
from services.imports.segment_export import segments_geojson
from services.tasks.queries import list_tasks
from tests.conftest import at

NOW = at("2025-01-06 09:00")


def _two_campaigns(db, db_url, example):
    load(db_url, 60, code="other-county")
    with db.unit_of_work() as s:
        advance_phases(s, campaign=get_campaign(s, example), now=at("2025-01-02 00:05"))
        advance_phases(s, campaign=get_campaign(s, "other-county"), now=at("2025-01-02 00:05"))


def test_each_campaigns_status_tasks_and_export_hold_only_its_own_rows(db, db_url, example):
    _two_campaigns(db, db_url, example)
    with db.reader() as s:
        for code in (example, "other-county"):
            c = get_campaign(s, code)
            own_tasks = set(s.scalars(select(Task.id).where(Task.campaign_id == c.id)))
            own_codes = set(s.scalars(select(Segment.code).where(Segment.campaign_id == c.id)))
            listed = {t["id"] for t in list_tasks(s, campaign=c, now=NOW)}
            exported = {f["properties"]["路段编号"] for f in segments_geojson(s, campaign=c)["features"]}
            status = campaign_status(s, campaign=c, now=NOW)
            assert listed == own_tasks and exported == own_codes
            assert status["tasks"]["total"] == len(own_tasks)


def test_advancing_one_campaign_changes_nothing_in_the_other(db, db_url, example):
    _two_campaigns(db, db_url, example)
    with db.reader() as s:
        other = get_campaign(s, "other-county")
        before = s.scalar(select(func.count()).select_from(Task).where(Task.campaign_id == other.id))
    with db.unit_of_work() as s:
        advance_phases(s, campaign=get_campaign(s, example), now=at("2025-05-06 09:00"))
    with db.reader() as s:
        after = s.scalar(select(func.count()).select_from(Task).where(Task.campaign_id == other.id))
        phase = campaign_status(s, campaign=get_campaign(s, "other-county"), now=NOW)["phase"]
    assert after == before and phase == "起步"


def test_the_city_rollup_sums_its_counties(db, db_url, example):
    _two_campaigns(db, db_url, example)
    with db.reader() as s:
        roll = rollup_status(s, now=NOW)
    assert len(roll["campaigns"]) == 2
    assert roll["total"]["segments"] == sum(r["segments"] for r in roll["campaigns"])
    assert roll["total"]["tasks"]["total"] == sum(r["tasks"]["total"] for r in roll["campaigns"])
