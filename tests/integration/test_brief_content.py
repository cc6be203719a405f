"""The brief of a week of the example campaign: numbers checked against the database, files
written and reopened, the issue announced to 创卫办 once."""

from __future__ import annotations

import re
import warnings
from collections import Counter

import pytest
from docx import Document as open_docx
from sqlalchemy import select, update

from models import Brief, OutboxMessage, Phase, Problem, Segment, Task, Unit
from models.tasks import DONE, VERIFIED
from services.briefs.data import gather
from services.briefs.issues import reserve, write_issue
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from tests.conftest import at

START, AS_OF = at("2025-04-28 00:00"), at("2025-05-05 00:00")
OFFICE_TARGETS = {"targets": [{"name": "创卫办群", "channel": "wecom", "url_env": "CW_TEST_WECOM"},
                              {"name": "创卫办邮箱", "channel": "email", "url_env": "CW_TEST_SMTP"}],
                  "office_targets": ["创卫办群", "创卫办邮箱"]}


def _set(s, ids, **values) -> None:
    s.execute(update(Task).where(Task.id.in_(ids)).values(**values))


@pytest.fixture
def week(db, example):
    """The example in 起步 with some work done before, during and after 2025-W18, and problems."""
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        advance_phases(s, ctx=load_context(s, campaign=campaign), now=at("2025-01-02 00:05"))
        ids = list(s.scalars(select(Task.id).where(Task.segment_id.is_not(None)).order_by(Task.id)))
        _set(s, ids[0:30], status=VERIFIED, done_at=at("2025-03-09 10:00"), verified_at=at("2025-03-10 10:00"))
        _set(s, ids[30:35], status=VERIFIED, done_at=at("2025-04-29 10:00"), verified_at=at("2025-04-30 10:00"))
        _set(s, ids[35:39], status=VERIFIED, done_at=at("2025-05-08 10:00"), verified_at=at("2025-05-10 10:00"))
        _set(s, ids[39:45], status=DONE, done_at=at("2025-05-02 10:00"))
        _set(s, ids[45:48], extended_until=at("2025-06-01 18:00"))
        segment = s.scalar(select(Segment.id).where(Segment.code == "LD-03"))
        unit = s.scalar(select(Unit.id).where(Unit.name == "县公安局"))

        def problem(level, opened, closed=None, deadline=None):
            s.add(Problem(campaign_id=campaign.id, source="report", segment_id=segment, unit_id=unit,
                          title=f"{level}协调事项", level=level, level_since=at(opened), level_deadline=deadline,
                          opened_at=at(opened), closed_at=closed, lon=110.25, lat=34.52,
                          status="closed" if closed else "open"))

        problem("牵头部门", "2025-04-20 09:00", deadline=at("2025-04-25 18:00"))  # open, past its limit
        problem("牵头部门", "2025-04-29 09:00", deadline=at("2025-05-09 18:00"))  # new this week
        problem("县级领导", "2025-04-30 09:00")
        problem("牵头部门", "2025-04-21 09:00", closed=at("2025-05-01 09:00"))  # closed this week
        problem("创卫办", "2025-05-06 09:00")  # after the week: not in it
    return example


def _oracle(db):
    """What the brief must say, computed row by row in Python from every task of the database."""
    with db.reader() as s:
        phase = s.scalar(select(Phase.id).where(Phase.name == "起步"))
        road = {i: (p if k == "巷道" and p else i) for i, k, p in s.execute(
            select(Segment.id, Segment.kind, Segment.parent_id))}
        codes = dict(s.execute(select(Segment.id, Segment.code)).all())
        units = dict(s.execute(select(Unit.id, Unit.name)).all())
        tasks = s.execute(select(Task)).scalars().all()
    total, verified, awaiting, overdue, week_verified = Counter(), Counter(), Counter(), Counter(), 0
    unit_overdue = Counter()
    for task in tasks:
        done = task.done_at is not None and task.done_at <= AS_OF
        ok = task.verified_at is not None and task.verified_at <= AS_OF
        extended = task.extended_until is not None and task.extended_until > AS_OF
        late = not done and not ok and task.deadline < AS_OF and not extended
        unit_overdue[units[task.unit_id]] += late
        if task.phase_id != phase:
            continue
        key = codes[road[task.segment_id]] if task.segment_id else None
        for k in (None, key) if key else (None,):
            total[k] += 1
            verified[k] += ok
            awaiting[k] += done and not ok
            overdue[k] += late
        week_verified += ok and task.verified_at >= START
    return total, verified, awaiting, overdue, week_verified, +unit_overdue


def test_the_numbers_match_the_database(db, week):
    total, verified, awaiting, overdue, week_verified, unit_overdue = _oracle(db)
    with db.reader() as s:
        data = gather(s, ctx=load_context(s, campaign=get_campaign(s)), start=START, as_of=AS_OF)
    c = data.progress.phase
    assert (c.total, c.verified, c.awaiting, c.overdue) == (total[None], verified[None], awaiting[None], overdue[None])
    assert (c.verified, c.awaiting, data.progress.verified_this_week) == (35, 6, 5) == (35, 6, week_verified)
    assert len(data.segments) == 29
    for row in data.segments:
        got = (row.counts.total, row.counts.verified, row.counts.awaiting, row.counts.overdue)
        assert got == (total[row.code], verified[row.code], awaiting[row.code], overdue[row.code]), row.code
    assert {u.unit: u.overdue for u in data.overdue_by_unit} == unit_overdue


