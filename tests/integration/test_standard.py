"""The national standard in a campaign: idempotent versioned load, 自评 with evidence, 病媒 checks, the archive."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Campaign, EvidenceFile, SelfAssessment, StandardItem, StandardVersion
from rules.errors import InvalidInput, NotFound
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.inspections import record_finding
from services.standard import (
    assess_item,
    list_items,
    load_standard,
    record_vector,
    standard_status,
    system_evidence,
    write_archive,
)
from tests.conftest import at
from tests.support.inspections import open_first_phase

NOW = at("2026-04-20 10:00")
PDF = b"%PDF-1.4\n% test evidence\n%%EOF\n"
JPG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def _ctx(s):
    return load_context(s, campaign=get_campaign(s))


@pytest.fixture
def loaded(db, example):
    with db.unit_of_work() as s:
        load_standard(s, ctx=_ctx(s), now=NOW)
    return db


def test_loading_twice_keeps_one_version_and_a_changed_owner_makes_the_next(db, example):
    with db.unit_of_work() as s:
        first = load_standard(s, ctx=_ctx(s), now=NOW)
    with db.unit_of_work() as s:
        again = load_standard(s, ctx=_ctx(s), now=NOW)
    assert (first.new_version, first.version, first.added) == (True, 1, first.items)
    assert (again.new_version, again.version) == (False, 1) and first.items >= 30
    with db.unit_of_work() as s:  # the office names another owner of 3.6 in its campaign file
        c = get_campaign(s)
        c.spec = {**c.spec, "standard": {**c.spec["standard"], "owners": {"3.6": "县住房和城乡建设局"}}}
    with db.unit_of_work() as s:
        third = load_standard(s, ctx=_ctx(s), now=NOW)
    assert (third.new_version, third.version, third.updated, third.added) == (True, 2, 1, 0)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(StandardVersion)) == 2
        item = s.scalars(select(StandardItem).where(StandardItem.code == "3.6")).one()
        assert item.owner == "县住房和城乡建设局" and item.owner_unit_id is not None


def test_status_counts_areas_items_and_the_newest_self_assessment(loaded, tmp_path):
    with loaded.unit_of_work() as s:
        assess_item(s, ctx=_ctx(s), code="1.1", result="未达标", evidence_dir=tmp_path, now=NOW)
        assess_item(s, ctx=_ctx(s), code="1.1", result="达标", evidence_dir=tmp_path, now=NOW)
        assess_item(s, ctx=_ctx(s), code="8.4", result="基本达标", evidence_dir=tmp_path, now=NOW)
    with loaded.reader() as s:
        st = standard_status(s, ctx=_ctx(s))
    assert (st.areas, st.assessed, st.met, st.mostly_met) == (8, 2, 1, 1)
    first = st.by_area[0]
    assert (first.area, first.assessed, first.met) == ("爱国卫生组织管理", 1, 1)
    assert "1.1" not in {r.code for r in st.red} and "8.4" not in {r.code for r in st.red}


def test_evidence_is_stored_once_by_content_and_a_bad_assessment_writes_nothing(loaded, tmp_path):
    store = tmp_path / "evidence"
    with loaded.unit_of_work() as s:
        a = assess_item(s, ctx=_ctx(s), code="3.6", result="达标", score=92, note="公厕已全部改造",
                        files=[("公厕.jpg", JPG), ("台账.pdf", PDF)], evidence_dir=store, now=NOW)
        assess_item(s, ctx=_ctx(s), code="3.6", result="达标", files=[("公厕-副本.jpg", JPG)], evidence_dir=store,
                    now=NOW)
    assert a.files == ("公厕.jpg", "台账.pdf")
    sha = hashlib.sha256(JPG).hexdigest()
    assert (store / sha[:2] / f"{sha}.jpg").read_bytes() == JPG
    for bad in (dict(code="3.6", result="优秀"), dict(code="99.9", result="达标"), dict(code="3.6", result="达标", score=120)):
        with pytest.raises((InvalidInput, NotFound)), loaded.unit_of_work() as s:
            assess_item(s, ctx=_ctx(s), evidence_dir=store, now=NOW, files=[("x.pdf", b"other")], **bad)
    with loaded.reader() as s:
        assert s.scalar(select(func.count()).select_from(EvidenceFile)) == 2
        assert s.scalar(select(func.count()).select_from(SelfAssessment)) == 2
        assert next(r for r in list_items(s, ctx=_ctx(s)) if r.code == "3.6").evidence == 2


def test_vector_records_are_checked_against_the_c_level_and_say_when_a_threshold_is_unverified(loaded):
    with loaded.unit_of_work() as s:
        ok = record_vector(s, ctx=_ctx(s), pest="蝇", metric="有蝇房间阳性率", method="目测法", place="城关农贸市场",
                           surveyed_on=NOW.date(), value=6.5, now=NOW)
        high = record_vector(s, ctx=_ctx(s), pest="蝇", metric="有蝇房间阳性率", method="目测法", place="城关农贸市场",
                             surveyed_on=NOW.date(), value=12, now=NOW)
        rat = record_vector(s, ctx=_ctx(s), pest="鼠", metric="粉迹阳性率", method="粉迹法", place="县医院",
                            surveyed_on=NOW.date(), value=1, now=NOW)
        free = record_vector(s, ctx=_ctx(s), pest="蚊", metric="诱蚊灯指数", method="诱蚊灯法", place="公园",
                             surveyed_on=NOW.date(), value=1, now=NOW)
    assert (ok.passed, ok.threshold, ok.threshold_verified) == (True, 9, True)
    assert high.passed is False
    assert (rat.passed, rat.threshold_verified) == (True, False)
    assert (free.passed, free.threshold) == (None, None)
    with pytest.raises(InvalidInput), loaded.unit_of_work() as s:
        record_vector(s, ctx=_ctx(s), pest="蚁", metric="x", method="x", place="x", surveyed_on=NOW.date(), value=1,
                      now=NOW)


def test_items_draw_system_evidence_from_findings_of_their_categories(loaded):
    open_first_phase(loaded)
    with loaded.unit_of_work() as s:
        ctx = _ctx(s)
        for _ in range(2):
            record_finding(s, ctx=ctx, category="公厕不洁", lon=116.4700, lat=39.9960, now=at("2025-03-03 10:00"),
                           allow_duplicate=True)
    with loaded.reader() as s:
        item = s.scalars(select(StandardItem).where(StandardItem.code == "3.6")).one()
        extracts = system_evidence(s, ctx=_ctx(s), item=item)
    rows = {e.title: e.rows for e in extracts}
    assert rows["督查问题及整改情况"][0][:2] == ("公厕不洁", 2)


def test_the_archive_files_evidence_under_its_area_and_item_with_index_and_catalogue(loaded, tmp_path):
    store = tmp_path / "evidence"
    with loaded.unit_of_work() as s:
        assess_item(s, ctx=_ctx(s), code="1.3", result="达标", files=[("年度计划.pdf", PDF)], evidence_dir=store, now=NOW)
        assess_item(s, ctx=_ctx(s), code="8.2", result="未达标", files=[("毒饵站.jpg", JPG), ("毒饵站 2.jpg", JPG + b"2")],
                    evidence_dir=store, now=NOW)
    out = tmp_path / "资料" / "archive.zip"
    with loaded.reader() as s:
        report = write_archive(s, ctx=_ctx(s), evidence_dir=store, out=out, now=NOW)
    assert (report.files, report.items) == (3, 40)
    z = zipfile.ZipFile(out)
    names = z.namelist()
    pdf = next(n for n in names if n.endswith("年度计划.pdf"))
    assert pdf.startswith("01 爱国卫生组织管理/1.3 ") and z.read(pdf) == PDF
    jpg = next(n for n in names if n.endswith("毒饵站.jpg"))
    assert jpg.startswith("08 病媒生物预防控制/8.2 ") and z.read(jpg) == JPG
    folders = [n for n in names if n.endswith("/") and n.count("/") == 2]
    assert [f.split(" ")[0][:2] for f in folders] == sorted(f.split(" ")[0][:2] for f in folders)
    ws = load_workbook(io.BytesIO(z.read("index.xlsx"))).active
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 40 and rows["1.3"][5] == "达标" and rows["8.2"][5] == "未达标" and rows["2.1"][5] == "未自评"
    assert pdf in rows["1.3"][9]
    text = "\n".join(c.text for t in Document(io.BytesIO(z.read("目录.docx"))).tables for r in t.rows for c in r.cells)
    assert "年度计划.pdf" in text and "鼠密度控制水平达到C级" in text
    assert not list(out.parent.glob(".tmp-*"))


def test_an_archive_before_the_standard_is_loaded_is_refused_and_leaves_no_file(db, example, tmp_path):
    with pytest.raises(NotFound), db.reader() as s:
        write_archive(s, ctx=_ctx(s), evidence_dir=tmp_path, out=tmp_path / "a.zip", now=NOW)
    assert not (tmp_path / "a.zip").exists()


def test_a_campaign_may_add_local_items_to_an_area(db, example):
    with db.unit_of_work() as s:
        c = s.scalars(select(Campaign)).one()
        local = {"code": "L.1", "area": "市容环境卫生", "title": "沿街门店门前三包", "owner": "县城市管理局",
                 "owner_kinds": ["职能部门"], "evidence": [{"kind": "记录", "what": "门前三包责任书"}]}
        c.spec = json.loads(json.dumps({**c.spec, "standard": {**c.spec["standard"], "local_items": [local]}}))
    with db.unit_of_work() as s:
        load_standard(s, ctx=_ctx(s), now=NOW)
    with db.reader() as s:
        rows = list_items(s, ctx=_ctx(s))
    local_row = next(r for r in rows if r.code == "L.1")
    assert local_row.area == "市容环境卫生" and local_row.owner == "县城市管理局"
    area_codes = [r.code for r in rows if r.area == "市容环境卫生"]
    assert area_codes[-1] == "L.1"
