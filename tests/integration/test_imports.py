"""包联 and segment imports on SQLite and PostgreSQL: upserts, datums, history, all-or-nothing."""

from __future__ import annotations

import math
from dataclasses import asdict

import pytest
from sqlalchemy import func, select

from models import Assignment, Segment, Unit
from rules.errors import InvalidInput
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.status import campaign_status
from services.imports.assignments import import_assignments
from services.imports.segment_export import segments_geojson
from services.imports.segments import import_segments
from tests.conftest import at
from tests.support.town import make_town, write_csv

NOW = at("2025-01-10 09:00")


def _status(db):
    with db.reader() as s:
        return asdict(campaign_status(s, ctx=load_context(s, campaign=get_campaign(s)), now=NOW))


def _import_town(db, town, create_missing=True):
    with db.unit_of_work() as s:
        c = get_campaign(s)
        import_segments(s, campaign=c, path=town.gcj02, datum="gcj02", now=NOW)
        return import_assignments(s, campaign=c, path=town.xlsx, create_missing=create_missing, now=NOW)


def test_the_example_campaign_loads_with_every_segment_fully_assigned(db, example):
    st = _status(db)
    assert (st["streets"], st["segments"], st["alleys"]) == (10, 29, 57)
    assert st["segments_fully_assigned"] == st["segments"] == st["assignments"]


def test_another_towns_gcj02_segments_land_within_a_centimetre_of_the_truth(db, example, tmp_path):
    town = make_town(tmp_path)
    before = _status(db)
    report = _import_town(db, town)
    after = _status(db)
    assert after["segments"] - before["segments"] == town.segments
    assert after["alleys"] - before["alleys"] == town.alleys
    assert after["segments_fully_assigned"] - before["segments_fully_assigned"] == town.segments
    assert report.created_units and report.created_leaders
    with db.reader() as s:
        exported = {f["properties"]["路段编号"]: f for f in segments_geojson(s, campaign=get_campaign(s))["features"]}
    import json
    worst = 0.0
    for f in json.loads(town.truth.read_text(encoding="utf-8"))["features"]:
        got = exported[f["properties"]["路段编号"]]["geometry"]["coordinates"]
        want = f["geometry"]["coordinates"]
        assert len(got) == len(want)
        for (x1, y1), (x2, y2) in zip(want, got, strict=False):
            worst = max(worst, math.hypot((x1 - x2) * 111320 * math.cos(math.radians(y1)), (y1 - y2) * 110540))
    assert worst < 0.01


def test_importing_the_same_files_again_changes_nothing(db, example, tmp_path):
    town = make_town(tmp_path)
    _import_town(db, town)
    first = _status(db)
    with db.unit_of_work() as s:
        c = get_campaign(s)
        seg = import_segments(s, campaign=c, path=town.gcj02, datum="gcj02", now=NOW)
        asg = import_assignments(s, campaign=c, path=town.gbk_csv, create_missing=True, now=NOW)
    assert (seg.created, seg.updated, asg.created, asg.updated) == (0, 0, 0, 0)
    assert asg.unchanged == town.segments
    assert _status(db) == first


def test_a_table_with_bad_rows_names_every_row_and_changes_nothing(db, example, tmp_path):
    town = make_town(tmp_path)
    _import_town(db, town)
    before = _status(db)
    rows = [list(r) for r in town.rows]
    rows[1][0] = "T-L99"          # row 3: unknown segment
    rows[2][4] = ""               # row 4: no participating unit
    rows[3][2] = ""               # row 5: no leader
    rows[5][3] = "不存在的局"       # row 7: unknown unit without --create-missing
    rows[0][2] = "另一位领导"        # row 2: valid on its own, must not be written either
    rows.append(list(rows[6]))    # last row: duplicate of row 8
    bad = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(InvalidInput) as e:
        with db.unit_of_work() as s:
            import_assignments(s, campaign=get_campaign(s), path=bad, now=NOW)
    text = "\n".join(e.value.details)
    for row in (3, 4, 5, 7, len(rows) + 1):
        assert f"第{row}行" in text
    assert "T-L99" in text and "不存在的局" in text and "与第8行重复" in text
    assert e.value.exit_code == 2
    assert _status(db) == before
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Unit).where(Unit.name == "另一位领导")) == 0


