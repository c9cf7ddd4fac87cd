"""Monitoring figures for department staff (DESIGN §8): SQL aggregates.

Every figure is an aggregate computed in SQL (GROUP BY / conditional sums) except unmet
demand, which needs the matching engine: the best score of every open need, cached in
:mod:`api.services.unmet_demand` and filtered here with the same :class:`Scope`. The CSV form
of every figure is :mod:`api.services.stats_csv`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from sqlalchemy import String, and_, case, cast, distinct, exists, func, select
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from api.config import Settings
from api.services.clusters import superseded
from api.services.unmet_demand import UNMET, unmet_by
from models import gazetteer, taxonomy
from models.capability import Capability
from models.cluster import Cluster, ClusterNeedMember, ClusterStatus
from models.common import NeedOrigin
from models.lead import Lead, LeadStatus
from models.need import Need
from models.site import Site, Workforce
from models.stats import (
    ActivityRow,
    ActivityStats,
    ClustersByStatus,
    ClusterStatusCounts,
    FreeWorkforce,
    LeadFunnel,
    Metric,
    NeedsByOrigin,
    OriginFigures,
    PartnershipCoverage,
    RegionLevel,
    RegionRow,
    RegionStats,
    StatsFilters,
    StatsOverview,
    TimePoint,
    TimeSeries,
    UnmetDemand,
)


@dataclass(frozen=True, slots=True)
class Scope:
    """The request's filters, already validated by the route."""

    province: str | None = None
    arrondissement: str | None = None
    activity: str | None = None
    period_from: date | None = None
    period_to: date | None = None

    def public(self) -> StatsFilters:
        return StatsFilters(province=self.province, arrondissement=self.arrondissement,
                            activity=self.activity, period_from=self.period_from,
                            period_to=self.period_to)

    @property
    def start(self) -> datetime | None:
        return None if self.period_from is None else datetime.combine(
            self.period_from, dtime.min, tzinfo=UTC)

    @property
    def end(self) -> datetime | None:
        """Exclusive end: the day after ``period_to``."""
        return None if self.period_to is None else datetime.combine(
            self.period_to + timedelta(days=1), dtime.min, tzinfo=UTC)

    def period(self, column: Any) -> list[ColumnElement[bool]]:
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return conditions

    def place(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.province:
            conditions.append(col(Site.province) == self.province)
        if self.arrondissement:
            conditions.append(col(Site.arrondissement_nis) == self.arrondissement)
        return conditions


def _r(value: float | None, digits: int = 3) -> float:
    return round(float(value or 0.0), digits)


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


# ---- scoped selects -------------------------------------------------------------------------

def _needs(scope: Scope, *columns: Any) -> Select:
    """Needs joined to their site, filtered by place, activity and creation date."""
    stmt = select(*columns).select_from(Need).join(Site, col(Site.id) == Need.site_id)
    conditions = scope.place() + scope.period(Need.created_at)
    if scope.activity:
        conditions.append(col(Need.activity) == scope.activity)
    return stmt.where(*conditions)


def _workforce(scope: Scope, *columns: Any) -> Select:
    """Provider workforce joined to its site; by activity: sites with an active capability."""
    stmt = select(*columns).select_from(Workforce).join(Site, col(Site.id) == Workforce.site_id)
    conditions = scope.place()
    if scope.activity:
        conditions.append(exists().where(col(Capability.site_id) == Workforce.site_id,
                                         col(Capability.active).is_(True),
                                         col(Capability.activity) == scope.activity))
    return stmt.where(*conditions)


def _leads(scope: Scope, *columns: Any, dated_by: Any = Lead.sent_at) -> Select:
    """Leads by their need's site and activity, and by ``sent_at`` (or ``dated_by``)."""
    stmt = (select(*columns).select_from(Lead).join(Need, col(Need.id) == Lead.need_id)
            .join(Site, col(Site.id) == Need.site_id))
    conditions = scope.place() + scope.period(dated_by)
    if scope.activity:
        conditions.append(col(Need.activity) == scope.activity)
    return stmt.where(*conditions)


def select_clusters(scope: Scope, *columns: Any) -> Select:
    stmt = select(*columns).select_from(Cluster)
    conditions = scope.period(Cluster.created_at)
    if scope.province:
        conditions.append(col(Cluster.province) == scope.province)
    if scope.arrondissement:
        conditions.append(exists().where(
            col(ClusterNeedMember.cluster_id) == Cluster.id,
            col(Need.id) == ClusterNeedMember.need_id, col(Site.id) == Need.site_id,
            col(Site.arrondissement_nis) == scope.arrondissement))
    if scope.activity:
        conditions.append(col(Cluster.kind) == taxonomy.known_activity(scope.activity).family)
    return stmt.where(*conditions)


_OPEN = col(Need.status) == "open"
# shifts is a JSON list; its text form contains the quoted code on SQLite and PostgreSQL alike
_NIGHT = cast(Need.shifts, String).like('%"night"%')


def _month(session: Session, column: Any) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite stores UTC datetimes as text


# ---- what stays in Flanders: needs by origin ------------------------------------------------

_ORIGIN_COLUMNS = (func.count(case((_OPEN, 1))), func.sum(case((_OPEN, Need.fte), else_=0.0)),
                   func.sum(Need.contracted_fte))


def _by_origin(rows: Iterable[Any]) -> dict[Any, NeedsByOrigin]:
    """(key, origin, open needs, open FTE, contracted FTE) rows → per key, all three origins."""
    figures: dict[Any, dict[str, OriginFigures]] = {}
    for key, origin, n_open, fte, contracted in rows:
        figures.setdefault(key, {})[origin] = OriginFigures(
            open_needs=n_open, open_fte=_r(fte), contracted_fte=_r(contracted))
    zero = OriginFigures(open_needs=0, open_fte=0.0, contracted_fte=0.0)
    return {key: NeedsByOrigin(**{o.value: got.get(o.value, zero) for o in NeedOrigin})
            for key, got in figures.items()}


def _origin_by(session: Session, scope: Scope, column: Any) -> dict[Any, NeedsByOrigin]:
    return _by_origin(session.execute(
        _needs(scope, column, Need.origin, *_ORIGIN_COLUMNS).group_by(column, Need.origin)))


def _no_origin() -> NeedsByOrigin:
    zero = OriginFigures(open_needs=0, open_fte=0.0, contracted_fte=0.0)
    return NeedsByOrigin(**{o.value: zero for o in NeedOrigin})



# ---- overview ------------------------------------------------------------------------------

def _median_hours_to_first_accept(session: Session, scope: Scope) -> float | None:
    accepted = and_(col(Lead.answered_at).is_not(None),
                    col(Lead.status) != LeadStatus.declined.value)
    per_need = _leads(scope, Lead.need_id, func.min(Lead.sent_at).label("first_sent"),
                      func.min(case((accepted, Lead.answered_at))).label("first_accept")
                      ).group_by(col(Lead.need_id))
    hours = []
    for _need_id, first_sent, first_accept in session.execute(per_need):
        if first_accept is not None:
            delta = _as_utc(first_accept) - _as_utc(first_sent)
            hours.append(delta.total_seconds() / 3600.0)
    return round(statistics.median(hours), 2) if hours else None


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def overview(session: Session, settings: Settings, scope: Scope) -> StatsOverview:
    needs = session.execute(_needs(
        scope,
        func.count(case((_OPEN, 1))),
        func.sum(case((_OPEN, Need.fte), else_=0.0)),
        func.count(case((col(Need.status) == "matched", 1))),
        func.sum(Need.contracted_fte),
        func.sum(case((and_(_OPEN, col(Need.complementary).is_(True)), Need.fte), else_=0.0)),
        func.count(case((and_(_OPEN, _NIGHT), 1))),
    )).one()
    open_needs, open_fte, matched, contracted, complementary_fte, night = needs
    open_fte = float(open_fte or 0.0)

    low, medium, high, supervisors, sites = session.execute(_workforce(
        scope, func.sum(Workforce.free_fte_low), func.sum(Workforce.free_fte_medium),
        func.sum(Workforce.free_fte_high), func.sum(Workforce.supervisors_available),
        func.count())).one()

    by_status = dict(session.execute(_leads(scope, Lead.status, func.count())
                                     .group_by(Lead.status)).all())
    lead_contracted_fte = session.execute(_leads(
        scope, func.sum(Lead.contracted_fte)).where(
        col(Lead.status) == LeadStatus.contracted.value)).scalar_one()
    # current clusters only: a proposal a later run replaced is history, not a proposal
    clusters = dict(session.execute(select_clusters(scope, Cluster.status, func.count())
                                    .where(~superseded(session))
                                    .group_by(Cluster.status)).all())
    partnership_needs, partnership_fte = _partnership_coverage(session, scope)

    scores = UNMET.get(session, settings)
    keep = scores.mask(scope)
    none, below = scores.unmet(settings.unmet_threshold)
    unmet_fte = float(scores.fte[keep & (none | below)].sum())
    return StatsOverview(
        filters=scope.public(),
        open_needs=open_needs, open_fte=_r(open_fte), matched_needs=matched,
        contracted_fte=_r(contracted),
        free_fte=FreeWorkforce(low=_r(low), medium=_r(medium), high=_r(high),
                               total=_r((low or 0) + (medium or 0) + (high or 0)),
                               supervisors=_r(supervisors), sites=sites),
        unmet=UnmetDemand(
            needs=int((keep & (none | below)).sum()), fte=_r(unmet_fte),
            no_candidate_needs=int((keep & none).sum()),
            below_threshold_needs=int((keep & below).sum()),
            threshold=settings.unmet_threshold, share_of_open_fte=_share(unmet_fte, open_fte)),
        complementary_share=_share(float(complementary_fte or 0.0), open_fte),
        night_work_needs=night,
        origin=_by_origin((None, *row) for row in session.execute(
            _needs(scope, Need.origin, *_ORIGIN_COLUMNS).group_by(Need.origin))
        ).get(None) or _no_origin(),
        leads=LeadFunnel(**{s.value: by_status.get(s.value, 0) for s in LeadStatus},
                         total=sum(by_status.values()), contracted_fte=_r(lead_contracted_fte),
                         median_hours_to_first_accept=_median_hours_to_first_accept(
                             session, scope)),
        clusters=ClustersByStatus(**{s.value: clusters.get(s.value, 0) for s in ClusterStatus}),
        partnerships=PartnershipCoverage(needs=partnership_needs, fte=_r(partnership_fte)),
    )


def _partnership_coverage(session: Session, scope: Scope) -> tuple[int, float]:
    """Needs covered by partnerships: contracted leads from >= 2 members of one partnership."""
    groups = (_leads(scope, Lead.need_id, func.sum(Lead.contracted_fte).label("fte"),
                     dated_by=Lead.contracted_at)
              .where(col(Lead.status) == LeadStatus.contracted.value,
                     col(Lead.partnership_id).is_not(None))
              .group_by(col(Lead.need_id), col(Lead.partnership_id))
              .having(func.count() >= 2).subquery())
    needs, fte = session.execute(
        select(func.count(func.distinct(groups.c.need_id)), func.sum(groups.c.fte))).one()
    return int(needs or 0), float(fte or 0.0)


# ---- by region -----------------------------------------------------------------------------

_REGION_COLUMN = {"province": Site.province, "arrondissement": Site.arrondissement_nis,
                  "municipality": Site.municipality_nis}


def _region_names(level: RegionLevel) -> dict[str, tuple[str, str, float | None, float | None]]:
    """code → (name, province, lat, lon)."""
    if level == "province":
        return {slug: (name, slug, None, None) for slug, name in gazetteer.provinces()}
    if level == "arrondissement":
        return {nis: (name, prov, None, None) for nis, name, prov in gazetteer.arrondissements()}
    return {m.nis: (m.name, m.province, m.lat, m.lon) for m in gazetteer.municipalities()}


def regions(session: Session, settings: Settings, scope: Scope,
            level: RegionLevel) -> RegionStats:
    column = _REGION_COLUMN[level]
    need_rows = session.execute(_needs(
        scope, column, func.count(case((_OPEN, 1))),
        func.sum(case((_OPEN, Need.fte), else_=0.0)), func.sum(Need.contracted_fte),
    ).group_by(column)).all()
    workforce_rows = session.execute(_workforce(
        scope, column, func.sum(Workforce.free_fte_low), func.sum(Workforce.free_fte_medium),
        func.sum(Workforce.free_fte_high), func.sum(Workforce.supervisors_available),
    ).group_by(column)).all()
    scores = UNMET.get(session, settings)
    keep = scores.mask(scope)
    none, below = scores.unmet(settings.unmet_threshold)
    unmet_rows = keep & (none | below)
    keys = {"province": scores.province, "arrondissement": scores.arrondissement,
            "municipality": scores.municipality}[level]
    unmet = unmet_by(keys[unmet_rows], scores.fte[unmet_rows])
    origin = _origin_by(session, scope, column)

    needs = {code: row for code, *row in need_rows}
    workforce = {code: row for code, *row in workforce_rows}
    names = _region_names(level)
    items = []
    for code in sorted(set(needs) | set(workforce)):
        name, province, lat, lon = names.get(code, (code, "", None, None))
        n_open, fte, contracted = needs.get(code, (0, 0.0, 0.0))
        low, medium, high, supervisors = workforce.get(code, (0.0, 0.0, 0.0, 0.0))
        unmet_n, unmet_fte = unmet.get(code, (0, 0.0))
        items.append(RegionRow(
            code=code, name=name, province=province, lat=lat, lon=lon, open_needs=n_open,
            open_fte=_r(fte), contracted_fte=_r(contracted), unmet_needs=unmet_n,
            unmet_fte=_r(unmet_fte), free_fte_low=_r(low), free_fte_medium=_r(medium),
            free_fte_high=_r(high), supervisors=_r(supervisors),
            origin=origin.get(code) or _no_origin()))
    return RegionStats(filters=scope.public(), level=level,
                       unmet_threshold=settings.unmet_threshold, items=items)


# ---- by activity ---------------------------------------------------------------------------

def activities(session: Session, settings: Settings, scope: Scope) -> ActivityStats:
    need_rows = session.execute(_needs(
        scope, Need.activity, func.count(case((_OPEN, 1))),
        func.sum(case((_OPEN, Need.fte), else_=0.0)), func.sum(Need.contracted_fte),
    ).group_by(Need.activity)).all()
    cap_stmt = (select(col(Capability.activity), func.count(),
                       func.count(distinct(col(Capability.organisation_id))))
                .join(Site, col(Site.id) == Capability.site_id)
                .where(col(Capability.active).is_(True), *scope.place())
                .group_by(Capability.activity))
    if scope.activity:
        cap_stmt = cap_stmt.where(col(Capability.activity) == scope.activity)
    cap_rows = session.execute(cap_stmt).all()
    scores = UNMET.get(session, settings)
    keep = scores.mask(scope)
    none, below = scores.unmet(settings.unmet_threshold)
    unmet_rows = keep & (none | below)
    unmet = unmet_by(scores.activity[unmet_rows], scores.fte[unmet_rows])
    origin = _origin_by(session, scope, Need.activity)

    needs = {code: row for code, *row in need_rows}
    caps = {code: row for code, *row in cap_rows}
    items = []
    for code, act in sorted(taxonomy.activities().items()):
        if scope.activity and code != scope.activity:
            continue
        n_open, fte, contracted = needs.get(code, (0, 0.0, 0.0))
        n_caps, n_providers = caps.get(code, (0, 0))
        unmet_n, unmet_fte = unmet.get(code, (0, 0.0))
        items.append(ActivityRow(
            code=code, label=act.label["nl"], family=act.family, open_needs=n_open,
            open_fte=_r(fte), contracted_fte=_r(contracted), unmet_needs=unmet_n,
            unmet_fte=_r(unmet_fte), capabilities=n_caps, providers=n_providers,
            origin=origin.get(code) or _no_origin()))
    return ActivityStats(filters=scope.public(), unmet_threshold=settings.unmet_threshold,
                         items=items)


# ---- over time -----------------------------------------------------------------------------

def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# contracted FTE per month, of all needs or of one origin
_CONTRACTED_BY_ORIGIN: dict[str, str | None] = {
    "fte_contracted": None, "fte_reshored": NeedOrigin.reshored.value,
    "fte_kept": NeedOrigin.kept.value}


def timeseries(session: Session, scope: Scope, metric: Metric) -> TimeSeries:
    by_status: dict[str, dict[str, int]] = {}
    if metric == "needs_posted":
        month = _month(session, Need.created_at)
        stmt = _needs(scope, month, func.count()).where(col(Need.status) != "draft")
    elif metric == "leads_sent":
        month = _month(session, Lead.sent_at)
        stmt = _leads(scope, month, func.count())
    elif metric in _CONTRACTED_BY_ORIGIN:
        month = _month(session, Lead.contracted_at)
        stmt = (_leads(scope, month, func.sum(Lead.contracted_fte), dated_by=Lead.contracted_at)
                .where(col(Lead.contracted_at).is_not(None)))
        if _CONTRACTED_BY_ORIGIN[metric] is not None:
            stmt = stmt.where(col(Need.origin) == _CONTRACTED_BY_ORIGIN[metric])
    else:  # clusters_formed
        month = _month(session, Cluster.created_at)
        stmt = select_clusters(scope, month, func.count())
        for period, status, n in session.execute(
                select_clusters(scope, month, Cluster.status, func.count())
                .group_by(month, Cluster.status)):
            by_status.setdefault(period, {})[status] = n
    values = {period: float(v or 0) for period, v in session.execute(stmt.group_by(month))}
    bounds = sorted(values)
    first = scope.period_from.strftime("%Y-%m") if scope.period_from else (
        bounds[0] if bounds else None)
    last = scope.period_to.strftime("%Y-%m") if scope.period_to else (
        bounds[-1] if bounds else None)
    points = []
    if first and last:
        for period in _months(first, last):
            counts = None
            if metric == "clusters_formed":
                got = by_status.get(period, {})
                counts = ClusterStatusCounts(**{s.value: got.get(s.value, 0)
                                                for s in ClusterStatus})
            points.append(TimePoint(period=period, value=round(values.get(period, 0.0), 3),
                                    by_status=counts))
    return TimeSeries(filters=scope.public(), metric=metric, interval="month", points=points)
