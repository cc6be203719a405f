"""Open311 GeoReport v2 through real GeoReport clients from PyPI, against the app served on loopback.

``civicbot`` (its ``Open311Client``: services, POST requests, requests/{id}) and ``georeport``
(reads, JSON and XML) talk HTTP to the app under uvicorn on 127.0.0.1, on SQLite and
PostgreSQL; ``cw open311 keys add`` and ``cw complaints close`` run as the office would.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport
from sqlalchemy import select
from typer.testing import CliRunner

from maps.datum import wgs84_to_gcj02
from models import AuditEntry, Complaint, Finding, Open311Key
from services.campaigns.loading import get_campaign
from services.inspections import list_complaints
from services.inspections.rounds import unit_principal
from services.open311 import add_key, service_code
from tests.support.inspections import WANGJING_BUS_STOP, lead_of, lonlat, segment
from tests.web.conftest import at


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app under uvicorn on a free loopback port (its own thread); yields the Open311 root URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}/open311/v2"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def cw(db_url, tmp_path, monkeypatch):
    """``cw(*args)``: the real ``cw`` command on the test database; returns its output (exit code 0 asserted)."""
    monkeypatch.setenv("CW_DATABASE_URL", db_url)
    monkeypatch.setenv("CW_DATA_DIR", str(tmp_path / "cli"))
    from cli import app as cli_app

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli_app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    return run


def client(root: str, *, write: bool = True) -> Open311Client:
    endpoint = Endpoint(id="town", name="望京", base_url=root, write=write, api_key_required_for_write=False)
    return Open311Client(endpoint, HttpTransport(rate_limiter=RateLimiter(min_interval=0)))


def post(c: Open311Client, key: str | None, code: str, **form):
    return c.create_request(code, dry_run=False, confirm="SEND", api_key=key, **form).response


def issue_key(db, name: str = "测试系统", rate: int = 60) -> str:
    with db.unit_of_work() as s:
        return add_key(s, campaign=get_campaign(s), name=name, now=at("2025-01-20 09:00"), rate_per_minute=rate)[1]


def test_a_georeport_client_lists_services_files_a_request_with_a_key_and_sees_it_closed_by_the_office(
        served, cw, db, clock):
    out = cw("open311", "keys", "add", "--name", "微信小程序", "--now", "2025-01-20T09:00:00+08:00")
    key = out.strip().splitlines()[-1]
    assert key.startswith("o311_")
    c = client(served)

    services = c.list_services()
    by_name = {s["service_name"]: s for s in services}
    assert by_name["占道经营"]["service_code"] == service_code("占道经营")
    assert by_name["占道经营"]["group"] == "市容环境" and by_name["占道经营"]["type"] == "realtime"
    definition = c.get_service_definition(by_name["占道经营"]["service_code"])
    assert [a["code"] for a in definition["attributes"]] == ["datum"]

    lon, lat = lonlat(WANGJING_BUS_STOP)
    with pytest.raises(HttpError) as refused:
        post(c, None, by_name["占道经营"]["service_code"], lat=lat, lng=lon, description="公交站旁早点摊占道")
    assert refused.value.status == 403
    assert json.loads(refused.value.body)[0]["code"] == 403

    filed = post(c, key, by_name["占道经营"]["service_code"], lat=lat, lng=lon, description="公交站旁早点摊占道",
                 first_name="三", last_name="张", phone="13812341234", email="zhang@example.com",
                 media_url="https://img.example.com/1.jpg")
    rid = filed[0]["service_request_id"]
    with db.reader() as s:
        lead = lead_of(s, "LD-21")
        complaint = s.get(Complaint, int(rid))
        finding = s.scalars(select(Finding).where(Finding.complaint_id == complaint.id)).one()
        assert finding.segment_id == segment(s, "LD-21").id and finding.lead_unit_id == lead.id
        assert (complaint.channel, complaint.complainant_name, complaint.complainant_phone) == \
            ("Open311", "张三", "13812341234")
        campaign = get_campaign(s)
        mine = [r for r in list_complaints(s, campaign=campaign, principal=unit_principal(campaign, lead.id))
                if r.id == complaint.id]
        assert (mine[0].complainant, mine[0].phone) == ("张*", "138****1234")
    assert lead.name in filed[0]["service_notice"]

    request = c.get_request(rid)
    assert (request["status"], request["agency_responsible"], request["service_name"]) == ("open", lead.name, "占道经营")
    assert request["requested_datetime"] == "2025-01-20T10:00:00+08:00"
    assert request["expected_datetime"] == finding.deadline.astimezone(clock.now.tzinfo).isoformat()
    assert request["expected_datetime"] >= "2025-01-26"  # 12345's 5 工作日, not 占道经营's 1
    assert abs(request["lat"] - lat) < 1e-9 and abs(request["long"] - lon) < 1e-9
    assert request["media_url"] == "https://img.example.com/1.jpg"
    assert "13812341234" not in json.dumps(request) and "zhang@" not in json.dumps(request)

    clock.advance(hours=3)
    cw("complaints", "close", rid, "--note", "摊贩已劝离，早点摊已搬入便民市场", "--now", "2025-01-20T13:00:00+08:00")
    request = c.get_request(rid)
    assert (request["status"], request["status_notes"]) == ("closed", "摊贩已劝离，早点摊已搬入便民市场")
    assert request["updated_datetime"] == "2025-01-20T13:00:00+08:00" and request["expected_datetime"] is None
    with db.reader() as s:
        assert s.scalars(select(Finding.status).where(Finding.complaint_id == int(rid))).one() == "closed"
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action.like("open311.%"))).all()
        assert {a.actor for a in audit if a.action == "open311.request"} == {"Open311·微信小程序"}

    reader = GeoReport(served, output_format="xml")
    xml_request = reader.get_service_request(rid)
    assert (xml_request["status"], xml_request["status_notes"], xml_request["agency_responsible"]) == \
        ("closed", "摊贩已劝离，早点摊已搬入便民市场", lead.name)
    assert [r["service_request_id"] for r in GeoReport(served).get_service_requests(status="closed")] == [rid]
    assert GeoReport(served).get_service_requests(status="open") == []
    xml_services = reader.get_service_list()
    assert {s["service_name"] for s in xml_services} == set(by_name)
    assert reader.get_service_definition(service_code("其他"))["attributes"]["attribute"]["code"] == "datum"


def test_a_gcj02_point_with_the_datum_attribute_and_an_address_are_routed_like_a_12345_order(served, db):
    key = issue_key(db)
    c = client(served)
    lon, lat = lonlat(WANGJING_BUS_STOP)
    glon, glat = (float(v[0]) for v in wgs84_to_gcj02([lon], [lat]))
    gcj = post(c, key, "暴露垃圾", lat=glat, lng=glon, attributes={"datum": "gcj02"}, description="垃圾堆放")
    by_address = post(c, key, service_code("乱停乱放"), address_string="阜通东大街望京街至阜安路段 便利店门口",
                      description="车辆乱停堵住人行道")
    nowhere = post(c, key, service_code("其他"), address_string="不知道在哪里", description="噪音扰民")
    with db.reader() as s:
        lead21, lead17 = lead_of(s, "LD-21").name, lead_of(s, "LD-17").name
    first = c.get_request(gcj[0]["service_request_id"])
    assert first["agency_responsible"] == lead21
    assert abs(first["long"] - lon) < 1e-5 and abs(first["lat"] - lat) < 1e-5  # back in WGS-84
    assert c.get_request(by_address[0]["service_request_id"])["agency_responsible"] == lead17
    lost = c.get_request(nowhere[0]["service_request_id"])
    assert (lost["agency_responsible"], lost["status"]) == ("创卫办", "open") and "分派" in lost["status_notes"]
    listed = c.list_requests(service_request_ids=[gcj[0]["service_request_id"], by_address[0]["service_request_id"]])
    assert len(listed) == 2
    assert [r["service_name"] for r in c.list_requests(service_code=service_code("乱停乱放"))] == ["乱停乱放"]


def test_only_requests_filed_through_open311_are_published(served, db, clock):
    from services.campaigns.context import load_context
    from services.inspections import create_complaint

    with db.unit_of_work() as s:
        c12345 = create_complaint(s, ctx=load_context(s, campaign=get_campaign(s)), order_no="GD1", content="我家楼下",
                                  received_at=clock.now, now=clock.now, address="花家地北里",
                                  complainant_name="王五", complainant_phone="13600003333").id
    reader = GeoReport(served)
    assert reader.get_service_requests() == []
    with pytest.raises(Exception) as missing:
        reader.get_service_request(str(c12345))
    assert missing.value.response.status_code == 404


@pytest.fixture
def raw(app):
    """The app in-process (the ASGI app, no server) for the error cases."""
    from tests.web.conftest import TestClient

    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_errors_are_the_specification_list_in_json_and_xml_and_hostile_input_gives_no_5xx(raw, db, clock):
    key = issue_key(db, rate=1000)
    code = service_code("暴露垃圾")
    cases = [
        ({"service_code": code, "lat": "39.99"}, 400),
        ({"service_code": code}, 400),
        ({"service_code": "nope", "lat": "39.99", "long": "116.47"}, 400),
        ({"service_code": code, "lat": "nan", "long": "116.47"}, 400),
        ({"service_code": code, "lat": "1e999", "long": "1e999"}, 400),
        ({"service_code": code, "lat": "99", "long": "500"}, 400),
        ({"service_code": code, "lat": "39.99", "long": "116.47", "datum": "mars"}, 400),
        ({"service_code": code, "address_string": "x", "media_url": "javascript:alert(1)"}, 400),
        ({"service_code": code, "address_string": "x", "description": "长" * 4001}, 400),
        ({"service_code": code, "address_string": "x", "jurisdiction_id": "other"}, 404),
    ]
    for form, status in cases:
        r = raw.post("/open311/v2/requests.json", data={"api_key": key, **form})
        assert r.status_code == status, (form, r.text)
        body = r.json()
        assert body[0]["code"] == status and body[0]["description"], form
    r = raw.post("/open311/v2/requests.xml", data={"api_key": "o311_wrong", "service_code": code})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/xml")
    assert "<errors><error><code>403</code><description>" in r.text
    for path, status in [("/open311/v2/requests/abc.json", 404), ("/open311/v2/requests/99999999999999999999.json", 404),
                         ("/open311/v2/requests/1.html", 404), ("/open311/v2/nothing.json", 404),
                         ("/open311/v2/services/nope.xml", 404), ("/open311/v2/tokens/12.json", 404),
                         ("/open311/v2/requests.json?start_date=yesterday", 400),
                         ("/open311/v2/requests.json?start_date=2024-01-01T00:00:00Z&end_date=2024-12-31T00:00:00Z", 400),
                         ("/open311/v2/requests.json?status=pending", 400),
                         ("/open311/v2/requests.json?start_date=9999-12-31T00:00:00Z", 400),
                         ("/open311/v2/requests.json?end_date=0001-01-02T00:00:00", 400),
                         ("/open311/v2/requests.json?service_request_id=" + ",".join(["9" * 30] * 300), 200),
                         ("/open311/v2/requests.json?jurisdiction_id=" + "x" * 5000, 404)]:
        r = raw.get(path)
        assert r.status_code == status, (path, r.text)
        if status != 200:
            assert "<errors>" in r.text if ".xml" in path else r.json()[0]["code"] == status
    with db.reader() as s:
        assert s.scalars(select(Complaint)).all() == []  # nothing half-written


def test_a_key_is_rate_limited_audited_by_name_and_refused_once_revoked(raw, db, cw, clock):
    key = issue_key(db, name="数字城管", rate=2)
    form = {"api_key": key, "service_code": service_code("其他"), "address_string": "望京街"}
    assert raw.post("/open311/v2/requests.json", data=form).status_code == 200
    assert raw.get("/open311/v2/requests.json", params={"api_key": key}).status_code == 200
    limited = raw.post("/open311/v2/requests.json", data=form)
    assert limited.status_code == 429 and limited.json()[0]["code"] == 429 and int(limited.headers["Retry-After"]) > 0
    clock.advance(minutes=1)
    assert raw.post("/open311/v2/requests.json", data=form).status_code == 200
    with db.reader() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "open311.request")).all()
        assert [(a.actor, a.detail["method"]) for a in rows] == [("Open311·数字城管", "POST"), ("Open311·数字城管", "GET"),
                                                                ("Open311·数字城管", "POST")]
        stored = s.scalars(select(Open311Key)).one()
        assert key not in (stored.key_hash, stored.prefix) and stored.requests_total == 3
    listed = json.loads(cw("open311", "keys", "list", "--json"))
    assert [(k["name"], k["requests_total"], k["revoked_at"]) for k in listed] == [("数字城管", 3, None)]
    cw("open311", "keys", "revoke", "--name", "数字城管")
    clock.advance(minutes=1)
    refused = raw.post("/open311/v2/requests.json", data=form)
    assert refused.status_code == 403
    cw("open311", "keys", "add", "--name", "数字城管", code=2)  # names are unique per campaign


def test_discovery_announces_the_datum_extension_in_json_and_xml(raw):
    d = raw.get("/open311/v2/discovery.json").json()
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert d["endpoints"][0]["url"].endswith("/open311/v2")
    assert d["extensions"][0]["name"] == "datum" and "gcj02" in d["extensions"][0]["values"]
    xml = raw.get("/open311/discovery.xml").text
    assert "<discovery>" in xml and "<format>application/json</format>" in xml and "<name>datum</name>" in xml


def test_a_form_sent_as_raw_utf8_is_read_as_meant_and_a_multipart_upload_gives_no_5xx(raw, db):
    key = issue_key(db)
    body = f"api_key={key}&service_code=占道经营&address_string=望京街&description=早点摊".encode()
    r = raw.post("/open311/v2/requests.json", content=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert raw.get(f"/open311/v2/requests/{r.json()[0]['service_request_id']}.json").json()[0]["service_name"] == "占道经营"
    upload = raw.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "占道经营"},
                      files={"media": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")})
    assert upload.status_code in (400, 403) and upload.json()[0]["code"] == upload.status_code  # files: media_url
