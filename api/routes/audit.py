from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query
from sqlmodel import Session, select

from api.crud.common import paginate
from api.deps import CurrentUser, SessionDep, is_staff
from api.errors import PROBLEM_RESPONSES
from api.routes.params import Limit, Offset
from models.audit import AuditEvent, AuditEventPublic
from models.common import Page
from models.organisation import User

router = APIRouter(prefix="/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


def _events(session: Session, user: User, *, entity: str | None, action: str | None,
            since: datetime | None, limit: int, offset: int) -> tuple[list[AuditEvent], int]:
    stmt = select(AuditEvent)
    if not is_staff(user):
        stmt = stmt.where(AuditEvent.organisation_id == user.organisation_id)
    if entity:
        stmt = stmt.where(AuditEvent.entity == entity)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        stmt = stmt.where(AuditEvent.at >= since)
    return paginate(session, stmt, limit=limit, offset=offset,
                    order_by=(AuditEvent.at.desc(), AuditEvent.id))


@router.get("", response_model=Page[AuditEventPublic],
            summary="Audit trail, newest first (staff: all; others: their organisation's)")
def list_audit_events(
    session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
    entity: str | None = Query(default=None, max_length=40, examples=["lead"],
                               description="Kind of record, e.g. `lead`, `need`, `capability`"),
    action: str | None = Query(default=None, max_length=40, examples=["accept"],
                               description="What happened, e.g. `send`, `accept`, `contract`"),
    since: datetime | None = Query(default=None, examples=["2026-11-01T00:00:00Z"],
                                   description="Only events at or after this time"),
) -> Page[AuditEventPublic]:
    items, total = _events(session, user, entity=entity, action=action, since=since,
                           limit=limit, offset=offset)
    return Page(items=[AuditEventPublic.model_validate(e) for e in items], total=total,
                limit=limit, offset=offset)
