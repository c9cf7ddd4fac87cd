"""Data export and erasure of an organisation (DESIGN §9 extension: privacy)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import CurrentUser, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.services import privacy as service
from models.privacy import OrganisationExport

router = APIRouter(tags=["privacy"], responses=PROBLEM_RESPONSES)


@router.get("/organisations/{org_id}/export", response_model=OrganisationExport,
            summary="Everything Koppel holds about an organisation, as JSON (own organisation "
            "or staff)")
def export_organisation(org_id: uuid.UUID, session: SessionDep,
                        user: CurrentUser) -> OrganisationExport:
    return service.export(session, user, org_id)


@router.delete("/organisations/{org_id}", status_code=204, response_class=Response,
               summary="Erase an organisation's personal data (its own users or an admin); "
               "anonymised statistics rows stay, every token of its users stops working")
def erase_organisation(org_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    service.erase(session, user, org_id)
    return Response(status_code=204)
