"""Query helpers shared by every repository: pagination and fetching by id."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


def paginate(session: Session, stmt: SelectOfScalar[T], *, limit: int, offset: int,
             order_by: Any) -> tuple[list[T], int]:
    return page(session, stmt, limit=limit, offset=offset, order_by=order_by), count(session,
                                                                                     stmt)


def count(session: Session, stmt: SelectOfScalar[Any]) -> int:
    """The number of rows ``stmt`` selects (its ordering left out)."""
    return int(session.exec(select(func.count()).select_from(stmt.order_by(None).subquery()))
               .one())


def page(session: Session, stmt: SelectOfScalar[T], *, limit: int, offset: int,
         order_by: Any) -> list[T]:
    """One page of ``stmt`` (for callers that know the total another way)."""
    return list(session.exec(stmt.order_by(*order_by).limit(limit).offset(offset)).all())
