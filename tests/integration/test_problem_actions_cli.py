"""``cw problem …`` answers by the same rule as the phone pages and the API (real processes, both databases)."""

from __future__ import annotations

import json

from models import Unit
from tests.integration.test_sweep_cli import cw
from tests.support.escalation_world import open_first_phase, people, raise_member_problem


def _name(db, unit_id: int) -> str:
    with db.reader() as s:
        return s.get(Unit, unit_id).name


def test_the_command_line_refuses_the_wrong_role_in_chinese_and_walks_the_ladder(db, db_url, example, tmp_path):
    open_first_phase(db)
    p = people(db)
    pid = str(raise_member_problem(db, p, "2025-03-17 09:00"))
    member, lead = _name(db, p.member_unit_id), _name(db, p.lead_unit_id)
    now = ("--now", "2025-03-17T10:00:00+08:00")
    refused = cw(db_url, tmp_path, "problem", "opinion", pid, "--text", "我单位签署意见", "--by", member, *now)
    assert refused.returncode == 2 and "县级领导" in refused.stderr
    up = cw(db_url, tmp_path, "problem", "escalate", pid, "--reason", "需牵头部门协调", "--by", member, *now)
    assert up.returncode == 0, up.stderr
    up = cw(db_url, tmp_path, "problem", "escalate", pid, "--reason", "牵头部门意见：请县领导协调", "--by", lead, *now)
    assert up.returncode == 0, up.stderr
    bad = cw(db_url, tmp_path, "problem", "opinion", pid, "--text", "同意", "--decision", "随便", *now)
    assert bad.returncode == 2 and "协调解决" in bad.stderr
    shown = json.loads(cw(db_url, tmp_path, "problem", "show", pid, "--json").stdout)
    assert shown["level"] == "县级领导"
    assert shown["history"][-1]["opinion"] == "牵头部门意见：请县领导协调"
