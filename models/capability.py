"""A provider site's capability: an activity it can take on, how and how far."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlmodel import Field as SQLField

from models.base import TableBase, json_list
from models.common import (
    ActivityCode,
    CertificationList,
    CompetenceCodes,
    FieldRuleError,
    ModeList,
    Shift,
    ShiftList,
)


class Capability(TableBase, table=True):
    __tablename__ = "capability"

    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    site_id: uuid.UUID = SQLField(
        foreign_key="site.id", nullable=False, index=True, ondelete="CASCADE"
    )
    activity: str = SQLField(sa_type=sa.String(40), nullable=False, index=True)
    competences: list[str] = json_list()
    description: str = SQLField(default="", sa_type=sa.Text, nullable=False)
    placement_modes: list[str] = json_list()
    service_radius_km: float | None = SQLField(default=None)
    certifications: list[str] = json_list()
    shifts: list[str] = json_list()
    active: bool = SQLField(default=True, nullable=False, index=True)


Radius = Annotated[float, Field(gt=0, le=500, allow_inf_nan=False)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


def check_modes_fit_activity(activity: str | None, modes: Sequence[str] | None) -> None:
    """ValueError unless every placement mode applies to the taxonomy activity."""
    if activity is None or modes is None:
        return
    from models.taxonomy import activity as find_activity

    found = find_activity(activity)
    if found is None:  # an unknown code is reported by the activity field itself
        return
    allowed = set(found.modes)
    wrong = [m for m in modes if m not in allowed]
    if wrong:
        raise ValueError(
            f"placement mode(s) {', '.join(wrong)} do not apply to {activity} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


class CapabilityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_id: uuid.UUID = Field(
        description="The provider's own site that delivers this capability",
        examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"],
    )
    activity: ActivityCode
    competences: CompetenceCodes = []
    description: Description = Field(
        default="", examples=["Wassen, strijken en herverpakken van retourkledij"]
    )
    placement_modes: ModeList
    service_radius_km: Radius | None = Field(
        default=None, description="Hard limit: farthest client distance served", examples=[40.0]
    )
    certifications: CertificationList = []
    shifts: ShiftList = Field(default_factory=lambda: [Shift.day])
    active: bool = Field(default=True, examples=[True])

    @model_validator(mode="after")
    def _modes(self) -> CapabilityCreate:
        try:
            check_modes_fit_activity(self.activity, self.placement_modes)
        except ValueError as exc:
            raise FieldRuleError("placement_modes", str(exc)) from None
        return self


class CapabilityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competences: CompetenceCodes | None = Field(default=None, examples=[["laundry", "packing"]])
    description: Description | None = Field(default=None, examples=["Ook herstellingen"])
    placement_modes: ModeList | None = Field(default=None, examples=[["workshop", "on_site"]])
    service_radius_km: Radius | None = Field(default=None, examples=[60.0])
    certifications: CertificationList | None = Field(default=None, examples=[["iso9001"]])
    shifts: ShiftList | None = Field(default=None, examples=[["day", "early_late"]])
    active: bool | None = Field(default=None, examples=[False])


class CapabilityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["9a4e7f0c-1d2b-4c3e-8f5a-6b7c8d9e0f1a"])
    organisation_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    activity: str = Field(examples=["returns.apparel"])
    competences: list[str] = Field(examples=[["laundry", "packing"]])
    description: str = Field(examples=["Wassen, strijken en herverpakken van retourkledij"])
    placement_modes: list[str] = Field(examples=[["workshop"]])
    service_radius_km: float | None = Field(examples=[40.0])
    certifications: list[str] = Field(examples=[["iso9001"]])
    shifts: list[str] = Field(examples=[["day"]])
    active: bool = Field(examples=[True])
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
