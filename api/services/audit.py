"""Recording audit events, inside the same transaction as the change they describe."""

from __future__ import annotations

import uuid

from sqlmodel import Session

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
