"""One campaign's context for one unit of work: the row, its campaign file, ladders, calendar and 包联.

An entry point (route, command, flow task) opens the unit of work, loads the context once and
passes it down, so no service re-parses the stored campaign file and no module keeps a cache
that outlives the unit of work. The parts that cost something (the calendar, the ladders, the
spatial router) are built on first use; a long-lived owner (the web app) may lend its
``RouterCache`` so the router survives across units of work while the segments are unchanged,
and its ``SpecCache`` so the campaign file is validated once per change, not once per request.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from sqlalchemy import Select, Text, bindparam, literal_column, select, type_coerce
from sqlalchemy.orm import Session, defer

from config.campaign import CampaignFile
from models import Campaign, Unit
from rules.calendar import WorkCalendar
from rules.errors import NotFound
from services.bulk import fetch_plain
from services.campaigns.directory import Directory, unit_directory
from services.campaigns.spec import campaign_spec
from services.campaigns.working_calendar import campaign_calendar

if TYPE_CHECKING:
    from services.escalation.ladders import Holders, Policy
    from services.inspections.routing import CampaignRouter, RouterCache


T = TypeVar("T")


@dataclass(frozen=True)
class CampaignRef:
    """A campaign's id and code: what most units of work need of its row."""

    id: int
    code: str


@dataclass(frozen=True, eq=False)
class CampaignContext:
    """What a unit of work needs from its campaign, loaded once and passed down.

    ``session`` is the unit of work's own: the lazily built parts read through it, so a context
    never outlives (or crosses) the unit of work that loaded it. ``routers``, when given, is the
    caller's cross-request cache of spatial routers (owned by the web app, not by this context).
    The campaign is given as its ``row``, or as a ``ref`` (id and code) whose row is read on first use
    of ``campaign``: a phone request that needs only the file and the id reads no campaign row.
    """

    session: Session
    spec: CampaignFile
    row: Campaign | None = None
    ref: CampaignRef | None = None
    routers: RouterCache | None = None

    def __post_init__(self) -> None:
        if self.row is None and self.ref is None:
            raise TypeError("CampaignContext needs the campaign's row or its ref")

    @cached_property
    def campaign(self) -> Campaign:
        """The campaign row (its JSON columns left unloaded until used)."""
        if self.row is not None:
            return self.row
        assert self.ref is not None
        found = self.session.get(Campaign, self.ref.id, options=[defer(Campaign.spec), defer(Campaign.boundary)])
        if found is None:
            raise NotFound(f"找不到活动（编号 {self.ref.id}）")
        return found

    @property
    def id(self) -> int:
        return self.ref.id if self.ref is not None else self.campaign.id

    @property
    def code(self) -> str:
        return self.ref.code if self.ref is not None else self.campaign.code

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The working calendar (工作日、调休、工作时) in the campaign's time zone."""
        return campaign_calendar(self.spec)

    @cached_property
    def policy(self) -> Policy:
        """Both escalation ladders (协调、问责) and the calendar they count on."""
        from services.escalation.ladders import campaign_policy

        return campaign_policy(self.spec, self.calendar)

    @cached_property
    def router(self) -> CampaignRouter:
        """The spatial index that routes a point to its 路段, built from the stored segments."""
        from services.inspections.routing import build_router

        if self.routers is not None:
            return self.routers.get(self.session, self.id)
        return build_router(self.session, self.id)

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """``build()`` once per context (so once per unit of work): for lookups many calls of one
        step share, such as every unit's notify targets. Not for what the step itself changes."""
        memos = self.__dict__.setdefault("_memos", {})
        if name not in memos:
            memos[name] = build()
        return cast(T, memos[name])

    def unit_directory(self) -> Directory[Unit]:
        """The campaign's units by name and alias (``directory.unit_directory``), read once per context: a
        step that records many findings looks up each one's functional departments."""
        return self.memo("unit_directory", lambda: unit_directory(self.session, self.id))

    def holders(self, *, now: dt.datetime, segment_ids: Iterable[int | None] | None = None) -> Holders:
        """Who holds each segment at ``now`` (包段领导、牵头部门), of ``segment_ids`` only when given. The unit,
        leader and segment names messages show are read once per context, shared by every ``Holders``."""
        from services.escalation.ladders import load_holders, load_names

        return load_holders(self.session, self.id, now, segment_ids,
                            names=self.memo("holder_names", lambda: load_names(self.session, self.id)),
                            segment_names=self.memo("segment_names", dict[int, str]))


