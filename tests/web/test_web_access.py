"""Who may see and do what, on the pages and the API, for every role; cross-unit access is 404."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import UNIT_A, csrf_of, jpeg


def test_web_healthz_answers_without_signing_in_and_root_sends_visitors_to_sign_in(client):
    assert client.get("/healthz").status_code == 200
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in page.text and 'lang="zh-CN"' in page.text


def test_web_root_sends_a_signed_in_person_to_their_tasks(browser_for, town):
    r = browser_for(town.unit_a).get("/")
    assert r.status_code == 303 and r.headers["location"] == "/tasks"


def test_web_pages_redirect_to_sign_in_and_come_back_afterwards(client, town):
    r = client.get(f"/tasks/{town.task_a}")
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/tasks/{town.task_a}"
    r = client.post("/login", data={"phone": town.unit_a.phone, "password": "password-unit_a",
                                    "next": f"/tasks/{town.task_a}"})
    assert r.status_code == 303 and r.headers["location"] == f"/tasks/{town.task_a}"
    assert client.get(f"/tasks/{town.task_a}").status_code == 200


def test_web_password_sign_in_refuses_a_wrong_password_and_never_redirects_off_site(client, town):
    r = client.post("/login", data={"phone": town.unit_a.phone, "password": "wrong-password"})
    assert r.status_code == 401 and "手机号或密码不正确" in r.text
    r = client.post("/login", data={"phone": town.unit_a.phone, "password": "password-unit_a",
                                    "next": "//evil.example/x"})
    assert r.headers["location"] == "/tasks"


def test_web_sign_in_link_works_once_and_get_does_not_use_it(client, db, town):
    from tests.web.conftest import link_token

    token = link_token(db, town.unit_a)
    assert "确认登录" in client.get(f"/l/{token}").text  # a chat app's preview must not use the link
    assert client.post(f"/l/{token}").status_code == 303
    client.cookies.clear()
    again = client.post(f"/l/{token}")
    assert again.status_code == 401 and "已使用" in again.text


def test_every_api_route_but_sign_in_answers_401_without_a_token(client, town):
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    probed = 0
    for path, ops in spec["paths"].items():
        for method in ops:
            if path == "/api/auth/token":
                continue
            url = re.sub(r"\{\w+\}", "1", path.replace("{task_id}", str(town.task_a)).replace("{code}", town.segment_a))
            r = client.request(method.upper(), url)
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
            probed += 1
            assert ops[method].get("security"), f"{path} does not declare the bearer scheme"
    assert probed >= 10


def test_web_api_refuses_a_made_up_token_and_a_session_cookie_without_bearer(client, browser_for, town):
    assert client.get("/api/tasks", headers={"Authorization": "Bearer made-up"}).status_code == 401
    page_client = browser_for(town.unit_a)
    assert page_client.get("/api/tasks").status_code == 401  # cookies do not authenticate the API (CSRF)


def test_web_docs_page_is_served_locally_in_chinese(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "接口文档" in r.text and "/api/tasks" in r.text
    assert "cdn" not in r.text.lower() and "<script src=\"http" not in r.text


def test_web_unit_contact_sees_only_their_units_tasks_on_every_page(browser_for, api_for, town):
    a = browser_for(town.unit_a)
    board = a.get("/tasks")
    assert board.status_code == 200 and f"/tasks/{town.task_a}" in board.text
    assert f"/tasks/{town.task_b}\"" not in board.text
    assert a.get(f"/tasks/{town.task_b}").status_code == 404
    office = api_for(town.office)
    seg_b = office.get(f"/api/segments/{town.segment_b}").json()
    assert UNIT_A not in [seg_b["lead_unit"], *seg_b["members"]]
    assert a.get(f"/segments/{town.segment_b}").status_code == 404  # not on that segment: not found
    seg_a = office.get(f"/api/segments/{town.segment_a}").json()
    others = [t["id"] for t in seg_a["tasks"] if t["unit"] != UNIT_A]
    assert seg_a["lead_unit"] == UNIT_A
    assert others, "other units should have open tasks on unit A's segment"
    page = a.get(f"/segments/{town.segment_a}")  # a unit on the segment sees it, but only its own tasks there
    assert page.status_code == 200 and f"/tasks/{town.task_a}\"" in page.text
    assert not [t for t in others if f"/tasks/{t}\"" in page.text]
    assert a.get("/verify").status_code == 403
    assert a.get("/tasks/999999").status_code == 404


@pytest.mark.parametrize("path", ["/tasks/{id}", "/tasks/{id}/ticks", "/tasks/{id}/undo", "/tasks/{id}/verify"])
def test_web_api_gives_404_for_another_units_task_whatever_the_method(api_for, town, path):
    b = api_for(town.unit_b)
    url = "/api" + path.format(id=town.task_a)
    if path == "/tasks/{id}":
        r = b.get(url)
    elif path.endswith("verify"):
        r = b.post(url, json={"verdict": "pass"})
    else:
        r = b.post(url, data={"note": "冒充"}, files=[("photos", ("x.jpg", jpeg(), "image/jpeg"))])
    assert r.status_code == 404, r.text
    assert r.json()["detail"].startswith("找不到任务")


def test_web_forms_for_another_units_task_are_404_and_change_nothing(browser_for, api_for, town):
    b = browser_for(town.unit_b)
    for action, data in (("tick", {"note": "冒充打卡", "version": "1"}), ("undo", {}),
                         ("verify", {"verdict": "pass"})):
        r = b.post(f"/tasks/{town.task_a}/{action}", data={"csrf": csrf_of(b), **data})
        assert r.status_code == 404, (action, r.status_code)
        assert "找不到" in r.text
    task = api_for(town.office).get(f"/api/tasks/{town.task_a}").json()
    assert task["status"] == "open" and task["ticks"] == [] and task["version"] == 1


def test_web_photos_of_another_units_tick_are_404(api_for, browser_for, town):
    a = api_for(town.unit_a)
    tick = a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"},
                  files=[("photos", ("a.jpg", jpeg(), "image/jpeg"))]).json()
    photo = tick["photos"][0]["id"]
    assert a.get(f"/api/photos/{photo}").status_code == 200
    assert a.get(f"/api/photos/{photo}/thumb").headers["content-type"] == "image/jpeg"
    assert api_for(town.unit_b).get(f"/api/photos/{photo}").status_code == 404
    assert browser_for(town.unit_b).get(f"/photos/{photo}/thumb").status_code == 404
    assert api_for(town.leader_a).get(f"/api/photos/{photo}").status_code == 200  # their segment
    assert api_for(town.inspector).get(f"/api/photos/{photo}").status_code == 200


def test_web_leader_reads_their_segments_but_cannot_tick_or_verify(api_for, browser_for, town):
    leader = api_for(town.leader_a)
    ids = {t["id"] for t in leader.get("/api/tasks?status=all").json()}
    assert town.task_a in ids and town.task_b not in ids
    assert leader.get(f"/api/tasks/{town.task_b}").status_code == 404
    assert leader.get(f"/api/segments/{town.segment_b}").status_code == 404
    seg = leader.get(f"/api/segments/{town.segment_a}").json()
    assert seg["code"] == town.segment_a and seg["leader"] == town.leader_a.name and seg["tasks"]
    r = leader.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "领导代打卡"})
    assert r.status_code == 403 and "无权打卡" in r.json()["detail"]
    assert leader.post(f"/api/tasks/{town.task_a}/verify", json={"verdict": "pass"}).status_code == 403
    assert leader.get("/api/verification/queue").status_code == 403
    page = browser_for(town.leader_a).get(f"/segments/{town.segment_a}")
    assert page.status_code == 200 and "包段县级领导" in page.text and 'id="segment-map"' in page.text


def test_web_inspector_verifies_but_may_not_tick(api_for, town):
    inspector = api_for(town.inspector)
    assert inspector.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "x"}).status_code == 403
    api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"})
    assert [i["task"]["id"] for i in inspector.get("/api/verification/queue").json()] == [town.task_a]
    r = inspector.post(f"/api/tasks/{town.task_a}/verify", json={"verdict": "pass"})
    assert r.status_code == 200 and r.json()["verdict"] == "pass"


def test_web_office_sees_every_task_and_may_tick_for_a_unit(api_for, town):
    office = api_for(town.office)
    ids = {t["id"] for t in office.get("/api/tasks?limit=1000").json()}
    assert {town.task_a, town.task_b} <= ids
    r = office.post(f"/api/tasks/{town.task_b}/ticks", data={"note": "创卫办代为打卡"})
    assert r.status_code == 201
    assert office.get(f"/api/segments/{town.segment_b}").status_code == 200


def test_web_unit_contact_cannot_verify_even_their_own_units_task(api_for, town):
    a = api_for(town.unit_a)
    a.post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"})
    r = a.post(f"/api/tasks/{town.task_a}/verify", json={"verdict": "pass"})
    assert r.status_code == 403 and "无权核查" in r.json()["detail"]
    assert a.get("/api/verification/queue").status_code == 403


def test_web_forms_without_the_csrf_token_are_refused(browser_for, town):
    a = browser_for(town.unit_a)
    r = a.post(f"/tasks/{town.task_a}/tick", data={"note": "完成", "version": "1"})
    assert r.status_code == 403 and "表单已过期" in r.text
    r = a.post(f"/tasks/{town.task_a}/tick", data={"note": "完成", "version": "1", "csrf": "0" * 32})
    assert r.status_code == 403


def test_web_signing_out_ends_access_at_once_and_a_revocation_within_seconds(api_for, browser_for, db, town,
                                                                             clock):
    from services.campaigns.loading import get_campaign
    from services.people.users import revoke_user
    from tests.conftest import at

    page = browser_for(town.unit_a)
    r = page.post("/logout", data={"csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/login?msg=signed_out"
    assert page.get("/tasks").status_code == 303
    api = api_for(town.unit_b)
    assert api.get("/api/me").json()["name"] == town.unit_b.name
    assert api.post("/api/auth/logout").status_code == 204
    assert api.get("/api/me").status_code == 401
    api = api_for(town.unit_b)
    assert api.get("/api/me").status_code == 200
    with db.unit_of_work() as s:  # revoked by the office from the command line (another process)
        revoke_user(s, campaign=get_campaign(s), phone=town.unit_b.phone, now=at("2025-01-20 09:00"))
    clock.advance(seconds=11)  # a worker trusts a checked token for at most 10 seconds
    assert api.get("/api/me").status_code == 401
