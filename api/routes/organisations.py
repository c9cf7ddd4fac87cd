from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.responses import json_response
from api.routes.params import Limit, Offset
from api.services import organisations as service
from models.common import Page
from models.organisation import OrganisationPublic, OrganisationUpdate
from models.site import SiteCreate, SitePublic, SiteUpdate, WorkforcePublic, WorkforceUpdate

router = APIRouter(tags=["organisations"], responses=PROBLEM_RESPONSES)


@router.get("/organisations", response_model=Page[OrganisationPublic],
            summary="Organisations you may see (staff: all; others: your own)")
def list_organisations(session: SessionDep, user: CurrentUser, limit: Limit = 50,
                       offset: Offset = 0,
                       kind: Literal["company", "provider", "department"] | None = Query(
                           default=None, examples=["provider"])) -> Page[OrganisationPublic]:
    items, total = service.list_organisations(session, user, kind=kind, limit=limit,
                                              offset=offset)
    return Page.of([OrganisationPublic.model_validate(o) for o in items], total,
                   limit=limit, offset=offset)


@router.get("/organisations/{org_id}", response_model=OrganisationPublic)
def read_organisation(org_id: uuid.UUID, session: SessionDep,
                      user: CurrentUser) -> OrganisationPublic:
    return OrganisationPublic.model_validate(service.get_organisation(session, user, org_id))


@router.patch("/organisations/{org_id}", response_model=OrganisationPublic)
def update_organisation(org_id: uuid.UUID, patch: OrganisationUpdate, session: SessionDep,
                        user: CurrentUser) -> OrganisationPublic:
    return OrganisationPublic.model_validate(
        service.update_organisation(session, user, org_id, patch))


@router.get("/organisations/{org_id}/sites", response_model=Page[SitePublic])
def list_sites(org_id: uuid.UUID, session: SessionDep, user: CurrentUser, limit: Limit = 50,
               offset: Offset = 0) -> Page[SitePublic]:
    items, total = service.list_sites(session, user, org_id, limit=limit, offset=offset)
    return Page.of([SitePublic.model_validate(s) for s in items], total,
                   limit=limit, offset=offset)


@router.post("/organisations/{org_id}/sites", response_model=SitePublic,
             status_code=status.HTTP_201_CREATED,
             summary="Add a site; the postcode is resolved offline to municipality and coordinates")
def create_site(org_id: uuid.UUID, data: SiteCreate, session: SessionDep,
                user: CurrentUser) -> SitePublic:
    return SitePublic.model_validate(service.create_site(session, user, org_id, data))


@router.get("/organisations/{org_id}/sites/{site_id}", response_model=SitePublic)
def read_site(org_id: uuid.UUID, site_id: uuid.UUID, session: SessionDep,
              user: CurrentUser) -> SitePublic:
    return SitePublic.model_validate(service.get_site(session, user, org_id, site_id))


@router.patch("/organisations/{org_id}/sites/{site_id}", response_model=SitePublic)
def update_site(org_id: uuid.UUID, site_id: uuid.UUID, patch: SiteUpdate, session: SessionDep,
                user: CurrentUser) -> SitePublic:
    return SitePublic.model_validate(service.update_site(session, user, org_id, site_id, patch))


@router.delete("/organisations/{org_id}/sites/{site_id}", status_code=204,
               response_class=Response)
def delete_site(org_id: uuid.UUID, site_id: uuid.UUID, session: SessionDep,
                user: CurrentUser) -> Response:
    service.delete_site(session, user, org_id, site_id)
    return Response(status_code=204)


@router.get("/providers/{provider_id}/workforce", response_model=list[WorkforcePublic],
            tags=["workforce"], summary="Free workforce per site of a provider")
def list_workforce(provider_id: uuid.UUID, session: SessionDep,
                   user: CurrentUser) -> list[WorkforcePublic]:
    return [WorkforcePublic.model_validate(w)
            for w in service.list_workforce(session, user, provider_id)]


@router.put("/providers/{provider_id}/workforce/{site_id}", response_model=WorkforcePublic,
            tags=["workforce"], summary="Set the free workforce of one provider site")
def set_workforce(provider_id: uuid.UUID, site_id: uuid.UUID, data: WorkforceUpdate,
                  session: SessionDep, user: CurrentUser) -> Response:
    return json_response(session, WorkforcePublic, WorkforcePublic.model_validate(
        service.set_workforce(session, user, provider_id, site_id, data)))
