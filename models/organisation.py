"""Organisations (companies, providers, the department) and their users."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, Field, StringConstraints
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import TableBase, json_list
from models.common import EnterpriseNumber, NaceCodes, OrganisationKind, Role

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()./-]{6,25}$")
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
#: the languages Koppel writes to people in (e-mail, reasons); Dutch unless asked otherwise
Language = Literal["nl", "en"]


class Organisation(TableBase, table=True):
    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('company', 'provider', 'department')", name="kind"),
        sa.CheckConstraint("contact_language IN ('nl', 'en')", name="contact_language"),
    )

    kind: str = SQLField(sa_type=sa.String(20), nullable=False, index=True)
    name: str = SQLField(sa_type=sa.String(200), nullable=False)
    enterprise_number: str | None = SQLField(
        default=None, sa_type=sa.String(12), unique=True, nullable=True
    )
    nace_codes: list[str] = json_list()
    description: str = SQLField(default="", sa_type=sa.Text, nullable=False)
    website: str | None = SQLField(default=None, sa_type=sa.String(300))
    # the contact person the other party of an accepted lead sees (DESIGN §6)
    contact_name: str | None = SQLField(default=None, sa_type=sa.String(200))
    contact_email: str | None = SQLField(default=None, sa_type=sa.String(320))
    contact_phone: str | None = SQLField(default=None, sa_type=sa.String(40))
    contact_language: str = SQLField(default="nl", sa_type=sa.String(2), nullable=False,
                                     sa_column_kwargs={"server_default": "nl"})
    illustrative: bool = SQLField(default=False, nullable=False)
    # a company lets department staff act for it (post needs, send leads, contract); only the
    # company sets or revokes it (seeds 003:30-32)
    brokered_by_department: bool = SQLField(default=False, nullable=False,
                                            sa_column_kwargs={"server_default": sa.false()})


class User(TableBase, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        sa.CheckConstraint("role IN ('company', 'provider', 'staff', 'admin')", name="role"),
        sa.CheckConstraint("language IN ('nl', 'en')", name="language"),
    )

    email: str = SQLField(sa_type=sa.String(320), unique=True, nullable=False)
    full_name: str = SQLField(default="", sa_type=sa.String(200), nullable=False)
    phone: str | None = SQLField(default=None, sa_type=sa.String(40))
    # the language Koppel writes to this user in (e-mail notifications)
    language: str = SQLField(default="nl", sa_type=sa.String(2), nullable=False,
                             sa_column_kwargs={"server_default": "nl"})
    password_hash: str = SQLField(sa_type=sa.String(255), nullable=False)
    role: str = SQLField(sa_type=sa.String(20), nullable=False)
    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    is_active: bool = SQLField(default=True, nullable=False)
    # bumped on password change: every token issued before carries an older value
    token_version: int = SQLField(default=0, nullable=False)


# ---- schemas --------------------------------------------------------------------------------


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["company", "provider"] = Field(
        description="`company` (regular economy, posts needs) or `provider` (maatwerkbedrijf)",
        examples=["provider"],
    )
    name: Name = Field(examples=["Maatwerk Leiestreek"], description="Legal or trade name")
    enterprise_number: EnterpriseNumber
    nace_codes: NaceCodes = []
    description: Text = Field(default="", examples=["Maatwerkbedrijf met 300 medewerkers"])
    website: AnyHttpUrl | None = Field(default=None, examples=["https://www.example.be"])
    contact_name: PersonName | None = Field(
        default=None, examples=["An Peeters"],
        description="Contact person the other party sees once a lead is accepted; defaults "
        "to the registering user")
    contact_email: EmailStr | None = Field(
        default=None, examples=["info@example.be"],
        description="Contact person's e-mail; defaults to the registering user's")
    contact_phone: Phone | None = Field(
        default=None, examples=["+32 51 00 00 00"],
        description="Contact person's phone: digits, spaces and ()./- , 6 to 25 characters, "
        "an optional leading +")
    contact_language: Language | None = Field(
        default=None, examples=["nl"],
        description="Language to address the contact person in: `nl` or `en`; defaults to the "
        "registering user's")


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, examples=["Maatwerk Leiestreek vzw"])
    nace_codes: NaceCodes | None = Field(default=None, examples=[["82.92"]])
    description: Text | None = Field(default=None, examples=["Nu ook met heftruckchauffeurs"])
    website: AnyHttpUrl | None = Field(default=None, examples=["https://www.example.be"])
    contact_name: PersonName | None = Field(default=None, examples=["Jan Claes"],
                                           description="Contact person; null clears it")
    contact_email: EmailStr | None = Field(default=None, examples=["info@example.be"],
                                           description="Contact e-mail; null clears it")
    contact_phone: Phone | None = Field(default=None, examples=["+32 51 00 00 00"],
                                        description="Contact phone; null clears it")
    contact_language: Language | None = Field(default=None, examples=["en"],
                                              description="`nl` or `en` (not null)")
    brokered_by_department: bool | None = Field(
        default=None, examples=[True],
        description="Companies only, set by the company itself: department staff may post and "
        "edit this company's needs, send its leads and contract them on its behalf (every "
        "such action is audited with both); `false` revokes it at once")


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    kind: OrganisationKind = Field(examples=["provider"])
    name: str = Field(examples=["Maatwerk Leiestreek"])
    enterprise_number: str | None = Field(examples=["0403.199.702"])
    nace_codes: list[str] = Field(examples=[["82.92"]])
    description: str = Field(examples=["Maatwerkbedrijf met 300 medewerkers"])
    website: str | None = Field(examples=["https://www.example.be/"])
    contact_name: str | None = Field(examples=["An Peeters"], description="Contact person")
    contact_email: str | None = Field(examples=["info@example.be"],
                                      description="Contact person's e-mail")
    contact_phone: str | None = Field(examples=["+32 51 00 00 00"],
                                      description="Contact person's phone")
    contact_language: Language = Field(examples=["nl"],
                                       description="Language of the contact person")
    illustrative: bool = Field(examples=[False], description="Demo data marked as illustrative")
    brokered_by_department: bool = Field(
        examples=[False], description="The company lets department staff act on its behalf "
        "(see PATCH /organisations/{id})")
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])


Password = Annotated[str, StringConstraints(min_length=12, max_length=128)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(examples=["an.peeters@example.be"])
    password: Password = Field(examples=["correct-horse-battery"],
                               description="At least 12 characters, not a common password")
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        default="", examples=["An Peeters"]
    )
    phone: Phone | None = Field(
        default=None, examples=["+32 470 12 34 56"],
        description="Phone: digits, spaces and ()./- , 6 to 25 characters, an optional leading +")
    language: Language = Field(default="nl", examples=["nl"],
                               description="Language Koppel writes to you in: `nl` or `en`")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: PersonName | None = Field(default=None, examples=["An Peeters-Claes"],
                                         description="Your name (not null)")
    phone: Phone | None = Field(default=None, examples=["+32 470 12 34 56"],
                                description="Your phone; null clears it")
    language: Language | None = Field(default=None, examples=["en"],
                                      description="`nl` or `en` (not null)")


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["0b5d2f7e-5f0a-4a59-b0de-2a0c8f6a3e10"])
    email: str = Field(examples=["an.peeters@example.be"])
    full_name: str = Field(examples=["An Peeters"])
    phone: str | None = Field(examples=["+32 470 12 34 56"], description="The user's phone")
    language: Language = Field(examples=["nl"],
                               description="Language Koppel writes to the user in")
    role: Role = Field(examples=["provider"])
    organisation_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation: OrganisationCreate
    user: UserCreate


class RegistrationPublic(BaseModel):
    organisation: OrganisationPublic
    user: UserPublic


class Token(BaseModel):
    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIs..."])
    token_type: Literal["bearer"] = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(examples=[1800], description="Seconds until the access token expires")
    refresh_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIs..."],
                               description="Send to POST /auth/refresh for a new pair")
    refresh_expires_in: int = Field(examples=[1209600],
                                    description="Seconds until the refresh token expires")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=2000,
                               examples=["eyJhbGciOiJIUzI1NiIs..."])


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128,
                                  examples=["correct-horse-battery"])
    new_password: Password = Field(examples=["a-new-longer-passphrase"],
                                   description="At least 12 characters, not a common password")


__all__ = [
    "Organisation", "OrganisationCreate", "OrganisationPublic", "OrganisationUpdate",
    "PasswordChange", "RefreshRequest", "RegistrationCreate", "RegistrationPublic", "SQLModel",
    "Token", "User", "UserCreate", "UserPublic", "UserUpdate",
]
