"""Cluster runs and the cluster lifecycle (DESIGN §4.5, §4.7, §7).

A run is a job row: :func:`start_run` records it as ``queued`` inside the request's transaction;
after that transaction commits, :func:`execute_run` (scheduled as a background task by the
route) or :func:`run_pending` (a worker loop on any replica) claims it with a conditional
``UPDATE … WHERE status = 'queued'``, so exactly one process runs it. The run then loads open
needs and active capabilities in one snapshot, scores candidate pairs with the matching engine,
calls the pure :func:`matching.clusters.propose_clusters` and stores the proposals, committing
its progress as it goes so any replica can report it. A failure marks the run ``failed`` with the
error; a run whose worker died is marked failed by the next :func:`run_pending`.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, col, select

from api.config import Settings
from api.crud.common import paginate
from api.errors import Conflict, Forbidden, NotFound
from api.services import audit
from api.services.access import is_staff
from api.services.common import check_transition
from api.services.matching import (
    engine_config,
    load_capability_profiles,
    need_profile,
    vocabulary_texts,
)
from api.services.weights import current_weights
from matching import CapabilityProfile, EngineConfig, MatchingEngine, NeedProfile, Weights
from matching.clusters import (
    ClusterNeed,
    ClusterProposal,
    ClusterProvider,
    PairScore,
    propose_clusters,
)
from models import taxonomy
from models.base import rowcount, utcnow
from models.cluster import (
    CLUSTER_TRANSITIONS,
    Cluster,
    ClusterAssignment,
    ClusterAssignmentPublic,
    ClusterNeedMember,
    ClusterNeedPublic,
    ClusterProviderMember,
    ClusterProviderPublic,
    ClusterPublic,
    ClusterRun,
    ClusterRunCreate,
    ClusterRunParams,
    ClusterRunPublic,
    ClusterSummary,
    RunStatus,
)
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site

log = logging.getLogger("koppel.clusters")

CANDIDATES_PER_NEED = 25
"""Candidates ranked per need; generous so the assignment can spread large needs over sites."""

ABANDONED_AFTER = timedelta(minutes=30)
"""A running run without progress for this long lost its worker and is marked failed."""

Bind = Engine | Connection


# ---- starting and reading runs -------------------------------------------------------------

def start_run(session: Session, user: User, data: ClusterRunCreate) -> ClusterRun:
    """Record a queued run (in the caller's transaction); it executes after the commit."""
    if not is_staff(user):
        raise Forbidden("Only department staff may start cluster runs")
    params = ClusterRunParams(families=data.families, province=data.province)
    run = ClusterRun(params=params.model_dump(), requested_by=user.id, message="queued")
    session.add(run)
    session.flush()
    scope = ", ".join(filter(None, [
        "families " + "/".join(params.families) if params.families else "all families",
        params.province or "all provinces"]))
    audit.record(session, user, entity="cluster_run", entity_id=run.id, action="start",
                 summary=f"cluster run queued ({scope})")
    return run


def get_run(session: Session, run_id: uuid.UUID) -> ClusterRun:
    run = session.get(ClusterRun, run_id)
    if run is None:
        raise NotFound(f"Cluster run {run_id} not found")
    return run


def list_runs(session: Session, *, limit: int, offset: int) -> tuple[list[ClusterRun], int]:
    return paginate(session, select(ClusterRun), limit=limit, offset=offset,
                    order_by=(col(ClusterRun.created_at).desc(), ClusterRun.id))


def run_public(session: Session, run: ClusterRun) -> ClusterRunPublic:
    ids = session.exec(select(Cluster.id).where(Cluster.run_id == run.id)
                       .order_by(*_PROPOSAL_ORDER)).all()
    return ClusterRunPublic.model_validate(run).model_copy(update={"cluster_ids": list(ids)})


# ---- executing runs (outside any request) ---------------------------------------------------

def _session(bind: Bind) -> Session:
    # "create_savepoint" lets tests pass a connection inside an outer transaction
    return Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint")


def _claim(session: Session, run_id: uuid.UUID | None = None) -> uuid.UUID | None:
    """Move one queued run (this one, or the oldest) to running; None if there is none.

    One statement, conditional on ``status = 'queued'``: of two processes claiming the same run
    exactly one updates a row. On PostgreSQL the oldest queued run is picked with
    ``FOR UPDATE SKIP LOCKED`` so concurrent workers take different runs instead of waiting.
    """
    target: uuid.UUID | ScalarSelect[uuid.UUID]
    if run_id is None:
        target = (select(col(ClusterRun.id)).where(ClusterRun.status == RunStatus.queued.value)
                  .order_by(col(ClusterRun.created_at), col(ClusterRun.id)).limit(1)
                  .with_for_update(skip_locked=True).scalar_subquery())
    else:
        target = run_id
    now = utcnow()
    claimed = session.execute(
        update(ClusterRun)
        .where(col(ClusterRun.id) == target, col(ClusterRun.status) == RunStatus.queued.value)
        .values(status=RunStatus.running.value, started_at=now, updated_at=now, progress=0.0,
                message="started")
        .returning(col(ClusterRun.id))
    ).scalar_one_or_none()
    return claimed


def execute_run(bind: Bind, run_id: uuid.UUID, settings: Settings) -> bool:
    """Execute one queued run; False when it is not queued (another process took it)."""
    with _session(bind) as session:
        claimed = _claim(session, run_id)
        session.commit()
    if claimed is None:
        return False
    _execute_claimed(bind, claimed, settings)
    return True


def run_pending(bind: Bind, settings: Settings, *, limit: int | None = None) -> int:
    """Execute queued runs one by one until none is left (or ``limit``); returns how many.

    Safe to call from several processes at once (each run is claimed by exactly one). First
    marks runs whose worker disappeared as failed, so nothing stays ``running`` forever.
    """
    fail_abandoned(bind)
    done = 0
    while limit is None or done < limit:
        with _session(bind) as session:
            run_id = _claim(session)
            session.commit()
        if run_id is None:
            break
        _execute_claimed(bind, run_id, settings)
        done += 1
    return done


def fail_abandoned(bind: Bind, *, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Mark running runs without progress for ``older_than`` as failed; returns how many."""
    now = utcnow()
    with _session(bind) as session:
        result = session.execute(
            update(ClusterRun)
            .where(col(ClusterRun.status) == RunStatus.running.value,
                   col(ClusterRun.updated_at) < now - older_than)
            .values(status=RunStatus.failed.value, finished_at=now, updated_at=now,
                    error=f"abandoned: no progress for {older_than} (worker stopped?)",
                    message="failed"))
        session.commit()
    return rowcount(result)


def _execute_claimed(bind: Bind, run_id: uuid.UUID, settings: Settings) -> None:
    try:
        _compute_and_store(bind, run_id, settings)
    except Exception as exc:
        # recorded on the run for staff, logged with its traceback for operators
        log.exception("cluster run %s failed", run_id)
        _mark_failed(bind, run_id, f"{exc.__class__.__name__}: {exc}")


def _mark_failed(bind: Bind, run_id: uuid.UUID, error: str) -> None:
    now = utcnow()
    with _session(bind) as session:
        session.execute(
            update(ClusterRun)
            .where(col(ClusterRun.id) == run_id, col(ClusterRun.status) == RunStatus.running.value)
            .values(status=RunStatus.failed.value, error=error[:4000], finished_at=now,
                    updated_at=now, message="failed"))
        session.commit()


def _touch_running(session: Session, run_id: uuid.UUID, **values: object) -> None:
    """Update a run that must still be running; raise when it is not (e.g. marked abandoned).

    Every write transaction of a run starts with this statement: on SQLite a transaction that
    read first and writes later fails at once when another connection committed meanwhile,
    while one that starts by writing waits its turn.
    """
    updated = session.execute(
        update(ClusterRun)
        .where(col(ClusterRun.id) == run_id, col(ClusterRun.status) == RunStatus.running.value)
        .values(updated_at=utcnow(), **values)
        .returning(col(ClusterRun.id))).scalar_one_or_none()
    if updated is None:
        raise RuntimeError(f"cluster run {run_id} is no longer running; work discarded")


def _progress(bind: Bind, run_id: uuid.UUID, progress: float, message: str) -> None:
    with _session(bind) as session:
        _touch_running(session, run_id, progress=progress, message=message[:500])
        session.commit()


@dataclass(frozen=True, slots=True)
class _Inputs:
    needs: list[ClusterNeed]
    company_of_need: dict[str, uuid.UUID]
    profiles: list[NeedProfile]  # one per need, same order
    capabilities: list[CapabilityProfile]
    providers: list[ClusterProvider]


def _load_inputs(session: Session, params: ClusterRunParams) -> _Inputs:
    stmt = (select(Need, Site).join(Site, col(Site.id) == Need.site_id)
            .where(Need.status == "open").order_by(col(Need.id)))
    if params.families is not None:
        wanted = set(params.families)
        codes = sorted(a.code for a in taxonomy.activities().values() if a.family in wanted)
        stmt = stmt.where(col(Need.activity).in_(codes))
    if params.province is not None:
        stmt = stmt.where(Site.province == params.province)
    needs: list[ClusterNeed] = []
    profiles: list[NeedProfile] = []
    company_of_need: dict[str, uuid.UUID] = {}
    for need, site in session.exec(stmt).all():
        activity = taxonomy.activity(need.activity)
        remaining = round(need.fte - need.contracted_fte, 6)  # contracted FTE is already served
        if activity is None or remaining <= 0:
            continue
        needs.append(ClusterNeed(
            id=str(need.id), family=activity.family, activity=need.activity, lat=site.lat,
            lon=site.lon, fte=remaining, accommodates_support=need.accommodates_support,
            placement_mode=need.placement_mode, binding=activity.binding,
            municipality=site.municipality, province=site.province,
            **_potential_criteria(activity, need.placement_mode)))
        profiles.append(need_profile(need, site))
        company_of_need[str(need.id)] = need.organisation_id

    capabilities = load_capability_profiles(session)
    # Several capabilities on one site share its one workforce: count it once per site.
    sites: dict[str, ClusterProvider] = {}
    for cap in capabilities:
        if cap.site_id not in sites:
            sites[cap.site_id] = ClusterProvider(
                id=cap.site_id, provider_id=cap.provider_id, name=cap.provider_name,
                lat=cap.lat, lon=cap.lon, free_fte=cap.free_fte,
                supervisors_free=cap.supervisors_free)
    providers = [p for _, p in sorted(sites.items()) if sum(p.free_fte) > 0]
    return _Inputs(needs, company_of_need, profiles, capabilities, providers)


def _potential_criteria(activity, placement_mode: str) -> dict[str, str]:  # noqa: ANN001
    # the opportunity's criteria from the taxonomy (DESIGN §4.7), as an enclave where it differs
    criteria = activity.potential_criteria(placement_mode)
    return {"market_demand": criteria["market_demand"], "investment": criteria["investment"],
            "competence_fit": criteria["competence_fit"],
            "potential_binding": criteria["binding"]}


def _score_pairs(inputs: _Inputs, weights: Weights, config: EngineConfig) -> list[PairScore]:
    if not inputs.needs or not inputs.capabilities:
        return []
    engine = MatchingEngine(weights=weights, config=config,
                            vocabulary_texts=vocabulary_texts()).fit(inputs.capabilities)
    pairs: list[PairScore] = []
    for result in engine.rank_many(inputs.profiles, k=CANDIDATES_PER_NEED):
        # ranked items only: excluded candidates (hard constraints) never get work
        pairs.extend(PairScore(need_id=c.need_id, site_id=c.site_id, score=c.score,
                               distance_km=c.distance_km) for c in result.items)
    return pairs


def _ratios(config: EngineConfig) -> dict[str, float]:
    return {"low": config.supervision_ratio_low, "medium": config.supervision_ratio_medium,
            "high": config.supervision_ratio_high}


def _compute_and_store(bind: Bind, run_id: uuid.UUID, settings: Settings) -> None:
    config = engine_config(settings)
    # One consistent snapshot of needs and capabilities; the transaction ends before scoring so
    # no snapshot or lock is held while the CPU works.
    with _session(bind) as session:
        run = session.get(ClusterRun, run_id)
        if run is None:
            raise RuntimeError(f"cluster run {run_id} disappeared")
        params = ClusterRunParams.model_validate(run.params)
        inputs = _load_inputs(session, params)
        weights = current_weights(session)
        session.rollback()
    _progress(bind, run_id, 0.1, f"loaded {len(inputs.needs)} open needs and "
              f"{len(inputs.providers)} provider sites with free capacity")

    pairs = _score_pairs(inputs, weights, config)
    _progress(bind, run_id, 0.5, f"scored {len(pairs)} candidate (need, site) pairs")

    names = {code: info.cluster_name["nl"] for code, info in taxonomy.families().items()}
    proposals = propose_clusters(inputs.needs, inputs.providers, pairs,
                                 families=params.families, ratios=_ratios(config),
                                 cluster_names=names)
    _progress(bind, run_id, 0.9, f"assigned FTE in {len(proposals)} clusters")

    # Store the clusters and finish the run in one transaction, only if the run is still ours.
    provider_of_site = {p.id: uuid.UUID(p.provider_id) for p in inputs.providers}
    demand_of_need = {n.id: n.fte for n in inputs.needs}
    with _session(bind) as session:
        _touch_running(session, run_id)
        for proposal in proposals:
            _store(session, run_id, proposal, inputs.company_of_need, demand_of_need,
                   provider_of_site)
        _touch_running(
            session, run_id, status=RunStatus.succeeded.value, progress=1.0,
            finished_at=utcnow(), cluster_count=len(proposals),
            message=(f"stored {len(proposals)} clusters covering "
                     f"{sum(p.covered_fte for p in proposals):g} of "
                     f"{sum(p.demand_fte for p in proposals):g} FTE"))
        session.commit()


def _store(session: Session, run_id: uuid.UUID, proposal: ClusterProposal,
           company_of_need: dict[str, uuid.UUID], demand_of_need: dict[str, float],
           provider_of_site: dict[str, uuid.UUID]) -> None:
    potential = proposal.potential
    cluster = Cluster(
        run_id=run_id, key=proposal.key, kind=proposal.kind, name=proposal.name,
        municipality=proposal.municipality, province=proposal.province,
        centroid_lat=proposal.centroid_lat, centroid_lon=proposal.centroid_lon,
        radius_km=proposal.radius_km, demand_fte=proposal.demand_fte,
        covered_fte=proposal.covered_fte, mean_score=proposal.mean_score,
        mean_distance_km=proposal.mean_distance_km, potential=potential.rating,
        potential_criteria={"market_demand": potential.market_demand,
                            "investment": potential.investment,
                            "competence_fit": potential.competence_fit,
                            "binding": potential.binding},
        unassigned=dict(proposal.unassigned_fte))
    session.add(cluster)
    session.flush()
    for need_id in proposal.need_ids:
        demand = demand_of_need[need_id]
        unassigned = proposal.unassigned_fte[need_id]
        session.add(ClusterNeedMember(
            cluster_id=cluster.id, need_id=uuid.UUID(need_id),
            company_id=company_of_need[need_id], demand_fte=demand,
            covered_fte=round(demand - unassigned, 6), unassigned_fte=unassigned))
    assigned_by_site: dict[str, float] = defaultdict(float)
    for a in proposal.assignments:
        assigned_by_site[a.site_id] += a.fte
        session.add(ClusterAssignment(
            cluster_id=cluster.id, need_id=uuid.UUID(a.need_id), site_id=uuid.UUID(a.site_id),
            provider_id=provider_of_site[a.site_id], level=a.level, fte=a.fte,
            score=round(a.score, 6), distance_km=round(a.distance_km, 3)))
    for site_id in proposal.provider_site_ids:
        session.add(ClusterProviderMember(
            cluster_id=cluster.id, site_id=uuid.UUID(site_id),
            provider_id=provider_of_site[site_id],
            assigned_fte=round(assigned_by_site[site_id], 6)))


# ---- reading clusters -----------------------------------------------------------------------

_PROPOSAL_ORDER = (Cluster.kind, col(Cluster.demand_fte).desc(), Cluster.key)


def _visible(stmt, user: User):  # noqa: ANN001, ANN202
    """Staff see every cluster; organisations only those they are members of."""
    if is_staff(user):
        return stmt
    org_id = user.organisation_id
    return stmt.where(or_(
        exists().where(col(ClusterNeedMember.cluster_id) == Cluster.id,
                       col(ClusterNeedMember.company_id) == org_id),
        exists().where(col(ClusterProviderMember.cluster_id) == Cluster.id,
                       col(ClusterProviderMember.provider_id) == org_id)))


def _get_visible(session: Session, user: User, cluster_id: uuid.UUID, *,
                 lock: bool = False) -> Cluster:
    stmt = _visible(select(Cluster).where(Cluster.id == cluster_id), user)
    if lock:
        stmt = stmt.with_for_update(of=Cluster)
    cluster = session.exec(stmt).first()
    if cluster is None:
        raise NotFound(f"Cluster {cluster_id} not found")
    return cluster


def superseded(session: Session) -> ColumnElement[bool]:
    """True for a cluster that a later run replaced (DESIGN §7): still ``proposed``, from a run
    older than the newest succeeded run whose scope (families, province) covers its kind and
    province. Endorsed and later clusters are never superseded; the newest run's are current.
    """
    latest: dict[tuple[tuple[str, ...] | None, str | None], Any] = {}
    for params, created in session.exec(
            select(ClusterRun.params, ClusterRun.created_at)
            .where(ClusterRun.status == RunStatus.succeeded.value)).all():
        scope = ClusterRunParams.model_validate(params)
        key = (tuple(sorted(scope.families)) if scope.families is not None else None,
               scope.province)
        if key not in latest or created > latest[key]:
            latest[key] = created
    run_created = (select(ClusterRun.created_at).where(col(ClusterRun.id) == Cluster.run_id)
                   .correlate(Cluster).scalar_subquery())
    clauses = []
    for (families, province), created in latest.items():
        parts = [col(Cluster.status) == "proposed", run_created < created]
        if families is not None:
            parts.append(col(Cluster.kind).in_(families))
        if province is not None:
            parts.append(col(Cluster.province) == province)
        clauses.append(and_(*parts))
    return or_(*clauses) if clauses else false()


def is_superseded(session: Session, cluster_id: uuid.UUID) -> bool:
    return session.exec(select(Cluster.id).where(
        col(Cluster.id) == cluster_id, superseded(session))).first() is not None


#: what a superseded proposal may still become: a later run proposes its replacement
SUPERSEDED_TARGETS = frozenset({"dissolved"})


def next_statuses(current: str, replaced: bool) -> frozenset[str]:
    """Where a cluster may go from ``current``; ``replaced``: a later run superseded it."""
    allowed = frozenset(CLUSTER_TRANSITIONS[current])
    return allowed & SUPERSEDED_TARGETS if replaced else allowed


def list_clusters(session: Session, user: User, *, status: str | None, kind: str | None,
                  province: str | None, run_id: uuid.UUID | None, limit: int,
                  offset: int, history: bool = False) -> tuple[list[ClusterSummary], int]:
    """Clusters the user may see, newest first; current ones only unless ``history``."""
    stmt = _visible(select(Cluster), user)
    if not history:
        stmt = stmt.where(~superseded(session))
    for column, value in ((Cluster.status, status), (Cluster.kind, kind),
                          (Cluster.province, province), (Cluster.run_id, run_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    rows, total = paginate(session, stmt, limit=limit, offset=offset,
                           order_by=(col(Cluster.created_at).desc(), *_PROPOSAL_ORDER, Cluster.id))
    return summaries(session, rows), total


def _count_by_cluster(session: Session,
                      model: type[ClusterNeedMember] | type[ClusterProviderMember],
                      ids: list[uuid.UUID]) -> dict:
    if not ids:
        return {}
    cluster_id = col(model.cluster_id)
    stmt = select(cluster_id, func.count()).where(cluster_id.in_(ids)).group_by(cluster_id)
    return dict(session.exec(stmt).all())


def summaries(session: Session, rows: Iterable[Cluster]) -> list[ClusterSummary]:
    """The clusters with their need and provider counts (member provider sites), the one
    definition the API and the dashboard show."""
    rows = list(rows)
    ids = [c.id for c in rows]
    needs = _count_by_cluster(session, ClusterNeedMember, ids)
    providers = _count_by_cluster(session, ClusterProviderMember, ids)
    return [ClusterSummary.model_validate(c).model_copy(update={
        "need_count": needs.get(c.id, 0), "provider_count": providers.get(c.id, 0)})
        for c in rows]


def get_cluster(session: Session, user: User, cluster_id: uuid.UUID) -> ClusterPublic:
    return cluster_public(session, _get_visible(session, user, cluster_id))


def cluster_public(session: Session, cluster: Cluster) -> ClusterPublic:
    need_rows = session.exec(
        select(ClusterNeedMember, Organisation.name, Need.activity, Site.municipality)
        .join(Organisation, col(Organisation.id) == ClusterNeedMember.company_id)
        .join(Need, col(Need.id) == ClusterNeedMember.need_id)
        .join(Site, col(Site.id) == Need.site_id)
        .where(ClusterNeedMember.cluster_id == cluster.id)
        .order_by(col(ClusterNeedMember.need_id))).all()
    provider_rows = session.exec(
        select(ClusterProviderMember, Organisation.name, Site.name, Site.municipality)
        .join(Organisation, col(Organisation.id) == ClusterProviderMember.provider_id)
        .join(Site, col(Site.id) == ClusterProviderMember.site_id)
        .where(ClusterProviderMember.cluster_id == cluster.id)
        .order_by(col(ClusterProviderMember.site_id))).all()
    assignments = session.exec(
        select(ClusterAssignment).where(ClusterAssignment.cluster_id == cluster.id)
        .order_by(col(ClusterAssignment.need_id), col(ClusterAssignment.site_id),
                  ClusterAssignment.level)).all()
    [summary] = summaries(session, [cluster])
    return ClusterPublic(
        **summary.model_dump(),
        needs=[ClusterNeedPublic(
            need_id=m.need_id, company_id=m.company_id, company_name=company, activity=activity,
            municipality=municipality, demand_fte=m.demand_fte, covered_fte=m.covered_fte,
            unassigned_fte=m.unassigned_fte) for m, company, activity, municipality in need_rows],
        providers=[ClusterProviderPublic(
            site_id=m.site_id, provider_id=m.provider_id, provider_name=provider,
            site_name=site_name, municipality=municipality, assigned_fte=m.assigned_fte)
            for m, provider, site_name, municipality in provider_rows],
        assignments=[ClusterAssignmentPublic.model_validate(a) for a in assignments],
        unassigned=cluster.unassigned)


# ---- lifecycle ------------------------------------------------------------------------------

def change_status(session: Session, user: User, cluster_id: uuid.UUID,
                  target: str) -> ClusterPublic:
    """Move a cluster along proposed → endorsed → forming → active; any → dissolved (staff)."""
    cluster = _get_visible(session, user, cluster_id, lock=True)  # 404 before 403
    if not is_staff(user):
        raise Forbidden("Only department staff may change a cluster's status")
    current = cluster.status
    check_transition("Cluster", current, target, CLUSTER_TRANSITIONS[current])
    # only a proposal can be superseded: other clusters need not ask
    if (current == "proposed" and target not in next_statuses(current, replaced=True)
            and is_superseded(session, cluster.id)):
        raise Conflict("A later run replaced this proposal: endorse the current one instead",
                       current_status=current, target=target)
    now = utcnow()
    cluster.status, cluster.status_changed_at, cluster.updated_at = target, now, now
    session.add(cluster)
    session.flush()
    audit.record(session, user, entity="cluster", entity_id=cluster.id, action=target,
                 summary=f"cluster '{cluster.name}' {current} → {target}")
    return cluster_public(session, cluster)
