"""Cluster runs and the cluster proposals they store (DESIGN §4.5, §4.7, §7).

A run is a persisted job (``queued → running → succeeded | failed``) so any API replica can
report on it and any worker can pick it up. A run stores granular, local clusters — one activity
family in one area — with their member needs, member provider sites and the need → site FTE
assignments per support level. Staff then move a cluster through
``proposed → endorsed → forming → active → dissolved``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.base import TableBase, tz_datetime
from models.common import SupportLevel


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ClusterStatus(StrEnum):
    proposed = "proposed"
    endorsed = "endorsed"
    forming = "forming"
    active = "active"
    dissolved = "dissolved"


class PotentialRating(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


# proposed → endorsed → forming → active; any living cluster may be dissolved (DESIGN §7)
CLUSTER_TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"endorsed", "dissolved"}),
    "endorsed": frozenset({"forming", "dissolved"}),
    "forming": frozenset({"active", "dissolved"}),
    "active": frozenset({"dissolved"}),
    "dissolved": frozenset(),
}


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class ClusterRun(TableBase, table=True):
    __tablename__ = "cluster_run"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(RunStatus)})", name="status"),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
    )

    status: str = SQLField(default="queued", sa_type=sa.String(12), nullable=False, index=True)
    progress: float = SQLField(default=0, nullable=False)
    message: str = SQLField(default="", sa_type=sa.String(500), nullable=False)
    params: dict[str, Any] = SQLField(default_factory=dict, sa_type=sa.JSON, nullable=False)
    requested_by: uuid.UUID | None = SQLField(
        default=None, foreign_key="app_user.id", nullable=True, ondelete="SET NULL"
    )
    started_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    finished_at: datetime | None = SQLField(default=None, sa_type=sa.DateTime(timezone=True))
    cluster_count: int = SQLField(default=0, nullable=False)
    error: str | None = SQLField(default=None, sa_type=sa.Text)


class Cluster(TableBase, table=True):
    __tablename__ = "cluster"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(ClusterStatus)})", name="status"),
        sa.CheckConstraint(f"potential IN ({_in(PotentialRating)})", name="potential"),
        sa.UniqueConstraint("run_id", "key"),
    )

    run_id: uuid.UUID = SQLField(
        foreign_key="cluster_run.id", nullable=False, index=True, ondelete="CASCADE"
    )
    key: str = SQLField(sa_type=sa.String(64), nullable=False, index=True)
    kind: str = SQLField(sa_type=sa.String(40), nullable=False, index=True)
    name: str = SQLField(sa_type=sa.String(200), nullable=False)
    municipality: str = SQLField(sa_type=sa.String(120), nullable=False)
    province: str = SQLField(sa_type=sa.String(40), nullable=False, index=True)
    centroid_lat: float = SQLField(nullable=False)
    centroid_lon: float = SQLField(nullable=False)
    radius_km: float = SQLField(nullable=False)
    demand_fte: float = SQLField(nullable=False)
    covered_fte: float = SQLField(nullable=False)
    mean_score: float | None = SQLField(default=None)
    mean_distance_km: float | None = SQLField(default=None)
    potential: str = SQLField(sa_type=sa.String(10), nullable=False)
    potential_criteria: dict[str, str] = SQLField(
        default_factory=dict, sa_type=sa.JSON, nullable=False
    )
    status: str = SQLField(default="proposed", sa_type=sa.String(12), nullable=False, index=True)
    status_changed_at: datetime = tz_datetime(nullable=False)
    unassigned: dict[str, float] = SQLField(default_factory=dict, sa_type=sa.JSON, nullable=False)


class ClusterNeedMember(SQLModel, table=True):
    """A need in a cluster; ``company_id`` is the need's organisation (who may see the cluster)."""

    __tablename__ = "cluster_need_member"

    cluster_id: uuid.UUID = SQLField(
        foreign_key="cluster.id", primary_key=True, ondelete="CASCADE"
    )
    need_id: uuid.UUID = SQLField(
        foreign_key="need.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    company_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    demand_fte: float = SQLField(nullable=False)
    covered_fte: float = SQLField(nullable=False)
    unassigned_fte: float = SQLField(nullable=False)


class ClusterProviderMember(SQLModel, table=True):
    """A provider site that serves at least one need of the cluster."""

    __tablename__ = "cluster_provider_member"

    cluster_id: uuid.UUID = SQLField(
        foreign_key="cluster.id", primary_key=True, ondelete="CASCADE"
    )
    site_id: uuid.UUID = SQLField(
        foreign_key="site.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    provider_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    assigned_fte: float = SQLField(nullable=False)


class ClusterAssignment(SQLModel, table=True):
    """FTE of one support level that one provider site takes on for one need of the cluster."""

    __tablename__ = "cluster_assignment"
    __table_args__ = (
        sa.CheckConstraint("fte > 0", name="fte_positive"),
        sa.CheckConstraint("level IN ('low', 'medium', 'high')", name="level"),
        sa.UniqueConstraint("cluster_id", "need_id", "site_id", "level"),
    )

    id: uuid.UUID = SQLField(default_factory=uuid.uuid4, primary_key=True)
    cluster_id: uuid.UUID = SQLField(
        foreign_key="cluster.id", nullable=False, index=True, ondelete="CASCADE"
    )
    need_id: uuid.UUID = SQLField(
        foreign_key="need.id", nullable=False, index=True, ondelete="CASCADE"
    )
    site_id: uuid.UUID = SQLField(
        foreign_key="site.id", nullable=False, index=True, ondelete="CASCADE"
    )
    provider_id: uuid.UUID = SQLField(
        foreign_key="organisation.id", nullable=False, index=True, ondelete="CASCADE"
    )
    level: str = SQLField(sa_type=sa.String(10), nullable=False)
    fte: float = SQLField(nullable=False)
    score: float = SQLField(nullable=False)
    distance_km: float = SQLField(nullable=False)


# ---- schemas --------------------------------------------------------------------------------

def _check_families(codes: list[str] | None) -> list[str] | None:
    from models.taxonomy import families

    if codes is None:
        return None
    known = families()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(
            f"unknown activity famil{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}"
        )
    return sorted(set(codes))


def _check_province(value: str | None) -> str | None:
    from models.gazetteer import is_valid_province

    if value is None:
        return None
    if not is_valid_province(value):
        raise ValueError(f"unknown province {value!r}; use a slug like 'west-vlaanderen'")
    return value.strip().lower()


FamilyCodes = Annotated[
    list[str] | None,
    Field(min_length=1, max_length=20,
          description="Only cluster needs of these activity families (cluster kinds, see the "
          "`family` of GET /taxonomy/activities); all families when omitted",
          examples=[["kledij", "display"]]),
    AfterValidator(_check_families),
]
ProvinceSlug = Annotated[
    str | None,
    Field(description="Only cluster needs in this province (slug); the providers "
          "serving them may lie anywhere within reach", examples=["west-vlaanderen"]),
    AfterValidator(_check_province),
]


class ClusterRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    families: FamilyCodes = None
    province: ProvinceSlug = None


class ClusterRunParams(BaseModel):
    families: list[str] | None = Field(default=None, examples=[["kledij", "display"]],
                                       description="Families asked for; null means all")
    province: str | None = Field(default=None, examples=["west-vlaanderen"],
                                 description="Province asked for; null means all of them")


class ClusterRunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["7c9e6679-7425-40de-944b-e07fc1f90ae7"])
    status: RunStatus = Field(examples=["running"],
                              description="queued → running → succeeded | failed")
    progress: float = Field(examples=[0.5], description="Share of the work done, 0 to 1")
    message: str = Field(examples=["scored 42 needs against 18 provider sites"],
                         description="What the run is doing or did last")
    params: ClusterRunParams
    requested_by: uuid.UUID | None = Field(examples=["0b5d2f7e-5f0a-4a59-b0de-2a0c8f6a3e10"],
                                           description="Staff user who started the run")
    created_at: datetime = Field(examples=["2026-11-28T09:00:00Z"])
    started_at: datetime | None = Field(examples=["2026-11-28T09:00:01Z"])
    finished_at: datetime | None = Field(examples=["2026-11-28T09:00:04Z"])
    cluster_count: int = Field(examples=[12], description="Clusters stored by the run")
    cluster_ids: list[uuid.UUID] = Field(
        default_factory=list, examples=[["3f2b8c1e-8d4a-4e5f-9a6b-7c8d9e0f1a2b"]],
        description="Ids of the stored clusters, by kind and descending demand")
    error: str | None = Field(examples=[None], description="Why the run failed")


class PotentialCriteria(BaseModel):
    market_demand: str = Field(examples=["high"], description="Market demand for the activity")
    investment: str = Field(examples=["low"], description="Investment the SEC side needs")
    competence_fit: str = Field(examples=["high"],
                                description="From the FTE-weighted mean match score")
    binding: str = Field(examples=["medium"], description="Local binding of the activity family")


class ClusterSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(examples=["3f2b8c1e-8d4a-4e5f-9a6b-7c8d9e0f1a2b"])
    run_id: uuid.UUID = Field(examples=["7c9e6679-7425-40de-944b-e07fc1f90ae7"])
    key: str = Field(examples=["5d41402abc4b2a76b9719d91"],
                     description="Deterministic key: the same kind and needs give the same key")
    kind: str = Field(examples=["kledij"], description="Activity family")
    name: str = Field(examples=["Kledijcluster Roeselare"])
    municipality: str = Field(examples=["Roeselare"],
                              description="Municipality with most demanded FTE")
    province: str = Field(examples=["west-vlaanderen"])
    centroid_lat: float = Field(examples=[50.9469])
    centroid_lon: float = Field(examples=[3.1227])
    radius_km: float = Field(examples=[20.0], description="Clustering radius of the family")
    demand_fte: float = Field(examples=[9.5], description="FTE the member needs ask for")
    covered_fte: float = Field(examples=[8.0], description="FTE assigned to provider sites")
    mean_score: float | None = Field(examples=[0.78],
                                     description="FTE-weighted mean match score of assignments")
    mean_distance_km: float | None = Field(examples=[9.4],
                                           description="FTE-weighted mean distance")
    potential: PotentialRating = Field(examples=["medium"])
    potential_criteria: PotentialCriteria
    status: ClusterStatus = Field(examples=["proposed"])
    status_changed_at: datetime = Field(examples=["2026-11-28T09:00:04Z"])
    need_count: int = Field(default=0, examples=[3])
    provider_count: int = Field(default=0, examples=[2], description="Member provider sites")
    created_at: datetime = Field(examples=["2026-11-28T09:00:04Z"])


class ClusterNeedPublic(BaseModel):
    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    company_id: uuid.UUID = Field(examples=["6f1c1a52-3c55-4cde-9d2a-1b8e0f0c9a11"])
    company_name: str = Field(examples=["Een kledijwebshop"])
    activity: str = Field(examples=["returns.apparel"])
    municipality: str = Field(examples=["Roeselare"])
    demand_fte: float = Field(examples=[3.5])
    covered_fte: float = Field(examples=[3.0])
    unassigned_fte: float = Field(examples=[0.5])


class ClusterProviderPublic(BaseModel):
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    provider_id: uuid.UUID = Field(examples=["9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a"])
    provider_name: str = Field(examples=["AMAB"])
    site_name: str = Field(examples=["Atelier Roeselare"])
    municipality: str = Field(examples=["Roeselare"])
    assigned_fte: float = Field(examples=[3.0], description="FTE this site takes on in the cluster")


class ClusterAssignmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    need_id: uuid.UUID = Field(examples=["c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f"])
    site_id: uuid.UUID = Field(examples=["3d0c5b8e-8a53-4b4a-9a0e-54f1f6a5e0c2"])
    provider_id: uuid.UUID = Field(examples=["9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a"])
    level: SupportLevel = Field(examples=["medium"], description="Support level of the workers")
    fte: float = Field(examples=[2.0])
    score: float = Field(examples=[0.81], description="Match score of the (need, site) pair")
    distance_km: float = Field(examples=[7.2])


class ClusterPublic(ClusterSummary):
    needs: list[ClusterNeedPublic]
    providers: list[ClusterProviderPublic]
    assignments: list[ClusterAssignmentPublic]
    unassigned: dict[str, float] = Field(
        examples=[{"c2f1e0d9-8b7a-4c6d-9e5f-4a3b2c1d0e9f": 0.5}],
        description="Demand left uncovered per member need id")


class ClusterStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ClusterStatus = Field(
        description="Target status: proposed → endorsed → forming → active; any → dissolved",
        examples=["endorsed"])
