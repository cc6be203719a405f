"""The documents an office issues (issue 20): the 创卫简报 as an issue (sections in order, full
byline, Monday date, draft → 签发, tables that add up, figures as of the report date), the 督查通报
of a published round, and the 阶段总结 whose quantities match the ledger."""

from __future__ import annotations

import re
import zipfile

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select

from models import Circular, InspectionStop, LedgerEntry, OutboxMessage, Segment, Task, TaskTemplate, Unit
from rules.errors import Conflict, InvalidInput
from services.briefs import draft_brief, edit_brief, reserve, write_issue
from services.briefs.data import gather
from services.briefs.issues import window
from services.briefs.view import Issue, Table, compose
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections import TickQuantity, add_finding_quantities, expose_finding, report_rectified
from services.inspections.findings import record_finding
from services.inspections.planning import plan_week
from services.inspections.rounds import office_principal, publish_inspection
from services.reports import issue_circular, write_stage_summary
from services.tasks.ticking import tick_task, undo_tick
from tests.support.inspections import at, open_first_phase, with_sink_targets

WEEK = "2025-W18"
PLANNED, FOUND, PUBLISHED = at("2025-04-28 07:30"), at("2025-04-29 10:00"), at("2025-05-02 17:30")
ORDER = ["工作动态", "总体进展", "督查通报", "红榜", "黑榜", "曝光台", "各路段任务进度", "整改台账", "下步工作"]


def _ctx(s):
    return load_context(s, campaign=get_campaign(s))


def _on(s, segment_id: int) -> tuple[float, float]:
    mid = shape(s.get(Segment, segment_id).geometry).interpolate(0.5, normalized=True)
    return mid.x, mid.y


@pytest.fixture
def week(db, example):
    """Week 18 of 起步: every round planned; two findings in the 定期 round and one in the 暗访 round
    (published Friday), one rectified in two measures, one exposed."""
    open_first_phase(db)
    with_sink_targets(db)
    with db.unit_of_work() as s:
        ctx = _ctx(s)
        plans = {p.kind: p.id for p in plan_week(s, ctx=ctx, week=WEEK, now=PLANNED, seed=7)}
        ids = {}
        for kind, category in (("定期", "乱搭乱建"), ("定期", "暴露垃圾"), ("暗访", "卫生死角")):
            stop = s.scalars(select(InspectionStop).where(InspectionStop.inspection_id == plans[kind],
                                                          InspectionStop.place_id.is_(None))
                             .order_by(InspectionStop.id)).first()
            lon, lat = _on(s, stop.segment_id)
            ids[category] = record_finding(s, ctx=ctx, category=category, lon=lon, lat=lat, now=FOUND, actor="督查组",
                                           inspection_id=plans[kind], description=f"{category}：现场检查发现").id
        publish_inspection(s, ctx=ctx, inspection_id=plans["暗访"], now=PUBLISHED)
        f = report_rectified(s, ctx=ctx, finding_id=ids["乱搭乱建"], now=at("2025-04-30 10:00"), actor="牵头部门")
        add_finding_quantities(s, ctx=ctx, finding=f, quantities={"间": 14, "平方米": 400}, unit_id=f.lead_unit_id,
                               now=at("2025-04-30 10:00"), actor="牵头部门")
        expose_finding(s, campaign=ctx.campaign, finding_id=ids["暴露垃圾"], now=at("2025-05-02 18:00"))
    return {"plans": plans, "findings": ids}


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_issued_brief_reads_as_an_issue_of_the_office_with_its_sections_in_order(db, week, tmp_path):
    with db.unit_of_work() as s:
        ref = reserve(s, campaign=get_campaign(s), week=WEEK, now=at("2025-05-05 11:30"))
        written = write_issue(s, ctx=_ctx(s), issue_id=ref.id, out_dir=tmp_path, now=at("2025-05-05 11:30"))
    text = _text(written.files.html.read_text(encoding="utf-8"))
    positions = [text.find(h) for h in ORDER]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    head = text[:600]
    assert "示范县创建国家卫生县城工作领导小组办公室" in head and "2025年5月5日" in head  # the Monday after the week
    rounds = text[text.find("督查通报"):text.find("红榜")]
    assert "乱搭乱建" in rounds and "暴露垃圾" in rounds and "卫生死角" in rounds  # 定期 and the published 暗访
    exposed = text[text.find("曝光台"):text.find("各路段任务进度")]
    assert "暴露垃圾" in exposed and "暂无" not in exposed
    assert "2025-W" not in text  # weeks read as dates


