"""``cw demo`` end to end: one sub-phase of the example campaign on the virtual clock, the real
flows and services, local receivers; and the same seed reproduces the same summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
CW = str(Path(sys.executable).parent / "cw")


def _demo(tmp: Path, name: str, until: str, seed: int = 3) -> dict:
    out = tmp / name
    env = {**os.environ, "CW_DATA_DIR": str(tmp / f"{name}-var"), "CW_OUTPUT_DIR": str(tmp / f"{name}-out")}
    env.pop("CW_DATABASE_URL", None)
    proc = subprocess.run([CW, "demo", "--out", str(out), "--seed", str(seed), "--until", until], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "演练完成" in proc.stdout
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_one_sub_phase_runs_end_to_end_through_every_part(tmp_path):
    s = _demo(tmp_path, "qibu", "2025-04-30")
    assert [p["name"] for p in s["phases"]] == ["起步"]
    for key in ("segments", "tasks_total", "ticks", "verifications_rejected", "findings_total", "complaints_total",
                "escalations_auto", "notifications_sent", "briefs"):
        assert s[key] > 0, key
    assert s["notifications_dead"] == 0
    assert s["sanctions"]["督办"] > 0 and s["ratings"]["red"] > 0
    assert sum(s["problems_by_final_level"].values()) > 0
    out = tmp_path / "qibu"
    briefs = sorted(out.glob("briefs/**/创卫简报*.docx"))  # the 督查通报 lie beside them
    assert len(briefs) == s["briefs"] and list(out.glob("briefs/**/*.html"))
    assert list(out.glob("briefs/**/督查通报*.docx")) and list(out.glob("briefs/**/督查通报*.html"))
    assert (out / "maps" / "progress_map.html").is_file() and (out / "maps" / "progress_map.png").is_file()
    assert (out / "考核记录.xlsx").is_file() and list((out / "receivers").glob("*.jsonl"))


def test_the_same_seed_reproduces_the_same_summary(tmp_path):
    a, b = (_demo(tmp_path, name, "2025-01-24", seed=11) for name in ("a", "b"))
    a.pop("wall_seconds"), b.pop("wall_seconds")
    assert a == b and a["tasks_total"] > 0
