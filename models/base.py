"""Declarative base, naming convention and the portable column types every model uses."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, MetaData, Text
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: one encoder for every value (``json.dumps`` with options builds a new one per call)
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_text(value: Any) -> str:
    """``value`` as the JSON text a JSONText column stores (keys sorted, compact, non-ASCII kept)."""
    return _JSON.encode(value)


def naive_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime as the naive UTC a UTCDateTime column stores; a naive one is refused."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTCDateTime column")
    return value.astimezone(dt.UTC).replace(tzinfo=None)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL compare it alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else naive_utc(value)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class JSONText(TypeDecorator):
    """JSON kept as text: portable, readable in any SQL client, compared as written."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json_text(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, enum: type[Enum]) -> CheckConstraint:
    """``CHECK (column IN (…))`` over a closed set's stored values, named ``ck_<table>_<column>``."""
    allowed = ", ".join(str(m.value) if isinstance(m.value, int) else f"'{m.value}'" for m in enum)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)
