"""Find units and leaders by the names offices actually write (names, aliases, width variants)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Generic, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from models import Leader, Unit

T = TypeVar("T", Unit, Leader)

_SPACE = re.compile(r"\s+")


_LEVEL_PREFIX = re.compile(r"^(县|市|区)(?=.{2,})")


def name_key(name: str) -> str:
    """Comparison key: NFKC (full-width → half-width) without white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name or ""))


def short_key(name: str) -> str:
    """The key without a leading 县/市/区, so 县住建局 finds a unit aliased 住建局."""
    return _LEVEL_PREFIX.sub("", name_key(name))


class Directory(Generic[T]):
    """Name/alias → row lookup for one campaign's units or leaders."""

    def __init__(self, rows: Iterable[T], *, match_short: bool = True):
        self._match_short = match_short
        self._by_key: dict[str, T] = {}
        self._by_short: dict[str, T | None] = {}  # None marks an ambiguous short key
        for row in rows:
            self.add(row)

    def add(self, row: T) -> None:
        for n in [row.name, *(row.aliases or [])]:
            self._by_key.setdefault(name_key(n), row)
            short = short_key(n)
            if self._by_short.get(short, row) is not row:
                self._by_short[short] = None
            else:
                self._by_short[short] = row

    def find(self, name: str) -> T | None:
        """Exact name or alias first; then the same without a leading 县/市/区, if unambiguous."""
        found = self._by_key.get(name_key(name))
        if found is None and self._match_short:
            found = self._by_short.get(short_key(name))
        return found


def unit_directory(session: Session, campaign_id: int) -> Directory[Unit]:
    return Directory(session.scalars(_units(), {"campaign_id": campaign_id}))


@functools.cache
def _units() -> Select[tuple[Unit]]:
    """A campaign's units (parameter: campaign_id), built once."""
    return select(Unit).where(Unit.campaign_id == bindparam("campaign_id"))


def leader_directory(session: Session, campaign_id: int) -> Directory[Leader]:
    return Directory(session.scalars(select(Leader).where(Leader.campaign_id == campaign_id)), match_short=False)
