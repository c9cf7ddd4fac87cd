"""A lead: one need offered to one provider capability, and its lifecycle (DESIGN §6).

sent → viewed → accepted | declined → contracted (company confirms FTE; capacity reserved)
| withdrawn | expired.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlmodel import Field as SQLField

from models.base import TableBase, tz_datetime
from models.common import FieldRuleError, PlacementMode, SupportLevel
from models.matching import ComponentsPublic, ReasonPublic


class LeadStatus(StrEnum):
    sent = "sent"
    viewed = "viewed"
    accepted = "accepted"
    declined = "declined"
    contracted = "contracted"
    withdrawn = "withdrawn"
    expired = "expired"


class DeclineReason(StrEnum):
    distance = "distance"
    skills = "skills"
    supervision = "supervision"
    capacity = "capacity"
    timing = "timing"
    price = "price"
    other = "other"


OPEN_LEAD_STATUSES: tuple[str, ...] = ("sent", "viewed", "accepted")
"""A need may have at most one lead in these states per capability."""

# action → (states it may start from, state it leads to)
LEAD_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "view": (frozenset({"sent"}), "viewed"),
    "accept": (frozenset({"sent", "viewed"}), "accepted"),
    "decline": (frozenset({"sent", "viewed"}), "declined"),
    "contract": (frozenset({"accepted"}), "contracted"),
    "withdraw": (frozenset({"sent", "viewed", "accepted", "contracted"}), "withdrawn"),
    "expire": (frozenset({"sent", "viewed"}), "expired"),
}

_OPEN_SQL = "status IN ('sent', 'viewed', 'accepted')"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Lead(TableBase, table=True):
    __tablename__ = "lead"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(LeadStatus)})", name="status"),
        sa.CheckConstraint(
            f"decline_reason_code IS NULL OR decline_reason_code IN ({_in(DeclineReason)})",
            name="decline_reason_code",
        ),
        sa.CheckConstraint(
            "reserved_fte_low >= 0 AND reserved_fte_medium >= 0 AND reserved_fte_high >= 0 "
            "AND reserved_supervisors >= 0",
            name="reserved_non_negative",
        ),
        sa.CheckConstraint("contracted_fte IS NULL OR contracted_fte > 0",
                           name="contracted_fte_positive"),
        sa.CheckConstraint("proposed_fte IS NULL OR proposed_fte > 0",
                           name="proposed_fte_positive"),
        # at most one open lead per (need, capability); the service checks first and answers
        # 409, this index settles concurrent requests
        sa.Index(
            "uq_lead_open_need_capability", "need_id", "capability_id", unique=True,
            sqlite_where=sa.text(_OPEN_SQL), postgresql_where=sa.text(_OPEN_SQL),
        ),
        # inbox and outbox pages, newest first (GET /leads): read in index order, no sort
        sa.Index("ix_lead_provider_sent", "provider_id", "sent_at", "id"),
        sa.Index("ix_lead_company_sent", "company_id", "sent_at", "id"),
    )

    need_id: uuid.UUID = SQLField(
        foreign_key="need.id", nullable=False, index=True, ondelete="CASCADE"
    )
    # a deleted capability leaves its leads (and their history) behind
    capability_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="capability.id", nullable=True, index=True, ondelete="SET NULL"
    )
    company_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    provider_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    provider_site_id: uuid.UUID = SQLField(
        foreign_key="site.id", nullable=False, index=True, ondelete="CASCADE"
    )
    status: str = SQLField(default="sent", sa_type=sa.String(12), nullable=False, index=True)
    snapshot: dict[str, Any] = SQLField(default_factory=dict, sa_type=sa.JSON, nullable=False)
    decline_reason_code: str | None = SQLField(default=None, sa_type=sa.String(12))
    decline_reason_text: str = SQLField(default="", sa_type=sa.String(1000), nullable=False)
    contracted_fte: float | None = SQLField(default=None)
    reserved_fte_low: float = SQLField(default=0, nullable=False)
    reserved_fte_medium: float = SQLField(default=0, nullable=False)
    reserved_fte_high: float = SQLField(default=0, nullable=False)
    reserved_supervisors: float = SQLField(default=0, nullable=False)
    flagged: bool = SQLField(default=False, nullable=False)
    flag_reason: str = SQLField(default="", sa_type=sa.String(500), nullable=False)
    sent_at: datetime = tz_datetime(nullable=False)
    viewed_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    answered_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    contracted_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    closed_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = SQLField(sa_type=sa.DateTime(timezone=True), nullable=False,
                                    index=True)
    # the department staff member who last sent, contracted or withdrew the lead on the
    # company's behalf (brokered_by_department); null when only the company acted
    brokered_by_user_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="app_user.id", ondelete="SET NULL")
    # last webhook event sequence issued for this lead (outbox ordering; bumped under row lock)
    event_sequence: int = SQLField(default=0, nullable=False)
    # sent as one member of a partnership (samenwerkingsverband): the leads of one proposal
    # share this id; the proposal (members, FTE per level) is kept in snapshot["partnership"]
    partnership_id: uuid.UUID | None = SQLField(default=None, nullable=True, index=True)
    proposed_fte: float | None = SQLField(default=None)


# ---- schemas --------------------------------------------------------------------------------

LeadFTE = Annotated[float, Field(ge=0.1, le=1000, allow_inf_nan=False)]


class LeadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    capability_id: uuid.UUID = Field(
        description="The provider capability to send the need to (from GET /needs/{id}/matches)",
        examples=["9a4e7f0c-1d2b-4c3e-8f5a-6b7c8d9e0f1a"],
    )


class LeadDecline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason_code: DeclineReason = Field(
        description="Why the provider declines: distance, skills, supervision, capacity, "
        "timing, price or other", examples=["capacity"],
    )
    reason_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = (
        Field(default="", description="Free explanation; required when reason_code is `other`",
              examples=["Ons atelier zit vol tot maart"])
    )

    @model_validator(mode="after")
    def _text_for_other(self) -> LeadDecline:
        if self.reason_code == DeclineReason.other and not self.reason_text:
            raise FieldRuleError("reason_text",
                                 "reason_text is required when reason_code is 'other'")
        return self


class LeadContract(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fte: LeadFTE = Field(
        description="FTE the company contracts; reserved from the provider site's free "
        "workforce at the support levels the need accommodates, lowest level first",
        examples=[2.0],
    )


class LeadSnapshot(BaseModel):
    """The match as scored when the lead was sent (it does not change afterwards)."""

    score: float = Field(examples=[0.82], description="Overall score in [0, 1]")
    components: ComponentsPublic = Field(description="Score components, each in [0, 1]")
    distance_km: float | None = Field(default=None, examples=[12.3],
                                      description="Distance between the two sites")
    reasons: list[ReasonPublic] = Field(
        description="Why the pair scored as it did",
        examples=[[{"code": "activity_exact", "text": "Exact activity match (returns.apparel)",
                    "params": {"activity": "returns.apparel"}}]],
    )
    excluded: list[ReasonPublic] | None = Field(
        default=None, examples=[None], description="Hard-constraint exclusions (none when sent)")
    weights_version: str | None = Field(default=None, examples=["default"],
                                        description="Version of the scoring weights used")


class LeadReservation(BaseModel):
    low: float = Field(examples=[1.0], description="FTE reserved at low support")
    medium: float = Field(examples=[1.0], description="FTE reserved at medium support")
    high: float = Field(examples=[0.0], description="FTE reserved at high support")
    supervisors: float = Field(examples=[0.25], description="Supervisor FTE reserved")


class LeadParty(BaseModel):
    """An organisation on a lead; the other party's contact person only once accepted."""

    id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    name: str = Field(examples=["Modehuis Online"])
    contact_name: str | None = Field(
        default=None, examples=["An Peeters"],
        description="Contact person; the other party sees it once the lead is accepted or "
        "contracted, never before (null until then)")
    contact_email: str | None = Field(
        default=None, examples=["aankoop@example.be"],
        description="Contact person's e-mail; same rule as contact_name")
    contact_phone: str | None = Field(
        default=None, examples=["+32 51 00 00 00"],
        description="Contact person's phone; same rule as contact_name")
    contact_language: Literal["nl", "en"] | None = Field(
        default=None, examples=["nl"],
        description="Language to address the contact person in; same rule as contact_name")


