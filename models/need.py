"""A company's need: work it wants a maatwerkbedrijf to take on."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import TableBase, json_list
from models.capability import check_modes_fit_activity
from models.common import (
    ActivityCode,
    CertificationList,
    CompetenceCodes,
    CountryCode,
    FieldRuleError,
    IsoDate,
    NeedOrigin,
    NeedStatus,
    PlacementMode,
    Shift,
    ShiftList,
    SupportLevel,
    TimePressure,
)

# draft → open → matched → closed | cancelled (DESIGN §2, issue 2)
NEED_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"open", "cancelled"}),
    "open": frozenset({"closed", "cancelled"}),  # `matched` is set by contracting leads
    "matched": frozenset({"closed", "cancelled"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}


class Need(TableBase, table=True):
    __tablename__ = "need"
    __table_args__ = (
        sa.CheckConstraint("fte > 0", name="fte_positive"),
        sa.CheckConstraint(
            "status IN ('draft', 'open', 'matched', 'closed', 'cancelled')", name="status"
        ),
        sa.CheckConstraint("contracted_fte >= 0", name="contracted_non_negative"),
        sa.CheckConstraint("origin IN ('new', 'reshored', 'kept')", name="origin"),
        # a country of origin only for work brought back from abroad
        sa.CheckConstraint("origin_country IS NULL OR origin = 'reshored'",
                           name="origin_country_reshored"),
        # a company's need list is paged newest first (GET /needs)
        sa.Index("ix_need_organisation_created", "organisation_id", "created_at", "id"),
        # ... and most often filtered by status (GET /needs?status=open): the page is read in
        # index order and its total counted from the index alone
        sa.Index("ix_need_organisation_status_created", "organisation_id", "status",
                 "created_at", "id"),
    )

    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    site_id: uuid.UUID = SQLField(
        foreign_key="site.id", nullable=False, index=True, ondelete="CASCADE"
    )
    title: str = SQLField(sa_type=sa.String(200), nullable=False)
    description: str = SQLField(default="", sa_type=sa.Text, nullable=False)
    activity: str = SQLField(sa_type=sa.String(40), nullable=False, index=True)
    competences: list[str] = json_list()
    placement_mode: str = SQLField(sa_type=sa.String(20), nullable=False)
    fte: float = SQLField(nullable=False)
    accommodates_support: str = SQLField(sa_type=sa.String(10), nullable=False)
    time_pressure: str = SQLField(default="low", sa_type=sa.String(10), nullable=False)
    peak_season: bool = SQLField(default=False, nullable=False)
    shifts: list[str] = json_list()
    certifications_required: list[str] = json_list()
    max_distance_km: float | None = SQLField(default=None)
    complementary: bool = SQLField(default=True, nullable=False)
    start_date: date | None = SQLField(default=None)
    end_date: date | None = SQLField(default=None)
    status: str = SQLField(default="draft", sa_type=sa.String(12), nullable=False, index=True)
    contracted_fte: float = SQLField(default=0, nullable=False)
    origin: str = SQLField(default="new", sa_type=sa.String(10), nullable=False,
                           sa_column_kwargs={"server_default": "new"})
    origin_country: str | None = SQLField(default=None, sa_type=sa.String(2))
    # the department staff member who last created, changed or moved the need on the
    # company's behalf (brokered_by_department); null when only the company acted
    brokered_by_user_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="app_user.id", ondelete="SET NULL")


class NeedTally(SQLModel, table=True):
    """How many needs each organisation has per status, kept by database triggers.

    ``GET /needs`` reports an exact ``total`` with every page; counting a large company's
    needs row by row on every page cost ~10 ms of database time at 50,000 needs. Triggers on
    ``need`` (migration 0007, PostgreSQL and SQLite) keep these rows in step with every insert,
    delete and status change in the same transaction, whoever writes them (API, worker, bulk
    loads). Rows are never written by the application.
    """

    __tablename__ = "need_tally"

    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")
    status: str = SQLField(sa_type=sa.String(12), primary_key=True)
    needs: int = SQLField(default=0, nullable=False)


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
NeedFTE = Annotated[float, Field(ge=0.1, le=1000, allow_inf_nan=False)]
Distance = Annotated[float, Field(gt=0, le=500, allow_inf_nan=False)]


_ORIGIN_DESCRIPTION = (
    "Where the work comes from: `new` (work that did not exist before), `reshored` (brought "
    "back from abroad) or `kept` (kept in Flanders instead of moving abroad); monitoring "
    "reports FTE by origin")
_COUNTRY_DESCRIPTION = (
    "For `reshored` work only: the ISO 3166-1 alpha-2 code of the country the work came back "
    "from (not BE); optional")


class _NeedFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("origin_country", check_fields=False)
    @classmethod
    def _country_only_when_reshored(cls, value: str | None, info: ValidationInfo) -> str | None:
        origin = info.data.get("origin")
        if value is not None and origin is not None and origin != NeedOrigin.reshored:
            raise ValueError("origin_country is only allowed when origin is 'reshored'")
        return value

    @model_validator(mode="after")
    def _consistent(self):  # noqa: ANN202
        mode = getattr(self, "placement_mode", None)
        try:
            check_modes_fit_activity(getattr(self, "activity", None), [mode] if mode else None)
        except ValueError as exc:
            raise FieldRuleError("placement_mode", str(exc)) from None
        start, end = getattr(self, "start_date", None), getattr(self, "end_date", None)
        if start and end and end < start:
            raise FieldRuleError("end_date", "end_date must not be before start_date")
        return self


class NeedCreate(_NeedFields):
    site_id: uuid.UUID = Field(
        description="The company's own site where (or for which) the work is done. The site "
        "also names the company: department staff post a need for a company that allows it "
        "(`brokered_by_department`) by giving one of that company's sites",
        examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"],
    )
    title: Title = Field(examples=["Retourkledij verwerken"])
    description: Description = Field(
        default="", examples=["Retours wassen, strijken, plooien en herverpakken"]
    )
    activity: ActivityCode
    competences: CompetenceCodes = []
    placement_mode: PlacementMode = Field(examples=["workshop"])
    fte: NeedFTE = Field(description="Full-time equivalents needed", examples=[3.5])
    accommodates_support: SupportLevel = Field(
        description="Highest support level the workplace can accommodate", examples=["medium"]
    )
    time_pressure: TimePressure | None = Field(
        default=None,
        description="Time pressure of the work; when omitted, the activity's time pressure in "
        "the taxonomy (order picking: high) is stored (DESIGN §4.8)",
        examples=["low"],
    )
    peak_season: bool = Field(
        default=False, description="Work concentrated in peak periods (Black Friday, year-end)",
        examples=[False],
    )
    shifts: ShiftList = Field(default_factory=lambda: [Shift.day])
    certifications_required: CertificationList = []
    max_distance_km: Distance | None = Field(
        default=None, description="Hard limit on provider distance", examples=[40.0]
    )
    complementary: bool = Field(
        default=True,
        description="Unmet demand rather than displacing existing regular jobs (seeds 004:849)",
        examples=[True],
    )
    start_date: IsoDate | None = Field(default=None, examples=["2027-01-15"])
    end_date: IsoDate | None = Field(default=None, examples=["2027-12-31"])
    origin: NeedOrigin = Field(default=NeedOrigin.new, description=_ORIGIN_DESCRIPTION,
                               examples=["reshored"])
    origin_country: CountryCode | None = Field(default=None, description=_COUNTRY_DESCRIPTION,
                                               examples=["CZ"])


class NeedUpdate(_NeedFields):
    title: Title | None = Field(default=None, examples=["Retourkledij verwerken (uitbreiding)"])
    description: Description | None = Field(default=None, examples=["Ook herstellingen"])
    competences: CompetenceCodes | None = Field(default=None, examples=[["laundry"]])
    fte: NeedFTE | None = Field(default=None, examples=[4.0])
    accommodates_support: SupportLevel | None = Field(default=None, examples=["high"])
    time_pressure: TimePressure | None = Field(default=None, examples=["medium"])
    peak_season: bool | None = Field(default=None, examples=[False])
    shifts: ShiftList | None = Field(default=None, examples=[["day"]])
    certifications_required: CertificationList | None = Field(default=None, examples=[["vca"]])
    max_distance_km: Distance | None = Field(default=None, examples=[50.0])
    complementary: bool | None = Field(default=None, examples=[True])
    start_date: IsoDate | None = Field(default=None, examples=["2027-02-01"])
    end_date: IsoDate | None = Field(default=None, examples=["2027-12-31"])
    origin: NeedOrigin | None = Field(
        default=None, description=_ORIGIN_DESCRIPTION + "; moving away from `reshored` clears "
        "`origin_country`", examples=["kept"])
    origin_country: CountryCode | None = Field(
        default=None, description=_COUNTRY_DESCRIPTION + "; null clears it", examples=["PL"])


class NeedStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: NeedStatus = Field(
        description="Target status: draft → open → closed | cancelled", examples=["open"]
    )


class NeedPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    organisation_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    title: str = Field(examples=["Retourkledij verwerken"])
    description: str = Field(examples=["Retours wassen, strijken, plooien en herverpakken"])
    activity: str = Field(examples=["returns.apparel"])
    competences: list[str] = Field(examples=[["laundry", "packing"]])
    placement_mode: PlacementMode = Field(examples=["workshop"])
    fte: float = Field(examples=[3.5])
    accommodates_support: SupportLevel = Field(examples=["medium"])
    time_pressure: TimePressure = Field(examples=["low"])
    peak_season: bool = Field(examples=[False])
    shifts: list[str] = Field(examples=[["day"]])
    certifications_required: list[str] = Field(examples=[[]])
    max_distance_km: float | None = Field(examples=[40.0])
    complementary: bool = Field(examples=[True])
    start_date: date | None = Field(examples=["2027-01-15"])
    end_date: date | None = Field(examples=[None])
    status: NeedStatus = Field(examples=["open"])
    contracted_fte: float = Field(examples=[0.0], description="FTE contracted through leads")
    origin: NeedOrigin = Field(examples=["reshored"], description=_ORIGIN_DESCRIPTION)
    origin_country: str | None = Field(examples=["CZ"], description=_COUNTRY_DESCRIPTION)
    brokered_by_user_id: uuid.UUID | None = Field(
        examples=["0b5d2f7e-5f0a-4a59-b0de-2a0c8f6a3e10"],
        description="The department staff member who last created, changed or moved this "
        "need on the company's behalf; null when only the company acted (the "
        "audit trail, GET /audit, names every action)")
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