def test_a_changed_assignment_closes_the_old_one_and_keeps_history(db, example, tmp_path):
    town = make_town(tmp_path)
    _import_town(db, town)
    rows = [list(r) for r in town.rows]
    rows[0][3] = "镇社会事务办" if rows[0][3] != "镇社会事务办" else "镇规划建设办"
    changed = write_csv(tmp_path / "changed.csv", rows, encoding="gbk")
    with db.unit_of_work() as s:
        r = import_assignments(s, campaign=get_campaign(s), path=changed, now=at("2025-02-01 09:00"))
    assert (r.updated, r.unchanged) == (1, town.segments - 1)
    with db.reader() as s:
        seg = s.scalars(select(Segment).where(Segment.code == "T-L01")).one()
        history = s.scalars(select(Assignment).where(Assignment.segment_id == seg.id)
                            .order_by(Assignment.valid_from)).all()
    assert len(history) == 2
    assert history[0].valid_to == at("2025-02-01 09:00") and history[1].valid_to is None


def test_a_repeated_unit_in_one_cell_is_merged_with_a_warning(db, example, tmp_path):
    town = make_town(tmp_path)
    with db.unit_of_work() as s:
        import_segments(s, campaign=get_campaign(s), path=town.truth, now=NOW)
    rows = [list(r) for r in town.rows]
    rows[0][4] = "镇卫生院、镇卫生院、镇供电所"
    path = write_csv(tmp_path / "dup.csv", rows)
    with db.unit_of_work() as s:
        r = import_assignments(s, campaign=get_campaign(s), path=path, create_missing=True, now=NOW)
    assert any("第2行" in w and "镇卫生院" in w and "合并" in w for w in r.warnings)


def test_old_unit_names_in_an_offices_table_find_todays_units(db, example, tmp_path):
    with db.reader() as s:
        seg = s.scalars(select(Segment).where(Segment.kind == "路段").order_by(Segment.code)).first()
    path = write_csv(tmp_path / "old.csv", [[seg.code, seg.name, "金志远", "地税局", "县电力局、广电局"]])
    with db.unit_of_work() as s:
        r = import_assignments(s, campaign=get_campaign(s), path=path, now=NOW)
    assert r.updated == 1 and not r.created_units


def test_alleys_need_a_known_parent_segment(db, example, tmp_path):
    import json
    town = make_town(tmp_path)
    data = json.loads(town.truth.read_text(encoding="utf-8"))
    data["features"][-1]["properties"]["上级路段"] = "NOPE"
    data["features"][0]["properties"]["类型"] = "街道"
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = _status(db)
    with pytest.raises(InvalidInput) as e:
        with db.unit_of_work() as s:
            import_segments(s, campaign=get_campaign(s), path=bad, now=NOW)
    text = "\n".join(e.value.details)
    assert "NOPE 不存在" in text and "字段 类型" in text
    assert _status(db) == before


def test_a_gbk_shapefile_imports_with_its_chinese_attributes(db, example, tmp_path):
    import geopandas as gpd
    town = make_town(tmp_path)
    frame = gpd.read_file(town.truth)
    shp = tmp_path / "town.shp"
    frame.to_file(shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    with db.unit_of_work() as s:
        r = import_segments(s, campaign=get_campaign(s), path=shp, now=NOW)
    assert r.created == town.segments + town.alleys
    with db.reader() as s:
        names = set(s.scalars(select(Segment.name).where(Segment.code.like("T-%"))))
    assert any("（1段）" in n for n in names)


def test_the_exported_assignment_table_imports_back_unchanged(db, example, tmp_path):
    from services.imports.assignments import COLUMNS
    from services.imports.segment_export import assignment_rows, write_xlsx

    with db.reader() as s:
        rows = assignment_rows(s, campaign=get_campaign(s))
    path = tmp_path / "包联表.xlsx"
    write_xlsx(path, "包联路段", COLUMNS, rows)
    with db.unit_of_work() as s:
        r = import_assignments(s, campaign=get_campaign(s), path=path, now=NOW)
    assert (r.created, r.updated, r.unchanged) == (0, 0, 29)