class LeadNeed(BaseModel):
    """What the provider needs to know about the need the lead is for."""

    id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    title: str = Field(examples=["Retourkledij verwerken"])
    description: str = Field(examples=["Retours wassen, strijken, plooien en herverpakken"])
    activity: str = Field(examples=["returns.apparel"])
    placement_mode: PlacementMode = Field(examples=["workshop"], description="How the work is done")
    fte: float = Field(examples=[3.5], description="FTE the need asks")
    contracted_fte: float = Field(examples=[0.0], description="FTE contracted so far")
    accommodates_support: SupportLevel = Field(
        examples=["medium"], description="Highest support level the workplace accommodates")
    municipality: str = Field(examples=["Roeselare"], description="Municipality of the need's site")
    status: str = Field(examples=["open"])


class LeadPartnershipMember(BaseModel):
    provider_name: str = Field(examples=["Maatwerk Izegem"], description="The member's name")
    municipality: str = Field(examples=["Izegem"], description="Municipality of the member site")
    proposed_fte: float = Field(examples=[8.0], description="FTE proposed for this member")


class LeadPartnership(BaseModel):
    """The partnership a lead belongs to, as the viewer may see it."""

    id: uuid.UUID = Field(examples=["5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"],
                          description="Shared by the leads of one proposal")
    member_count: int = Field(examples=[3], description="Provider sites in the partnership")
    covered_fte: float = Field(examples=[30.0], description="FTE the members cover together")
    need_fte: float = Field(examples=[30.0],
                            description="FTE the need still asked when the proposal was sent")
    members_visible: bool = Field(
        examples=[False], description="A provider sees the other members once it accepted its "
        "lead; the company and staff always")
    other_members: list[LeadPartnershipMember] | None = Field(
        default=None, examples=[[{"provider_name": "Maatwerk Izegem", "municipality": "Izegem",
                                  "proposed_fte": 8.0}]],
        description="The other members (null until visible)")


