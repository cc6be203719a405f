"""The campaign file: the example validates; every mistake is named by file, path, field and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config.loader import CampaignFileError, load_campaign

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "examples" / "demo_county"


def _write(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((EXAMPLE / "campaign.yaml").read_text(encoding="utf-8"))
    mutate(data)
    for name in ("segments.geojson", "assignments.xlsx", "boundary.geojson"):
        (tmp_path / name).write_bytes((EXAMPLE / name).read_bytes())
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_bundled_example_is_valid_and_found_from_its_folder():
    loaded = load_campaign(EXAMPLE)
    assert loaded.spec.campaign.code
    assert [p.name for _, p in loaded.spec.phases()] == ["起步", "加速", "攻坚", "冲刺"]
    assert loaded.resolve(loaded.spec.segments.file).is_file()


def test_all_errors_are_listed_at_once_with_file_path_and_field(tmp_path):
    def mutate(d):
        d["campaign"]["colour"] = "red"
        d["stages"][1]["phases"][1]["start"] = "2025-05-32"
        d["units"][0]["kind"] = "局"

    path = _write(tmp_path, mutate)
    with pytest.raises(CampaignFileError) as e:
        load_campaign(path)
    text = "\n".join(e.value.problems)
    assert len(e.value.problems) == 3
    assert str(path) in text
    assert "campaign.colour: 字段 colour: 不认识的字段" in text
    assert "stages[2].phases[2].start" in text and "日期格式不正确" in text
    assert "units[1].kind" in text and "取值无效" in text


def test_overlapping_or_gapped_phases_are_refused_in_chinese(tmp_path):
    def mutate(d):
        d["stages"][1]["phases"][1]["start"] = "2025-04-20"
        d["stages"][1]["phases"][2]["start"] = "2025-11-05"

    with pytest.raises(CampaignFileError) as e:
        load_campaign(_write(tmp_path, mutate))
    text = "\n".join(e.value.problems)
    assert "「起步」与「加速」重叠" in text
    assert "「加速」与「攻坚」不连续" in text


def test_a_phase_outside_its_stage_is_refused(tmp_path):
    def mutate(d):
        d["stages"][1]["phases"][-1]["end"] = "2026-07-31"

    with pytest.raises(CampaignFileError) as e:
        load_campaign(_write(tmp_path, mutate))
    assert "超出所属阶段" in "\n".join(e.value.problems)


def test_a_missing_referenced_file_is_named(tmp_path):
    path = _write(tmp_path, lambda d: None)
    (tmp_path / "assignments.xlsx").unlink()
    with pytest.raises(CampaignFileError) as e:
        load_campaign(path)
    assert "assignments.file: 找不到文件" in e.value.problems[0]


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text("campaign:\n  code: x\n  name: [unclosed\n", encoding="utf-8")
    with pytest.raises(CampaignFileError) as e:
        load_campaign(path)
    assert "行" in e.value.problems[0] and "YAML" in e.value.problems[0]


def test_a_unit_alias_claimed_by_two_units_is_refused(tmp_path):
    def mutate(d):
        d["units"][1]["aliases"] = [*d["units"][1].get("aliases", []), d["units"][2]["name"]]

    with pytest.raises(CampaignFileError) as e:
        load_campaign(_write(tmp_path, mutate))
    assert "同时属于" in "\n".join(e.value.problems)
