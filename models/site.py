"""Sites (a company's or provider's address) and a provider site's free workforce."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlmodel import Field as SQLField

from models.base import TableBase, tz_datetime
from models.common import IsoDate, PublicTransport


class Site(TableBase, table=True):
    __tablename__ = "site"
    __table_args__ = (
        sa.CheckConstraint(
            "public_transport_access IN ('good', 'limited', 'poor')", name="public_transport"
        ),
    )

    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    name: str = SQLField(sa_type=sa.String(200), nullable=False)
    street: str = SQLField(default="", sa_type=sa.String(300), nullable=False)
    postcode: str = SQLField(sa_type=sa.String(4), nullable=False)
    municipality_nis: str = SQLField(sa_type=sa.String(5), nullable=False, index=True)
    municipality: str = SQLField(sa_type=sa.String(120), nullable=False)
    arrondissement_nis: str = SQLField(sa_type=sa.String(5), nullable=False)
    arrondissement: str = SQLField(sa_type=sa.String(120), nullable=False)
    province: str = SQLField(sa_type=sa.String(40), nullable=False, index=True)
    lat: float = SQLField(nullable=False)
    lon: float = SQLField(nullable=False)
    coordinates_approximate: bool = SQLField(default=False, nullable=False)
    public_transport_access: str = SQLField(
        default="good", sa_type=sa.String(10), nullable=False
    )


class Workforce(TableBase, table=True):
    """Free target-group FTE of one provider site, split by support level (begeleidingsgraad)."""

    __tablename__ = "workforce"
    __table_args__ = (
        sa.CheckConstraint(
            "free_fte_low >= 0 AND free_fte_medium >= 0 AND free_fte_high >= 0 "
            "AND supervisors_available >= 0",
            name="non_negative",
        ),
    )

    site_id: uuid.UUID = SQLField(
        foreign_key="site.id", nullable=False, unique=True, ondelete="CASCADE"
    )
    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    free_fte_low: float = SQLField(default=0, nullable=False)
    free_fte_medium: float = SQLField(default=0, nullable=False)
    free_fte_high: float = SQLField(default=0, nullable=False)
    supervisors_available: float = SQLField(default=0, nullable=False)
    figures_as_of: datetime = tz_datetime(nullable=False)


# ---- schemas --------------------------------------------------------------------------------

Postcode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{4}$"),
    Field(description="Belgian postcode; resolved offline to municipality and coordinates",
          examples=["8800"]),
]


def _check_postcode(value: str) -> str:
    from models.gazetteer import lookup_postcode

    if lookup_postcode(value) is None:
        raise ValueError(f"unknown Belgian postcode {value!r}")
    return value


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] = (
        Field(examples=["Atelier Roeselare"])
    )
    street: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = Field(
        default="", examples=["Kwadestraat 12"]
    )
    postcode: Postcode
    public_transport_access: PublicTransport = Field(
        default=PublicTransport.good,
        description="How well the site is served by public transport; `poor` lowers the "
        "locality score of on-site, enclave and individual work (seeds 004:410)",
        examples=["limited"],
    )

    _postcode = field_validator("postcode")(_check_postcode)


class SiteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)] | None = Field(  # noqa: E501
        default=None, examples=["Atelier Roeselare-Noord"]
    )
    street: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = Field(
        default=None, examples=["Kwadestraat 14"]
    )
    postcode: Postcode | None = Field(default=None, examples=["8870"])
    public_transport_access: PublicTransport | None = Field(default=None, examples=["poor"])

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        return None if value is None else _check_postcode(value)


class SitePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    organisation_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    name: str = Field(examples=["Atelier Roeselare"])
    street: str = Field(examples=["Kwadestraat 12"])
    postcode: str = Field(examples=["8800"])
    municipality_nis: str = Field(examples=["36015"], description="NIS (REFNIS) municipality code")
    municipality: str = Field(examples=["Roeselare"])
    arrondissement_nis: str = Field(examples=["36000"])
    arrondissement: str = Field(examples=["Roeselare"])
    province: str = Field(examples=["west-vlaanderen"], description="Province slug")
    lat: float = Field(examples=[50.9469])
    lon: float = Field(examples=[3.1227])
    coordinates_approximate: bool = Field(
        examples=[False],
        description="True when the gazetteer placed the municipality approximately",
    )
    public_transport_access: PublicTransport = Field(examples=["good"])
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])


FTE = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]


class WorkforceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    free_fte_low: FTE = Field(
        description="Free FTE of workers with low support needs (supervisor may be on call)",
        examples=[4.0],
    )
    free_fte_medium: FTE = Field(description="Free FTE at medium support", examples=[6.5])
    free_fte_high: FTE = Field(description="Free FTE at high support", examples=[2.0])
    supervisors_available: FTE = Field(
        description="Supervisors (begeleiders) free to accompany teams on site or in enclaves",
        examples=[2.0],
    )
    figures_as_of: IsoDate | None = Field(
        default=None, description="Date the figures were counted; defaults to today",
        examples=["2026-11-28"],
    )


class WorkforcePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    organisation_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    free_fte_low: float = Field(examples=[4.0])
    free_fte_medium: float = Field(examples=[6.5])
    free_fte_high: float = Field(examples=[2.0])
    supervisors_available: float = Field(examples=[2.0])
    figures_as_of: datetime = Field(examples=["2026-11-28T00:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
