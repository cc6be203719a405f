"""What flows share: the process's database, the frozen ``now``, and steps that run as Prefect
tasks inside a flow run and as plain calls outside one (``cw run --direct``, the virtual clock).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import load_settings
from models import Campaign
from models.db import make_engine
from services.campaigns import PROCESS_SPECS, CampaignContext, get_campaign, load_context
from services.uow import Database

P = ParamSpec("P")
R = TypeVar("R")


@functools.lru_cache(maxsize=8)
def _database(url: str) -> Database:
    return Database(make_engine(url))


def database() -> Database:
    """One database (engine) per process and URL; flow runs are processes of their own."""
    return _database(load_settings().resolved_database_url())


def campaign_id(session: Session, code: str) -> int:
    """The id of the campaign named ``code`` (its JSON columns are not read)."""
    found = session.scalar(select(Campaign.id).where(Campaign.code == code))
    return found if found is not None else get_campaign(session, code).id  # get_campaign names the known ones


def context(session: Session, code: str) -> CampaignContext:
    """The campaign's context for this unit of work; a step runs many times a day (the sweep per batch,
    the relay per minute), so the file is validated again only when it changed. One query: the campaign
    is read by its code."""
    found = PROCESS_SPECS.load_code(session, code)
    if found is None:  # get_campaign names the known ones
        return load_context(session, campaign_id=get_campaign(session, code).id, specs=PROCESS_SPECS)
    campaign, spec = found
    return CampaignContext(session=session, row=campaign, spec=spec)


def resolve_now(now: str | None) -> dt.datetime:
    """The flow's frozen ``now``: the given ISO time, or the real clock."""
    if not now:
        return dt.datetime.now(dt.UTC)
    t = dt.datetime.fromisoformat(now)
    if t.tzinfo is None:
        raise ValueError(f"now must carry a UTC offset: {now}")
    return t


def step(name: str, retries: int = 2) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a batch of I/O: a Prefect task inside a flow run, a plain call otherwise."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        task_obj: Any = None

        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            nonlocal task_obj
            from prefect.context import FlowRunContext

            if FlowRunContext.get() is None:
                return fn(*args, **kwargs)
            if task_obj is None:
                from prefect import task
                from prefect.cache_policies import NO_CACHE

                task_obj = task(name=name, retries=retries, retry_delay_seconds=5,
                                cache_policy=NO_CACHE, persist_result=False)(fn)
            return task_obj(*args, **kwargs)

        call.fn = fn  # type: ignore[attr-defined]  # the undecorated function, like a Prefect task's .fn
        return call

    return wrap


def campaign_codes(campaign: str | None) -> list[str]:
    """The campaign named, or every campaign in the database (flows serve them all)."""
    if campaign:
        return [campaign]
    with database().reader() as s:
        return list(s.scalars(select(Campaign.code).order_by(Campaign.code)))
