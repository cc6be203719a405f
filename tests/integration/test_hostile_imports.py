"""Segment files with impossible coordinates are refused by name, every problem listed, nothing changed (issue 16)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models import Segment
from rules.errors import InvalidInput
from services.campaigns.loading import get_campaign
from services.imports.segments import import_segments
from tests.conftest import at
from tests.support.town import make_town

NOW = at("2025-01-10 09:00")


def _bad_town(tmp_path) -> tuple[str, list[str]]:
    """The other town's file with a NaN vertex, an infinite one, a one-point line and a projected one."""
    town = make_town(tmp_path)
    data = json.loads(town.truth.read_text(encoding="utf-8"))
    features = data["features"]
    codes = [f["properties"]["路段编号"] for f in features[:4]]
    features[0]["geometry"]["coordinates"][1][0] = float("nan")
    features[1]["geometry"]["coordinates"][0][1] = float("inf")
    features[2]["geometry"]["coordinates"] = features[2]["geometry"]["coordinates"][:1]
    features[3]["geometry"]["coordinates"][0] = [440000.0, 4420000.0]
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # json writes NaN and Infinity
    assert "NaN" in bad.read_text(encoding="utf-8")
    return str(bad), codes


def test_nan_infinite_one_point_and_projected_coordinates_are_each_named_and_nothing_is_imported(db, example, tmp_path):
    bad, codes = _bad_town(tmp_path)
    with db.reader() as s:
        before = s.scalar(select(func.count()).select_from(Segment))
    with pytest.raises(InvalidInput) as e:
        with db.unit_of_work() as s:
            import_segments(s, campaign=get_campaign(s), path=bad, now=NOW)
    assert e.value.exit_code == 2
    lines = e.value.details
    assert len(lines) == 4, lines
    for code, words in zip(codes, ["非数值", "非数值", "只有一个点", "超出经纬度范围"], strict=True):
        assert any(f"（{code}）" in line and words in line for line in lines), (code, lines)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Segment)) == before


def test_the_cli_exits_2_and_prints_every_problem(db_url, example, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli import app

    bad, codes = _bad_town(tmp_path)
    monkeypatch.setenv("CW_DATABASE_URL", db_url)
    monkeypatch.setenv("CW_DATA_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(app, ["import", "segments", bad])
    assert result.exit_code == 2
    assert all(code in result.output for code in codes) and "无法读取空间数据文件" not in result.output