def test_the_findings_table_adds_up_and_says_the_same_when_the_brief_is_written_later(db, week):
    def tables(now):
        with db.reader() as s:
            ctx = _ctx(s)
            start, as_of = window(ctx.campaign, week=WEEK, now=now)
            doc = compose(gather(s, ctx=ctx, start=start, as_of=as_of), Issue(1, False, "", WEEK), map_png=None)
        return [b for b in doc.blocks if isinstance(b, Table)]

    before = tables(at("2025-05-05 11:30"))
    with db.unit_of_work() as s:  # the next week: the rectified finding passes 复查, another is rectified
        from services.inspections.checks import reinspect
        reinspect(s, ctx=_ctx(s), finding_id=week["findings"]["乱搭乱建"], passed=True, now=at("2025-05-07 10:00"))
        report_rectified(s, ctx=_ctx(s), finding_id=week["findings"]["暴露垃圾"], now=at("2025-05-07 11:00"),
                         actor="牵头部门")
    after = tables(at("2025-06-30 12:00"))
    assert [(t.rows, t.total) for t in before] == [(t.rows, t.total) for t in after]
    for table in (t for t in before if t.total):  # every total row is the sum of its rows
        for i, cell in enumerate(table.total):
            if cell.isdigit():
                assert int(cell) == sum(int(r[i]) for r in table.rows), (table.columns[i], table.columns)
    findings = next(t for t in before if t.columns[0] == "问题类别")
    for row in [*findings.rows, findings.total]:
        new, closed, awaiting, still = (int(x) for x in row[1:])
        assert new == closed + awaiting + still, row
    for i in range(1, 5):
        assert int(findings.total[i]) == sum(int(r[i]) for r in findings.rows)
    assert {r[0]: r[1:] for r in findings.rows}["乱搭乱建"] == ("1", "0", "1", "0")  # awaiting 复查 on Sunday


def test_a_draft_is_edited_by_the_office_and_issued_once_then_it_is_fixed(db, week, tmp_path):
    with db.unit_of_work() as s:
        d = draft_brief(s, ctx=_ctx(s), week=WEEK, now=at("2025-05-05 06:00"))
        assert d.state == "draft" and "本周" in d.sections["工作动态"] and "。" in d.sections["工作动态"]
        assert d.sections["下步工作"].startswith("1. ")
    with db.unit_of_work() as s:
        edit_brief(s, campaign=get_campaign(s), week=WEEK, section="工作动态", text="县长带队检查了望京街。\n各单位积极行动。",
                   now=at("2025-05-05 09:00"), actor="创卫办")
        with pytest.raises(InvalidInput):
            edit_brief(s, campaign=get_campaign(s), week=WEEK, section="红榜", text="x", now=at("2025-05-05 09:00"),
                       actor="创卫办")
    with db.unit_of_work() as s:
        ref = reserve(s, campaign=get_campaign(s), week=WEEK, now=at("2025-05-05 14:00"))
        assert not ref.created and ref.number == d.number
        written = write_issue(s, ctx=_ctx(s), issue_id=ref.id, out_dir=tmp_path, now=at("2025-05-05 14:00"))
    text = _text(written.files.html.read_text(encoding="utf-8"))
    assert "县长带队检查了望京街。" in text and text.find("县长带队") < text.find("总体进展")
    with db.unit_of_work() as s, pytest.raises(Conflict):
        edit_brief(s, campaign=get_campaign(s), week=WEEK, section="下步工作", text="改", now=at("2025-05-05 15:00"),
                   actor="创卫办")


