"""The 考核 record on both databases: weekly ratings proposed then confirmed, a red-rating streak
feeding the 约谈 rule, the brief's 红榜/黑榜, 表彰 at the phase end, the Excel export."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import OutboxMessage, Rating, Sanction, Unit
from rules.errors import Conflict
from services.assessment.export import write_workbook
from services.assessment.ranking import assess, phase_period, ranking_for_brief, ranking_line
from services.assessment.record import (
    ConfirmedRatings,
    confirm_commendations,
    confirm_ratings,
    list_ratings,
    propose_commendations,
    propose_ratings,
)
from services.briefs.sections import ranking_section
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from tests.conftest import at
from tests.support.assessment_world import DILIGENT, LAGGING, MIDDLING, interview_after_red_weeks, seed, unit_id

WEEKS = [("2025-W01", "2025-01-06 08:00"), ("2025-W02", "2025-01-13 08:00"), ("2025-W03", "2025-01-20 08:00")]


def _rated_units(s) -> int:
    """Every unit but 创卫办 gets a line in a week's ratings and the workbook (counted apart from them)."""
    return s.scalar(select(func.count()).select_from(Unit).where(Unit.kind != "创卫办"))


def _propose_and_confirm(db, week: str, when: str) -> ConfirmedRatings:
    with db.unit_of_work() as s:
        propose_ratings(s, campaign=get_campaign(s), week=week, now=at(when))
    with db.unit_of_work() as s:
        return confirm_ratings(s, ctx=load_context(s, campaign=get_campaign(s)), week=week, now=at(when) + dt.timedelta(hours=1),
                               actor="周文静")


@pytest.fixture
def three_weeks(db, example):
    seed(db)
    interview_after_red_weeks(db, 3)
    return [_propose_and_confirm(db, w, when) for w, when in WEEKS]


def test_assess_lagging_unit_gets_a_red_rating_streak_and_a_interview_recommendation(db, three_weeks):
    last = three_weeks[-1]
    assert [i.unit for i in last.interviews] == [LAGGING]
    assert last.interviews[0].red_streak == 3
    with db.reader() as s:
        lag = unit_id(s, LAGGING)
        streaks = dict(s.execute(select(Rating.week, Rating.red_streak).where(Rating.unit_id == lag)).all())
        sanction = s.scalars(select(Sanction).where(Sanction.unit_id == lag)).one()
    assert streaks == {"2025-W01": 1, "2025-W02": 2, "2025-W03": 3}
    assert (sanction.kind, sanction.state) == ("约谈", "proposed")  # the office still has to confirm it
    assert sanction.detail["red_streak"] == 3
    assert not any(i.unit == LAGGING for r in three_weeks[:2] for i in r.interviews)
    fourth = _propose_and_confirm(db, "2025-W04", "2025-01-27 08:00")  # the streak goes on: still one 约谈
    with db.reader() as s:
        assert fourth.interviews == () and s.scalar(select(func.count()).select_from(Sanction)) == 1


def test_assess_diligent_unit_tops_the_red_board_and_the_lagging_one_is_on_the_black_board(db, three_weeks):
    with db.reader() as s:
        board = ranking_for_brief(s, get_campaign(s), "2025-W01")
        section = ranking_section(s, campaign=get_campaign(s), start=at("2024-12-30 00:00"),
                                  as_of=at("2025-01-06 00:00"), photo_dir=None)  # the brief's own hook
    lead_red = [r for r in board.red if r.unit_kind == "牵头部门"]
    assert lead_red[0].unit == DILIGENT and lead_red[0].rank == 1 and lead_red[0].score == pytest.approx(100)
    assert all(r.rating == "绿" for r in board.red)
    assert {LAGGING, MIDDLING} <= {r.unit for r in board.black}
    assert section.period == "2025-W01" and section.red[0].unit == board.red[0].unit


def test_assess_ratings_follow_the_configured_thresholds(db, three_weeks):
    with db.reader() as s:
        lines = list_ratings(s, campaign=get_campaign(s), week="2025-W02")
        stored = s.scalar(select(func.count()).select_from(Rating).where(Rating.week == "2025-W02"))
        units = _rated_units(s)
    assert len(lines) == stored == units > 0
    assert {DILIGENT, MIDDLING, LAGGING} <= {line.name for line in lines}
    assert {"绿", "红"} <= {line.rating for line in lines}  # both ends of the scale are checked
    for line in lines:
        score = line.score
        expected = None if score is None else "绿" if score >= 80 else "黄" if score >= 60 else "红"
        assert line.rating == expected and line.status == "confirmed"


