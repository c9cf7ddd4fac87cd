"""Webhooks: an endpoint per organisation, a transactional outbox and delivery attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import TableBase, tz_datetime


class EventType(StrEnum):
    sent = "lead.sent"
    viewed = "lead.viewed"
    accepted = "lead.accepted"
    declined = "lead.declined"
    contracted = "lead.contracted"
    withdrawn = "lead.withdrawn"
    expired = "lead.expired"
    flagged = "lead.flagged"


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class WebhookEndpoint(TableBase, table=True):
    __tablename__ = "webhook_endpoint"

    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, unique=True, ondelete="CASCADE"
    )
    url: str = SQLField(sa_type=sa.String(500), nullable=False)
    # kept in clear: HMAC signing needs it; shown to the client only when set
    secret: str = SQLField(sa_type=sa.String(128), nullable=False)
    active: bool = SQLField(default=True, nullable=False)


class OutboxEvent(SQLModel, table=True):
    """One event for one recipient organisation, written in the transaction of the change."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        sa.CheckConstraint(f"event_type IN ({_in(EventType)})", name="event_type"),
        sa.CheckConstraint(f"status IN ({_in(DeliveryStatus)})", name="status"),
        sa.UniqueConstraint("lead_id", "sequence", name="uq_outbox_event_lead_id_sequence"),
        sa.Index("ix_outbox_event_due", "status", "next_attempt_at"),
    )

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)  # the event id
    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    event_type: str = SQLField(sa_type=sa.String(20), nullable=False)
    lead_id: uuid.UUID = SQLField(
        foreign_key="lead.id", nullable=False, index=True, ondelete="CASCADE"
    )
    payload: dict[str, Any] = SQLField(default_factory=dict, sa_type=sa.JSON, nullable=False)
    created_at: datetime = tz_datetime(nullable=False)
    sequence: int = SQLField(nullable=False)
    status: str = SQLField(default="pending", sa_type=sa.String(10), nullable=False)
    attempts: int = SQLField(default=0, nullable=False)
    next_attempt_at: datetime = tz_datetime(nullable=False)
    delivered_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)
    event_id: uuid.UUID = SQLField(
        foreign_key="outbox_event.id", nullable=False, index=True, ondelete="CASCADE"
    )
    at: datetime = tz_datetime(nullable=False)
    url: str = SQLField(sa_type=sa.String(500), nullable=False)
    http_status: int | None = SQLField(default=None)
    error: str | None = SQLField(default=None, sa_type=sa.String(500))
    duration_ms: int = SQLField(default=0, nullable=False)


# ---- schemas --------------------------------------------------------------------------------

Secret = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^\S+$")]


class WebhookEndpointSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(description="Where Koppel POSTs lead events (JSON). In production "
                            "it must be on the public internet: a host that is or resolves to a "
                            "loopback, private or link-local address is refused (422)",
                            examples=["https://hooks.example.be/koppel"])
    secret: Secret | None = Field(
        default=None,
        description="HMAC-SHA256 signing secret (16–128 characters); generated when omitted",
        examples=["whsec_3f1c0a9b8e7d6c5b4a39281706f5e4d3"],
    )


class WebhookEndpointPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    organisation_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    url: str = Field(examples=["https://hooks.example.be/koppel"])
    active: bool = Field(examples=[True])
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    updated_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])


class WebhookEndpointCreated(WebhookEndpointPublic):
    secret: str = Field(
        examples=["whsec_3f1c0a9b8e7d6c5b4a39281706f5e4d3"],
        description="The signing secret; shown only in this response, store it now",
    )
