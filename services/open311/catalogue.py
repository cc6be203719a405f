"""The Open311 services: the campaign's problem categories, with stable codes, and the jurisdiction.

A service code is derived from the category's name (``sha1`` → 6 hex digits), so it stays
the same when the office reorders or adds categories and is the same on every install of a
campaign file; the category's name is accepted wherever a code is. Every service has one
extension attribute, ``datum`` (the coordinate system of the posted point).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign
from rules.errors import Forbidden, InvalidInput, NotFound
from services.campaigns.context import CampaignContext
from services.imports.segments import DATUMS
from services.open311 import texts
from services.open311.keys import KeyHolder

DATUM = "datum"


@dataclass(frozen=True, slots=True)
class Service:
    """One entry of ``services.json``."""

    service_code: str
    service_name: str
    description: str
    group: str
    keywords: list[str]
    metadata: bool = True  # every service has the datum attribute
    type: str = "realtime"  # the request id is returned at once, never a token


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute of a service definition (GeoReport v2 field names)."""

    code: str
    datatype: str
    required: bool
    description: str
    datatype_description: str
    order: int
    values: list[tuple[str, str]] = field(default_factory=list)  # (key, name)
    variable: bool = True


@dataclass(frozen=True, slots=True)
class ServiceDefinition:
    service_code: str
    attributes: list[Attribute]


def service_code(category: str) -> str:
    """The stable code of a category (6 hex digits of its name's SHA-1)."""
    return hashlib.sha1(category.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]


def list_services(ctx: CampaignContext) -> list[Service]:
    """The campaign's problem categories as Open311 services, in the campaign file's order."""
    spec = ctx.spec.inspections
    return [Service(service_code=service_code(c.name), service_name=c.name, group=c.group, keywords=c.departments,
                    description=texts.SERVICE_DESCRIPTION.format(group=c.group, name=c.name,
                                                                 days=spec.complaint_limit(c.name)))
            for c in spec.taxonomy]


def category_of(ctx: CampaignContext, code: str) -> str | None:
    """The category a service code (or a category's own name) stands for, or None."""
    code = (code or "").strip()
    for c in ctx.spec.inspections.taxonomy:
        if code in (service_code(c.name), c.name):
            return c.name
    return None


def datum_attribute() -> Attribute:
    return Attribute(code=DATUM, datatype="singlevaluelist", required=False, description=texts.DATUM_ATTRIBUTE,
                     datatype_description="wgs84 | gcj02 | bd09", order=1,
                     values=[(d, texts.DATUM_NAMES[d]) for d in DATUMS])


def service_definition(ctx: CampaignContext, code: str) -> ServiceDefinition:
    """The definition of one service: its attributes (the datum)."""
    category = category_of(ctx, code)
    if category is None:
        raise NotFound(texts.UNKNOWN_SERVICE.format(code=code))
    return ServiceDefinition(service_code=service_code(category), attributes=[datum_attribute()])


def resolve_campaign(session: Session, *, jurisdiction_id: str | None, holder: KeyHolder | None = None) -> Campaign:
    """The campaign a request is for: ``jurisdiction_id`` (its code), else the key's, else the only one."""
    code = (jurisdiction_id or "").strip()
    if code:
        campaign = session.scalars(select(Campaign).where(Campaign.code == code)).first()
        if campaign is None:
            raise NotFound(f"找不到辖区（活动编号）{code}")
        if holder is not None and holder.campaign_id != campaign.id:
            raise Forbidden(texts.WRONG_JURISDICTION.format(code=code))
        return campaign
    if holder is not None:
        campaign = session.get(Campaign, holder.campaign_id)
        if campaign is not None:
            return campaign
    rows = list(session.scalars(select(Campaign).order_by(Campaign.id).limit(50)))
    if not rows:
        raise NotFound("尚未创建活动")
    if len(rows) > 1:
        raise InvalidInput(texts.MANY_CAMPAIGNS.format(codes="、".join(r.code for r in rows)))
    return rows[0]
