"""Open311 intake and the office's close, at the service level, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Complaint, Finding, Open311Key, Open311Request, Problem, Task
from rules.errors import Conflict, Forbidden, InvalidInput, NotFound, Throttled
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections import close_complaint, create_complaint
from services.open311 import add_key, file_request, get_request, list_requests, revoke_key, service_code, use_key
from tests.support.inspections import WANGJING_BUS_STOP, at, lead_of, lonlat, open_first_phase

NOW = at("2025-01-20 10:00")


def _key(db, name: str = "小程序", rate: int = 60) -> str:
    with db.unit_of_work() as s:
        return add_key(s, campaign=get_campaign(s), name=name, now=NOW, rate_per_minute=rate)[1]


def _file(db, raw: str, **form: str) -> str:
    with db.unit_of_work() as s:
        holder = use_key(s, raw=raw, now=NOW, method="POST", path="/open311/v2/requests.json")
        ctx = load_context(s, campaign=get_campaign(s))
        return file_request(s, ctx=ctx, holder=holder, params=form, now=NOW).service_request_id


def _point() -> dict[str, str]:
    lon, lat = lonlat(WANGJING_BUS_STOP)
    return {"lat": str(lat), "long": str(lon)}


def test_before_the_first_phase_opens_a_request_is_kept_on_its_segment_for_the_office(db, example):
    raw = _key(db)
    rid = _file(db, raw, service_code=service_code("暴露垃圾"), description="垃圾", **_point())
    with db.reader() as s:
        f = s.scalars(select(Finding).where(Finding.complaint_id == int(rid))).one()
        assert (f.status, f.lead_unit_id, f.problem_id) == ("triage", None, None)
        shown = get_request(s, ctx=load_context(s, campaign=get_campaign(s)), request_id=rid)
        assert shown.agency_responsible == lead_of(s, "LD-21").name and shown.status == "open"


def test_the_office_closes_a_complaint_with_a_note_its_tasks_verified_and_its_problem_closed(db, example):
    open_first_phase(db)
    raw = _key(db)
    rid = int(_file(db, raw, service_code="占道经营", description="占道", first_name="三", last_name="张",
                    phone="13812341234", email="z@example.com", **_point()))
    with db.unit_of_work() as s:
        ctx = load_context(s, campaign=get_campaign(s))
        with pytest.raises(InvalidInput):
            close_complaint(s, ctx=ctx, complaint_id=rid, note="  ", now=NOW)
        with pytest.raises(NotFound):
            close_complaint(s, ctx=ctx, complaint_id=rid + 100, note="好", now=NOW)
    with db.unit_of_work() as s:
        close_complaint(s, ctx=load_context(s, campaign=get_campaign(s)), complaint_id=rid, note="已劝离",
                        now=at("2025-01-21 09:00"))
    with db.unit_of_work() as s:
        with pytest.raises(Conflict):
            close_complaint(s, ctx=load_context(s, campaign=get_campaign(s)), complaint_id=rid, note="再次", now=NOW)
    with db.reader() as s:
        c = s.get(Complaint, rid)
        f = s.scalars(select(Finding).where(Finding.complaint_id == rid)).one()
        assert (c.status, c.close_note, c.closed_at) == ("closed", "已劝离", at("2025-01-21 09:00"))
        assert f.status == "closed" and s.get(Problem, f.problem_id).status == "closed"
        assert {t.status for t in s.scalars(select(Task).where(Task.finding_id == f.id))} == {"verified"}
        request = s.scalars(select(Open311Request)).one()
        assert (request.email, c.order_no) == ("z@example.com", "OPEN311-000001")
        ctx = load_context(s, campaign=get_campaign(s))
        (shown,) = list_requests(s, ctx=ctx, now=at("2025-01-22 09:00"), status="closed")
        assert (shown.status_notes, shown.updated_datetime) == ("已劝离", at("2025-01-21 09:00"))
        assert list_requests(s, ctx=ctx, now=at("2025-01-22 09:00"), status="open") == []
        assert list_requests(s, ctx=ctx, now=at("2025-06-22 09:00")) == []  # older than the last 90 days
        assert len(list_requests(s, ctx=ctx, now=NOW, start_date="2025-01-01T00:00:00+08:00")) == 1


def test_a_12345_complaint_is_closed_the_same_way_and_never_shown_through_open311(db, example):
    open_first_phase(db)
    with db.unit_of_work() as s:
        cid = create_complaint(s, ctx=load_context(s, campaign=get_campaign(s)), order_no="GD1", content="来电",
                               received_at=NOW, now=NOW, address="望京街").id
    with db.unit_of_work() as s:
        close_complaint(s, ctx=load_context(s, campaign=get_campaign(s)), complaint_id=cid, note="已答复", now=NOW)
    with db.reader() as s:
        assert s.get(Complaint, cid).status == "closed"
        with pytest.raises(NotFound):
            get_request(s, ctx=load_context(s, campaign=get_campaign(s)), request_id=str(cid))


def test_keys_are_stored_hashed_limited_per_minute_and_refused_once_revoked(db, example):
    raw = _key(db, name="志愿者", rate=1)
    with db.unit_of_work() as s:
        use_key(s, raw=raw, now=NOW, method="GET", path="/x")
    with db.unit_of_work() as s, pytest.raises(Throttled) as limited:
        use_key(s, raw=raw, now=at("2025-01-20 10:00:30"), method="GET", path="/x")
    assert limited.value.retry_after == 31
    with db.unit_of_work() as s:
        use_key(s, raw=raw, now=at("2025-01-20 10:01"), method="GET", path="/x")
    with db.unit_of_work() as s:
        key = s.scalars(select(Open311Key)).one()
        assert raw not in (key.key_hash, key.prefix) and key.requests_total == 2
        revoke_key(s, campaign=get_campaign(s), name="志愿者", now=NOW)
    for bad in (raw, None, "o311_guess"):
        with db.unit_of_work() as s, pytest.raises(Forbidden):
            use_key(s, raw=bad, now=at("2025-01-20 11:00"), method="GET", path="/x")
    with db.unit_of_work() as s:
        with pytest.raises(Conflict):
            add_key(s, campaign=get_campaign(s), name="志愿者", now=NOW)
        with pytest.raises(InvalidInput):
            add_key(s, campaign=get_campaign(s), name="", now=NOW)
