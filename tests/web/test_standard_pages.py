"""The public 群众满意度测评 page (anonymous phones answer once each; an office network still can) and the office standard page."""

from __future__ import annotations

import re

import pytest

from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.surveys import create_survey, survey_results
from tests.conftest import at
from tests.web.conftest import TestClient


def _survey(db, per_address: int = 300) -> str:
    with db.unit_of_work() as s:
        info = create_survey(s, ctx=load_context(s, campaign=get_campaign(s)), title="2025年第一季度群众满意度测评",
                             period="2025q1", per_address=per_address, now=at("2025-03-01 09:00"))
    assert info.period_label == "2025年第一季度"
    return info.code


def _results(db, code: str):
    with db.reader() as s:
        return survey_results(s, ctx=load_context(s, campaign=get_campaign(s)), code=code)[0]


def _answer(app, code: str, answer: str, **extra: str) -> int:
    """One phone: open the page (gets its device cookie), post the form back."""
    with TestClient(app, follow_redirects=False) as phone:
        page = phone.get(f"/s/{code}")
        assert page.status_code == 200 and 'type="radio" name="answer" value="满意"' in page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
        return phone.post(f"/s/{code}", data={"token": token, "answer": answer, **extra}).status_code


def test_ten_phones_behind_one_address_answer_and_nine_satisfied_make_ninety_percent(app, db):
    code = _survey(db)
    codes = [_answer(app, code, "满意" if k < 9 else "不满意") for k in range(10)]
    assert codes == [200] * 10
    r = _results(db, code)
    assert (r.responses, r.satisfied, r.dissatisfied, r.satisfied_rate) == (10, 9, 1, 0.9)


def test_a_phone_answers_once_and_a_fairly_satisfied_answer_counts_as_satisfied(app, db):
    code = _survey(db)
    with TestClient(app, follow_redirects=False) as phone:
        token = re.search(r'name="token" value="([^"]+)"', phone.get(f"/s/{code}").text).group(1)
        first = phone.post(f"/s/{code}", data={"token": token, "answer": "基本满意", "segment": "LD-01",
                                                "comment": "路面干净"})
        second = phone.post(f"/s/{code}", data={"token": token, "answer": "不满意"})
    assert first.status_code == 200 and "感谢您的参与" in first.text
    assert second.status_code == 409 and "每台设备只能提交一次" in second.text
    r = _results(db, code)
    assert (r.responses, r.fairly_satisfied, r.satisfied_rate) == (1, 1, 1.0)
    assert [(b.segment, b.responses) for b in r.by_segment] == [("LD-01", 1)]


def test_the_per_address_cap_refuses_answers_past_it(app, db):
    code = _survey(db, per_address=2)
    assert [_answer(app, code, "满意") for _ in range(3)] == [200, 200, 403]
    assert _results(db, code).responses == 2


@pytest.mark.parametrize("form", [
    {"answer": "满意"},  # no token: a post from another site
    {"answer": "满意", "token": "0" * 32},
])
def test_a_post_without_the_page_token_is_refused(app, db, form):
    code = _survey(db)
    with TestClient(app, follow_redirects=False) as phone:
        phone.get(f"/s/{code}")
        assert phone.post(f"/s/{code}", data=form).status_code == 403
    assert _results(db, code).responses == 0


def test_hostile_input_gets_a_chinese_page_not_a_server_error(app, db):
    code = _survey(db)
    assert _answer(app, code, "非常满意") == 422
    assert _answer(app, code, "满意", segment="LD-999") == 422
    assert _answer(app, code, "满意", comment="x" * 100_000) in (200, 413)
    with TestClient(app, follow_redirects=False) as stranger:
        assert stranger.get("/s/nope").status_code == 404
        assert stranger.get("/s/" + "a" * 5000).status_code in (404, 414)
        stranger.cookies.set("cw_device", "../../etc", path="/s/")
        assert stranger.post(f"/s/{code}", data={"answer": "满意"}).status_code == 403


def test_the_office_reads_readiness_and_files_a_self_assessment_with_evidence_from_the_console(app, db, town, browser_for):
    from services.standard import evidence_store, load_standard
    from tests.web.conftest import csrf_of

    with db.unit_of_work() as s:
        load_standard(s, ctx=load_context(s, campaign=get_campaign(s)), now=at("2025-03-01 09:00"))
    office = browser_for(town.office)
    page = office.get("/standard")
    assert page.status_code == 200 and "病媒生物预防控制" in page.text and "保存自评" in page.text
    r = office.post("/standard/assess", data={"csrf": csrf_of(office), "code": "3.6", "result": "达标", "score": "90"},
                    files=[("files", ("公厕台账.pdf", b"%PDF-1.4 ledger", "application/pdf"))])
    assert r.status_code == 303
    assert "自评已保存" in office.get(r.headers["location"]).text
    unit = browser_for(town.unit_a)
    assert unit.get("/standard").status_code == 403
    assert office.post("/standard/assess", data={"code": "3.6", "result": "达标"}).status_code == 403  # no CSRF token
    bad = office.post("/standard/assess", data={"csrf": csrf_of(office), "code": "3.6", "result": "优秀"})
    assert bad.status_code == 422
    settings = app.state.services.settings
    assert len(list(evidence_store(settings.data_dir).rglob("*.pdf"))) == 1
