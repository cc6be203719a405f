"""``cw run sweep`` and ``cw problem`` / ``cw sanctions`` as the office runs them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flows import runtime
from flows.registry import find
from tests.support.escalation_world import open_first_phase

BIN = Path(sys.executable).parent


def cw(db_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return subprocess.run([str(BIN / "cw"), *args], capture_output=True, text=True, timeout=180,
                          env={**base, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var")})


def test_the_sweep_flow_is_registered_hourly():
    entry = find("sweep")
    assert entry.cron == "0 * * * *" and entry.load().name == "sweep"


def _propose_criticism(db, unit_name: str) -> None:
    from services.campaigns.directory import unit_directory
    from services.campaigns.loading import get_campaign
    from services.escalation import sanctions
    from tests.conftest import at

    with db.unit_of_work() as s:
        c = get_campaign(s)
        unit = unit_directory(s, c.id).find(unit_name)
        assert unit is not None
        sanctions.propose(s, campaign_id=c.id, now=at("2025-04-11 10:00"), proposals=[dict(
            key=f"unit:{unit.id}:2025-04:通报批评", unit_id=unit.id, kind="通报批评", reason="本月已收到督办单3张",
            phase_id=None, object_type="unit", object_id=unit.id)])


def test_the_sweep_flow_escalates_a_problem_and_the_office_works_it_from_the_command_line(db, db_url, example,
                                                                                         tmp_path, monkeypatch):
    open_first_phase(db)
    monkeypatch.setenv("CW_DATABASE_URL", db_url)
    flow = find("sweep").load()
    raised = cw(db_url, tmp_path, "problem", "raise", "--unit", "交警大队", "--segment", "LD-03",
                "--title", "路口护栏缺失需协调", "--now", "2025-03-17T09:00:00+08:00")
    assert raised.returncode == 0, raised.stderr
    try:
        # past 牵头部门 only after the example's climb_after (10 工作日)
        for when, level in (("2025-03-20T10:00:00+08:00", "牵头部门"), ("2025-04-07T10:00:00+08:00", "县级领导"),
                            ("2025-04-11T10:00:00+08:00", "创卫办")):
            (report,) = flow.fn(now=when)  # what `cw run sweep --direct` calls
            assert report["coordination"]["by_step"] == {level: 1} and report["task"]["moved"] > 0
    finally:
        runtime.database().dispose()  # the flow's own engine, cached per process
    shown = json.loads(cw(db_url, tmp_path, "problem", "show", "1", "--json").stdout)
    assert shown["level"] == "创卫办"
    assert [h["to"] for h in shown["history"]] == ["参与单位", "牵头部门", "县级领导", "创卫办"]
    assert shown["history"][-1]["opinion"] == "县级领导逾期未签署意见"
    bad = cw(db_url, tmp_path, "problem", "return", "1", "--reason", " ")
    assert bad.returncode == 2 and "理由" in bad.stderr
    assigned = cw(db_url, tmp_path, "problem", "assign", "1", "--unit", "城管局", "--limit", "3",
                  "--now", "2025-04-11T11:00:00+08:00")
    assert assigned.returncode == 0 and "改派完成" in assigned.stdout
    _propose_criticism(db, "城管局")  # sanctions are about units and periods (the month's 督办单), not items
    proposals = json.loads(cw(db_url, tmp_path, "sanctions", "list", "--state", "proposed", "--json").stdout)
    assert proposals and {p["kind"] for p in proposals} <= {"通报批评", "黄牌警告", "约谈"}
    confirmed = cw(db_url, tmp_path, "sanctions", "confirm", str(proposals[0]["id"]), "--now",
                   "2025-04-11T12:00:00+08:00")
    assert confirmed.returncode == 0 and "已发布" in confirmed.stdout
    notices = cw(db_url, tmp_path, "sanctions", "notices")
    assert notices.returncode == 0 and "创卫督〔2025〕1号" in notices.stdout
