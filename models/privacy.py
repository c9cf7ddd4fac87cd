"""What `GET /organisations/{id}/export` returns: everything Koppel holds about one organisation."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from models.audit import AuditEventPublic
from models.capability import CapabilityPublic
from models.lead import LeadPublic
from models.need import NeedPublic
from models.organisation import OrganisationPublic
from models.site import SitePublic, WorkforcePublic
from models.webhook import WebhookEndpointPublic


class ExportedUser(BaseModel):
    """A user as exported: never the password hash."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["0b5d2f7e-5f0a-4a59-b0de-2a0c8f6a3e10"])
    email: str = Field(examples=["an.peeters@example.be"])
    full_name: str = Field(examples=["An Peeters"])
    phone: str | None = Field(examples=["+32 470 12 34 56"], description="The user's phone")
    language: str = Field(examples=["nl"], description="Language Koppel writes to the user in")
    role: str = Field(examples=["provider"])
    is_active: bool = Field(examples=[True])
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])


class OrganisationExport(BaseModel):
    exported_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    organisation: OrganisationPublic
    users: list[ExportedUser]
    sites: list[SitePublic]
    workforce: list[WorkforcePublic]
    capabilities: list[CapabilityPublic]
    needs: list[NeedPublic]
    leads_sent: list[LeadPublic] = Field(description="Leads the organisation sent as a company")
    leads_received: list[LeadPublic] = Field(
        description="Leads the organisation received as a provider")
    webhook: WebhookEndpointPublic | None = Field(description="Without its signing secret")
    audit_events: list[AuditEventPublic]