class SpecCache:
    """Validated campaign files kept across units of work by a long-lived owner (the web app), per campaign.

    Each load compares a fingerprint of the stored row with the cached one, in the same query
    that reads the campaign row: on PostgreSQL the row version's identity (``xmin``, the transaction
    that wrote it, and ``ctid``, where it lies), which every UPDATE of the row changes, even twice in
    one transaction; on SQLite (in-process, nothing to send) the text itself. A version seen for the
    first time is read and compared by its text, so only a changed file is validated again. A file
    changed by any process (``cw init``, the demo) is therefore seen by the very next load, an unchanged
    one is never read again (issue 22: an MD5 of the 33 KB text on every request cost the database
    ~0.5 ms). Thread-safe: a ``CampaignFile`` is not changed once validated; two requests that miss at
    once may both validate (the last one stays).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[str, str, CampaignFile]] = {}  # campaign → (fingerprint, text, file)

    def load(self, session: Session, campaign_id: int) -> tuple[CampaignRef, CampaignFile]:
        """The campaign's id and code and its validated file: one plain query, no campaign row (the
        context reads the row if a step asks for it)."""
        hashed = session.get_bind().dialect.name == "postgresql"
        rows = fetch_plain(session, _query(by_code=False, hashed=hashed), {"campaign_id": campaign_id})
        if not rows:
            raise NotFound(f"找不到活动（编号 {campaign_id}）")
        found_id, code, key = rows[0]
        return CampaignRef(found_id, code), self._spec(session, found_id, key, hashed)

    def load_code(self, session: Session, code: str) -> tuple[Campaign, CampaignFile] | None:
        """The row of the campaign named ``code`` (None if there is none) and its validated file, in one query."""
        hashed = session.get_bind().dialect.name == "postgresql"
        row = session.execute(_query(by_code=True, hashed=hashed), {"code": code}).first()
        if row is None:
            return None
        return row.Campaign, self._spec(session, row.Campaign.id, row.key, hashed)

    def _spec(self, session: Session, campaign_id: int, key: str, hashed: bool) -> CampaignFile:
        """The validated file of the campaign whose stored row has fingerprint ``key``."""
        with self._lock:
            hit = self._entries.get(campaign_id)
        if hit is not None and hit[0] == key:
            return hit[2]
        raw = key if not hashed else session.execute(
            select(type_coerce(Campaign.spec, Text)).where(Campaign.id == campaign_id)).scalar_one()
        # a new row version with the same text (another column changed, VACUUM FULL): not validated again
        spec = hit[2] if hit is not None and hit[1] == raw else CampaignFile.model_validate(json.loads(raw))
        with self._lock:  # the fingerprint read with the row: a change since then is seen by the next load
            self._entries[campaign_id] = (key, raw, spec)
        return spec


#: the row version's identity, ``xmin:ctid`` (PostgreSQL): every UPDATE of the row changes it
_FINGERPRINT = "campaign.xmin::text || ':' || campaign.ctid::text"


@functools.cache
def _query(*, by_code: bool, hashed: bool) -> Select:
    """Built once: the campaign's fingerprint (PostgreSQL: the row version's identity; SQLite: the stored
    file's text) with, by ``code``, the campaign row (its JSON columns unloaded), or, by ``campaign_id``,
    only its id and code."""
    key = (literal_column(_FINGERPRINT, Text) if hashed else type_coerce(Campaign.spec, Text)).label("key")
    if by_code:
        return (select(Campaign, key).options(defer(Campaign.spec), defer(Campaign.boundary))
                .where(Campaign.code == bindparam("code")))
    return select(Campaign.id, Campaign.code, key).where(Campaign.id == bindparam("campaign_id"))


#: the process's validated campaign files, for code that runs many units of work (flows, the relay)
PROCESS_SPECS = SpecCache()


def load_context(session: Session, *, campaign: Campaign | None = None, campaign_id: int | None = None,
                 routers: RouterCache | None = None, specs: SpecCache | None = None) -> CampaignContext:
    """The context of ``campaign`` (or of the campaign with ``campaign_id``) for this unit of work.

    With ``specs`` (and a ``campaign_id``), the campaign file is validated only when it changed.
    """
    if campaign is None and campaign_id is not None and specs is not None:
        ref, spec = specs.load(session, campaign_id)
        return CampaignContext(session=session, ref=ref, spec=spec, routers=routers)
    if campaign is None:
        campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
        if campaign is None:
            raise NotFound(f"找不到活动（编号 {campaign_id}）")
    return CampaignContext(session=session, row=campaign, spec=campaign_spec(campaign),
                           routers=routers)
