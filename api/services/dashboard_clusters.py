"""The staff pages' cluster views: the dashboard's cluster table and the cluster page.

Both read through :mod:`api.services.clusters`: the same supersession rule (current clusters
unless a run's own are asked for), the same need and provider counts, the same permission
checks and status transitions as the JSON API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from api.services import clusters, stats
from api.services.dashboard_text import text
from models import taxonomy
from models.cluster import Cluster, ClusterRun, ClusterStatus, RunStatus
from models.organisation import User

CLUSTER_ROWS = 25

_STATUS_ORDER = {s.value: i for i, s in enumerate(
    (ClusterStatus.active, ClusterStatus.forming, ClusterStatus.endorsed, ClusterStatus.proposed,
     ClusterStatus.dissolved))}


def number(value: float | int | None) -> str:
    """Flemish notation as on the dashboard: decimal comma, thin-space thousands."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "–"


def _family(kind: str, lang: str) -> str:
    families = taxonomy.families()
    return families[kind].label[lang] if kind in families else kind


@dataclass
class RunInfo:
    id: uuid.UUID
    short_id: str
    status: str
    status_text: str
    date: str
    progress: int
    message: str
    error: str | None
    finished: bool


@dataclass
class ClusterTable:
    rows: list[dict[str, Any]]
    total: int
    first: int
    last: int
    page: int
    pages: int
    run: RunInfo | None = None
    summary: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def run_info(run: ClusterRun, lang: str) -> RunInfo:
    return RunInfo(id=run.id, short_id=str(run.id)[:8], status=run.status,
                   status_text=text(lang, f"rs_{run.status}"), date=_date(run.created_at),
                   progress=round(run.progress * 100), message=run.message, error=run.error,
                   finished=run.status in (RunStatus.succeeded.value, RunStatus.failed.value))


def table(session: Session, scope: stats.Scope, lang: str, *, page: int = 1,
          run_id: uuid.UUID | None = None) -> ClusterTable:
    """One page of the current clusters in ``scope`` (or of run ``run_id``'s clusters), most
    advanced first, with their run and the API's need and provider counts."""
    stmt = stats.select_clusters(scope, Cluster)
    run = None
    if run_id is not None:
        run = clusters.get_run(session, run_id)
        stmt = stmt.where(col(Cluster.run_id) == run_id)
    else:
        stmt = stmt.where(~clusters.superseded(session))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, -(-total // CLUSTER_ROWS))
    page = min(max(1, page), pages)
    order = case(_STATUS_ORDER, value=Cluster.status, else_=9)
    rows = list(session.execute(
        stmt.order_by(order, col(Cluster.demand_fte).desc(), Cluster.name, col(Cluster.id))
        .offset((page - 1) * CLUSTER_ROWS).limit(CLUSTER_ROWS)).scalars())
    run_ids = {c.run_id for c in rows}
    runs = {r.id: r for r in session.exec(
        select(ClusterRun).where(col(ClusterRun.id).in_(run_ids)))} if run_ids else {}
    out = [{"id": str(c.id), "name": c.name, "kind": _family(c.kind, lang),
            "status": c.status.value, "status_text": text(lang, f"st_{c.status.value}"),
            "needs": c.need_count, "providers": c.provider_count,
            "demand": number(c.demand_fte), "covered": number(c.covered_fte),
            "potential": text(lang, f"potential_{c.potential.value}"),
            "run_id": str(c.run_id), "run_short": str(c.run_id)[:8],
            "run_date": _date(runs[c.run_id].created_at) if c.run_id in runs else "–"}
           for c in clusters.summaries(session, rows)]
    first = (page - 1) * CLUSTER_ROWS + 1 if out else 0
    last = first + len(out) - 1 if out else 0
    summary = (text(lang, "shown_of", shown=len(out), total=total) if pages == 1 else
               text(lang, "shown_range", shown=len(out), first=first, last=last,
                    total=total))
    return ClusterTable(rows=out, total=total, first=first, last=last, page=page, pages=pages,
                        run=run_info(run, lang) if run is not None else None, summary=summary)


def cluster_page(session: Session, user: User, cluster_id: uuid.UUID,
                 lang: str) -> dict[str, Any]:
    """What the cluster page shows, read as the API reads it (404 for a cluster the user
    may not see); the caller checks that the user is staff."""
    cluster = clusters.get_cluster(session, user, cluster_id)
    run = clusters.get_run(session, cluster.run_id)
    is_superseded = clusters.is_superseded(session, cluster_id)
    status = cluster.status.value
    site_names = {p.site_id: f"{p.provider_name} · {p.site_name}" for p in cluster.providers}
    need_names = {n.need_id: n.company_name for n in cluster.needs}
    activities: dict[str, dict[str, Any]] = {}
    for n in cluster.needs:
        info = taxonomy.activity(n.activity)
        entry = activities.setdefault(n.activity, {
            "code": n.activity, "label": info.label[lang] if info else n.activity,
            "needs": 0, "fte": 0.0})
        entry["needs"] += 1
        entry["fte"] += n.demand_fte
    share = round(100 * cluster.covered_fte / cluster.demand_fte) if cluster.demand_fte else 0
    return {
        "id": str(cluster.id), "name": cluster.name, "kind": _family(cluster.kind, lang),
        "status": status, "status_text": text(lang, f"st_{status}"),
        "superseded": is_superseded, "run": run_info(run, lang),
        "area": f"{cluster.municipality} ({cluster.province}) · "
                + text(lang, "radius", km=number(cluster.radius_km)),
        "coverage": text(lang, "coverage_text", covered=number(cluster.covered_fte),
                         demand=number(cluster.demand_fte), share=share),
        "coverage_share": share,
        "mean_score": "–" if cluster.mean_score is None else f"{cluster.mean_score:.2f}"
                      .replace(".", ","),
        "mean_distance": "–" if cluster.mean_distance_km is None
                         else number(round(cluster.mean_distance_km, 1)) + " km",
        "potential": text(lang, f"potential_{cluster.potential.value}"),
        "criteria": [(text(lang, f"c_{k}"), text(lang, f"potential_{v}")
                      if v in ("high", "medium", "low") else v)
                     for k, v in cluster.potential_criteria.model_dump().items()],
        "activities": [dict(a, fte=number(a["fte"])) for a in activities.values()],
        "needs": [{"company": n.company_name, "activity": activities[n.activity]["label"],
                   "municipality": n.municipality, "demand": number(n.demand_fte),
                   "covered": number(n.covered_fte), "unassigned": number(n.unassigned_fte)}
                  for n in cluster.needs],
        "providers": [{"provider": p.provider_name, "site": p.site_name,
                       "municipality": p.municipality, "assigned": number(p.assigned_fte)}
                      for p in cluster.providers],
        "assignments": [{"need": need_names.get(a.need_id, str(a.need_id)[:8]),
                         "site": site_names.get(a.site_id, str(a.site_id)[:8]),
                         "level": text(lang, f"level_{a.level.value}"), "fte": number(a.fte),
                         "score": f"{a.score:.2f}".replace(".", ","),
                         "distance": number(round(a.distance_km, 1))}
                        for a in cluster.assignments],
        "actions": [(target, text(lang, f"do_{target}")) for target in
                    sorted(clusters.next_statuses(status, is_superseded),
                           key=lambda t: (t == "dissolved", t))],
    }
