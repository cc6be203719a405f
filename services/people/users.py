"""People who sign in: add, sign-in links, revoke, and the office's contact list import."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, Leader, Unit, User
from models.people import ROLE_INSPECTOR, ROLE_LEADER, ROLE_OFFICE, ROLE_UNIT, ROLES
from rules.errors import InvalidInput, NotFound
from rules.vocabulary import OFFICE_NAME, UserRole, label
from services.campaigns.directory import Directory, leader_directory, unit_directory
from services.imports.tables import read_table
from services.people.audit import record
from services.people.auth import API, LINK, SESSION, TTL, hash_password, issue_token, revoke_all

NAME, UNIT, PHONE, ROLE = "姓名", "单位", "手机", "角色"
#: what a user table may write in 角色: a role's stored value, its label, or a common other name
ROLE_NAMES: dict[str, str] = {
    **{r.value: r for r in UserRole}, **{label(r): r for r in UserRole},
    "创卫办工作人员": ROLE_OFFICE, "督查": ROLE_INSPECTOR, "联络员": ROLE_UNIT, "单位": ROLE_UNIT,
    "包段县级领导": ROLE_LEADER, "领导": ROLE_LEADER,
}
_MOBILE = re.compile(r"^1\d{10}$")
MIN_PASSWORD = 8


def normalize_phone(text: str) -> str:
    """A mainland mobile number as 11 digits (full-width digits, spaces, dashes and +86 removed)."""
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", str(text or "")))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE.match(digits):
        raise InvalidInput(f"手机号「{text}」格式不正确（应为 11 位手机号）")
    return digits


def parse_role(text: str) -> str:
    """角色 cell → role code (创卫办 / 督查员 / 单位联络员 / 县级领导, or the English code)."""
    role = ROLE_NAMES.get(unicodedata.normalize("NFKC", text or "").strip().lower())
    if role is None:
        raise InvalidInput(f"角色「{text}」不正确（可选：创卫办、督查员、单位联络员、县级领导）")
    return role


def _resolve(units: Directory[Unit], leaders: Directory[Leader], *, name: str, role: str, unit: str | None,
             leader: str | None) -> tuple[int | None, int | None]:
    """(unit_id, leader_id) for a new or updated user; raises InvalidInput naming what is missing."""
    unit_id = leader_id = None
    if unit:
        found = units.find(unit)
        if found is None and role != ROLE_LEADER:
            raise InvalidInput(f"单位「{unit}」不存在")
        unit_id = found.id if found else None
    if role == ROLE_UNIT and unit_id is None:
        raise InvalidInput("单位联络员必须填写所在单位")
    if role == ROLE_LEADER:
        found_leader = leaders.find(leader or name)
        if found_leader is None:
            raise InvalidInput(f"县级领导「{leader or name}」不在活动配置的领导名单中")
        leader_id, unit_id = found_leader.id, None
    return unit_id, leader_id


def add_user(session: Session, *, campaign: Campaign, name: str, phone: str, role: str, now: dt.datetime,
             unit: str | None = None, leader: str | None = None, password: str | None = None,
             actor: str = OFFICE_NAME) -> User:
    """Create a user (phone unique within the campaign); password optional (sign-in links work without)."""
    if role not in ROLES:
        role = parse_role(role)
    name, phone = (name or "").strip(), normalize_phone(phone)
    if not name:
        raise InvalidInput("姓名不能为空")
    if session.scalars(select(User).where(User.campaign_id == campaign.id, User.phone == phone)).first():
        raise InvalidInput(f"手机号 {phone} 已有用户")
    unit_id, leader_id = _resolve(unit_directory(session, campaign.id), leader_directory(session, campaign.id),
                                  name=name, role=role, unit=unit, leader=leader)
    user = User(campaign_id=campaign.id, name=name, phone=phone, role=role, unit_id=unit_id, leader_id=leader_id,
                password_hash=_password_hash(password), active=True, created_at=now)
    session.add(user)
    session.flush()
    record(session, campaign_id=campaign.id, action="user_added", object_type="user", object_id=user.id, now=now,
           actor=actor, detail={"role": role, "unit_id": unit_id, "leader_id": leader_id})
    return user


def _password_hash(password: str | None) -> str | None:
    if password is None:
        return None
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD} 位")
    return hash_password(password)


def find_user(session: Session, *, campaign: Campaign, phone: str) -> User:
    user = session.scalars(select(User).where(User.campaign_id == campaign.id,
                                              User.phone == normalize_phone(phone))).first()
    if user is None:
        raise NotFound(f"找不到手机号为 {phone} 的用户")
    return user


def sign_in_link(session: Session, *, campaign: Campaign, phone: str, now: dt.datetime,
                 days: int = TTL[LINK].days, actor: str = OFFICE_NAME) -> tuple[User, str]:
    """A new one-time sign-in token for the user (the raw value; only its hash is stored)."""
    user = find_user(session, campaign=campaign, phone=phone)
    if not user.active:
        raise InvalidInput(f"用户 {user.name} 已停用，请先重新启用")
    if not 1 <= days <= 90:
        raise InvalidInput("登录链接有效期应为 1 到 90 天")
    raw = issue_token(session, user_id=user.id, kind=LINK, now=now, ttl=dt.timedelta(days=days))
    record(session, campaign_id=campaign.id, action="link_issued", object_type="user", object_id=user.id, now=now,
           actor=actor, detail={"days": days})
    return user, raw


def revoke_user(session: Session, *, campaign: Campaign, phone: str, now: dt.datetime,
                actor: str = OFFICE_NAME) -> tuple[User, int]:
    """Deactivate a user and revoke every link, session and API token they hold."""
    user = find_user(session, campaign=campaign, phone=phone)
    user.active = False
    count = revoke_all(session, user_id=user.id, now=now)
    record(session, campaign_id=campaign.id, action="user_revoked", object_type="user", object_id=user.id, now=now,
           actor=actor, detail={"tokens": count})
    session.flush()
    return user, count


def set_password(session: Session, *, campaign: Campaign, phone: str, password: str, now: dt.datetime,
                 actor: str = OFFICE_NAME) -> User:
    """Set (or replace) a user's password and end every session and API token they hold.

    Whoever knew the old password may have signed in with it: after a change or a reset only the
    new password (or a sign-in link, which stays valid) lets anyone in.
    """
    user = find_user(session, campaign=campaign, phone=phone)
    user.password_hash = _password_hash(password)
    ended = revoke_all(session, user_id=user.id, now=now, kinds=(SESSION, API))
    record(session, campaign_id=campaign.id, action="password_set", object_type="user", object_id=user.id, now=now,
           actor=actor, detail={"tokens_ended": ended})
    session.flush()
    return user


def list_users(session: Session, *, campaign: Campaign) -> list[tuple[User, str | None, str | None]]:
    """(user, unit name, leader name) for every user of the campaign."""
    return [tuple(r) for r in session.execute(
        select(User, Unit.name, Leader.name).outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Leader, Leader.id == User.leader_id).where(User.campaign_id == campaign.id)
        .order_by(User.role, Unit.name, User.name)).all()]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def import_users(session: Session, *, campaign: Campaign, path: Path, now: dt.datetime,
                 actor: str = OFFICE_NAME) -> ImportReport:
    """Contact list (姓名, 单位, 手机, 角色): every row checked first, then all written or none."""
    rows = read_table(path, [NAME, UNIT, PHONE, ROLE])
    existing = {u.phone: u for u in session.scalars(select(User).where(User.campaign_id == campaign.id))}
    units, leaders = unit_directory(session, campaign.id), leader_directory(session, campaign.id)
    errors: list[str] = []
    plan: list[tuple[str, str, str, int | None, int | None]] = []  # name, phone, role, unit_id, leader_id
    seen: dict[str, int] = {}  # phone -> row number
    for row in rows:
        where = f"第{row.number}行"
        v = row.values
        try:
            name = v[NAME].strip()
            if not name:
                raise InvalidInput(f"字段 {NAME} 为空")
            phone, role = normalize_phone(v[PHONE]), parse_role(v[ROLE])
            unit_id, leader_id = _resolve(units, leaders, name=name, role=role, unit=v[UNIT] or None, leader=None)
        except InvalidInput as e:
            errors.append(f"{where}: {e.message}")
            continue
        if phone in seen:
            errors.append(f"{where}: 手机号 {phone} 与第{seen[phone]}行重复")
            continue
        seen[phone] = row.number
        plan.append((name, phone, role, unit_id, leader_id))
    if errors:
        raise InvalidInput(f"{path}: 有 {len(errors)} 行错误，未导入任何用户：", errors)
    report = ImportReport()
    for name, phone, role, unit_id, leader_id in plan:
        user = existing.get(phone)
        if user is None:
            user = User(campaign_id=campaign.id, name=name, phone=phone, role=role, unit_id=unit_id,
                        leader_id=leader_id, active=True, created_at=now)
            session.add(user)
            report.created += 1
        elif (user.name, user.role, user.unit_id, user.leader_id, user.active) != (name, role, unit_id, leader_id, True):
            user.name, user.role, user.unit_id, user.leader_id, user.active = name, role, unit_id, leader_id, True
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    record(session, campaign_id=campaign.id, action="users_imported", object_type="campaign", object_id=campaign.id,
           now=now, actor=actor, detail={"file": Path(path).name, "created": report.created,
                                         "updated": report.updated, "unchanged": report.unchanged})
    return report
