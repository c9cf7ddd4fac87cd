"""Recording audit events, inside the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from api.crud.common import paginate
from api.services.access import is_staff
from models.audit import AuditEvent, AuditEventPublic
from models.organisation import Organisation, User


def record(session: Session, actor: User | None, *, entity: str, entity_id: uuid.UUID | str | None,
           action: str, summary: str, organisation_id: uuid.UUID | None = None,
           on_behalf_of: uuid.UUID | None = None) -> AuditEvent:
    """An audit event; ``on_behalf_of``: the company a staff broker acted for (the event then
    belongs to that company's trail)."""
    event = AuditEvent(
        actor_user_id=actor.id if actor else None,
        organisation_id=on_behalf_of or organisation_id or (
            actor.organisation_id if actor else None),
        on_behalf_of_organisation_id=on_behalf_of,
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
                    order_by=(col(AuditEvent.at).desc(), AuditEvent.id))


def present(session: Session, events: list[AuditEvent]) -> list[AuditEventPublic]:
    """Events as the API shows them: brokered ones name the staff member who acted."""
    brokers = {e.actor_user_id for e in events
               if e.on_behalf_of_organisation_id is not None and e.actor_user_id is not None}
    names: dict[uuid.UUID, str] = {}
    if brokers:
        rows = session.exec(select(User.id, User.full_name, User.email, Organisation.name)
                            .join(Organisation, col(Organisation.id) == User.organisation_id)
                            .where(col(User.id).in_(brokers))).all()
        names = {id_: f"{full_name or email} ({org})" for id_, full_name, email, org in rows}
    return [AuditEventPublic.model_validate(e).model_copy(update={
        "actor_name": (names.get(e.actor_user_id)
                       if e.on_behalf_of_organisation_id and e.actor_user_id else None)})
        for e in events]
