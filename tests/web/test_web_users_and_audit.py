"""Users, links and the contact-list import (services and the ``cw`` commands); hashed secrets; audit log."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, select, update

from models import AuditEntry, AuthToken, Task, Tick, User
from rules.errors import InvalidInput
from services.campaigns.loading import get_campaign
from services.people.users import import_users
from tests.conftest import ROOT, at
from tests.web.conftest import jpeg


def cw(settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CW_DATABASE_URL": settings.database_url, "CW_DATA_DIR": str(settings.data_dir)}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, input=stdin)


def _xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "单位", "手机", "角色"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_web_users_import_is_all_or_nothing_with_errors_by_row(db, town, tmp_path):
    bad = _xlsx(tmp_path / "bad.xlsx", [
        ["王一", "县公安局", "13700000001", "单位联络员"],
        ["王二", "不存在局", "13700000002", "单位联络员"],
        ["王三", "县公安局", "1234", "联络员"],
        ["王四", "", "13700000004", "督查员"],
        ["王五", "县公安局", "13700000001", "联络员"],
        ["王六", "县公安局", "13700000006", "局长"],
    ])
    with pytest.raises(InvalidInput) as e, db.unit_of_work() as s:
        import_users(s, campaign=get_campaign(s), path=bad, now=at("2025-01-20 09:00"))
    assert [d.split(":")[0] for d in e.value.details] == ["第3行", "第4行", "第6行", "第7行"]
    assert "不存在局" in e.value.details[0] and "与第2行重复" in e.value.details[2]
    with db.reader() as s:
        assert s.scalar(select(User).where(User.phone == "13700000001")) is None
    good = _xlsx(tmp_path / "good.xlsx", [["王一", "公安局", 13700000001, "单位联络员"],
                                          ["王四", "", "137-0000-0004", "督查员"],
                                          [town.leader_a.name, "", "13700000009", "县级领导"]])
    with db.unit_of_work() as s:
        report = import_users(s, campaign=get_campaign(s), path=good, now=at("2025-01-20 09:00"))
    assert (report.created, report.updated) == (3, 0)
    with db.unit_of_work() as s:
        again = import_users(s, campaign=get_campaign(s), path=good, now=at("2025-01-20 09:00"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_web_tokens_and_passwords_are_stored_only_as_hashes(db, town, api_for):
    token = api_for(town.unit_a).headers["Authorization"].split()[1]
    with db.reader() as s:
        hashes = set(s.scalars(select(AuthToken.token_hash)))
        stored = s.scalars(select(User.password_hash).where(User.id == town.unit_a.id)).one()
    assert token not in hashes and hashlib.sha256(token.encode()).hexdigest() in hashes
    assert stored.startswith("scrypt$") and "password-unit_a" not in stored


def test_web_users_commands_add_link_revoke_and_office_ticks_from_the_cli(settings, db, town, tmp_path):
    r = cw(settings, "users", "add", "--name", "赵六", "--phone", "13711112222", "--role", "单位联络员",
           "--unit", "县教育局", "--link", "--base-url", "https://cw.example.cn")
    assert r.returncode == 0, r.stderr
    assert "已新增用户 赵六" in r.stdout and "https://cw.example.cn/l/" in r.stdout
    r = cw(settings, "users", "add", "--name", "赵六", "--phone", "13711112222", "--role", "unit", "--unit", "县教育局")
    assert r.returncode == 2 and "已有用户" in r.stderr
    r = cw(settings, "users", "link", "13711112222", "--days", "3")
    assert r.returncode == 0 and "3 天内有效" in r.stdout
    r = cw(settings, "users", "password", "13711112222", stdin="new-secret-1\nnew-secret-1\n")
    assert r.returncode == 0 and "已为 赵六 设置密码" in r.stdout
    from services.people.auth import sign_in_with_password

    with db.unit_of_work() as s:
        assert sign_in_with_password(s, phone="13711112222", password="new-secret-1", now=at("2025-01-20 10:00"),
                                     address=None)[1].name == "赵六"
    r = cw(settings, "users", "revoke", "13711112222")
    assert r.returncode == 0 and "作废登录凭据 3 个" in r.stdout  # two links and the session just opened
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg(taken=at("2024-12-01 09:00")))
    r = cw(settings, "task", "tick", str(town.task_b), "--note", "创卫办代为打卡", "--photo", str(photo),
           "--by", "周文静", "--now", "2025-01-20T10:00:00+08:00")
    assert r.returncode == 0, r.stderr
    assert f"任务 {town.task_b} 已打卡" in r.stdout and "不在任务期间" in r.stdout
    with db.reader() as s:
        task = s.get(Task, town.task_b)
        tick = s.scalars(select(Tick).where(Tick.task_id == task.id)).one()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.object_id == task.id,
                                                   AuditEntry.object_type == "task")).one()
    assert task.status == "done" and tick.user_id is None and tick.note == "创卫办代为打卡"
    assert (entry.actor, entry.action, entry.address) == ("周文静", "tick", "cli")
    r = cw(settings, "task", "tick", str(town.task_b), "--note", "again")
    assert r.returncode == 2 and "已打卡待核查" in r.stderr


def test_web_audit_log_is_append_only(db, town, api_for):
    api_for(town.unit_a).post(f"/api/tasks/{town.task_a}/ticks", data={"note": "完成"})
    with pytest.raises(PermissionError), db.unit_of_work() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "tick")).one()
        entry.actor = "别人"
    with pytest.raises(PermissionError), db.unit_of_work() as s:
        s.delete(s.scalars(select(AuditEntry).where(AuditEntry.action == "tick")).one())
    with pytest.raises(PermissionError), db.unit_of_work() as s:
        s.execute(update(AuditEntry).values(actor="别人"))
    with pytest.raises(PermissionError), db.unit_of_work() as s:
        s.execute(delete(AuditEntry))
    with db.reader() as s:
        assert s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "tick")).one() == town.unit_a.name


def test_web_sign_ins_and_sign_outs_are_in_the_audit_log_with_the_address(db, town, browser_for, api_for):
    api_for(town.unit_a)
    browser_for(town.unit_b)
    with db.reader() as s:
        rows = s.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.address, AuditEntry.detail)
                         .where(AuditEntry.action.like("sign_in%")).order_by(AuditEntry.id)).all()
    assert [(r.actor, r.action, r.address, r.detail["token"]) for r in rows] == [
        (town.unit_a.name, "sign_in_link", "testclient", "api"), (town.unit_b.name, "sign_in_link", "testclient", "session")]
