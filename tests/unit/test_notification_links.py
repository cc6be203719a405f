"""Links in messages: the page where the reader acts, under CW_PUBLIC_URL, never a sign-in token."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from config.settings import Settings
from services.notifications.links import path_for, public_base, stamp

BASE = "https://cw.example.gov.cn"


def test_the_public_url_setting_is_trimmed_and_defaults_to_the_local_web_address(monkeypatch):
    monkeypatch.delenv("CW_PUBLIC_URL", raising=False)
    assert public_base(Settings(public_url="https://cw.example.gov.cn/")) == BASE
    assert public_base(Settings(web_host="10.0.0.5", web_port=8080)) == "http://10.0.0.5:8080"


@pytest.mark.parametrize("bad", ["cw.example.gov.cn", "ftp://cw.example.gov.cn", "https://"])
def test_a_public_url_that_is_not_an_http_address_is_refused_at_the_edge(bad):
    with pytest.raises(ValidationError, match="CW_PUBLIC_URL"):
        Settings(public_url=bad)


def test_a_message_about_a_problem_or_task_opens_its_page_and_the_office_its_console():
    assert path_for("problem", {"problem_id": 12}, "unit") == "/problems/12"
    assert path_for("reminder", {"task_id": 3}, "unit") == "/tasks/3"
    assert path_for("sanction", {"sanction_id": 4}, "office") == "/office/sanctions"
    assert path_for("assessment_proposed", {}, "office") == "/office/ledger"
    assert path_for("brief_summary", {}, "office") == "/office/briefs"
    assert path_for("something_new", {}, "office") == "/office"
    assert path_for("supervision", {"notice_id": 1}, "unit") == "/tasks"
    assert path_for("escalation", {"problem_id": 5}, "leader") == "/problems/5"


def test_stamping_makes_a_given_path_absolute_and_keeps_an_absolute_link():
    assert stamp({"link": "/problems/9"}, template="problem", recipient_kind="unit", base=BASE)["link"] == \
        f"{BASE}/problems/9"
    given = {"link": "https://other.example/x", "links": [{"title": "甲", "url": "/tasks/1"}]}
    out = stamp(given, template="x", recipient_kind="unit", base=BASE)
    assert out["link"] == "https://other.example/x" and out["links"] == [{"title": "甲", "url": f"{BASE}/tasks/1"}]


def test_a_sign_in_link_is_never_put_in_a_message():
    assert stamp({"link": "/l/secret-token"}, template="x", recipient_kind="unit", base=BASE)["link"] is None
    assert stamp({"link": f"{BASE}/l/secret-token"}, template="x", recipient_kind="unit", base=BASE)["link"] is None
    out = stamp({"links": [{"title": "登录", "url": "/l/abc"}]}, template="x", recipient_kind="unit", base=BASE)
    assert out["links"] == []