def test_the_phase_and_working_days_left_are_those_at_the_end_of_the_week(db, week):
    with db.reader() as s:
        campaign = get_campaign(s)
        ended = gather(s, ctx=load_context(s, campaign=campaign), start=START, as_of=AS_OF).phase
        running = gather(s, ctx=load_context(s, campaign=campaign), start=at("2025-03-10 00:00"), as_of=at("2025-03-17 00:00")).phase
    assert (ended.name, ended.working_days_left, ended.calendar_phase) == ("起步", 0, "加速")
    # 3月17日–4月30日: 33 working days (清明 4月4日 off)
    assert (running.name, running.working_days_left, running.calendar_phase) == ("起步", 33, "起步")


def test_problems_are_counted_by_their_level_on_the_ladder(db, week):
    with db.reader() as s:
        rows = gather(s, ctx=load_context(s, campaign=get_campaign(s)), start=START, as_of=AS_OF).problems_by_level
    assert [(r.level, r.open, r.past_deadline, r.new, r.closed) for r in rows] == [
        ("牵头部门", 2, 1, 1, 1), ("县级领导", 1, 0, 1, 0)]  # 创卫办's was raised after the week


def test_the_segment_map_records_carry_their_assignment_and_open_problems(db, week):
    with db.reader() as s:
        data = gather(s, ctx=load_context(s, campaign=get_campaign(s)), start=START, as_of=AS_OF)
    views = {v.code: v for v in data.map_segments}
    assert len(views) == 29 + 57
    assert views["LD-01"].leader == "金志远" and views["LD-01"].lead_unit == "县人民检察院"
    assert views["LD-03"].open_problems == 3
    assert len(data.map_problems) == 3


def _write(db, now, tmp_path, **kwargs):
    out = tmp_path / "briefs"  # tmp_path also holds the SQLite database
    with db.unit_of_work() as s:
        ref = reserve(s, campaign=get_campaign(s), now=now, **kwargs)
    with db.unit_of_work() as s:
        return write_issue(s, ctx=load_context(s, campaign=get_campaign(s)), issue_id=ref.id, out_dir=out, now=now)


def test_a_written_brief_is_recorded_and_its_rerun_replaces_the_files(db, week, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = _write(db, at("2025-05-05 06:00"), tmp_path, week="2025-W18")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    again = _write(db, at("2025-05-05 08:00"), tmp_path, week="2025-W18")
    assert (first.number, again.number) == (1, 1) and again.files == first.files
    with db.reader() as s:
        brief = s.scalar(select(Brief))
    assert brief.docx_path == str(first.files.docx) and brief.map_path == str(first.files.png)
    assert brief.as_of == AS_OF and brief.written_at == at("2025-05-05 08:00")
    assert sorted(p.name for p in (tmp_path / "briefs").iterdir()) == sorted(
        [first.files.html.name, first.files.docx.name, first.files.png.name])  # no temporary file left


def test_a_brief_is_announced_to_the_office_targets_once(db, week, tmp_path):
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        campaign.spec = {**campaign.spec, "notifications": OFFICE_TARGETS}
    _write(db, at("2025-05-05 06:00"), tmp_path, week="2025-W18")
    _write(db, at("2025-05-05 08:00"), tmp_path, week="2025-W18")
    with db.reader() as s:
        messages = s.scalars(select(OutboxMessage)).all()
    assert sorted(m.target for m in messages) == ["创卫办群", "创卫办邮箱"]  # one each: the rerun adds none
    assert all(m.payload["title"] == "【简报】创卫简报第1期" for m in messages)
    assert "本时段任务完成率" in messages[0].payload["body"]


def test_the_html_and_docx_show_the_database_numbers(db, week, tmp_path):
    written = _write(db, at("2025-05-05 06:00"), tmp_path, week="2025-W18")
    total, verified, _awaiting, overdue, _week, _units = _oracle(db)
    page = written.files.html.read_text(encoding="utf-8")
    assert "创卫简报" in page and "第1期" in page and "示范县创建国家卫生县城工作领导小组办公室" in page  # the office's full name
    assert f"本时段共有任务{total[None]}项，已核查销号{verified[None]}项" in page
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)
    doc = open_docx(str(written.files.docx))
    segment_table = doc.tables[0]
    ld01 = next(r for r in segment_table.rows if r.cells[0].text == "LD-01")
    assert [ld01.cells[i].text for i in (4, 5, 7)] == [str(total["LD-01"]), str(verified["LD-01"]),
                                                       str(overdue["LD-01"])]
    last = segment_table.rows[-1]
    assert last.cells[0].text == "合计" and last.cells[5].text == str(sum(
        verified[r.cells[0].text] for r in segment_table.rows[1:-1]))
    assert len(doc.inline_shapes) >= 1
    assert "第1期" in "\n".join(p.text for p in doc.paragraphs[:3])


def test_a_week_before_the_phase_opened_says_so(db, example, tmp_path):
    written = _write(db, at("2024-12-23 06:00"), tmp_path, week="2024-W51")
    assert "综合整治阶段尚未开启" in written.files.html.read_text(encoding="utf-8")