def test_assess_confirmation_publishes_notices_and_nothing_is_published_before(db, example):
    seed(db)
    with db.unit_of_work() as s:
        propose_ratings(s, campaign=get_campaign(s), week="2025-W01", now=at("2025-01-06 08:00"))
    with db.reader() as s:
        assert ranking_for_brief(s, get_campaign(s), "2025-W01") is None
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.template == "assessment_rating")) == 0
    with db.unit_of_work() as s:
        report = confirm_ratings(s, ctx=load_context(s, campaign=get_campaign(s)), week="2025-W01", now=at("2025-01-06 09:00"),
                                 actor="周文静")
    with db.reader() as s:
        sent = s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.template == "assessment_rating"))
    assert report.notified > 0 and sent >= report.notified


def test_assess_confirmed_ratings_do_not_move_when_proposed_again(db, three_weeks):
    with db.reader() as s:
        before = {r.unit_id: (r.score, r.rating, r.status) for r in s.scalars(
            select(Rating).where(Rating.week == "2025-W01"))}
    with db.unit_of_work() as s:
        report = propose_ratings(s, campaign=get_campaign(s), week="2025-W01", now=at("2025-03-01 08:00"))
    with db.reader() as s:
        after = {r.unit_id: (r.score, r.rating, r.status) for r in s.scalars(
            select(Rating).where(Rating.week == "2025-W01"))}
    assert report.proposed == 0 and report.frozen == len(before)
    assert after == before
    with pytest.raises(Conflict), db.unit_of_work() as s:
        confirm_ratings(s, ctx=load_context(s, campaign=get_campaign(s)), week="2025-W01", now=at("2025-03-01 09:00"), actor="周文静")


def test_assess_an_unfinished_week_cannot_be_rated(db, example):
    seed(db)
    with pytest.raises(Conflict), db.unit_of_work() as s:
        propose_ratings(s, campaign=get_campaign(s), week="2025-W02", now=at("2025-01-10 08:00"))


def test_assess_commendation_candidates_at_the_phase_end_exclude_units_with_a_red_week(db, three_weeks):
    with db.unit_of_work() as s:
        rows = propose_commendations(s, campaign=get_campaign(s), phase="起步", now=at("2025-05-06 08:00"))
    lead = [r for r in rows if r.kind == "牵头部门"]
    assert lead[0].unit == DILIGENT and lead[0].rank == 1
    assert not {LAGGING, MIDDLING} & {r.unit for r in rows}
    assert all(r.status == "proposed" and r.score >= 80 for r in rows)
    with db.unit_of_work() as s:
        report = confirm_commendations(s, ctx=load_context(s, campaign=get_campaign(s)), phase="起步", now=at("2025-05-06 09:00"),
                                       actor="周文静", units=[DILIGENT])
    assert report.confirmed == 1
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.template == "commendation")) > 0


def test_assess_export_reopens_and_its_numbers_match_the_database(db, three_weeks, tmp_path):
    now = at("2025-02-10 10:00")
    path = tmp_path / "kh.xlsx"
    with db.reader() as s:
        c = get_campaign(s)
        result = write_workbook(s, campaign=c, path=path, now=now)
        phase = [ranking_line(r) for r in assess(s, campaign=c, period=phase_period(s, c, "起步", now), now=now).rows]
        w01 = list_ratings(s, campaign=c, week="2025-W01")
        units = _rated_units(s)
    wb = load_workbook(path)
    assert wb.sheetnames == list(result.sheets)
    # week sheets named as people read the week, with the year: never 2025-W01
    assert {"时段-起步", "全程", "2024年12月30日—2025年1月5日", "2025年1月6日—12日", "2025年1月13日—19日",
            "说明"} <= set(wb.sheetnames)
    assert not [n for n in wb.sheetnames if "-W" in n]
    sheet = wb["时段-起步"]
    title = sheet["A1"].value
    assert re.search(r"数据截至\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", title), title  # as people write it
    assert title.startswith("起步时段（2025年1月1日至") and not re.search(r"\d{4}-\d{2}", title), title
    headers = [c.value for c in sheet[2]]
    got = {row[headers.index("单位")]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert len(got) == len(phase) == units > 0
    for line in phase:
        row = got[line.name]
        assert row[headers.index("应处置数")] == line.due
        assert row[headers.index("结案数")] == line.verified
        assert row[headers.index("返工数")] == line.rework
        score = row[headers.index("综合得分")]
        assert score == "无数据" if line.score is None else score == pytest.approx(line.score)
    week = wb["2024年12月30日—2025年1月5日"]
    headers = [c.value for c in week[2]]
    got = {row[headers.index("单位")]: row for row in week.iter_rows(min_row=3, values_only=True)}
    assert len(w01) == units and {line.name for line in w01} <= set(got)
    for line in w01:
        row = got[line.name]
        assert row[headers.index("评级")] == (line.rating or "无数据")
        assert row[headers.index("状态")] == "已确认"
    assert wb["说明"]["A2"].value and "返工率" in [r[0].value for r in wb["说明"].iter_rows()]