def test_a_published_round_gets_its_numbered_circular_announced_to_the_units_it_names(db, week, tmp_path):
    plans = week["plans"]
    with db.unit_of_work() as s:
        first = issue_circular(s, ctx=_ctx(s), inspection_id=plans["暗访"], out_dir=tmp_path, now=PUBLISHED)
        second = issue_circular(s, ctx=_ctx(s), inspection_id=plans["定期"], out_dir=tmp_path, now=PUBLISHED)
        again = issue_circular(s, ctx=_ctx(s), inspection_id=plans["暗访"], out_dir=tmp_path, now=at("2025-05-03 09:00"))
    assert (first.number, second.number, again.number, again.created) == (1, 2, 1, False)
    assert "督查通报" in first.html.name and first.docx.is_file()
    text = _text(second.html.read_text(encoding="utf-8"))
    for words in ("乱搭乱建", "暴露垃圾", "整改时限", "工作领导小组办公室", "问题分布"):
        assert words in text, words
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Circular)) == 2
        recipients = {m.payload["recipient"] for m in s.scalars(select(OutboxMessage))
                      if m.payload.get("title", "").startswith("【督查通报】")}
        units = {f"unit:{u}" for u in s.scalars(select(Unit.id).where(Unit.kind != "创卫办"))}
        assert recipients & units and "office:" in recipients
        # each unit reads its own count, 创卫办 the total: one total sent to all read as each unit's own
        notices = [m.payload for m in s.scalars(select(OutboxMessage))
                   if m.payload.get("title", "").startswith("【督查通报】") and "第2期" in m.payload["body"]]
        stated = {p["recipient"]: int(re.search(r"问题(\d+)处", p["body"])[1]) for p in notices}
        office = next(p["body"] for p in notices if p["recipient"] == "office:")
        to_units = {r: n for r, n in stated.items() if r.startswith("unit:")}
        assert to_units and all("涉及本单位" in p["body"] for p in notices if p["recipient"] != "office:")
        assert "本单位" not in office and stated["office:"] == sum(to_units.values())
        assert f"涉及{len(to_units)}个单位" in office


def test_a_secret_round_has_no_circular_before_it_is_published(db, example, tmp_path):
    open_first_phase(db)
    with db.unit_of_work() as s:
        plans = {p.kind: p.id for p in plan_week(s, ctx=_ctx(s), week=WEEK, now=PLANNED, seed=7)}
        with pytest.raises(Conflict):
            issue_circular(s, ctx=_ctx(s), inspection_id=plans["暗访"], out_dir=tmp_path / "out", now=FOUND)
        assert s.scalar(select(func.count()).select_from(Circular)) == 0
    assert not (tmp_path / "out").exists()


def _tick_task(s, code: str) -> Task:
    return s.scalars(select(Task).join(TaskTemplate, TaskTemplate.id == Task.template_id)
                     .where(TaskTemplate.code == code, Task.status == "open").order_by(Task.id)).first()


def test_ticks_report_quantities_of_their_templates_categories_only_and_undo_takes_them_back(db, week):
    with pytest.raises(InvalidInput), db.unit_of_work() as s:  # a category its template does not name
        task = _tick_task(s, "QB-04")  # 拆除临时建筑和有碍观瞻的广告牌匾: 乱搭乱建, 广告牌匾
        tick_task(s, principal=office_principal(get_campaign(s)), task_id=task.id, note="已拆除", photos=[], lon=None,
                  lat=None, expected_version=None, now=at("2025-04-30 09:00"),
                  quantities=[TickQuantity("牛皮癣/小广告", 30)])
    with db.unit_of_work() as s:
        task = _tick_task(s, "QB-04")
        assert task.status == "open"  # the refused tick left nothing behind
        who = office_principal(get_campaign(s))
        tick_task(s, principal=who, task_id=task.id, note="已拆除", photos=[], lon=None, lat=None,
                  expected_version=None, now=at("2025-04-30 09:00"),
                  quantities=[TickQuantity("乱搭乱建", 3, "间"), TickQuantity("乱搭乱建", 60, "平方米"),
                              TickQuantity("广告牌匾", 5)])
        entries = s.execute(select(LedgerEntry.category, LedgerEntry.measure, LedgerEntry.quantity)
                            .where(LedgerEntry.task_id == task.id)).all()
        assert sorted(entries) == [("乱搭乱建", "平方米", 60), ("乱搭乱建", "间", 3), ("广告牌匾", "块", 5)]
        undo_tick(s, principal=who, task_id=task.id, now=at("2025-04-30 09:05"))
        assert not s.scalars(select(LedgerEntry).where(LedgerEntry.task_id == task.id)).all()


def test_the_stage_summary_reports_the_ledgers_sums_in_the_speechs_measures(db, week, tmp_path):
    with db.unit_of_work() as s:
        task = _tick_task(s, "ZX-02")  # 巷道月度死角垃圾清理: 卫生死角, 暴露垃圾 (处 and 吨)
        tick_task(s, principal=office_principal(get_campaign(s)), task_id=task.id, note="清理完毕", photos=[],
                  lon=None, lat=None, expected_version=None, now=at("2025-04-30 09:00"),
                  quantities=[TickQuantity("卫生死角", 2, "处"), TickQuantity("卫生死角", 2.5, "吨")])
    with db.reader() as s:
        files = write_stage_summary(s, ctx=_ctx(s), phase="起步", out_dir=tmp_path, now=at("2025-05-06 09:00"))
        ledger = {(c, m): q for c, m, q in s.execute(
            select(LedgerEntry.category, LedgerEntry.measure, func.sum(LedgerEntry.quantity))
            .group_by(LedgerEntry.category, LedgerEntry.measure))}
        with pytest.raises(InvalidInput):
            write_stage_summary(s, ctx=_ctx(s), phase="不存在", out_dir=tmp_path, now=at("2025-05-06 09:00"))
    assert {(q.category, q.measure): q.total for q in files.quantities} == pytest.approx(ledger)
    assert all(q.total == q.findings + q.ticks for q in files.quantities)
    xml = re.sub(r"<[^>]+>", "", zipfile.ZipFile(files.docx).read("word/document.xml").decode("utf-8"))
    assert "乱搭乱建14间400平方米" in xml and "卫生死角2处2.5吨" in xml
    assert files.xlsx.is_file() and files.html.is_file()


