"""``cw notify …`` and ``cw run deliver-notifications`` as an operator runs them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo.sandbox import FakePlatforms
from models.outbox import DEAD, PENDING, SENT
from notify import make_client
from services.notifications.relay import deliver_due
from tests.support import outbox_world as world

BIN = Path(sys.executable).parent
NOW = world.NOW


@pytest.fixture
def fake():
    with FakePlatforms() as f:
        yield f


def cw(db_url: str, tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CW_")}
    return subprocess.run([str(BIN / "cw"), *args], capture_output=True, text=True, timeout=120,
                          env={**base, "CW_DATABASE_URL": db_url, "CW_DATA_DIR": str(tmp_path / "var"), **env})


def test_cw_notify_dead_lists_a_bad_wecom_key_and_cw_notify_retry_requeues_it(db, db_url, example, fake, tmp_path):
    world.configure(db, office_targets=["创卫办群"])
    world.notify(db, 1, now=NOW)
    with make_client() as client:
        bad = world.environ(fake, CW_NOTIFY_OFFICE_WECOM_URL=fake.wecom_url("0000-revoked-key-0000-000000000000"))
        deliver_due(db, now=NOW, client=client, environ=bad)
        listed = cw(db_url, tmp_path, {}, "notify", "dead", "--json")
        [dead] = json.loads(listed.stdout)
        assert "93000" in dead["last_error"] and dead["target"] == "创卫办群"
        shown = cw(db_url, tmp_path, {}, "notify", "dead").stdout
        assert f"[{dead['id']}] 创卫办群" in shown and "企业微信机器人地址无效" in shown

        retried = cw(db_url, tmp_path, {}, "notify", "retry", str(dead["id"]), "--now", NOW.isoformat())
        assert retried.returncode == 0 and "已重新排队" in retried.stdout
        assert [(r.state, r.attempts) for r in world.outbox(db)] == [(PENDING, 0)]
        again = cw(db_url, tmp_path, {}, "notify", "retry", str(dead["id"]))
        assert again.returncode == 2 and "只有发送失败的通知" in again.stderr

        # the office re-added the robot and updated the variable
        assert deliver_due(db, now=NOW, client=client, environ=world.environ(fake)).sent == 1
    assert [r.state for r in world.outbox(db)] == [SENT]


def test_cw_run_deliver_notifications_without_configured_secrets_dead_letters_and_exits_cleanly(
        db, db_url, example, tmp_path):
    world.notify(db, 2, now=NOW, recipients=[("office", None), ("leader", world.leader_ids(db)[0])])
    run = cw(db_url, tmp_path, {}, "run", "deliver-notifications", "--direct", "--now", NOW.isoformat())
    assert run.returncode == 0, run.stderr
    rows = world.outbox(db)
    assert rows and {r.state for r in rows} == {DEAD}
    assert all("环境变量 CW_NOTIFY_" in r.last_error for r in rows)
    summary = json.loads(cw(db_url, tmp_path, {}, "notify", "list", "--json").stdout)["summary"]
    assert sum(c["count"] for c in summary if c["state"] == DEAD) == len(rows)


def test_cw_notify_test_sends_a_chinese_test_message_to_a_webhook_target(db, db_url, example, fake, tmp_path):
    sent = cw(db_url, tmp_path, world.environ(fake), "notify", "test", "政务协同平台")
    assert sent.returncode == 0, sent.stderr
    [request] = fake.requests_for("webhook")
    assert request.json["title"] == "【测试】通知渠道连通测试" and "政务协同平台" in request.json["body"]
    assert world.outbox(db) == []  # a test message never enters the outbox
    missing = cw(db_url, tmp_path, {}, "notify", "test", "县领导群")
    assert missing.returncode == 2 and "CW_NOTIFY_LEADERS_DINGTALK_URL 未设置" in missing.stderr
    refused = cw(db_url, tmp_path, world.environ(fake, CW_NOTIFY_WEBHOOK_URL=fake.base_url + "/nowhere"),
                 "notify", "test", "政务协同平台")
    assert refused.returncode == 1 and "发送失败" in refused.stdout
