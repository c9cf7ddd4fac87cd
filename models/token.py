"""Refresh-token families: one per login, so a replayed refresh token can be detected."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field as SQLField

from models.base import TableBase


class RefreshTokenFamily(TableBase, table=True):
    """Every refresh token carries its family's id and its own ``jti``; only the newest one
    (``current_jti``) may be traded. Presenting an older one means it was copied: the whole
    family is revoked, the thief's and the owner's tokens alike."""

    __tablename__ = "refresh_token_family"

    user_id: uuid.UUID = SQLField(foreign_key="app_user.id", nullable=False, index=True,
                                  ondelete="CASCADE")
    current_jti: str = SQLField(sa_type=sa.String(32), nullable=False)
    expires_at: datetime = SQLField(sa_type=sa.DateTime(timezone=True), nullable=False)
    revoked_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
