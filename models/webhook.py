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
    digest = "digest.opportunities"
    reminder = "reminder.workforce"


class Channel(StrEnum):
    webhook = "webhook"
    email = "email"


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
    # kept in clear: HMAC signing needs it; shown to the client only when set. Always
    # ``whsec_`` + base64 of the key bytes (Standard Webhooks); migration 0011 rewrote older
    # free-form secrets to that form without changing their key bytes
    secret: str = SQLField(sa_type=sa.String(200), nullable=False)
    active: bool = SQLField(default=True, nullable=False)


class OutboxEvent(SQLModel, table=True):
    """One message (a webhook POST or an e-mail) for one recipient, written in the transaction
    of the change it announces.

    ``event_key`` names the event (``lead:<id>:<sequence>``, ``digest:<org>:<day>``…) and
    ``recipient`` who gets it (an organisation id for a webhook, a user id for an e-mail): the
    unique constraint on the pair and the channel makes enqueueing idempotent. ``destination``
    is what must not see two attempts at once (a webhook endpoint, a mail domain);
    ``locked_until`` is the lease of the worker that claimed the row.
    """

    __tablename__ = "outbox_event"
    __table_args__ = (
        sa.CheckConstraint(f"event_type IN ({_in(EventType)})", name="event_type"),
        sa.CheckConstraint(f"status IN ({_in(DeliveryStatus)})", name="status"),
        sa.CheckConstraint(f"channel IN ({_in(Channel)})", name="channel"),
        sa.UniqueConstraint("event_key", "channel", "recipient",
                            name="uq_outbox_event_event_key_channel_recipient"),
        sa.Index("ix_outbox_event_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_event_destination", "destination", "locked_until"),
    )

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)  # the event id
    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    event_type: str = SQLField(sa_type=sa.String(20), nullable=False)
    channel: str = SQLField(default="webhook", sa_type=sa.String(10), nullable=False)
    event_key: str = SQLField(sa_type=sa.String(200), nullable=False)
    recipient: str = SQLField(sa_type=sa.String(100), nullable=False)
    destination: str = SQLField(sa_type=sa.String(200), nullable=False)
    lead_id: uuid.UUID | None = SQLField(
        default=None, foreign_key="lead.id", nullable=True, index=True, ondelete="CASCADE"
    )
    payload: dict[str, Any] = SQLField(default_factory=dict, sa_type=sa.JSON, nullable=False)
    created_at: datetime = tz_datetime(nullable=False)
    sequence: int = SQLField(nullable=False)
    status: str = SQLField(default="pending", sa_type=sa.String(10), nullable=False)
    attempts: int = SQLField(default=0, nullable=False)
    next_attempt_at: datetime = tz_datetime(nullable=False)
    locked_until: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    delivered_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)
    event_id: uuid.UUID = SQLField(
        foreign_key="outbox_event.id", nullable=False, index=True, ondelete="CASCADE"
    )
    at: datetime = tz_datetime(nullable=False)
    url: str = SQLField(sa_type=sa.String(500), nullable=False)  # or smtp://host, file://dir
    http_status: int | None = SQLField(default=None)
    error: str | None = SQLField(default=None, sa_type=sa.String(500))
    duration_ms: int = SQLField(default=0, nullable=False)


# ---- schemas --------------------------------------------------------------------------------

Secret = Annotated[str, StringConstraints(min_length=16, max_length=120, pattern=r"^\S+$")]


class WebhookEndpointSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(description="Where Koppel POSTs lead events (JSON). In production "
                            "it must be on the public internet: a host that is or resolves to a "
                            "loopback, private or link-local address is refused (422)",
                            examples=["https://hooks.example.be/koppel"])
    secret: Secret | None = Field(
        default=None,
        description="Standard Webhooks signing secret: `whsec_` + base64 of 16–64 random bytes. "
                    "Any other string of 16–120 characters is taken as the key bytes themselves "
                    "and stored (and shown back) as `whsec_` + their base64. Generated when "
                    "omitted",
        examples=["whsec_MfKQ9r8Dq1JjWJt3e5mB0yZk7qj8Rt2x"],
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
        examples=["whsec_MfKQ9r8Dq1JjWJt3e5mB0yZk7qj8Rt2x"],
        description="The signing secret (`whsec_` + base64); shown only in this response, store "
                    "it now and pass it as it is to a Standard Webhooks verifier",
    )
