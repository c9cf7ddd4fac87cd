"""What the public directory of maatwerkbedrijven shows (DESIGN §13).

These schemas are the whole public surface: no user, workforce figure, need, lead or contact
detail has a field here (``tests/api/test_directory.py`` compares them against the private
columns). Capacity is a band, never FTE.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import BaseModel, Field

from models.common import Certification, PlacementMode


class CapacityBand(StrEnum):
    """Free capacity as a band; the thresholds are in ``api.services.directory``."""

    available = "available"
    limited = "limited"
    full = "full"


class ActivityLabel(BaseModel):
    nl: str = Field(examples=["Retourverwerking kledij: wassen, strijken, herstellen, plooien, "
                              "herverpakken"], description="Dutch label from the taxonomy")
    en: str = Field(examples=["Apparel returns: washing, ironing, repairing, folding, "
                              "repacking"], description="English label from the taxonomy")


class DirectoryActivity(BaseModel):
    code: str = Field(examples=["returns.apparel"], description="Activity code from "
                      "GET /taxonomy/activities")
    family: str = Field(examples=["kledij"], description="Activity family (cluster kind)")
    label: ActivityLabel


class DirectoryProvider(BaseModel):
    """One maatwerkbedrijf in a directory search, described by its matching capabilities."""

    id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    name: str = Field(examples=["Maatwerk Leiestreek"])
    municipality: str = Field(
        examples=["Roeselare"],
        description="Municipality of the nearest site with a matching capability (without a "
        "postcode: the first such municipality in alphabetical order)")
    activities: list[DirectoryActivity] = Field(
        description="The activities of the matching capabilities, by code")
    placement_modes: list[PlacementMode] = Field(
        examples=[["workshop", "on_site"]],
        description="Placement modes the matching capabilities offer")
    certifications: list[Certification] = Field(
        examples=[["iso9001"]], description="Certifications of the matching capabilities")
    capacity_band: CapacityBand = Field(
        examples=["available"],
        description="Free capacity of the sites with a matching capability: `available` "
        "(3 FTE or more free), `limited` (0.5 up to 3 FTE, or figures older than the "
        "staleness limit), `full` (under 0.5 FTE, or no figures)")
    distance_km: float | None = Field(
        examples=[12.4], description="Great-circle distance from the postcode to the nearest "
        "site with a matching capability, 0.1 km precision; null without a postcode")
    distance_approximate: bool | None = Field(
        examples=[False],
        description="True when either end is only a municipality's approximate centre (or "
        "both ends fall on the same gazetteer point); null without a postcode")


class DirectoryProviderProfile(BaseModel):
    """The public profile of one maatwerkbedrijf."""

    id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    name: str = Field(examples=["Maatwerk Leiestreek"])
    description: str = Field(examples=["Maatwerkbedrijf met 300 medewerkers"],
                             description="The provider's own description")
    website: str | None = Field(examples=["https://www.example.be/"])
    municipalities: list[str] = Field(
        examples=[["Izegem", "Roeselare"]],
        description="Municipalities of the provider's sites, alphabetical")
    activities: list[DirectoryActivity] = Field(
        description="Activities of the provider's active capabilities, by code")
    placement_modes: list[PlacementMode] = Field(examples=[["enclave", "workshop"]])
    certifications: list[Certification] = Field(examples=[["vca"]])
    capacity_band: CapacityBand = Field(
        examples=["limited"], description="As in the search, over the sites with an active "
        "capability")
