"""Schemas of the partnership endpoints: 2-4 provider sites that together cover one need."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from models.lead import LeadPublic
from models.matching import DiagnosisPublic, ReasonPublic


class FteBySupport(BaseModel):
    low: float = Field(examples=[8.0], description="FTE of workers at low support")
    medium: float = Field(examples=[2.0], description="FTE of workers at medium support")
    high: float = Field(examples=[0.0], description="FTE of workers at high support")


class PartnershipMember(BaseModel):
    capability_id: uuid.UUID = Field(examples=["9a4e7f0c-1d2b-4c3e-8f5a-6b7c8d9e0f1a"],
                                     description="The member's capability (its best-ranked "
                                     "capability at this site)")
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"],
                               description="The provider site; each site appears once")
    provider_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"],
                                   description="The maatwerkbedrijf")
    provider_name: str = Field(examples=["Maatwerk Izegem"], description="Its name")
    municipality: str = Field(examples=["Izegem"], description="Municipality of the member site")
    fte: float = Field(examples=[10.0], description="FTE this member takes on (all levels)")
    fte_by_support: FteBySupport = Field(
        description="The member's FTE per support level (only levels the workplace accommodates)")
    supervisors: int = Field(
        examples=[1], description="Whole supervisors (job coaches) of this site the member's "
        "workers need present, by the placement mode's supervision rule")
    distance_km: float = Field(examples=[7.4], description="Distance to the need's site")
    score: float = Field(examples=[0.78], description="This member's match score, in [0, 1]")


class PartnershipPublic(BaseModel):
    index: int = Field(examples=[0], description="Position in this list; send it with `key` "
                       "to POST /needs/{id}/partnerships/{index}/leads")
    key: str = Field(examples=["3f9c2a7d1e0b4c58"],
                     description="Identity of the proposal (members and their FTE); changes "
                     "when the proposal does")
    members: list[PartnershipMember] = Field(
        description="2-4 provider sites, the one taking the most FTE first")
    covered_fte: float = Field(examples=[30.0], description="FTE the members cover together")
    uncovered_fte: float = Field(examples=[0.0],
                                 description="FTE of the need still uncovered with them")
    mean_distance_km: float = Field(examples=[9.8], description="FTE-weighted mean distance")
    mean_score: float = Field(examples=[0.74], description="FTE-weighted mean match score")
    reasons: list[ReasonPublic] = Field(description="Why this combination, in the asked "
                                        "language (nl default, en)", examples=[[
        {"code": "partnership_covers", "text": "Samen dekken ze 30 van 30 VTE (12 + 10 + 8)",
         "params": {"covered": 30.0, "needed": 30.0, "members": 3, "parts": [12.0, 10.0, 8.0]}},
        {"code": "partnership_supervisor",
         "text": "Izegem brengt de enclavebegeleider (1 begeleider voor 8 VTE)",
         "params": {"municipality": "Izegem", "provider": "Maatwerk Izegem", "supervisors": 1,
                    "fte": 8.0, "placement_mode": "enclave"}}]])


class PartnershipDiagnosis(DiagnosisPublic):
    """What is missing when no combination covers the need (support level, supervisors,
    distance); the shape of the matches endpoint's `diagnosis`, with FTE figures beside it."""

    fte: dict[str, float] = Field(
        examples=[{"uncovered": 30.0, "best_covered": 22.0, "above_accepted_level": 6.0,
                   "without_supervisor": 4.0, "too_far": 12.0}],
        description="FTE figures: still uncovered, covered by the best combination, free at "
        "levels the workplace cannot accommodate, free but without a supervisor, free at "
        "candidates beyond a distance limit")


class PartnershipsPublic(BaseModel):
    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"],
                               description="The need")
    weights_version: str = Field(examples=["default"], description="Weight set that scored this")
    language: str = Field(examples=["nl"], description="Language of the reasons (Accept-Language)")
    uncovered_fte: float = Field(examples=[30.0],
                                 description="Need FTE minus FTE already contracted")
    best_single_fte: float = Field(
        examples=[12.0], description="FTE the best single candidate site can cover")
    items: list[PartnershipPublic] = Field(
        description="Proposals, best first: most FTE covered, then the locality rule (for "
        "high local binding nearer first, never a site 50 km or more away before near ones), "
        "then the FTE-weighted mean score, fewer members, the engine's rank")
    notice: ReasonPublic | None = Field(
        default=None, examples=[{"code": "single_provider_covers",
                                 "text": "Eén aanbieder dekt de vraag alleen: Maatwerk Izegem",
                                 "params": {"provider": "Maatwerk Izegem"}}],
        description="Why `items` is empty when it is (a single provider covers the need, "
        "nothing is uncovered, or no combination covers more than one site alone)")
    diagnosis: PartnershipDiagnosis | None = Field(
        default=None, description="Set when no combination covers the whole need")


class PartnershipLeadsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=64, examples=["3f9c2a7d1e0b4c58"],
                     description="The proposal's `key` as shown; the proposal is recomputed "
                     "and a different key is a 409 (the proposals changed)")


class PartnershipLeadsPublic(BaseModel):
    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"],
                               description="The need")
    partnership_id: uuid.UUID = Field(examples=["5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"],
                                      description="Shared by the leads sent")
    covered_fte: float = Field(examples=[30.0], description="FTE the members cover together")
    leads: list[LeadPublic] = Field(description="One lead per member, each with its "
                                    "`proposed_fte`")
