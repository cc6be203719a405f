"""创卫简报 issues: numbered per campaign (第N期), weekly or special (专刊), with their files."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, UTCDateTime, one_of
from rules.vocabulary import BriefKind, BriefState

WEEKLY = BriefKind.WEEKLY  # 周报: one issue per ISO week
SPECIAL = BriefKind.SPECIAL  # 专刊: e.g. for a 转段 meeting; shares the numbering


class Brief(Base):
    """One issue of the 创卫简报.

    ``number`` is unique per campaign and never reused. ``key`` is what makes a rerun the
    same issue: the ISO week (``2025-W18``) of a weekly issue, ``special:<title>`` of a
    special one; it is unique per campaign too, so a rerun keeps its number. The file
    paths are empty until the issue has been written.
    """

    __tablename__ = "brief"
    __table_args__ = (UniqueConstraint("campaign_id", "number"), UniqueConstraint("campaign_id", "key"),
                      one_of("kind", BriefKind), one_of("state", BriefState))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(220))
    #: ISO week (``2025-W18``) of a weekly issue; None for a special issue
    week: Mapped[str | None] = mapped_column(String(10), default=None)
    title: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: the last time the files were (re)written
    written_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    html_path: Mapped[str | None] = mapped_column(String(500), default=None)
    docx_path: Mapped[str | None] = mapped_column(String(500), default=None)
    map_path: Mapped[str | None] = mapped_column(String(500), default=None)
    #: draft (草稿, the office edits its narrative) → issued (签发: files written, announced)
    state: Mapped[str] = mapped_column(String(10), default=BriefState.ISSUED, server_default=BriefState.ISSUED)
    #: the office's own text per narrative section (工作动态, 下步工作, 按语); absent: generated
    narrative: Mapped[dict[str, str]] = mapped_column(JSONText, default=dict, server_default="{}")
    issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Circular(Base):
    """督查通报: the document issued for a published inspection round, numbered in its own sequence."""

    __tablename__ = "circular"
    __table_args__ = (UniqueConstraint("campaign_id", "number"), UniqueConstraint("inspection_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    html_path: Mapped[str | None] = mapped_column(String(500), default=None)
    docx_path: Mapped[str | None] = mapped_column(String(500), default=None)
