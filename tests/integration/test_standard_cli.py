"""``cw standard``, ``cw rehearsal`` and ``cw survey`` as the office runs them (real processes, JSON contracts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

BIN = Path(sys.executable).parent


def cw(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return subprocess.run([str(BIN / "cw"), *args], capture_output=True, text=True, timeout=180, cwd=tmp_path,
                          env={**base, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var"),
                               "CW_OUTPUT_DIR": str(tmp_path / "out")})


def test_the_standard_commands_load_assess_report_and_archive(db_url, example, tmp_path):
    assert cw(db_url, tmp_path, "standard", "load").returncode == 0
    again = cw(db_url, tmp_path, "standard", "load")
    assert again.returncode == 0 and "内容未变" in again.stdout
    items = json.loads(cw(db_url, tmp_path, "standard", "items", "--json").stdout)
    assert {"code", "area", "title", "owner"} <= set(items[0]) and len({i["area"] for i in items}) == 8
    (tmp_path / "证明.pdf").write_bytes(b"%PDF-1.4 proof")
    done = cw(db_url, tmp_path, "standard", "assess", "5.2", "--result", "达标", "--evidence", "证明.pdf")
    assert done.returncode == 0, done.stderr
    missing = cw(db_url, tmp_path, "standard", "assess", "5.2", "--result", "达标", "--evidence", "无此文件.pdf")
    assert missing.returncode == 2 and "找不到文件" in missing.stderr
    status = json.loads(cw(db_url, tmp_path, "standard", "status", "--json").stdout)
    assert (status["areas"], status["assessed"], status["met"]) == (8, 1, 1)
    area = next(a for a in status["by_area"] if a["area"] == "重点场所卫生")
    assert (area["assessed"], area["met"]) == (1, 1)
    assert cw(db_url, tmp_path, "standard", "archive", "--out", "资料.zip").returncode == 0
    names = zipfile.ZipFile(tmp_path / "资料.zip").namelist()
    assert any(n.startswith("05 重点场所卫生/5.2 ") and n.endswith("证明.pdf") for n in names)
    assert {"index.xlsx", "目录.docx"} <= set(names)


def test_the_rehearsal_plan_and_the_survey_speak_json(db_url, example, tmp_path):
    plan = json.loads(cw(db_url, tmp_path, "rehearsal", "plan", "--date", "2025-03-10", "--seed", "3", "--json",
                         "--no-map").stdout)
    assert sum(1 for v in plan["by_type"].values() if v) >= 6
    assert {"type", "name", "lon", "lat"} <= set(plan["points"][0])
    bad = cw(db_url, tmp_path, "rehearsal", "plan", "--date", "3月10日")
    assert bad.returncode == 2 and "日期格式不正确" in bad.stderr
    made = cw(db_url, tmp_path, "survey", "create", "--title", "第一季度测评", "--period", "2025Q1")
    assert made.returncode == 0 and "/s/" in made.stdout and "2025年第一季度" in made.stdout
    results = json.loads(cw(db_url, tmp_path, "survey", "results", "--json").stdout)
    assert results[0]["responses"] == 0 and results[0]["satisfied_rate"] is None
