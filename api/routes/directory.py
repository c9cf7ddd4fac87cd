"""The public directory of maatwerkbedrijven: no login, rate-limited per client address."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from api.deps import SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, InvalidInput
from api.routes.params import ActivityFilter, Limit, Offset
from api.services import directory as service
from models.common import Page, PlacementMode
from models.directory import DirectoryProvider, DirectoryProviderProfile
from models.gazetteer import lookup_postcode

router = APIRouter(prefix="/directory", tags=["directory"], responses=PROBLEM_RESPONSES)


def _family(value: str | None) -> str | None:
    from models.taxonomy import families

    if value is not None and value not in families():
        raise ValueError(f"unknown activity family {value!r}; see GET /taxonomy/activities "
                         f"(known: {', '.join(sorted(families()))})")
    return value


def _postcode(value: str | None) -> str | None:
    if value is not None and lookup_postcode(value.strip()) is None:
        raise ValueError(f"unknown Belgian postcode {value!r}")
    return None if value is None else value.strip()


FamilyFilter = Annotated[
    str | None, Query(description="Activity family (cluster kind), e.g. `kledij`",
                      examples=["magazijn"]), AfterValidator(_family)]
PostcodeFilter = Annotated[
    str | None, Query(description="Belgian postcode to measure distances from; results are "
                      "ordered nearest first", examples=["8800"], pattern=r"^\s*\d{4}\s*$"),
    AfterValidator(_postcode)]
RadiusFilter = Annotated[
    float | None, Query(gt=0, le=500, allow_inf_nan=False, examples=[25.0],
                        description="Only providers with a matching site within this many km "
                        "of `postcode` (requires `postcode`)")]
ModeFilter = Annotated[
    PlacementMode | None, Query(description="Only capabilities offering this placement mode",
                                examples=["enclave"])]
TextFilter = Annotated[
    str | None, Query(min_length=2, max_length=100, examples=["retour"],
                      description="Words in the provider's name or description, a capability's "
                      "description or an activity's nl/en label (case-insensitive)")]


@router.get("/providers", response_model=Page[DirectoryProvider],
            summary="Search maatwerkbedrijven by activity and region (public, no login)")
def search_providers(session: SessionDep, settings: SettingsDep,
                     activity: ActivityFilter = None, family: FamilyFilter = None,
                     postcode: PostcodeFilter = None, radius_km: RadiusFilter = None,
                     placement_mode: ModeFilter = None, q: TextFilter = None,
                     limit: Limit = 50, offset: Offset = 0) -> Page[DirectoryProvider]:
    if radius_km is not None and postcode is None:
        raise InvalidInput(["query", "radius_km"], "radius_km needs a postcode to measure from")
    activities = None
    if activity is not None:
        activities = frozenset({activity})
    if family is not None:
        in_family = service.activities_of_family(family)
        activities = in_family if activities is None else activities & in_family
    query = service.DirectoryQuery(
        activities=activities, place=lookup_postcode(postcode) if postcode else None,
        radius_km=radius_km, placement_mode=placement_mode.value if placement_mode else None,
        text=q.strip() if q and q.strip() else None)
    items, total = service.search(session, query, limit=limit, offset=offset,
                                  stale_days=settings.stale_workforce_days)
    return Page.of(items, total, limit=limit, offset=offset)


@router.get("/providers/{provider_id}", response_model=DirectoryProviderProfile,
            summary="The public profile of one maatwerkbedrijf (public, no login)")
def read_provider(provider_id: uuid.UUID, session: SessionDep,
                  settings: SettingsDep) -> DirectoryProviderProfile:
    return service.profile(session, provider_id, stale_days=settings.stale_workforce_days)
