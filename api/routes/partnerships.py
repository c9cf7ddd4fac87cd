from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.routes.matching import AcceptLanguage, pick_language
from api.services import partnerships as service
from models.partnership import PartnershipLeadsCreate, PartnershipLeadsPublic, PartnershipsPublic

router = APIRouter(tags=["partnerships"], responses=PROBLEM_RESPONSES)

Index = Annotated[int, Path(ge=0, le=service.MAX_LIMIT - 1, examples=[0],
                            description="`index` of the proposal in GET /needs/{id}/partnerships")]


@router.get("/needs/{need_id}/partnerships", response_model=PartnershipsPublic,
            summary="Combinations of 2-4 maatwerkbedrijf sites that together cover a need no "
            "single one can")
def need_partnerships(need_id: uuid.UUID, session: SessionDep, user: CurrentUser,
                      settings: SettingsDep,
                      limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT, examples=[3],
                                                  description="Number of proposals")] = 3,
                      accept_language: AcceptLanguage = None) -> Response:
    # the body is built (and kept for repeats, with the match pages) by the service
    return Response(service.partnerships_json(session, user, settings, need_id, limit=limit,
                                              lang=pick_language(accept_language)),
                    media_type="application/json")


@router.post("/needs/{need_id}/partnerships/{index}/leads",
             response_model=PartnershipLeadsPublic, status_code=status.HTTP_201_CREATED,
             summary="Send a partnership proposal: one lead per member, all or none")
def send_partnership_leads(need_id: uuid.UUID, index: Index, data: PartnershipLeadsCreate,
                           session: SessionDep, user: CurrentUser, settings: SettingsDep,
                           accept_language: AcceptLanguage = None) -> PartnershipLeadsPublic:
    return service.send_partnership_leads(session, user, settings, need_id, index, data,
                                          lang=pick_language(accept_language))