class LeadPublic(BaseModel):
    id: uuid.UUID = Field(examples=["1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"])
    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    capability_id: uuid.UUID | None = Field(
        examples=["9a4e7f0c-1d2b-4c3e-8f5a-6b7c8d9e0f1a"],
        description="Null once the capability was deleted",
    )
    company_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    provider_id: uuid.UUID = Field(examples=["0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"])
    provider_site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    status: LeadStatus = Field(examples=["sent"], description="Where the lead is in its lifecycle")
    snapshot: LeadSnapshot = Field(description="The match as scored when the lead was sent")
    decline_reason_code: DeclineReason | None = Field(examples=[None])
    decline_reason_text: str = Field(examples=[""])
    contracted_fte: float | None = Field(examples=[None])
    reserved: LeadReservation = Field(
        description="Capacity this lead holds at the provider site (only while contracted)")
    flagged: bool = Field(examples=[False],
                          description="The lead may no longer be feasible; see flag_reason")
    flag_reason: str = Field(examples=[""])
    sent_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    viewed_at: datetime | None = Field(examples=[None])
    answered_at: datetime | None = Field(examples=[None],
                                         description="When the provider accepted or declined")
    contracted_at: datetime | None = Field(examples=[None])
    closed_at: datetime | None = Field(
        examples=[None], description="When it was declined, withdrawn or expired")
    expires_at: datetime = Field(examples=["2026-12-12T09:00:00Z"],
                                 description="An unanswered lead expires at this time")
    brokered_by_user_id: uuid.UUID | None = Field(
        default=None, examples=["0b5d2f7e-5f0a-4a59-b0de-2a0c8f6a3e10"],
        description="The department staff member who last sent, contracted or withdrew this "
        "lead on the company's behalf; null when only the company acted (GET /audit names "
        "each action)")
    need: LeadNeed = Field(description="The need the lead is for")
    company: LeadParty = Field(
        description="The company; its contact person for the provider once accepted")
    provider: LeadParty = Field(
        description="The provider; its contact person for the company once accepted")
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    proposed_fte: float | None = Field(
        default=None, examples=[10.0],
        description="FTE proposed for this provider site when the lead was sent as part of a "
        "partnership; null for a single lead")
    partnership: LeadPartnership | None = Field(
        default=None, description="Set when the lead is one member of a partnership "
        "(POST /needs/{id}/partnerships/{index}/leads)")
