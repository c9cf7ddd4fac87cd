"""Shared table machinery: stable constraint names, UUID ids and timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast, overload

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Field, SQLModel

# Stable constraint names so migrations never depend on the backend's naming.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def json_list(**kwargs: Any) -> Any:  # noqa: ANN003
    """A list of codes stored as JSON (portable between SQLite and PostgreSQL)."""
    return Field(default_factory=list, sa_type=sa.JSON, **kwargs)


def tz_datetime(**kwargs: Any) -> Any:  # noqa: ANN003
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kwargs)


class TableBase(SQLModel):
    """UUID primary key and created/updated timestamps, never settable by clients."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = tz_datetime(nullable=False)
    updated_at: datetime = tz_datetime(nullable=False)


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE run through ``Session.execute`` matched.

    At run time that result is a ``CursorResult``; SQLAlchemy 2.1 types ``Session.execute`` as
    returning a plain ``Result``, which has no ``rowcount``.
    """
    return cast(CursorResult[Any], result).rowcount


@cache
def _aware_columns(cls: type) -> tuple[str, ...]:
    mapper: Mapper[Any] = sa.inspect(cls)
    return tuple(attr.key for attr in mapper.column_attrs
                 if any(isinstance(c.type, sa.DateTime) and c.type.timezone
                        for c in attr.columns))


def _make_aware(target: SQLModel) -> None:
    for key in _aware_columns(type(target)):
        value = target.__dict__.get(key)
        if isinstance(value, datetime) and value.tzinfo is None:
            set_committed_value(target, key, value.replace(tzinfo=UTC))


# SQLite has no time zones and hands back naive datetimes for timezone-aware columns; every
# datetime we store is UTC, so say so on load (PostgreSQL rows are aware already: a no-op).
# Without this, responses on SQLite carried "2026-11-28T09:00:00", which is not an RFC 3339
# date-time as the OpenAPI schema promises (found by tests/api/test_fuzz.py).
event.listen(SQLModel, "load", lambda target, _ctx: _make_aware(target), propagate=True)
event.listen(SQLModel, "refresh", lambda target, _ctx, _attrs: _make_aware(target),
             propagate=True)


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every datetime we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
