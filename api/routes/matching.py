from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from api.db import finish
from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.services import matching as service
from models.matching import MatchesPublic, OpportunitiesPublic

router = APIRouter(tags=["matching"], responses=PROBLEM_RESPONSES)

SUPPORTED = ("nl", "en")


def pick_language(accept_language: str | None) -> str:
    """`nl` unless the Accept-Language header prefers English (q-values honoured)."""
    best, best_q = "nl", 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-", 1)[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in SUPPORTED and q > best_q:
            best, best_q = lang, q
    return best


AcceptLanguage = Annotated[str | None, Header(description="`nl` (default) or `en` for reasons",
                                              examples=["en"])]
Limit = Annotated[int, Query(ge=1, le=100, description="Number of candidates", examples=[10])]


@router.get("/needs/{need_id}/matches", response_model=MatchesPublic,
            summary="Ranked maatwerkbedrijven for a need, with scores, components and reasons")
def need_matches(need_id: uuid.UUID, session: SessionDep, user: CurrentUser,
                 settings: SettingsDep, limit: Limit = 10,
                 include_excluded: Annotated[bool, Query(
                     description="Also list candidates excluded by a hard constraint, with the "
                     "causes in `excluded`", examples=[False])] = False,
                 accept_language: AcceptLanguage = None) -> Response:
    # the body is MatchesPublic JSON, validated against that model when the service built it
    # and kept for repeats (api.services.matching.MATCHES_PAGE): served as bytes, never
    # serialised or validated again; the session finishes here, in this thread (api.responses)
    body = service.matches_json(session, user, settings, need_id, limit=limit,
                                include_excluded=include_excluded,
                                lang=pick_language(accept_language))
    finish(session)
    return Response(body, media_type="application/json")


@router.get("/providers/{provider_id}/opportunities", response_model=OpportunitiesPublic,
            summary="Ranked open needs for a provider's active capabilities")
def provider_opportunities(provider_id: uuid.UUID, session: SessionDep, user: CurrentUser,
                           settings: SettingsDep, limit: Limit = 10,
                           accept_language: AcceptLanguage = None) -> OpportunitiesPublic:
    return service.opportunities_for_provider(session, user, settings, provider_id, limit=limit,
                                              lang=pick_language(accept_language))
