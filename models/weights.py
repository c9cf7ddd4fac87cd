"""Versioned weight sets of the match score (DESIGN §5): defaults, learned or set by staff.

At most one set is active; ``GET /needs/{id}/matches`` names the active set's version in
``weights_version`` (``default`` when none is active).
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlmodel import Field as SQLField

from models.base import TableBase


class WeightSource(StrEnum):
    default = "default"
    learned = "learned"
    manual = "manual"


WEIGHT_NAMES = ("competence", "locality", "supervision", "capacity")
VERSION_PATTERN = r"^\d{4}-\d{2}-\d{2}\.\d{1,4}$"
SUM_TOLERANCE = 1e-6
_ACTIVE_SQL = "active"


class MatchingWeightSet(TableBase, table=True):
    __tablename__ = "matching_weight_set"
    __table_args__ = (
        sa.CheckConstraint("source IN ('default', 'learned', 'manual')", name="source"),
        sa.CheckConstraint(
            "competence >= 0 AND competence <= 1 AND locality >= 0 AND locality <= 1 AND "
            "supervision >= 0 AND supervision <= 1 AND capacity >= 0 AND capacity <= 1",
            name="weights_range",
        ),
        sa.CheckConstraint(
            f"abs(competence + locality + supervision + capacity - 1) < {SUM_TOLERANCE}",
            name="weights_sum",
        ),
        # exactly one active set at a time; the service deactivates the old one first and
        # this index settles concurrent activations
        sa.Index("uq_matching_weight_set_active", "active", unique=True,
                 sqlite_where=sa.text(_ACTIVE_SQL), postgresql_where=sa.text(_ACTIVE_SQL)),
    )

    version: str = SQLField(sa_type=sa.String(40), nullable=False, unique=True)
    competence: float = SQLField(nullable=False)
    locality: float = SQLField(nullable=False)
    supervision: float = SQLField(nullable=False)
    capacity: float = SQLField(nullable=False)
    source: str = SQLField(sa_type=sa.String(10), nullable=False)
    metrics: dict[str, Any] = SQLField(default_factory=dict, sa_type=sa.JSON, nullable=False)
    created_by: uuid.UUID | None = SQLField(
        default=None, foreign_key="app_user.id", nullable=True, ondelete="SET NULL"
    )
    active: bool = SQLField(default=False, nullable=False)
    activated_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    activated_by: uuid.UUID | None = SQLField(
        default=None, foreign_key="app_user.id", nullable=True, ondelete="SET NULL"
    )


# ---- schemas --------------------------------------------------------------------------------

Weight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class WeightSetCreate(BaseModel):
    """A manual weight set; the four weights must sum to 1."""

    model_config = ConfigDict(extra="forbid")

    competence: Weight = Field(examples=[0.3], description="Weight of the competence fit")
    locality: Weight = Field(examples=[0.35], description="Weight of locality")
    supervision: Weight = Field(examples=[0.2], description="Weight of supervision fit")
    capacity: Weight = Field(examples=[0.15], description="Weight of free capacity")
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)] | None = Field(
        default=None, examples=["2026-11-28.1"],
        description="Version label (date.sequence); generated when omitted",
    )

    @model_validator(mode="after")
    def _sums_to_one(self) -> WeightSetCreate:
        total = math.fsum((self.competence, self.locality, self.supervision, self.capacity))
        if abs(total - 1.0) > SUM_TOLERANCE:
            raise ValueError(f"competence + locality + supervision + capacity must sum to 1, "
                             f"got {total:g}")
        return self


_USER_EXAMPLE = "3d9c2b1a-7e6f-4a5b-8c9d-0e1f2a3b4c5d"
_TIME_EXAMPLE = "2026-11-28T10:15:00Z"


class WeightSetPublic(BaseModel):
    id: uuid.UUID = Field(examples=["5b0e8f3a-2c1d-4e6f-9a8b-7c6d5e4f3a2b"])
    version: str = Field(examples=["2026-11-28.1"])
    competence: float = Field(examples=[0.35])
    locality: float = Field(examples=[0.25])
    supervision: float = Field(examples=[0.25])
    capacity: float = Field(examples=[0.15])
    source: WeightSource = Field(examples=["learned"])
    metrics: dict[str, Any] = Field(
        examples=[{"cross_validation": {"outcomes": 48, "current": {"auc": 0.81},
                                        "proposed": {"auc": 0.84}}}],
        description="For learned sets: the training outcomes and the cross-validated "
        "comparison of the then-current and the proposed weights")
    created_by: uuid.UUID | None = Field(default=None, examples=[_USER_EXAMPLE])
    created_at: datetime = Field(examples=[_TIME_EXAMPLE])
    active: bool = Field(examples=[False], description="Whether every match now uses this set")
    activated_at: datetime | None = Field(default=None, examples=[_TIME_EXAMPLE])
    activated_by: uuid.UUID | None = Field(default=None, examples=[_USER_EXAMPLE])
