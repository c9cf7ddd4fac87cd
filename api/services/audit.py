"""Recording audit events, inside the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, select

from api.crud.common import paginate
from api.services.access import is_staff
from models.audit import AuditEvent
from models.organisation import User


def record(session: Session, actor: User | None, *, entity: str, entity_id: uuid.UUID | str | None,
           action: str, summary: str, organisation_id: uuid.UUID | None = None) -> AuditEvent:
    event = AuditEvent(
        actor_user_id=actor.id if actor else None,
        organisation_id=organisation_id or (actor.organisation_id if actor else None),
        entity=entity,
        entity_id=str(entity_id) if entity_id is not None else None,
        action=action,
        summary=summary[:500],
    )
    session.add(event)
    return event


def list_events(session: Session, user: User, *, entity: str | None, action: str | None,
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
