"""E-mail preferences: a provider's opt-in to the opportunity digest, a user's unsubscribes."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import tz_datetime


class MailCategory(StrEnum):
    """What a person can unsubscribe from, one category at a time."""

    leads = "leads"  # a lead's events (sent, accepted, declined, expired, withdrawn, contracted)
    digest = "digest"  # the daily opportunity digest
    reminders = "reminders"  # the weekly workforce reminder


class NotificationSettings(SQLModel, table=True):
    """Per organisation: whether its users get the daily opportunity digest (opt-in)."""

    __tablename__ = "notification_settings"

    organisation_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", primary_key=True, ondelete="CASCADE"
    )
    opportunity_digest: bool = SQLField(default=False, nullable=False)
    updated_at: datetime = tz_datetime(nullable=False)


class MailOptOut(SQLModel, table=True):
    """A user who unsubscribed from one category (by the signed link in any of its e-mails)."""

    __tablename__ = "mail_opt_out"
    __table_args__ = (
        sa.CheckConstraint("category IN ('leads', 'digest', 'reminders')", name="category"),
    )

    user_id: uuid.UUID = SQLField(foreign_key="app_user.id", primary_key=True,
                                  ondelete="CASCADE")
    category: str = SQLField(sa_type=sa.String(20), primary_key=True)
    created_at: datetime = tz_datetime(nullable=False)


class NotificationSettingsSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opportunity_digest: bool = Field(
        description="Send the provider's users a daily e-mail listing new open needs for which "
                    "one of its capabilities ranks in the top 5 with a score of at least 0.6",
        examples=[True])


class NotificationSettingsPublic(NotificationSettingsSet):
    organisation_id: uuid.UUID = Field(description="The organisation these settings are of",
                                       examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])


class UnsubscribePublic(BaseModel):
    email: str = Field(description="The address that will no longer get this category",
                       examples=["planning@werkpunt.example.be"])
    category: MailCategory = Field(description="The category unsubscribed from",
                                   examples=["leads"])
    unsubscribed: bool = Field(description="Always true: the category is off for this address "
                               "(asking again changes nothing)", examples=[True])
