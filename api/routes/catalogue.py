from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.responses import json_response
from api.routes.params import ActivityFilter, Limit, Offset, ProvinceFilter
from api.services import catalogue as service
from models.capability import CapabilityCreate, CapabilityPublic, CapabilityUpdate
from models.common import NeedStatus, Page
from models.need import NeedCreate, NeedPublic, NeedStatusChange, NeedUpdate

capabilities = APIRouter(prefix="/capabilities", tags=["capabilities"],
                      responses=PROBLEM_RESPONSES)
needs = APIRouter(prefix="/needs", tags=["needs"], responses=PROBLEM_RESPONSES)


@capabilities.get("", response_model=Page[CapabilityPublic],
                  summary="Capabilities you may see (providers: own; staff: all)")
def list_capabilities(session: SessionDep, user: CurrentUser, limit: Limit = 50,
                      offset: Offset = 0, activity: ActivityFilter = None,
                      province: ProvinceFilter = None,
                      provider_id: uuid.UUID | None = Query(default=None),
                      active: bool | None = Query(default=None, examples=[True]),
                      ) -> Response:
    items, total = service.list_capabilities(session, user, activity=activity, province=province,
                                             provider_id=provider_id, active=active, limit=limit,
                                             offset=offset)
    return json_response(session, Page[CapabilityPublic],
                         Page.of([CapabilityPublic.model_validate(c) for c in items], total,
                                 limit=limit, offset=offset))


@capabilities.post("", response_model=CapabilityPublic, status_code=status.HTTP_201_CREATED,
                   summary="Publish a capability on one of your provider sites")
def create_capability(data: CapabilityCreate, session: SessionDep,
                      user: CurrentUser) -> CapabilityPublic:
    return CapabilityPublic.model_validate(service.create_capability(session, user, data))


@capabilities.get("/{cap_id}", response_model=CapabilityPublic)
def read_capability(cap_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> CapabilityPublic:
    return CapabilityPublic.model_validate(service.get_capability(session, user, cap_id))


@capabilities.patch("/{cap_id}", response_model=CapabilityPublic)
def update_capability(cap_id: uuid.UUID, patch: CapabilityUpdate, session: SessionDep,
                      user: CurrentUser) -> CapabilityPublic:
    return CapabilityPublic.model_validate(service.update_capability(session, user, cap_id, patch))


@capabilities.delete("/{cap_id}", status_code=204, response_class=Response)
def delete_capability(cap_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_capability(session, user, cap_id)
    return Response(status_code=204)


@needs.get("", response_model=Page[NeedPublic],
           summary="Needs you may see (companies: own; staff: all)")
def list_needs(session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
               status: NeedStatus | None = Query(default=None, examples=["open"]),
               activity: ActivityFilter = None, province: ProvinceFilter = None,
               organisation_id: uuid.UUID | None = Query(default=None)) -> Response:
    items, total = service.list_needs(session, user, status=status, activity=activity,
                                      province=province, organisation_id=organisation_id,
                                      limit=limit, offset=offset)
    return json_response(session, Page[NeedPublic],
                         Page.of([NeedPublic.model_validate(n) for n in items], total,
                                 limit=limit, offset=offset))


@needs.post("", response_model=NeedPublic, status_code=status.HTTP_201_CREATED,
            summary="Post a need (created as `draft`; publish with POST /needs/{id}/status)")
def create_need(data: NeedCreate, session: SessionDep, user: CurrentUser) -> Response:
    return json_response(session, NeedPublic,
                         NeedPublic.model_validate(service.create_need(session, user, data)),
                         status_code=status.HTTP_201_CREATED)


@needs.get("/{need_id}", response_model=NeedPublic)
def read_need(need_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return json_response(session, NeedPublic,
                         NeedPublic.model_validate(service.get_need(session, user, need_id)))


@needs.patch("/{need_id}", response_model=NeedPublic)
def update_need(need_id: uuid.UUID, patch: NeedUpdate, session: SessionDep,
                user: CurrentUser) -> NeedPublic:
    return NeedPublic.model_validate(service.update_need(session, user, need_id, patch))


@needs.post("/{need_id}/status", response_model=NeedPublic,
            summary="Move a need: draft → open → closed | cancelled (409 if not allowed)")
def change_need_status(need_id: uuid.UUID, data: NeedStatusChange, session: SessionDep,
                       user: CurrentUser) -> NeedPublic:
    return NeedPublic.model_validate(
        service.change_need_status(session, user, need_id, data.status.value))


@needs.delete("/{need_id}", status_code=204, response_class=Response,
              summary="Delete a draft need")
def delete_need(need_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    service.delete_need(session, user, need_id)
    return Response(status_code=204)
