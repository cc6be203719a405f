"""Several campaigns in one database: no query of one campaign sees or touches another's rows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.synthetic_city import load
from models import Segment, Task
from services.campaigns.context import load_context
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
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s, example)), now=at("2025-01-02 00:05"))
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s, "other-county")), now=at("2025-01-02 00:05"))


def test_each_campaigns_status_tasks_and_export_hold_only_its_own_rows(db, db_url, example):
    _two_campaigns(db, db_url, example)
    with db.reader() as s:
        all_tasks = set(s.scalars(select(Task.id)))
        all_segments = s.scalar(select(func.count()).select_from(Segment))
        seen_tasks: set[int] = set()
        segments_seen = 0
        for code in (example, "other-county"):
            c = get_campaign(s, code)
            own_tasks = set(s.scalars(select(Task.id).where(Task.campaign_id == c.id)))
            own_codes = set(s.scalars(select(Segment.code).where(Segment.campaign_id == c.id)))
            assert own_tasks and own_codes, code  # both campaigns have rows, so equality means something
            assert own_tasks < all_tasks  # … and the other campaign has rows that must stay out
            listed = {t.id for t in list_tasks(s, campaign=c, now=NOW)}
            exported = {f["properties"]["路段编号"] for f in segments_geojson(s, campaign=c)["features"]}
            status = campaign_status(s, ctx=load_context(s, campaign=c), now=NOW)
            assert listed == own_tasks and exported == own_codes
            assert status.tasks.total == len(own_tasks)
            seen_tasks |= listed
            segments_seen += len(exported)
    assert seen_tasks == all_tasks and segments_seen == all_segments  # each row listed by exactly its campaign


def test_advancing_one_campaign_changes_nothing_in_the_other(db, db_url, example):
    _two_campaigns(db, db_url, example)
    def task_counts(s: Session) -> list[int]:
        return [s.scalar(select(func.count()).select_from(Task).where(Task.campaign_id == get_campaign(s, code).id))
                for code in (example, "other-county")]

    with db.reader() as s:
        own_before, before = task_counts(s)
    with db.unit_of_work() as s:
        advance_phases(s, ctx=load_context(s, campaign=get_campaign(s, example)), now=at("2025-05-06 09:00"))
    with db.reader() as s:
        own_after, after = task_counts(s)
        phase = campaign_status(s, ctx=load_context(s, campaign=get_campaign(s, "other-county")), now=NOW).phase
    assert before > 0 and own_after > own_before  # the advance did create tasks, only in its own campaign
    assert after == before and phase == "起步"


def test_the_city_rollup_sums_its_counties(db, db_url, example):
    _two_campaigns(db, db_url, example)
    with db.reader() as s:
        roll = rollup_status(s, now=NOW)
    assert len(roll.campaigns) == 2
    assert all(r.segments > 0 and r.tasks.total > 0 for r in roll.campaigns)
    assert roll.total.segments == sum(r.segments for r in roll.campaigns)
    assert roll.total.tasks.total == sum(r.tasks.total for r in roll.campaigns)


def test_each_unit_of_work_loads_its_own_campaigns_context(db, db_url, example):
    _two_campaigns(db, db_url, example)
    with db.unit_of_work() as s:
        own = load_context(s, campaign=get_campaign(s, example))
        own.campaign.spec = {**own.campaign.spec, "escalation": {
            **own.campaign.spec["escalation"],
            "accountability": {**own.campaign.spec["escalation"]["accountability"], "notice_prefix": "改后督办"}}}
    with db.reader() as s:
        mine = load_context(s, campaign=get_campaign(s, example))
        other = load_context(s, campaign_id=get_campaign(s, "other-county").id)
        seg_of = dict(s.execute(select(Segment.id, Segment.campaign_id)).all())
        assert (mine.code, other.code) == (mine.spec.campaign.code, other.spec.campaign.code) == (example, "other-county")
        assert mine.policy.notice_prefix == "改后督办"  # the change is seen by the next unit of work: nothing cached
        assert other.policy.notice_prefix != "改后督办"
        for ctx in (mine, other):
            routed = {seg_of[i] for i in ctx.router.parent}
            held = ctx.holders(now=NOW)
            assert routed == {ctx.id} and {seg_of[i] for i in held.by_segment} == {ctx.id}
            assert held.by_segment  # both campaigns hold segments, so the equality above means something
