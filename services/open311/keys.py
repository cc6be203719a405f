"""API keys of the client systems: issued once (only the hash is kept), listed, revoked, rate-limited.

A key belongs to one campaign (its ``jurisdiction_id``). Every request that carries a key is
counted against the key's one-minute window and written to the audit log under the key's name;
the window lives in the key's row, locked for the update, so every web worker shares the limit.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Campaign, Open311Key
from rules.errors import Conflict, Forbidden, InvalidInput, NotFound, Throttled
from rules.vocabulary import OFFICE_NAME
from services.open311 import texts
from services.people.audit import record
from services.people.auth import hash_token

PREFIX = "o311_"
WINDOW = dt.timedelta(minutes=1)
DEFAULT_RATE = 60


@dataclass(frozen=True, slots=True)
class KeyRow:
    """A key as the office sees it (never the key itself)."""

    id: int
    name: str
    prefix: str
    rate_per_minute: int
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    requests_total: int


@dataclass(frozen=True, slots=True)
class KeyHolder:
    """Who is asking: the key's id, its client system's name and its campaign."""

    key_id: int
    name: str
    campaign_id: int


def _row(k: Open311Key) -> KeyRow:
    return KeyRow(id=k.id, name=k.name, prefix=k.prefix, rate_per_minute=k.rate_per_minute, created_at=k.created_at,
                  created_by=k.created_by, revoked_at=k.revoked_at, last_used_at=k.last_used_at,
                  requests_total=k.requests_total)


def add_key(session: Session, *, campaign: Campaign, name: str, now: dt.datetime, actor: str = OFFICE_NAME,
            rate_per_minute: int = DEFAULT_RATE) -> tuple[KeyRow, str]:
    """Issue a key for one client system; returns the row and the key, which is never shown again."""
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise InvalidInput(texts.KEY_NAME)
    if not 1 <= rate_per_minute <= 10_000:
        raise InvalidInput(texts.KEY_RATE)
    if session.scalar(select(Open311Key.id).where(Open311Key.campaign_id == campaign.id, Open311Key.name == name)):
        raise Conflict(texts.KEY_EXISTS.format(name=name))
    raw = PREFIX + secrets.token_urlsafe(24)
    key = Open311Key(campaign_id=campaign.id, name=name, key_hash=hash_token(raw), prefix=raw[:10],
                     rate_per_minute=rate_per_minute, created_at=now, created_by=actor, window_count=0,
                     requests_total=0)
    session.add(key)
    session.flush()
    record(session, campaign_id=campaign.id, action="open311.key.add", object_type="open311_key", object_id=key.id,
           now=now, actor=actor, detail={"name": name, "rate_per_minute": rate_per_minute})
    return _row(key), raw


def list_keys(session: Session, *, campaign: Campaign) -> list[KeyRow]:
    """Every key of the campaign, revoked ones included, oldest first."""
    keys = session.scalars(select(Open311Key).where(Open311Key.campaign_id == campaign.id).order_by(Open311Key.id))
    return [_row(k) for k in keys]


def revoke_key(session: Session, *, campaign: Campaign, name: str, now: dt.datetime,
               actor: str = OFFICE_NAME) -> KeyRow:
    """Revoke a key by its name: its next request is refused."""
    key = session.scalars(select(Open311Key).where(Open311Key.campaign_id == campaign.id,
                                                   Open311Key.name == (name or "").strip())).first()
    if key is None:
        raise NotFound(texts.NO_KEY_NAMED.format(name=name))
    if key.revoked_at is not None:
        raise Conflict(texts.KEY_REVOKED.format(name=key.name, at=texts.local_text(key.revoked_at, ZoneInfo(campaign.timezone))))
    key.revoked_at = now
    record(session, campaign_id=campaign.id, action="open311.key.revoke", object_type="open311_key",
           object_id=key.id, now=now, actor=actor, detail={"name": key.name})
    session.flush()
    return _row(key)


def use_key(session: Session, *, raw: str | None, now: dt.datetime, method: str, path: str,
            address: str | None = None) -> KeyHolder:
    """Check a key, count the request in its window and audit it under the key's name.

    Forbidden for a missing, unknown or revoked key; Throttled past the key's limit (the
    refused request is neither counted nor audited, so a flood writes nothing).
    """
    if not raw:
        raise Forbidden(texts.NO_KEY)
    key = session.scalars(select(Open311Key).where(Open311Key.key_hash == hash_token(raw.strip()))
                          .with_for_update()).first()
    if key is None or key.revoked_at is not None:
        raise Forbidden(texts.BAD_KEY, log_detail=f"open311 key {raw[:10]!r} unknown or revoked")
    if key.window_start is None or now - key.window_start >= WINDOW or now < key.window_start:
        key.window_start, key.window_count = now, 0
    if key.window_count >= key.rate_per_minute:
        wait = (key.window_start + WINDOW - now).total_seconds()
        raise Throttled(texts.RATE_LIMITED.format(limit=key.rate_per_minute), retry_after=int(wait) + 1,
                        log_detail=f"open311 key {key.name!r} over {key.rate_per_minute}/min")
    key.window_count += 1
    key.requests_total += 1
    key.last_used_at = now
    record(session, campaign_id=key.campaign_id, action="open311.request", object_type="open311_key",
           object_id=key.id, now=now, actor=texts.ACTOR.format(name=key.name), address=address,
           detail={"key": key.name, "method": method, "path": path[:200]})
    session.flush()
    return KeyHolder(key_id=key.id, name=key.name, campaign_id=key.campaign_id)
