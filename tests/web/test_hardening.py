"""Hardening of the web app (issue 16): what broke under attack stays fixed, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from models import AuditEntry, AuthToken
from services.campaigns.loading import get_campaign
from services.people import set_password
from services.people.throttle import ADDRESS_LIMIT, LOCK_AFTER, PHONE_LIMIT
from tests.web.conftest import TestClient, csrf_of, jpeg
from web.deps import MAX_ID


def _token(client: TestClient, phone: str, password: str) -> TestClient:
    return client.post("/api/auth/token", json={"phone": phone, "password": password})


def test_wrong_passwords_for_one_phone_are_throttled_with_retry_after_and_audited(client, town, clock, db):
    phone = town.unit_a.phone
    for _ in range(PHONE_LIMIT):
        assert _token(client, phone, "wrong-password").status_code == 401
    refused = _token(client, phone, "password-unit_a")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0 and "分钟" in refused.json()["detail"]
    with db.reader() as s:
        actions = [a for a, in s.execute(select(AuditEntry.action).where(AuditEntry.object_type == "user",
                                                                           AuditEntry.object_id == town.unit_a.id))]
    assert actions.count("sign_in_failed") == PHONE_LIMIT and "sign_in_refused" in actions
    clock.advance(seconds=int(refused.headers["Retry-After"]))
    assert _token(client, phone, "password-unit_a").status_code == 200


def test_the_sign_in_page_is_throttled_too(client, town):
    for _ in range(PHONE_LIMIT):
        assert client.post("/login", data={"phone": town.unit_b.phone, "password": "nope-nope"}).status_code == 401
    page = client.post("/login", data={"phone": town.unit_b.phone, "password": "password-unit_b"})
    assert page.status_code == 429 and page.headers["Retry-After"] and "次数过多" in page.text


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(client, town, clock):
    phone = town.office.phone
    for n in range(LOCK_AFTER):
        if n and n % PHONE_LIMIT == 0:
            clock.advance(minutes=6)  # past the per-phone window, still inside the lockout's hour
        assert _token(client, phone, f"guess-{n:04d}").status_code == 401
    locked = _token(client, phone, "password-office")
    assert locked.status_code == 429 and "锁定" in locked.json()["detail"]
    clock.advance(seconds=int(locked.headers["Retry-After"]))
    assert _token(client, phone, "password-office").status_code == 200


def test_one_address_guessing_many_phones_is_throttled(client, town):
    for n in range(ADDRESS_LIMIT):
        assert _token(client, f"1390000{n:04d}", "whatever-1").status_code == 401
    assert _token(client, town.inspector.phone, "password-inspector").status_code == 429


def test_the_right_password_clears_the_phones_count(client, town):
    phone = town.leader_a.phone
    for _ in range(PHONE_LIMIT - 1):
        assert _token(client, phone, "wrong-password").status_code == 401
    assert _token(client, phone, "password-leader_a").status_code == 200
    for _ in range(PHONE_LIMIT - 1):
        assert _token(client, phone, "wrong-password").status_code == 401
    assert _token(client, phone, "password-leader_a").status_code == 200


def test_a_password_change_ends_the_users_sessions_and_api_tokens(app, api_for, browser_for, town, db, clock):
    api, page = api_for(town.unit_a), browser_for(town.unit_a)
    assert api.get("/api/me").status_code == 200 and page.get("/tasks").status_code == 200
    with db.unit_of_work() as s:
        set_password(s, campaign=get_campaign(s), phone=town.unit_a.phone, password="brand-new-pass", now=clock.now)
    clock.advance(seconds=30)  # past the worker's few-second token cache
    assert api.get("/api/me").status_code == 401
    assert page.get("/tasks").status_code == 303
    with db.reader() as s:
        left = s.scalars(select(AuthToken).where(AuthToken.user_id == town.unit_a.id, AuthToken.kind != "link",
                                                 AuthToken.revoked_at.is_(None))).all()
    assert left == []
    assert _token(TestClient(app), town.unit_a.phone, "brand-new-pass").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/api/me", "/static/map.js", "/vendor/leaflet.js", "/api/tasks/1",
                                  "/no/such/page", "/docs", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert len(r.headers["X-Request-ID"]) == 12


@pytest.mark.parametrize("path", ["/api/tasks/{big}", "/api/photos/{big}", "/api/photos/{big}/thumb"])
def test_ids_past_the_database_integer_are_refused_with_422(api_for, town, path):
    for big in (2**63, MAX_ID + 1, 0, -1):
        r = api_for(town.office).get(path.format(big=big))
        assert r.status_code == 422 and r.json()["detail"] and isinstance(r.json()["details"], list)


def test_undo_tick_and_verify_with_huge_ids_or_versions_are_422_not_500(api_for, town):
    office = api_for(town.office)
    assert office.post(f"/api/tasks/{2**63}/undo").status_code == 422
    assert office.post(f"/api/tasks/{2**63}/verify", json={"verdict": "pass"}).status_code == 422
    assert office.post(f"/api/tasks/{town.task_a}/verify",
                       json={"verdict": "pass", "version": 2**64}).status_code == 422
    assert office.post(f"/api/tasks/{2**63}/ticks", data={"note": "x"}).status_code == 422
    assert office.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x", "version": str(2**70)}).status_code == 422


def test_a_page_with_a_huge_id_is_not_found(browser_for, town):
    assert browser_for(town.unit_a).get(f"/tasks/{2**64}").status_code == 404


def test_the_openapi_document_describes_error_bodies_as_they_are_sent(client):
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    op = spec["paths"]["/api/tasks/{task_id}"]["get"]
    assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    param = next(p for p in op["parameters"] if p["name"] == "task_id")
    assert param["schema"]["maximum"] == MAX_ID
    assert "429" in spec["paths"]["/api/auth/token"]["post"]["responses"]


def test_an_unexpected_error_logs_its_traceback_with_the_request_id_shown_to_the_user(app, client, caplog):
    @app.get("/api/boom")
    def boom() -> None:
        raise ZeroDivisionError("boom")

    with caplog.at_level(logging.ERROR, logger="chuangwei.web"):
        r = client.get("/api/boom")
    rid = r.headers["X-Request-ID"]
    assert r.status_code == 500 and rid in r.json()["detail"] and "系统内部出错" in r.json()["detail"]
    record = next(x for x in caplog.records if rid in x.getMessage())
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError


def test_an_upload_without_a_valid_token_is_refused_before_its_body_is_read(client, town):
    def body():
        yield b"--x\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n\r\n"
        for _ in range(64):
            yield b"\0" * 65536

    headers = {"content-type": "multipart/form-data; boundary=x", "authorization": "Bearer not-a-token"}
    r = client.post(f"/api/tasks/{town.task_a}/ticks", content=body(), headers=headers)
    assert r.status_code == 401 and r.json()["detail"]


def test_a_chunked_json_body_past_the_limit_is_refused_with_413(client):
    def body():
        yield b'{"phone": "'
        for _ in range(200):
            yield b"1" * 65536

    r = client.post("/api/auth/token", content=body(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "上传内容过大" in r.json()["detail"]


def test_a_signed_in_upload_still_works_through_the_guard(api_for, town, clock):
    r = api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "已清理"},
                                  files=[("photos", ("a.jpg", jpeg(taken=clock.now - dt.timedelta(hours=1)),
                                                     "image/jpeg"))])
    assert r.status_code == 201, r.text


def test_a_page_upload_checks_the_session_cookie_before_the_body(browser_for, client, town):
    unit = browser_for(town.unit_a)
    ok = unit.post(f"/tasks/{town.task_a}/tick", data={"note": "好了", "csrf": csrf_of(unit)},
                   files=[("photos", ("a.jpg", jpeg(), "image/jpeg"))])
    assert ok.status_code == 303 and "msg=ticked" in ok.headers["location"]
    stranger = client.post(f"/tasks/{town.task_a2}/tick", data={"note": "x"},
                           files=[("photos", ("a.jpg", jpeg(), "image/jpeg"))])
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/login")


def test_public_forms_posted_as_multipart_are_not_asked_to_sign_in_first(client, town):
    r = client.post("/login", data={"phone": town.office.phone, "password": "password-office"},
                    files={"unused": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 303 and "cw_session" in r.cookies