def _cw(db_url: str, tmp_path, *args: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    base = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return subprocess.run([str(Path(sys.executable).parent / "cw"), *args], capture_output=True, text=True,
                          timeout=180, env={**base, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var")})


def test_the_office_drafts_edits_and_issues_a_brief_and_writes_the_stage_summary_from_the_command_line(
        db, db_url, week, tmp_path):
    now = ["--now", "2025-05-05T09:00:00+08:00"]
    drafted = _cw(db_url, tmp_path, "brief", "draft", "--week", WEEK, *now)
    assert drafted.returncode == 0, drafted.stderr
    assert "草稿" in drafted.stdout and "【工作动态】" in drafted.stdout and "【下步工作】" in drafted.stdout
    text = tmp_path / "动态.txt"
    text.write_text("本周县委书记调研创卫工作。", encoding="utf-8")
    edited = _cw(db_url, tmp_path, "brief", "edit", "--week", WEEK, "--section", "工作动态", "--file", str(text), *now)
    assert edited.returncode == 0 and "工作动态" in edited.stdout, edited.stderr
    wrong = _cw(db_url, tmp_path, "brief", "edit", "--week", WEEK, "--section", "红榜", "--text", "x", *now)
    assert wrong.returncode == 2 and "只能修改" in wrong.stderr
    issued = _cw(db_url, tmp_path, "brief", "issue", "--week", WEEK, "--out", str(tmp_path / "b"), *now)
    assert issued.returncode == 0, issued.stderr
    page = next((tmp_path / "b").glob("*.html")).read_text(encoding="utf-8")
    assert "本周县委书记调研创卫工作。" in page
    late = _cw(db_url, tmp_path, "brief", "edit", "--week", WEEK, "--section", "工作动态", "--text", "改", *now)
    assert late.returncode == 2 and "已签发" in late.stderr

    stage = _cw(db_url, tmp_path, "report", "stage", "--phase", "起步", "--out", str(tmp_path / "stage"), *now)
    assert stage.returncode == 0, stage.stderr
    assert "乱搭乱建" in stage.stdout and {p.suffix for p in (tmp_path / "stage").iterdir()} == {".html", ".docx", ".xlsx"}
    unknown = _cw(db_url, tmp_path, "report", "stage", "--phase", "冲锋", "--out", str(tmp_path / "x"), *now)
    assert unknown.returncode == 2 and "没有名为" in unknown.stderr


def test_a_problem_is_counted_at_the_level_it_stood_on_at_the_report_date(db, week):
    from models import Problem, ProblemEvent

    with db.unit_of_work() as s:
        c = get_campaign(s)
        segment = s.scalar(select(Segment.id).where(Segment.code == "LD-03"))
        unit = s.scalar(select(Unit.id).where(Unit.name == "县公安局"))
        p = Problem(campaign_id=c.id, source="report", segment_id=segment, unit_id=unit, title="占道协调",
                    level="县级领导", level_since=at("2025-05-07 09:00"), opened_at=at("2025-04-29 09:00"),
                    lon=110.25, lat=34.52, status="open")
        s.add(p)
        s.flush()
        s.add(ProblemEvent(problem_id=p.id, at=at("2025-05-07 09:00"), actor="sweep", action="auto_escalated",
                           from_level="牵头部门", to_level="县级领导"))
    with db.reader() as s:
        ctx = _ctx(s)
        start, as_of = window(ctx.campaign, week=WEEK, now=at("2025-06-30 12:00"))
        levels = {r.level: r for r in gather(s, ctx=ctx, start=start, as_of=as_of).problems_by_level}
    assert "县级领导" not in levels  # it climbed there only after the week
    assert levels["牵头部门"].open >= 1 and levels["牵头部门"].new >= 1
