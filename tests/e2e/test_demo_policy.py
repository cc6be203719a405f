"""``cw demo``'s summary of the campaign's policy (issue 17) agrees with the database it leaves behind."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
CW = str(Path(sys.executable).parent / "cw")


def test_the_policy_figures_of_the_summary_are_the_database_counts(tmp_path):
    out = tmp_path / "demo"
    env = {**os.environ, "CW_DATA_DIR": str(tmp_path / "var"), "CW_OUTPUT_DIR": str(tmp_path / "out")}
    env.pop("CW_DATABASE_URL", None)
    proc = subprocess.run([CW, "demo", "--out", str(out), "--seed", "5", "--until", "2025-03-20"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(out / "demo.db")
    try:
        one = lambda sql, *a: db.execute(sql, a).fetchone()[0]
        for kind in ("通报批评", "黄牌警告", "约谈"):
            assert s["sanctions"][kind] == one("select count(*) from sanction where kind=? and state='confirmed'", kind)
            assert s["sanctions_proposed"][kind] == one("select count(*) from sanction where kind=?", kind)
        assert s["sanctions"]["督办"] == one("select count(*) from supervision_notice")
        # one 督办单 per unit per week at most
        assert one("select max(n) from (select count(*) n from supervision_notice "
                   "group by unit_id, strftime('%Y-%W', issued_at, '+8 hours'))") in (None, 1)
        assert s["tasks_missed"] == one("select count(*) from task where status='missed'")
        assert s["tasks_missed"] > 0  # a weekly patrol left undone lapses instead of staying overdue
        assert s["leader_opinions"] == one("select count(*) from problem_event where action='opinion' "
                                           "and from_level='县级领导'")
        assert s["complaints_redo"] == one("select coalesce(sum(redo_count), 0) from complaint")
        assert s["commendations_confirmed"] == one("select count(*) from commendation where status='confirmed'")
        colours = {"green": "绿", "yellow": "黄", "red": "红"}
        for en, zh in colours.items():
            assert sum(p[en] for p in s["ratings_by_phase"]) == s["ratings"][en] == one(
                "select count(*) from assessment_rating where status='confirmed' and rating=?", zh)
        m = s["messages_per_recipient_day"]
        assert 0 < m["median"] <= m["p95"] <= m["max"]
        assert s["max_overdue_working_days"] >= 0
    finally:
        db.close()
