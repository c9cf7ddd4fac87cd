"""Query helpers shared by every repository: pagination and fetching by id."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")


def paginate(session: Session, stmt: SelectOfScalar[T], *, limit: int, offset: int,
             order_by: Any) -> tuple[list[T], int]:
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    items = list(session.exec(stmt.order_by(*order_by).limit(limit).offset(offset)).all())
    return items, int(total)
