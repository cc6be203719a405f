"""People who sign in (用户) and their sign-in tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, one_of
from rules.vocabulary import TokenKind, UserRole

ROLE_OFFICE, ROLE_INSPECTOR, ROLE_UNIT, ROLE_LEADER = ROLES = tuple(UserRole)


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("campaign_id", "phone"), one_of("role", UserRole))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("leader.id"), default=None)
    #: scrypt hash; None when the person signs in by link only
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AuthToken(Base):
    """A one-time sign-in link, a browser session or an API token; only its hash is stored."""

    __tablename__ = "auth_token"
    __table_args__ = (Index("ix_auth_token_hash", "token_hash", unique=True), one_of("kind", TokenKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class SignInFailure(Base):
    """A wrong password for a phone number, from an address: what sign-in throttling and lockout count.

    Kept apart from the audit log (which also records each failure) because it is read on every
    sign-in and pruned; ``cleared_at`` is set when the right password is given, so the phone's
    count starts again while the address's does not.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_phone_at", "phone", "at"),
                      Index("ix_sign_in_failure_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    phone: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64), default=None)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
