from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.routes.params import Limit, Offset
from api.services import audit
from models.audit import AuditEventPublic
from models.common import IsoDateTime, Page

router = APIRouter(prefix="/audit", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[AuditEventPublic],
            summary="Audit trail, newest first (staff: all; others: their organisation's)")
def list_audit_events(
    session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
    entity: str | None = Query(default=None, max_length=40, examples=["lead"],
                               description="Kind of record, e.g. `lead`, `need`, `capability`"),
    action: str | None = Query(default=None, max_length=40, examples=["accept"],
                               description="What happened, e.g. `send`, `accept`, `contract`"),
    since: IsoDateTime | None = Query(default=None, examples=["2026-11-01T00:00:00Z"],
                                   description="Only events at or after this time"),
) -> Page[AuditEventPublic]:
    items, total = audit.list_events(session, user, entity=entity, action=action, since=since,
                           limit=limit, offset=offset)
    return Page.of(audit.present(session, items), total, limit=limit, offset=offset)
