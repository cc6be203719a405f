"""Write notifications into the outbox, in the caller's transaction (the relay delivers them)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session

from models import Leader, OutboxMessage, Unit
from models.outbox import PENDING
from services.bulk import insert_new
from services.notifications.links import public_base, stamp
from services.uow import plain_rows

if TYPE_CHECKING:
    from services.campaigns.context import CampaignContext

Recipient = tuple[str, int | None]  # ("unit", id) | ("leader", id) | ("office", None)


@dataclass(frozen=True)
class RecipientTargets:
    """Which configured target names reach a recipient: 创卫办 its office targets, a unit or a leader
    the names it lists itself; anyone left with none (or unknown) the campaign's default targets."""

    office: tuple[str, ...] = ()
    default: tuple[str, ...] = ()
    own: Mapping[Recipient, tuple[str, ...]] = field(default_factory=dict)

    def targets(self, recipient: Recipient) -> list[str]:
        """The target names ``recipient`` is reached by, in the configured order."""
        names = self.office if recipient[0] == "office" else self.own.get(recipient, ())
        return list(names or self.default)


def recipient_targets(session: Session, *, ctx: CampaignContext,
                      recipients: Iterable[Recipient] | None = None) -> RecipientTargets:
    """The campaign's resolver: its ``notifications`` section (from the unit of work's context) and the
    ``notify`` lists of the units and leaders among ``recipients`` (all of the campaign's when None, for a batch)."""
    spec = ctx.spec.notifications
    if session is ctx.session:  # every unit's and leader's list, read once per unit of work
        own = ctx.memo("notify_names", lambda: {**_own_names(session, Unit, "unit", ctx.id, None),
                                                **_own_names(session, Leader, "leader", ctx.id, None)})
    else:
        wanted = None if recipients is None else set(recipients)
        own = {**_own_names(session, Unit, "unit", ctx.id, wanted),
               **_own_names(session, Leader, "leader", ctx.id, wanted)}
    return RecipientTargets(office=tuple(spec.office_targets), default=tuple(spec.default_targets), own=own)


def _own_names(session: Session, model: type[Unit] | type[Leader], kind: str, campaign_id: int,
               wanted: set[Recipient] | None) -> dict[Recipient, tuple[str, ...]]:
    params: dict[str, Any] = {"n_campaign": campaign_id}
    if wanted is not None:
        chosen = sorted({i for k, i in wanted if k == kind and i is not None})
        if not chosen:
            return {}
        params["n_ids"] = chosen
    rows = plain_rows(session, _names_statement(model, wanted is not None), params)
    return {(kind, i): tuple(n or ()) for i, n in rows}


@cache
def _names_statement(model: type[Unit] | type[Leader], chosen: bool) -> Select[Any]:
    """``_own_names``' query, built once (bound as ``n_campaign`` and the expanding ``n_ids``)."""
    table = cast(Table, model.__table__)
    query = select(table.c.id, table.c.notify).where(table.c.campaign_id == bindparam("n_campaign"))
    return query.where(table.c.id.in_(bindparam("n_ids", expanding=True))) if chosen else query


def idempotency_key(*parts: Any) -> str:
    """A stable key from the parts that make a message unique (readable prefix + hash)."""
    text = "|".join(str(p) for p in parts)
    return f"{parts[0]}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def enqueue(session: Session, *, ctx: CampaignContext, recipients: Iterable[Recipient], template: str,
            payload: dict[str, Any], key_parts: tuple[Any, ...], now: dt.datetime,
            due_at: dt.datetime | None = None, targets: Sequence[str] | None = None) -> int:
    """One outbox row per (recipient, target); a row whose key exists already is skipped.

    Each recipient's row carries the absolute link to the page where it acts (``links.stamp``).
    ``targets`` (issue 16, confidential messages such as an unannounced round's plan): exactly
    these target names for every recipient, never the recipient's own or the default ones.
    """
    recipients = list(recipients)
    book = recipient_targets(session, ctx=ctx, recipients=recipients)
    base = public_base()
    rows = []
    for recipient in recipients:
        linked = stamp(payload, template=template, recipient_kind=recipient[0], base=base)
        for target in book.targets(recipient) if targets is None else targets:
            key = idempotency_key(ctx.code, template, *key_parts, recipient[0], recipient[1], target)
            rows.append((ctx.id, key, target, template, {**linked, "recipient": f"{recipient[0]}:{recipient[1] or ''}"},
                         PENDING, due_at or now, due_at or now, 0, now))
    return insert_new(session, OutboxMessage.__tablename__, _COLUMNS, rows, conflict=("idempotency_key",))


#: the outbox columns ``enqueue`` writes, in the order of its rows
_COLUMNS = ("campaign_id", "idempotency_key", "target", "template", "payload", "state", "due_at", "next_attempt_at",
            "attempts", "created_at")
