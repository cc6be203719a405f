"""Sign-in and access control: hashed tokens and passwords, who may see and do what.

Random tokens (sign-in links, browser sessions, API tokens) are stored as their SHA-256
(a 256-bit random value needs no slow hash); passwords as scrypt with a per-user salt.
Every task query goes through ``visible_tasks``: a task a person may not see does not exist
for them (404), so guessing ids reveals nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from models import Assignment, AuditEntry, AuthToken, Campaign, Task, User
from models.people import ROLE_INSPECTOR, ROLE_LEADER, ROLE_OFFICE, ROLE_UNIT
from rules.errors import Forbidden, NotFound, Unauthenticated
from rules.vocabulary import TokenKind, UserRole, surface_table
from services.people.audit import record
from services.people.throttle import check_allowed, clear_failures, phone_key
from services.uow import plain_rows

LINK, SESSION, API = TokenKind.LINK, TokenKind.SESSION, TokenKind.API
TTL = {LINK: dt.timedelta(days=7), SESSION: dt.timedelta(days=30), API: dt.timedelta(days=365)}
#: roles in the messages of refused actions (shared by the web and the CLI)
ROLE_TEXT = surface_table(UserRole)

#: action → roles allowed to do it (on the things they can see)
PERMISSIONS: dict[str, frozenset[str]] = {
    "task.read": frozenset({ROLE_OFFICE, ROLE_INSPECTOR, ROLE_UNIT, ROLE_LEADER}),
    "task.tick": frozenset({ROLE_OFFICE, ROLE_UNIT}),
    "task.undo": frozenset({ROLE_OFFICE, ROLE_UNIT}),
    "task.verify": frozenset({ROLE_OFFICE, ROLE_INSPECTOR}),
    "segment.read": frozenset({ROLE_OFFICE, ROLE_INSPECTOR, ROLE_UNIT, ROLE_LEADER}),
}
ACTION_TEXT = {"task.tick": "打卡", "task.undo": "撤销打卡", "task.verify": "核查"}

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in user, or the office at the command line (``user_id`` None)."""

    campaign_id: int
    role: str
    name: str
    user_id: int | None = None
    unit_id: int | None = None
    leader_id: int | None = None
    token_id: int | None = None
    timezone: str = "Asia/Shanghai"
    #: when the token this principal signed in with expires (None at the command line)
    expires_at: dt.datetime | None = None

    @property
    def role_text(self) -> str:
        return ROLE_TEXT.get(self.role, self.role)

    def can(self, action: str) -> bool:
        """True if this person's role may do ``action``."""
        return self.role in PERMISSIONS.get(action, frozenset())


def principal_of(user: User, token_id: int | None = None, timezone: str = "Asia/Shanghai") -> Principal:
    return Principal(campaign_id=user.campaign_id, role=user.role, name=user.name, user_id=user.id,
                     unit_id=user.unit_id, leader_id=user.leader_id, token_id=token_id, timezone=timezone)


def require(principal: Principal, action: str) -> None:
    """Raise Forbidden unless the principal's role may do ``action``."""
    if not principal.can(action):
        raise Forbidden(f"{principal.role_text}无权{ACTION_TEXT.get(action, '进行此操作')}")


# -- hashing -------------------------------------------------------------------------------

