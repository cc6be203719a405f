"""Open311 GeoReport v2: the API keys of the client systems and the service requests they filed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Open311Key(Base):
    """An API key of one client system (a mini-program, a 数字城管 bridge); only its hash is stored.

    ``window_start``/``window_count`` are the key's current rate-limit window (one minute),
    kept in the database so every web worker counts against the same limit.
    """

    __tablename__ = "open311_key"
    __table_args__ = (UniqueConstraint("campaign_id", "name"), UniqueConstraint("key_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))  # the client system, as the audit log names it
    key_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the key
    prefix: Mapped[str] = mapped_column(String(12))  # the key's first characters, to tell keys apart
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=60)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    window_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    window_count: Mapped[int] = mapped_column(Integer, default=0)
    requests_total: Mapped[int] = mapped_column(Integer, default=0)


class Open311Request(Base):
    """A service request filed through Open311: the complaint it became, the key that filed it.

    The complaint carries the request (content, place, complainant); this row keeps what only
    Open311 has: the client system, the service code, the e-mail, the photo link, the datum.
    """

    __tablename__ = "open311_request"
    __table_args__ = (UniqueConstraint("complaint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), default=None)
    key_id: Mapped[int] = mapped_column(ForeignKey("open311_key.id"), index=True)
    service_code: Mapped[str] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200), default=None)  # personal: 创卫办 only
    media_url: Mapped[str | None] = mapped_column(String(1000), default=None)
    datum: Mapped[str] = mapped_column(String(10), default="wgs84")  # as the client sent its point
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
