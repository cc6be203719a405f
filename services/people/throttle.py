"""Password guessing: throttle per phone number and per client address, lock an account, audit each failure.

The rules (counted over ``sign_in_failure`` rows, so every worker and process agrees):

* a phone number with ``PHONE_LIMIT`` wrong passwords in ``PHONE_WINDOW`` waits until the
  oldest of them leaves the window (429 with ``Retry-After``);
* an address with ``ADDRESS_LIMIT`` wrong passwords (any phone) in ``ADDRESS_WINDOW`` waits the same way;
* an account with ``LOCK_AFTER`` wrong passwords in ``LOCK_WINDOW`` is locked: even the right
  password is refused until they age out. The right password clears the phone's count (not the
  address's).

A failure must outlive the refused request's transaction, so the entry point records it in a
unit of work of its own (``record_failure``) after the sign-in's has rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from models import SignInFailure, User
from rules.errors import Throttled
from services.people.audit import record

log = logging.getLogger("chuangwei.people")

PHONE_LIMIT, PHONE_WINDOW = 5, dt.timedelta(minutes=5)
ADDRESS_LIMIT, ADDRESS_WINDOW = 20, dt.timedelta(minutes=5)
LOCK_AFTER, LOCK_WINDOW = 10, dt.timedelta(hours=1)
#: failures older than this are deleted (none of the windows looks further back)
KEEP = dt.timedelta(days=1)

TEXT = {
    "phone": "该手机号密码错误次数过多，请 {wait} 后再试，或使用创卫办发送的登录链接",
    "address": "本机登录失败次数过多，请 {wait} 后再试",
    "locked": "该账号因多次密码错误已临时锁定，请 {wait} 后再试，或联系创卫办",
}


def _wait_text(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes} 分钟" if minutes > 1 else "1 分钟"


def phone_key(phone: str) -> str:
    """The phone number as it is counted (as typed, trimmed, bounded to the column)."""
    return (phone or "").strip()[:40]


def _retry_after(session: Session, where: ColumnElement[bool], limit: int, window: dt.timedelta,
                 now: dt.datetime) -> int | None:
    """Seconds until fewer than ``limit`` failures matching ``where`` lie inside ``window``; None if already."""
    times = session.scalars(select(SignInFailure.at).where(where, SignInFailure.at > now - window)
                            .order_by(SignInFailure.at.desc()).limit(limit)).all()
    if len(times) < limit:
        return None
    return max(1, int((times[-1] + window - now).total_seconds()) + 1)


def check_allowed(session: Session, *, phone: str, address: str | None, now: dt.datetime) -> None:
    """Raise ``Throttled`` if this phone or address must wait before another password is checked."""
    key = phone_key(phone)
    counted = (SignInFailure.phone == key) & SignInFailure.cleared_at.is_(None)
    rules: list[tuple[str, ColumnElement[bool] | None, int, dt.timedelta]] = [
        ("locked", counted, LOCK_AFTER, LOCK_WINDOW),
        ("phone", counted, PHONE_LIMIT, PHONE_WINDOW),
        ("address", SignInFailure.address == address if address else None, ADDRESS_LIMIT, ADDRESS_WINDOW),
    ]
    for reason, where, limit, window in rules:
        if where is None:
            continue
        wait = _retry_after(session, where, limit, window, now)
        if wait is not None:
            raise Throttled(TEXT[reason].format(wait=_wait_text(wait)), retry_after=wait,
                            log_detail=f"sign-in refused ({reason}) for phone {key!r} from {address}")


def clear_failures(session: Session, *, phone: str, now: dt.datetime) -> None:
    """The right password was given: the phone's count starts again (the address's stays)."""
    session.execute(update(SignInFailure).where(SignInFailure.phone == phone_key(phone),
                                                SignInFailure.cleared_at.is_(None))
                    .values(cleared_at=now).execution_options(synchronize_session=False))


def record_failure(session: Session, *, phone: str, address: str | None, now: dt.datetime,
                   refused: Throttled | None = None) -> None:
    """Audit a failed sign-in (and count it, unless it was refused without checking the password)."""
    key = phone_key(phone)
    if refused is None:
        session.add(SignInFailure(at=now, phone=key, address=(address or None) and address[:64]))
        session.execute(delete(SignInFailure).where(SignInFailure.at < now - KEEP))
    users: Sequence[User] = session.scalars(select(User).where(User.phone == key)).all()
    action = "sign_in_refused" if refused is not None else "sign_in_failed"
    detail = {"retry_after": refused.retry_after} if refused is not None else {}
    for user in users:
        count = session.scalar(select(func.count()).select_from(SignInFailure)
                               .where(SignInFailure.phone == key, SignInFailure.cleared_at.is_(None),
                                      SignInFailure.at > now - LOCK_WINDOW))
        record(session, campaign_id=user.campaign_id, action=action, object_type="user", object_id=user.id,
               now=now, actor=user.name, address=address,  # user_id None: not proven to be them
               detail={**detail, "failures_last_hour": count or 0})
    log.warning("%s for phone %r from %s%s", action.replace("_", " "), key, address,
                "" if users else " (no such user)")