def hash_token(raw: str) -> str:
    """SHA-256 hex of a random token (what the database keeps)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """scrypt hash with a fresh salt, as ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when there is none, so timing does not tell which phones exist."""
    return hash_password(secrets.token_hex(8))


def check_password(password: str, stored: str | None) -> bool:
    """True if ``password`` matches the stored scrypt hash (constant time)."""
    if not stored:
        stored, password = _dummy_hash(), password + "\0"
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), dklen=len(digest) // 2,
                             n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def csrf_token(raw_session: str) -> str:
    """The form token bound to a browser session (derived, so nothing more is stored)."""
    return hashlib.sha256(b"csrf|" + raw_session.encode("utf-8")).hexdigest()[:32]


# -- tokens --------------------------------------------------------------------------------

def issue_token(session: Session, *, user_id: int, kind: TokenKind, now: dt.datetime,
                ttl: dt.timedelta | None = None) -> str:
    """Create a link/session/API token; return the raw value (shown once, never stored)."""
    raw = secrets.token_urlsafe(32)
    session.add(AuthToken(user_id=user_id, kind=kind, token_hash=hash_token(raw), created_at=now,
                          expires_at=now + (ttl or TTL[kind])))
    session.flush()
    return raw


def _audit(session: Session, user: User, action: str, now: dt.datetime, address: str | None,
           detail: dict | None = None) -> None:
    record(session, campaign_id=user.campaign_id, action=action, object_type="user", object_id=user.id,
           now=now, actor=user.name, user_id=user.id, address=address, detail=detail)


def sign_in_with_link(session: Session, *, raw: str, now: dt.datetime, address: str | None,
                      kind: TokenKind = SESSION) -> tuple[str, Principal]:
    """Use a one-time link (exactly once, even under concurrency); return a new session/API token."""
    found = session.execute(
        select(AuthToken.id, User).join(User, User.id == AuthToken.user_id)
        .where(AuthToken.token_hash == hash_token(raw), AuthToken.kind == LINK)).first()
    bad = Unauthenticated("登录链接无效、已使用或已过期，请向创卫办索取新的登录链接")
    if found is None or not found.User.active:
        raise bad
    used = session.execute(
        update(AuthToken).where(AuthToken.id == found.id, AuthToken.used_at.is_(None),
                                AuthToken.revoked_at.is_(None), AuthToken.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    if cast("CursorResult[Any]", used).rowcount != 1:  # an UPDATE's result is a cursor result
        raise bad
    user = found.User
    token = issue_token(session, user_id=user.id, kind=kind, now=now)
    _audit(session, user, "sign_in_link", now, address, {"token": kind})
    return token, principal_of(user)


def sign_in_with_password(session: Session, *, phone: str, password: str, now: dt.datetime,
                          address: str | None, kind: TokenKind = SESSION) -> tuple[str, Principal]:
    """Check a phone number and password; return a new session/API token.

    Raises ``Throttled`` (before the password is checked) while the phone or the address must
    wait, ``Unauthenticated`` for a wrong password: the caller records either with
    ``throttle.record_failure`` in a transaction of its own (this one rolls back).
    """
    check_allowed(session, phone=phone, address=address, now=now)
    users = session.scalars(select(User).where(User.phone == phone_key(phone), User.active)).all()
    user = next((u for u in users if check_password(password, u.password_hash)), None)
    if not users:
        check_password(password, None)
    if user is None:
        raise Unauthenticated("手机号或密码不正确")
    clear_failures(session, phone=phone, now=now)
    token = issue_token(session, user_id=user.id, kind=kind, now=now)
    _audit(session, user, "sign_in_password", now, address, {"token": kind})
    return token, principal_of(user)


def authenticate(session: Session, *, raw: str | None, kinds: tuple[str, ...], now: dt.datetime) -> Principal:
    """The principal a session/API token belongs to; Unauthenticated if none is valid."""
    if not raw:
        raise Unauthenticated("请先登录")
    row = session.execute(
        select(AuthToken.id.label("token_id"), AuthToken.expires_at, User.id, User.campaign_id, User.role, User.name,
               User.unit_id, User.leader_id, Campaign.timezone)
        .join(User, User.id == AuthToken.user_id).join(Campaign, Campaign.id == User.campaign_id)
        .where(AuthToken.token_hash == hash_token(raw), AuthToken.kind.in_(kinds),
               AuthToken.revoked_at.is_(None), AuthToken.expires_at > now, User.active)).first()
    if row is None:
        raise Unauthenticated("登录已失效，请重新登录")
    return Principal(campaign_id=row.campaign_id, role=row.role, name=row.name, user_id=row.id, unit_id=row.unit_id,
                     leader_id=row.leader_id, token_id=row.token_id, timezone=row.timezone, expires_at=row.expires_at)


def sign_out(session: Session, *, principal: Principal, now: dt.datetime, address: str | None) -> None:
    """Revoke the token the principal signed in with."""
    if principal.token_id is None:
        return
    session.execute(update(AuthToken).where(AuthToken.id == principal.token_id, AuthToken.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))
    record(session, campaign_id=principal.campaign_id, action="sign_out", object_type="user",
           object_id=principal.user_id, now=now, actor=principal.name, user_id=principal.user_id, address=address)


def revoke_all(session: Session, *, user_id: int, now: dt.datetime,
               kinds: tuple[str, ...] = (LINK, SESSION, API)) -> int:
    """Revoke every unrevoked token of a user (of ``kinds``); return how many."""
    result = session.execute(update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None),
                                                     AuthToken.kind.in_(kinds))
                             .values(revoked_at=now).execution_options(synchronize_session=False))
    return cast("CursorResult[Any]", result).rowcount or 0  # an UPDATE's result is a cursor result


# -- visibility ----------------------------------------------------------------------------

def visible_tasks(principal: Principal) -> ColumnElement[bool]:
    """WHERE clause: the tasks this principal may see (``visible_tasks_for`` with the principal's values)."""
    rule, params = visibility(principal)
    return visible_tasks_for(rule).params(params)


def visibility(principal: Principal) -> tuple[str, dict[str, Any]]:
    """Which rule of ``visible_tasks`` applies to ``principal``, and its values as bind parameters.

    With ``visible_tasks_for(rule)`` a hot query is built once per rule and compiled once, then run
    with these values for every principal: building a statement and its cache key costs more than
    running it (issue 22)."""
    params: dict[str, Any] = {"vis_campaign": principal.campaign_id}
    if principal.role in (ROLE_OFFICE, ROLE_INSPECTOR):
        return "campaign", params
    if principal.role == ROLE_UNIT and principal.unit_id is not None:
        return "unit", {**params, "vis_unit": principal.unit_id}
    if principal.role == ROLE_LEADER and principal.leader_id is not None:
        return "leader", {**params, "vis_leader": principal.leader_id}
    return "none", params


@functools.cache
def visible_tasks_for(rule: str) -> ColumnElement[bool]:
    """The tasks a rule of ``visibility`` lets see, its values left as bind parameters: office and
    inspectors the whole campaign, a unit its own tasks, a county leader the tasks on the segments
    they hold now (active 包联), anyone else nothing."""
    mine = Task.campaign_id == bindparam("vis_campaign")
    if rule == "campaign":
        return mine
    if rule == "unit":
        return and_(mine, Task.unit_id == bindparam("vis_unit"))
    if rule == "leader":
        held = select(Assignment.segment_id).where(
            Assignment.campaign_id == bindparam("vis_campaign"), Assignment.leader_id == bindparam("vis_leader"),
            Assignment.valid_to.is_(None)).scalar_subquery()
        return and_(mine, Task.segment_id.in_(held))
    return and_(mine, false())


@functools.cache
def _visible_task(rule: str) -> Select[tuple[Task]]:
    return select(Task).where(Task.id == bindparam("task_id"), visible_tasks_for(rule))


@functools.cache
def _visible_task_id(rule: str) -> Select[tuple[int]]:
    return select(Task.id).where(Task.id == bindparam("task_id"), visible_tasks_for(rule))


def get_visible_task(session: Session, principal: Principal, task_id: int) -> Task:
    """The task if the principal may see it; NotFound otherwise (whether or not it exists).

    A task this unit of work has loaded already is only checked (its id, as a plain row) and then
    taken from the session: the ORM's SELECT would hand back that same object without refreshing
    it, at several times the cost (issue 22: the demo's units and office act on tasks they listed)."""
    rule, params = visibility(principal)
    params = {**params, "task_id": task_id}
    task: Task | None = session.identity_map.get(session.identity_key(Task, task_id))
    if task is None:
        task = session.scalars(_visible_task(rule), params).first()
    elif plain_rows(session, _visible_task_id(rule), params).first() is None:
        task = None
    if task is None:
        raise NotFound(f"找不到任务 {task_id}")
    return task


class HistoryEntry(NamedTuple):
    """An audit entry as a task's history shows it (a row, not an ``AuditEntry``: issue 22)."""

    at: dt.datetime
    actor: str
    action: str
    address: str | None
    detail: dict[str, Any] | None


_HISTORY = (select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.address, AuditEntry.detail)
            .where(AuditEntry.object_type == "task", AuditEntry.object_id == bindparam("task_id"))
            .order_by(AuditEntry.at, AuditEntry.id))


def task_history(session: Session, *, task_id: int) -> list[HistoryEntry]:
    """The audit entries about one task, oldest first."""
    return [HistoryEntry._make(row) for row in plain_rows(session, _HISTORY, {"task_id": task_id})]
