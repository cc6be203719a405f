"""``cw assess …`` as the office runs it (real processes): ranking, ratings, confirmation, export."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from tests.support.assessment_world import DILIGENT, seed

BIN = Path(sys.executable).parent


def cw(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return subprocess.run([str(BIN / "cw"), "assess", *args], capture_output=True, text=True, timeout=120,
                          env={**base, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var")})


def test_cw_assess_prints_rates_confirms_and_exports_the_assessment_record(db, db_url, example, tmp_path):
    seed(db)
    now = "2025-01-13T08:00:00+08:00"
    shown = cw(db_url, tmp_path, "--week", "2025-W01", "--kind", "牵头部门", "--now", now)
    assert shown.returncode == 0, shown.stderr
    assert "单位考核排名（牵头部门）" in shown.stdout and DILIGENT in shown.stdout and "100.00" in shown.stdout

    proposed = cw(db_url, tmp_path, "ratings", "--week", "2025-W01", "--now", now)
    assert proposed.returncode == 0 and "待确认" in proposed.stdout
    confirmed = cw(db_url, tmp_path, "confirm", "--week", "2025-W01", "--by", "周文静", "--now", now)
    assert confirmed.returncode == 0 and "已确认" in confirmed.stdout

    path = tmp_path / "kh.xlsx"
    exported = cw(db_url, tmp_path, "export", "--xlsx", str(path), "--week", "2025-W02", "--now", now)
    assert exported.returncode == 0, exported.stderr
    assert {"时段-起步", "全程", "2024年12月30日—2025年1月5日", "2025年1月6日—12日", "说明"} <= set(load_workbook(path).sheetnames)
    bad = cw(db_url, tmp_path, "--phase", "起步", "--whole", "--json")
    assert bad.returncode == 2 and "只能选一个" in bad.stderr and not bad.stdout
