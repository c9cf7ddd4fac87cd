"""Audit trail: who did what to which record, when."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import tz_datetime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)
    at: datetime = tz_datetime(nullable=False, index=True)
    actor_user_id: uuid.UUID | None = SQLField(default=None, foreign_key="app_user.id",
                                               ondelete="SET NULL")
    organisation_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="organisation.id", index=True, ondelete="SET NULL"
    )
    # set when a department staff member (the actor) acted for a company that allows it
    # (brokered_by_department); the event then belongs to that company's trail
    on_behalf_of_organisation_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="organisation.id", index=True, ondelete="SET NULL")
    entity: str = SQLField(sa_type=sa.String(40), nullable=False, index=True)
    entity_id: str | None = SQLField(default=None, sa_type=sa.String(64))
    action: str = SQLField(sa_type=sa.String(40), nullable=False)
    summary: str = SQLField(default="", sa_type=sa.String(500), nullable=False)


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716"])
    at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    actor_user_id: uuid.UUID | None = Field(examples=["0b5d2f7e-5f0a-4a59-b0de-2a0c8f6a3e10"])
    organisation_id: uuid.UUID | None = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    on_behalf_of_organisation_id: uuid.UUID | None = Field(
        default=None, examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"],
        description="The company a department staff member acted for (brokered_by_department); "
        "null when the actor acted for its own organisation")
    actor_name: str | None = Field(
        default=None, examples=["Jan Janssens (Departement WSE)"],
        description="On brokered events: the staff member who acted, and their organisation, "
        "so the company sees who acted for it; null otherwise")
    entity: str = Field(examples=["need"])
    entity_id: str | None = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    action: str = Field(examples=["create"])
    summary: str = Field(examples=["Need 'Retourkledij verwerken' created (3.5 FTE)"])
