from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.responses import json_response
from api.routes.matching import AcceptLanguage, pick_language
from api.routes.params import Limit, Offset
from api.services import leads as service
from api.services.lead_views import present
from models.common import Page
from models.lead import LeadContract, LeadCreate, LeadDecline, LeadPublic, LeadStatus
from models.organisation import User

router = APIRouter(responses=PROBLEM_RESPONSES)


def _one(session: SessionDep, user: User, lead, *,  # noqa: ANN001
         status_code: int = status.HTTP_200_OK) -> Response:
    # no query after a lead operation: the service kept the need, its site and both parties in
    # the session, and present() reuses them (the webhook payload, if any, did the same)
    return json_response(session, LeadPublic, present(session, [lead], viewer=user)[0],
                         status_code=status_code)


@router.post("/needs/{need_id}/leads", response_model=LeadPublic, tags=["leads"],
             status_code=status.HTTP_201_CREATED,
             summary="Send one of your open needs to a provider capability as a lead")
def send_lead(need_id: uuid.UUID, data: LeadCreate, session: SessionDep, user: CurrentUser,
              settings: SettingsDep, accept_language: AcceptLanguage = None) -> Response:
    # the lead's snapshot keeps the language of the request that sent it (DESIGN §5)
    return _one(session, user, service.send_lead(session, user, need_id, data, settings,
                                                 lang=pick_language(accept_language)),
                status_code=status.HTTP_201_CREATED)


@router.get("/leads", response_model=Page[LeadPublic], tags=["leads"],
            summary="Leads you take part in (inbox: received as provider; outbox: sent as "
            "company); staff see all")
def list_leads(session: SessionDep, user: CurrentUser, limit: Limit = 50, offset: Offset = 0,
               role: Literal["inbox", "outbox"] | None = Query(
                   default=None, examples=["inbox"],
                   description="`inbox`: leads your provider received; `outbox`: leads your "
                   "company sent; omitted: both"),
               status: LeadStatus | None = Query(default=None, examples=["sent"]),
               need_id: uuid.UUID | None = Query(default=None)) -> Response:
    items, total = service.list_leads(session, user, role=role,
                                      status=status.value if status else None,
                                      need_id=need_id, limit=limit, offset=offset)
    return json_response(session, Page[LeadPublic],
                         Page.of(present(session, items, viewer=user), total, limit=limit,
                                 offset=offset))


@router.get("/leads/{lead_id}", response_model=LeadPublic, tags=["leads"])
def read_lead(lead_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return _one(session, user, service.get_lead(session, user, lead_id))


@router.post("/leads/{lead_id}/view", response_model=LeadPublic, tags=["leads"],
             summary="Provider: mark a sent lead as viewed (idempotent)")
def view_lead(lead_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return _one(session, user, service.view_lead(session, user, lead_id))


@router.post("/leads/{lead_id}/accept", response_model=LeadPublic, tags=["leads"],
             summary="Provider: accept a sent or viewed lead")
def accept_lead(lead_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return _one(session, user, service.accept_lead(session, user, lead_id))


@router.post("/leads/{lead_id}/decline", response_model=LeadPublic, tags=["leads"],
             summary="Provider: decline a sent or viewed lead, with a reason")
def decline_lead(lead_id: uuid.UUID, data: LeadDecline, session: SessionDep,
                 user: CurrentUser) -> Response:
    return _one(session, user, service.decline_lead(session, user, lead_id, data))


@router.post("/leads/{lead_id}/withdraw", response_model=LeadPublic, tags=["leads"],
             summary="Company: withdraw a lead; a contracted lead gives its capacity back")
def withdraw_lead(lead_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    return _one(session, user, service.withdraw_lead(session, user, lead_id))


@router.post("/leads/{lead_id}/contract", response_model=LeadPublic, tags=["leads"],
             summary="Company: contract an accepted lead, reserving the provider site's "
             "capacity (409 when there is not enough)")
def contract_lead(lead_id: uuid.UUID, data: LeadContract, session: SessionDep,
                  user: CurrentUser) -> Response:
    return _one(session, user, service.contract_lead(session, user, lead_id, data))
