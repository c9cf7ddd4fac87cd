"""Response schemas of the matching endpoints (DESIGN §9)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field


class ComponentsPublic(BaseModel):
    competence: float = Field(examples=[0.85], description="Activity match × competence "
                              "coverage blended with TF-IDF text similarity, in [0, 1]")
    locality: float = Field(examples=[0.67], description="Distance decay exp(-d/L) by the "
                            "activity's local binding (L = 15/30/75 km), in [0, 1]")
    supervision: float = Field(examples=[1.0], description="Supervision fit of the work itself: "
                               "1, or 0.2 for peak-season work under high time pressure "
                               "(whether the team can be supervised is part of capacity)")
    capacity: float = Field(examples=[1.0], description="Share of the need's uncovered FTE the "
                            "site can cover at accepted support levels with the supervision they "
                            "need, × freshness of the figures × reach exp(-d/2L), in [0, 1]")


class ReasonPublic(BaseModel):
    code: str = Field(examples=["distance"], description="Stable machine-readable reason code")
    text: str = Field(examples=["12.3 km verderop (middelmatige lokale gebondenheid)"],
                      description="Human-readable explanation in the language asked for")
    params: dict[str, Any] = Field(examples=[{"km": 12.3, "binding": "medium"}])


class MatchItem(BaseModel):
    capability_id: uuid.UUID = Field(examples=["9a4e7f0c-1d2b-4c3e-8f5a-6b7c8d9e0f1a"])
    provider_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    provider_name: str = Field(examples=["AMAB"])
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    municipality: str = Field(examples=["Roeselare"])
    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    need_title: str | None = Field(default=None, examples=["Retourkledij verwerken"],
                                   description="Set in opportunities (ranked needs)")
    distance_km: float = Field(
        examples=[12.3], description="Distance between the two sites' postcode points, in km")
    distance_approximate: bool = Field(
        default=False, examples=[False],
        description="True when distance_km is not a measured distance: both sites are in the "
        "same postcode area (0.0 km means 'same area', not 'same address'), or a site has only "
        "its municipality's centre as coordinates; the distance reason says which")
    score: float = Field(examples=[0.83], description="Weighted sum of the components, in [0, 1];"
                       " × the commute factor exp(-d(1/(fL) - 1/L)) when workers commute to a "
                       "client site with limited (f = 0.75) or poor (f = 0.5) public transport")
    components: ComponentsPublic
    reasons: list[ReasonPublic]
    excluded: list[ReasonPublic] | None = Field(
        default=None, examples=[[{"code": "too_far", "text": "62 km, beyond 40 km",
                                  "params": {"km": 62.0, "limit_km": 40.0}}]],
        description="Hard constraints that exclude this candidate "
        "(only with include_excluded=true); null for ranked candidates")


class NearbyPublic(BaseModel):
    capability_id: uuid.UUID = Field(examples=["9a4e7f0c-1d2b-4c3e-8f5a-6b7c8d9e0f1a"])
    provider_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    provider_name: str = Field(examples=["Maatwerk Leiestreek"])
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    municipality: str = Field(examples=["Izegem"])
    activity: str = Field(examples=["returns.general"])
    relation: str = Field(examples=["group"], description="exact | group | other activity")
    distance_km: float = Field(examples=[8.4])


class DiagnosisPublic(BaseModel):
    """Why nothing fits: counts per hard constraint and the nearest related providers."""

    summary: list[str] = Field(examples=[["3 aanbieders liggen te ver"]])
    counts: dict[str, int | bool] = Field(
        examples=[{"considered": 4, "no_provider_with_activity": False, "too_far": 3}])
    nearest_related: list[NearbyPublic]


class MatchesPublic(BaseModel):
    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    weights_version: str = Field(examples=["default"], description="Weight set that scored this")
    language: str = Field(examples=["nl"], description="Language of the reasons (Accept-Language)")
    items: list[MatchItem]
    diagnosis: DiagnosisPublic | None = Field(
        default=None, description="Set when no candidate fits, so a company is never left "
        "with an empty page")


class OpportunitiesPublic(BaseModel):
    provider_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    weights_version: str = Field(examples=["default"])
    language: str = Field(examples=["nl"])
    items: list[MatchItem]
