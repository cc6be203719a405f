"""Units (单位) and county leaders (县级领导)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, one_of
from rules.vocabulary import UnitKind


class Unit(Base):
    """单位: 创卫办, 职能部门, 牵头部门, 参与单位 or 乡镇/街道."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("campaign_id", "name"), one_of("kind", UnitKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    #: older names still found in offices' tables (地税局 → 税务局 …); imports match them
    aliases: Mapped[list[str]] = mapped_column(JSONText, default=list)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSONText, default=list)
    notify: Mapped[list[str]] = mapped_column(JSONText, default=list)


class Leader(Base):
    """包段县级领导: a county leader who holds segments."""

    __tablename__ = "leader"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100), default=None)
    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    aliases: Mapped[list[str]] = mapped_column(JSONText, default=list)
    notify: Mapped[list[str]] = mapped_column(JSONText, default=list)
