"""Public reference data: taxonomy and the offline gazetteer, plus health checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.errors import PROBLEM_RESPONSES, NotFound, problem
from models import gazetteer, taxonomy

router = APIRouter(responses=PROBLEM_RESPONSES)

Labels = Annotated[dict[str, str], Field(examples=[{"nl": "Kledij", "en": "Apparel"}])]


class ActivityPublic(BaseModel):
    code: str = Field(examples=["returns.apparel"])
    group: str = Field(examples=["returns"], description="Code prefix; same group scores 0.5")
    family: str = Field(examples=["kledij"], description="Cluster kind")
    family_label: Labels
    cluster_name: Labels
    label: Labels
    binding: str = Field(examples=["medium"], description="Local binding: high | medium | low")
    modes: list[str] = Field(examples=[["workshop", "on_site"]])
    potential: str = Field(examples=["high"])
    potential_note: Labels | None = Field(examples=[{"nl": "hoog als enclave",
                                                     "en": "high as an enclave"}])
    market_demand: str = Field(examples=["high"])
    market_demand_note: Labels
    investment: str = Field(examples=["low"], description="SEC investment needed")
    investment_note: Labels | None = Field(examples=[{"nl": "productielijn",
                                                      "en": "production line"}])
    time_pressure: str = Field(examples=["low"])
    typical_competences: list[str] = Field(examples=[["laundry", "textile.repair"]])
    seed_refs: list[str] = Field(examples=[["000:3444"]])
    extension: bool = Field(examples=[False], description="Extends the seed studies")


class ActivityList(BaseModel):
    version: str = Field(examples=["2026.11-1"])
    items: list[ActivityPublic]


class CompetencePublic(BaseModel):
    code: str = Field(examples=["laundry"])
    label: Labels


class CompetenceList(BaseModel):
    version: str = Field(examples=["2026.11-1"])
    items: list[CompetencePublic]
    vocabularies: dict[str, dict[str, dict]] = Field(
        description="Other closed vocabularies (support levels, placement modes, certifications, "
        "shifts, time pressure, public transport, decline reasons) with nl/en labels",
        examples=[{"support_levels": {"low": {"label": {"nl": "laag", "en": "low"}}}}],
    )


class PlacePublic(BaseModel):
    postcode: str = Field(examples=["8800"])
    municipality_nis: str = Field(examples=["36015"])
    municipality: str = Field(examples=["Roeselare"])
    arrondissement_nis: str = Field(examples=["36000"])
    arrondissement: str = Field(examples=["Roeselare"])
    province: str = Field(examples=["west-vlaanderen"])
    province_name: str = Field(examples=["West-Vlaanderen"])
    region: str = Field(examples=["flanders"])
    lat: float = Field(examples=[50.9469])
    lon: float = Field(examples=[3.1227])
    approximate: bool = Field(
        examples=[False], description="True when the point is only the municipality's centre "
        "(or a stand-in for a municipality that is no GeoNames place), not the place itself")
    locality: str = Field(
        examples=["Meulebeke"], description="The part of the municipality the postcode names "
        "(deelgemeente); the municipality's name for a postcode that is the whole municipality")


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    database: str | None = Field(default=None, examples=["ok"])


@router.get("/taxonomy/activities", response_model=ActivityList, tags=["taxonomy"])
def list_activities() -> ActivityList:
    items = [ActivityPublic(**a.to_dict()) for a in taxonomy.activities().values()]
    return ActivityList(version=taxonomy.TAXONOMY_VERSION, items=items)


@router.get("/taxonomy/competences", response_model=CompetenceList, tags=["taxonomy"])
def list_competences() -> CompetenceList:
    return CompetenceList(
        version=taxonomy.TAXONOMY_VERSION,
        items=[CompetencePublic(**c.to_dict()) for c in taxonomy.competences().values()],
        vocabularies={name: taxonomy.vocabulary(name) for name in taxonomy.vocabulary_names()},
    )


@router.get("/geo/postcodes/{postcode}", response_model=PlacePublic, tags=["geo"])
def read_postcode(postcode: Annotated[str, Path(examples=["8800"], max_length=10)]) -> PlacePublic:
    place = gazetteer.lookup_postcode(postcode)
    if place is None:
        raise NotFound(f"Postcode {postcode!r} is not a known Belgian postcode")
    return PlacePublic(**{f: getattr(place, f) for f in PlacePublic.model_fields})


@router.get("/health", response_model=Health, tags=["health"],
            summary="Liveness: the process answers")
def health() -> Health:
    return Health(status="ok")


@router.get("/ready", response_model=Health, tags=["health"],
            summary="Readiness: the database answers (503 problem otherwise)")
def ready(request: Request) -> Health | JSONResponse:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database means not ready
        return problem(503, "The database is unreachable", slug="unavailable",
                       headers={"Retry-After": "5"}, database="unreachable")
    return Health(status="ok", database="ok")
