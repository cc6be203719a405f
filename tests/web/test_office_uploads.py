"""Uploads on 路段与包联 validate exactly like ``cw import``: every bad row named (第N行, field), nothing
changed; a good file shows what it created and updated. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from models import Assignment, Segment, Unit
from services.campaigns import get_campaign
from services.imports import COLUMNS, assignment_rows, segments_geojson, write_xlsx
from tests.web.conftest import csrf_of


def _table(db) -> list[list[str]]:
    with db.reader() as s:
        return assignment_rows(s, campaign=get_campaign(s))


def _counts(db) -> tuple[int, int, int]:
    with db.reader() as s:
        return (s.scalar(select(func.count()).select_from(Assignment)), s.scalar(select(func.count()).select_from(Unit)),
                s.scalar(select(func.count()).select_from(Segment)))


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([COLUMNS, *rows])
    return buf.getvalue().encode(encoding)


def _upload(client, path: str, name: str, data: bytes, **fields: str):
    return client.post(path, data={"csrf": csrf_of(client), **fields}, files={"file": (name, data, "text/csv")})


def test_the_segments_page_offers_both_uploads_with_the_cli_options(browser_for, town):
    page = browser_for(town.office).get("/office/segments").text
    seg_form, asg_form = page.split('id="segment-upload"')[1].split("</form>")[0], \
        page.split('id="assignment-upload"')[1].split("</form>")[0]
    assert "包联" not in seg_form and 'type="file"' in seg_form and ">上传</button>" in seg_form
    assert all(d in seg_form for d in ("WGS-84", "GCJ-02", "BD-09"))
    assert "包联" in asg_form and 'type="checkbox" name="create_missing"' in asg_form
    assert "自动新建表中未登记的单位和领导" in asg_form and ">上传</button>" in asg_form


def test_a_bad_assignment_table_names_every_bad_row_and_changes_nothing(browser_for, town, db):
    rows = _table(db)
    bad = [list(r) for r in rows]
    bad[1][0] = "XX-99"  # 第3行: no such segment
    bad[2][2] = ""  # 第4行: leader missing
    bad[3][3] = "县不存在局"  # 第5行: unknown lead department
    bad[5][0] = bad[0][0]  # 第7行: the code of 第2行 again
    before = _counts(db)
    office = browser_for(town.office)
    r = _upload(office, "/office/assignments/upload", "包联表_有误.csv", _csv(bad, "gb18030"))
    assert r.status_code == 422
    for n in (3, 4, 5, 7):
        assert f"第{n}行" in r.text, n
    assert "字段 包段县级领导" in r.text and "县不存在局" in r.text and "XX-99" in r.text
    assert "包联表_有误.csv" in r.text and "cw-upload-" not in r.text
    assert "系统中的数据没有任何改动" in r.text
    assert _counts(db) == before
    # the same table with --create-missing: the unknown unit would be created, the other rows still fail
    r = _upload(office, "/office/assignments/upload", "包联表_有误.csv", _csv(bad), create_missing="1")
    assert r.status_code == 422 and "第3行" in r.text and "第5行" not in r.text
    assert _counts(db) == before


def test_a_good_assignment_table_imports_and_shows_what_changed(browser_for, town, db, tmp_path):
    rows = [list(r) for r in _table(db)]
    rows[0][4] = rows[0][4] + "、县新成立中心"
    path = tmp_path / "包联表.xlsx"
    write_xlsx(path, "包联路段", COLUMNS, rows)
    before = _counts(db)
    office = browser_for(town.office)
    r = office.post("/office/assignments/upload", data={"csrf": csrf_of(office), "create_missing": "1"},
                    files={"file": ("包联表.xlsx", path.read_bytes(), "application/octet-stream")})
    assert r.status_code == 200, r.text[:500]
    assert "包联导入完成：新增 0，更新 1，未变" in r.text and "县新成立中心" in r.text
    after = _counts(db)
    assert after[0] == before[0] + 1 and after[1] == before[1] + 1


def test_segment_upload_takes_the_datum_and_a_broken_file_changes_nothing(browser_for, town, db):
    with db.reader() as s:
        data = segments_geojson(s, campaign=get_campaign(s))
    feature = next(f for f in data["features"] if f["properties"]["类型"] == "路段")
    feature["properties"]["路段名称"] += "（改）"
    office = browser_for(town.office)
    before = _counts(db)
    broken = _upload(office, "/office/segments/upload", "路段.geojson", b'{"type": "FeatureCollection", "features": [',
                     datum="wgs84")
    assert broken.status_code == 422 and "路段文件未导入" in broken.text
    wrong = _upload(office, "/office/segments/upload", "路段.exe", b"MZ", datum="wgs84")
    assert wrong.status_code == 422 and "不支持的文件类型" in wrong.text
    datum = _upload(office, "/office/segments/upload", "路段.geojson", json.dumps(data).encode(), datum="mercator")
    assert datum.status_code == 422 and "不支持的坐标系" in datum.text
    assert _counts(db) == before
    ok = _upload(office, "/office/segments/upload", "路段.geojson", json.dumps(data, ensure_ascii=False).encode(),
                 datum="wgs84")
    assert ok.status_code == 200 and "路段导入完成：新增 0，更新 1" in ok.text
    with db.reader() as s:
        assert s.scalar(select(Segment.name).where(Segment.code == feature["properties"]["路段编号"])).endswith("（改）")


def test_an_upload_without_a_file_or_the_session_token_is_refused(browser_for, town, db):
    office = browser_for(town.office)
    r = office.post("/office/assignments/upload", data={"csrf": csrf_of(office)})
    assert r.status_code == 422 and "请选择要上传的文件" in r.text
    before = _counts(db)
    r = office.post("/office/assignments/upload", data={}, files={"file": ("a.csv", _csv(_table(db)), "text/csv")})
    assert r.status_code == 403
    assert _counts(db) == before
