"""Cluster runs (persisted jobs) and the clusters they propose (DESIGN §7, §9)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response, status
from pydantic import AfterValidator
from sqlalchemy.engine import Connection, Engine

from api.deps import CurrentUser, SessionDep, SettingsDep, StaffUser
from api.errors import PROBLEM_RESPONSES
from api.routes.params import Limit, Offset, ProvinceFilter
from api.services import clusters as service
from models.cluster import (
    ClusterPublic,
    ClusterRunCreate,
    ClusterRunPublic,
    ClusterStatus,
    ClusterStatusChange,
    ClusterSummary,
)
from models.common import Page

runs = APIRouter(prefix="/cluster-runs", tags=["clusters"], responses=PROBLEM_RESPONSES)
clusters = APIRouter(prefix="/clusters", tags=["clusters"], responses=PROBLEM_RESPONSES)


async def job_bind(request: Request) -> Engine | Connection:
    """Where background jobs open their sessions: the app's engine (tests override this)."""
    return request.app.state.engine


def _kind(value: str | None) -> str | None:
    from models.taxonomy import families

    if value is not None and value not in families():
        raise ValueError(f"unknown cluster kind {value!r}; use an activity family such as "
                         "'kledij' (see `family` in GET /taxonomy/activities)")
    return value


JobBind = Annotated[Engine | Connection, Depends(job_bind)]

KindFilter = Annotated[
    str | None,
    Query(description="Cluster kind (activity family)", examples=["kledij"]),
    AfterValidator(_kind),
]


@runs.post("", response_model=ClusterRunPublic, status_code=status.HTTP_202_ACCEPTED,
           summary="Start a cluster run (staff); poll the run at the Location header")
def start_cluster_run(data: ClusterRunCreate, session: SessionDep, user: StaffUser,
                      settings: SettingsDep, bind: JobBind, response: Response,
                      background: BackgroundTasks) -> ClusterRunPublic:
    run = service.start_run(session, user, data)
    # The request's session commits when this function returns, before the response is sent;
    # background tasks run after the response, so the job always finds its committed row.
    # Any worker calling service.run_pending may pick it up instead: the claim is atomic. In
    # production only `koppel worker` executes runs, away from request handling.
    if settings.environment != "production":
        background.add_task(service.execute_run, bind, run.id, settings)
    response.headers["Location"] = f"/cluster-runs/{run.id}"
    return service.run_public(session, run)


@runs.get("", response_model=Page[ClusterRunPublic], summary="Cluster runs, newest first (staff)")
def list_cluster_runs(session: SessionDep, user: StaffUser, limit: Limit = 50,
                      offset: Offset = 0) -> Page[ClusterRunPublic]:
    items, total = service.list_runs(session, limit=limit, offset=offset)
    return Page.of([service.run_public(session, r) for r in items], total,
                   limit=limit, offset=offset)


@runs.get("/{run_id}", response_model=ClusterRunPublic,
          summary="A cluster run's status, progress and clusters (staff)")
def read_cluster_run(run_id: uuid.UUID, session: SessionDep,
                     user: StaffUser) -> ClusterRunPublic:
    return service.run_public(session, service.get_run(session, run_id))


@clusters.get("", response_model=Page[ClusterSummary],
              summary="Clusters you may see (staff: all; companies and providers: their own)")
def list_clusters(session: SessionDep, user: CurrentUser, limit: Limit = 50,
                  offset: Offset = 0,
                  status: ClusterStatus | None = Query(default=None, examples=["proposed"]),
                  kind: KindFilter = None, province: ProvinceFilter = None,
                  run_id: uuid.UUID | None = Query(default=None),
                  history: bool = Query(default=False, description=(
                      "Also list superseded clusters: proposals a later run in their scope "
                      "replaced (DESIGN §7); by default only current clusters"))
                  ) -> Page[ClusterSummary]:
    items, total = service.list_clusters(
        session, user, status=status.value if status else None, kind=kind, province=province,
        run_id=run_id, limit=limit, offset=offset, history=history)
    return Page.of(items, total, limit=limit, offset=offset)


@clusters.get("/{cluster_id}", response_model=ClusterPublic,
              summary="A cluster with its member needs, providers and FTE assignments")
def read_cluster(cluster_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ClusterPublic:
    return service.get_cluster(session, user, cluster_id)


@clusters.post("/{cluster_id}/status", response_model=ClusterPublic,
               summary="Move a cluster: proposed → endorsed → forming → active; any → "
               "dissolved (staff; 409 if not allowed)")
def change_cluster_status(cluster_id: uuid.UUID, data: ClusterStatusChange,
                          session: SessionDep, user: CurrentUser) -> ClusterPublic:
    return service.change_status(session, user, cluster_id, data.status.value)
