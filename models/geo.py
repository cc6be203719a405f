"""Streets (主街道), segments (路段) and alleys (巷道) with WGS-84 geometry kept portably."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONText, one_of
from rules.vocabulary import SegmentKind

SEGMENT, ALLEY = SegmentKind.SEGMENT, SegmentKind.ALLEY


class Street(Base):
    __tablename__ = "street"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Segment(Base):
    """A 路段 or a 巷道 (kind), keyed by its 路段编号 (code) within the campaign.

    ``geometry`` is a GeoJSON LineString/MultiLineString in WGS-84 (lon, lat); the bounding
    box columns let a database without spatial types find candidates by range.
    """

    __tablename__ = "segment"
    __table_args__ = (
        UniqueConstraint("campaign_id", "code"),
        Index("ix_segment_bbox", "campaign_id", "min_lon", "min_lat"),
        one_of("kind", SegmentKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("street.id"), default=None)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), default=None)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONText)
    source_datum: Mapped[str] = mapped_column(String(10), default="wgs84")
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
