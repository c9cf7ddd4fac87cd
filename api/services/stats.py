"""Monitoring figures for department staff (DESIGN §8).

Every figure is an aggregate computed in SQL (GROUP BY / conditional sums) except unmet
demand, which needs the matching engine: the best score of every open need. That is computed
for all open needs at once with ``MatchingEngine.rank_many(profiles, k=1)`` and cached per
process and database (:data:`UNMET`), keyed like the engine cache in
:mod:`api.services.matching` — the engine's data stamps (capabilities, workforce, sites,
organisations) plus the need table's stamp — so any write that could change a best score
triggers a recomputation on the next request. Filters are then applied to the cached arrays
with NumPy masks.

A best score depends only on the need's profile and on the fitted engine, so when only needs
changed (the engine is the same object) the recomputation reloads the open needs but ranks only
the profiles the cache has not scored yet: a company posting one need no longer costs a full
scoring of every open need (~20 s at 100,000 needs × 10,000 capabilities).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import math
import statistics
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from typing import cast as cast_to

import numpy as np
from pydantic import BaseModel
from sqlalchemy import String, and_, case, cast, distinct, exists, func, select
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from api.config import Settings
from api.services.matching import (
    ENGINES,
    MAX_CACHE_SECONDS,
    catalogue_stamp,
    engine_config,
    need_profile,
)
from api.services.weights import current_weights
from matching import MatchingEngine
from matching.types import NeedProfile
from models import gazetteer, taxonomy
from models.capability import Capability
from models.cluster import Cluster, ClusterNeedMember, ClusterStatus
from models.common import NeedOrigin
from models.lead import Lead, LeadStatus
from models.need import Need
from models.revision import NEED_TABLES, data_stamp
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


# ---- unmet demand: the one figure that needs the engine ---------------------------------------

@dataclass(frozen=True)
class OpenNeedScores:
    """Best match score of every open need, with what the filters need to select them."""

    fte: np.ndarray
    best: np.ndarray  # NaN: no candidate at all
    province: np.ndarray
    arrondissement: np.ndarray
    municipality: np.ndarray
    activity: np.ndarray
    created_at: np.ndarray  # datetime64[us], UTC

    def mask(self, scope: Scope) -> np.ndarray:
        keep = np.ones(self.fte.shape, dtype=bool)
        for values, wanted in ((self.province, scope.province),
                               (self.arrondissement, scope.arrondissement),
                               (self.activity, scope.activity)):
            if wanted:
                keep &= values == wanted
        if scope.start is not None:
            keep &= self.created_at >= np.datetime64(scope.start.replace(tzinfo=None), "us")
        if scope.end is not None:
            keep &= self.created_at < np.datetime64(scope.end.replace(tzinfo=None), "us")
        return keep

    def unmet(self, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """(no candidate, best score below threshold) as boolean arrays."""
        none = np.isnan(self.best)
        below = ~none & (self.best < threshold)
        return none, below


def _utc64(values: Iterable[datetime]) -> np.ndarray:
    return np.array([(v.astimezone(UTC).replace(tzinfo=None) if v.tzinfo else v)
                     for v in values], dtype="datetime64[us]")


def _as_text(column: Any) -> ColumnElement[str]:
    return cast(column, String).label(column.key)


# The JSON lists are read as their text and decoded only for needs about to be ranked: the
# driver's json.loads of three lists per row was two thirds of loading 100,000 open needs.
_JSON_LISTS = ("competences", "shifts", "certifications_required")
# Every column need_profile reads except the need's id: equal values give equal profiles and so,
# with the same fitted engine, equal best scores. Keep in step with need_profile.
_SCORED_COLUMNS: tuple[Any, ...]  # mapped attributes and columns, typed as their values
_SCORED_COLUMNS = (Need.activity, _as_text(Need.competences), Need.title, Need.description,
                   Need.placement_mode, Need.fte, Need.accommodates_support, Need.time_pressure,
                   Need.peak_season, _as_text(Need.shifts), _as_text(Need.certifications_required),
                   Need.max_distance_km, Need.contracted_fte, Site.lat, Site.lon,
                   Site.public_transport_access)
# ... then the id (need_profile names the profile after it) and what the filters select on
_PROFILE_COLUMNS: tuple[Any, ...]
_PROFILE_COLUMNS = _SCORED_COLUMNS + (Need.id, Need.created_at, Site.province,
                                      Site.arrondissement_nis, Site.municipality_nis)


def _open_need_rows(session: Session) -> list[Any]:
    # on the session's connection: plain rows, without the ORM's per-row result processing
    return list(session.connection().execute(
        select(*_PROFILE_COLUMNS).join(Site, col(Site.id) == Need.site_id)
        .where(_OPEN).order_by(col(Need.id))).all())


class _ProfileSource:
    """A loaded row as need_profile reads a Need and its Site: attributes, lists decoded."""

    __slots__ = ("_row", "competences", "shifts", "certifications_required")

    def __init__(self, row: Any) -> None:
        self._row = row
        for name in _JSON_LISTS:
            setattr(self, name, json.loads(getattr(row, name)))

    def __getattr__(self, name: str) -> Any:  # only called for names not set above
        return getattr(self._row, name)


def _profiles(rows: Iterable[Any]) -> list[NeedProfile]:
    # a _ProfileSource stands in for both the Need and its Site (the attributes read are there)
    return [need_profile(cast_to(Need, source), cast_to(Site, source))
            for source in map(_ProfileSource, rows)]


def _best_of(engine: MatchingEngine, rows: list[Any]) -> tuple[np.ndarray, list[str]]:
    """The best score of each row's need (NaN where no capability qualifies) and the id of a
    capability with that score ('' where none)."""
    if not rows:
        return np.zeros(0, dtype=np.float64), []
    batch = engine.rank_many(_profiles(rows), k=1)
    caps = engine.capabilities_
    return batch.scores[:, 0], [caps[i].id if i >= 0 else ""
                                for i in batch.capability_index[:, 0].tolist()]


def _open_need_scores(rows: list[Any], best: np.ndarray) -> OpenNeedScores:
    return OpenNeedScores(
        fte=np.array([r.fte for r in rows], dtype=np.float64), best=best,
        province=np.array([r.province for r in rows], dtype=object),
        arrondissement=np.array([r.arrondissement_nis for r in rows], dtype=object),
        municipality=np.array([r.municipality_nis for r in rows], dtype=object),
        activity=np.array([r.activity for r in rows], dtype=object),
        created_at=_utc64(r.created_at for r in rows))


def _score_open_needs(session: Session, settings: Settings) -> OpenNeedScores:
    """Every open need scored from scratch (what the cache's incremental result must equal)."""
    engine = ENGINES.get(session, current_weights(session), engine_config(settings))
    rows = _open_need_rows(session)
    return _open_need_scores(rows, _best_of(engine, rows)[0])


_N_SCORED = len(_SCORED_COLUMNS)


def _profile_key(row: Any) -> bytes:
    """A digest of the row's scored columns: equal digests mean equal profiles.

    A 128-bit digest rather than the values themselves: titles and descriptions of 100,000
    needs would otherwise be held twice. ``repr`` is exact for the strings (the lists are still
    JSON text), floats, booleans and None of these columns, so two rows can only share a digest
    through a 2⁻¹²⁸ collision. Equal lists spelled differently merely get ranked again.
    """
    return hashlib.blake2b(repr(row[:_N_SCORED]).encode(), digest_size=16).digest()


Best = tuple[float, str]  # a need's best score and the id of a capability that has it


def _best_reusing(engine: MatchingEngine, rows: list[Any], known: dict[bytes, Best],
                  stale_groups: frozenset[str] = frozenset()
                  ) -> tuple[list[bytes], dict[bytes, Best]]:
    """Best scores of ``rows``, ranking only profiles missing from ``known`` (scored by ``engine``)
    or of an activity group in ``stale_groups`` (whose capabilities changed since).

    Returns each row's profile digest and the scores of exactly the profiles present in
    ``rows``, so profiles of closed or changed needs drop out and the map stays as large as the
    open needs.
    """
    keys = [_profile_key(row) for row in rows]
    missing: dict[bytes, Any] = {}  # one row per unscored profile: duplicates are ranked once
    for key, row in zip(keys, rows, strict=True):
        if (key not in known or row.activity.split(".", 1)[0] in stale_groups) and (
                key not in missing):
            missing[key] = row
    best, ids = _best_of(engine, list(missing.values()))
    scored = dict(zip(missing, zip(best.tolist(), ids, strict=True), strict=True))
    present = {key: scored[key] if key in scored else known[key] for key in keys}
    return keys, present


def _best_array(keys: list[bytes], present: dict[bytes, Best]) -> np.ndarray:
    return np.array([present[key][0] for key in keys], dtype=np.float64)


def _changed_positions(old: MatchingEngine, new: MatchingEngine) -> list[int] | None:
    """Positions of the capabilities whose workforce figures alone changed from ``old`` to
    ``new``; ``None`` when anything else changed (capabilities added, removed or edited
    rebuild the engine's index, which then is a new object)."""
    if new.position_ is not old.position_:
        return None
    return [i for i, (a, b) in enumerate(zip(old.capabilities_, new.capabilities_, strict=True))
            if a is not b]


def _needs_stamp(session: Session) -> tuple:
    return data_stamp(session, NEED_TABLES)


@dataclass(frozen=True)
class _UnmetEntry:
    stamp: tuple  # catalogue and need stamps the scores were computed at
    born: float  # time.monotonic() of the last full recomputation
    scores: OpenNeedScores
    engine: MatchingEngine  # the engine the scores came from
    rows: list[Any]  # the open needs' rows, in ``scores`` order
    keys: list[bytes]  # their profile digests
    best_by_profile: dict[bytes, Best]  # never mutated: a refresh builds a new map
    # profiles of ``rows`` built so far (by row index), shared by the entries that follow by
    # workforce writes alone; filled only under the cache's lock
    profiles: dict[int, NeedProfile] = dataclasses.field(default_factory=dict)

    def profiles_of(self, indices: list[int]) -> list[NeedProfile]:
        todo = [i for i in indices if i not in self.profiles]
        self.profiles.update(zip(todo, _profiles(self.rows[i] for i in todo), strict=True))
        return [self.profiles[i] for i in indices]

    def expired(self) -> bool:
        return time.monotonic() - self.born >= MAX_CACHE_SECONDS

    def valid_for(self, stamp: tuple) -> bool:
        return self.stamp == stamp and not self.expired()

    def stale_groups(self, engine: MatchingEngine) -> frozenset[str] | None:
        """Activity groups whose stored best scores no longer hold for ``engine``; ``None``
        when none hold (``engine`` does not descend from the scores' engine by updates)."""
        if self.expired():
            return None
        groups = engine.changed_groups_since(self.engine.lineage_)
        return None if groups is None else frozenset(groups)


class UnmetCache:
    """Best scores of the open needs per (database, weights, engine config).

    Valid while the catalogue stamps and the need table's stamp are unchanged, and for at most
    ``MAX_CACHE_SECONDS`` after the last full recomputation (workforce ages move with the
    clock). After a need write with the same engine only new or changed profiles are ranked.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, _UnmetEntry] = {}

    def get(self, session: Session, settings: Settings) -> OpenNeedScores:
        key = (str(session.get_bind().engine.url), current_weights(session),
               engine_config(settings))
        stamp = catalogue_stamp(session) + _needs_stamp(session)
        entry = self._entries.get(key)
        if entry and entry.valid_for(stamp):
            return entry.scores
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry.valid_for(stamp):
                return entry.scores
            entry = self._entries[key] = _refresh(session, settings, stamp, entry)
            return entry.scores

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _refresh(session: Session, settings: Settings, stamp: tuple,
             previous: _UnmetEntry | None) -> _UnmetEntry:
    engine = ENGINES.get(session, current_weights(session), engine_config(settings))
    stale = None if previous is None else previous.stale_groups(engine)
    if previous is not None and stale is not None and _only_workforce(previous.stamp, stamp):
        changed = _changed_positions(previous.engine, engine)
        if changed is not None:
            return _after_figures(previous, engine, changed, stamp)
    reuse = stale is not None  # a catalogue write rescores only its activity group's needs
    rows = _open_need_rows(session)
    keys, present = _best_reusing(
        engine, rows, previous.best_by_profile if previous is not None and reuse else {},
        stale or frozenset())
    return _UnmetEntry(stamp=stamp,
                       born=previous.born if previous is not None and reuse else time.monotonic(),
                       scores=_open_need_scores(rows, _best_array(keys, present)),
                       engine=engine, rows=rows, keys=keys, best_by_profile=present)


def _only_workforce(before: tuple, after: tuple) -> bool:
    """Whether only the workforce table was written between two stamps (no need or site)."""
    a, b = dict(before), dict(after)
    return {t for t in a.keys() | b.keys() if a.get(t) != b.get(t)} <= {"workforce"}


def _after_figures(previous: _UnmetEntry, engine: MatchingEngine, changed: list[int],
                   stamp: tuple) -> _UnmetEntry:
    """The scores after workforce writes alone (no need, no other catalogue change).

    Only needs that can see the changed capabilities (same activity group) may move: those
    whose best capability changed are ranked again; for the others the best is the larger of
    the old best (its capability did not change) and the changed capabilities' best, a
    column per changed capability instead of a whole block.
    """
    changed_ids = {engine.capabilities_[i].id for i in changed}
    groups = {str(engine.group_codes_[i]) for i in changed}
    rows, keys, known = previous.rows, previous.keys, previous.best_by_profile
    todo = [i for i, row in enumerate(rows) if row.activity.split(".", 1)[0] in groups]
    lost = [i for i in todo if known[keys[i]][1] in changed_ids]
    kept = [i for i in todo if known[keys[i]][1] not in changed_ids]
    present = dict(known)
    best, ids = _best_of(engine, [rows[i] for i in lost])
    for i, score, cap_id in zip(lost, best.tolist(), ids, strict=True):
        present[keys[i]] = (score, cap_id)
    best, where = engine.best_among(previous.profiles_of(kept), changed)
    for i, score, pos in zip(kept, best.tolist(), where.tolist(), strict=True):
        old_score = present[keys[i]][0]
        if pos >= 0 and (math.isnan(old_score) or score > old_score):
            present[keys[i]] = (score, engine.capabilities_[pos].id)
    scores = dataclasses.replace(previous.scores, best=_best_array(keys, present))
    return dataclasses.replace(previous, stamp=stamp, scores=scores, engine=engine,
                               best_by_profile=present)


UNMET = UnmetCache()


def _unmet_by(keys: np.ndarray, fte: np.ndarray) -> dict[str, tuple[int, float]]:
    if keys.size == 0:
        return {}
    labels, inverse = np.unique(keys.astype(str), return_inverse=True)
    counts = np.bincount(inverse, minlength=labels.size)
    sums = np.bincount(inverse, weights=fte, minlength=labels.size)
    return {str(k): (int(c), float(s)) for k, c, s in zip(labels, counts, sums, strict=True)}


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
    clusters = dict(session.execute(select_clusters(scope, Cluster.status, func.count())
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
    unmet = _unmet_by(keys[unmet_rows], scores.fte[unmet_rows])
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
    unmet = _unmet_by(scores.activity[unmet_rows], scores.fte[unmet_rows])
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


# ---- CSV ----------------------------------------------------------------------------------

def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


_ROW_MODELS: dict[type[BaseModel], tuple[str, type[BaseModel]]] = {
    RegionStats: ("items", RegionRow), ActivityStats: ("items", ActivityRow),
    TimeSeries: ("points", TimePoint)}


def _columns(result: BaseModel) -> list[str]:
    """Column order follows the schemas, so it never depends on the data."""
    if isinstance(result, StatsOverview):
        return list(_flatten(result.model_dump(mode="json", exclude={"filters"})))
    list_field, row_model = _ROW_MODELS[type(result)]
    columns = [n for n in type(result).model_fields if n not in ("filters", list_field)]
    for name, info in row_model.model_fields.items():
        if name == "by_status":
            if getattr(result, "metric", None) == "clusters_formed":
                columns += [f"by_status.{s.value}" for s in ClusterStatus]
        elif isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            columns += _nested_columns(info.annotation, f"{name}.")
        else:
            columns.append(name)
    return columns


def _nested_columns(model: type[BaseModel], prefix: str) -> list[str]:
    """``origin.new.open_needs`` … for a nested figure, in schema order."""
    out = []
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            out += _nested_columns(info.annotation, f"{prefix}{name}.")
        else:
            out.append(f"{prefix}{name}")
    return out


def to_csv(result: BaseModel) -> str:
    """A header row and one row per item (the overview: one row); filters in the last columns."""
    data = result.model_dump(mode="json")
    filters = _flatten(data.pop("filters"), "filter.")
    items = data.pop("items", None) or data.pop("points", None)
    common = _flatten(data)
    rows = [common] if isinstance(result, StatsOverview) else [
        {**common, **_flatten(item)} for item in items or ()]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_columns(result) + list(filters),
                            extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in {**row, **filters}.items()})
    return buffer.getvalue()
