"""Unmet demand for the monitoring figures: the best match score of every open need (DESIGN §8).

The one figure of :mod:`api.services.stats` that needs the matching engine. It is computed for
all open needs at once with ``MatchingEngine.rank_many(profiles, k=1)`` and cached per process
and database (:data:`UNMET`), keyed like the engine cache in :mod:`api.services.matching` — the
engine's data stamps (capabilities, workforce, sites, organisations) plus the need table's
stamp — so any write that could change a best score triggers a recomputation on the next
request. Filters are then applied to the cached arrays with NumPy masks.

A best score depends only on the need's profile and on the fitted engine, so when only needs
changed (the engine is the same object) the recomputation reloads the open needs but ranks only
the profiles the cache has not scored yet: a company posting one need no longer costs a full
scoring of every open need (~20 s at 100,000 needs × 10,000 capabilities). When only workforce
figures changed (a provider keeping them fresh), nothing is reloaded: the needs whose best
capability was a written one are ranked again, and the other needs of its activity group
compare their best with the written capabilities' column (``MatchingEngine.best_among``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from typing import cast as cast_to

import numpy as np
from sqlalchemy import Engine, String, cast, select
from sqlalchemy.sql import ColumnElement
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
from matching.engine import PreparedNeeds
from matching.types import NeedProfile
from models.need import Need
from models.revision import NEED_TABLES, data_stamp
from models.site import Site


class Filters(Protocol):
    """What the masks select on (``api.services.stats.Scope`` is one)."""

    @property
    def province(self) -> str | None: ...

    @property
    def arrondissement(self) -> str | None: ...

    @property
    def activity(self) -> str | None: ...

    @property
    def start(self) -> datetime | None: ...

    @property
    def end(self) -> datetime | None: ...


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

    def mask(self, scope: Filters) -> np.ndarray:
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


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _utc64(values: Iterable[datetime]) -> np.ndarray:
    """UTC instants as ``datetime64[us]`` (naive values are UTC): exact integer microseconds
    since the epoch, a quarter of the cost of converting each value to naive UTC first."""
    return np.array([((v if v.tzinfo else v.replace(tzinfo=UTC)) - _EPOCH) // _MICROSECOND
                     for v in values], dtype=np.int64).view("datetime64[us]")


def _as_text(column: Any) -> ColumnElement[str]:
    return cast(column, String).label(column.key)


# The JSON lists are read as their text and decoded only for needs about to be ranked: the
# driver's json.loads of three lists per row was two thirds of loading 100,000 open needs.
_JSON_LISTS = ("competences", "shifts", "certifications_required")
# Every column need_profile reads except the need's id: equal values give equal profiles and so,
# with the same fitted engine, equal best scores. Keep in step with need_profile.
SCORED_COLUMNS: tuple[Any, ...]  # mapped attributes and columns, typed as their values
SCORED_COLUMNS = (Need.activity, _as_text(Need.competences), Need.title, Need.description,
                   Need.placement_mode, Need.fte, Need.accommodates_support, Need.time_pressure,
                   Need.peak_season, _as_text(Need.shifts), _as_text(Need.certifications_required),
                   Need.max_distance_km, Need.contracted_fte, Site.lat, Site.lon,
                   Site.public_transport_access)
# ... then the id (need_profile names the profile after it) and what the filters select on
_PROFILE_COLUMNS: tuple[Any, ...]
_PROFILE_COLUMNS = SCORED_COLUMNS + (Need.id, Need.created_at, Site.province,
                                      Site.arrondissement_nis, Site.municipality_nis)


def open_need_rows(session: Session) -> list[Any]:
    # on the session's connection: plain rows, without the ORM's per-row result processing
    return list(session.connection().execute(
        select(*_PROFILE_COLUMNS).join(Site, col(Site.id) == Need.site_id)
        .where(col(Need.status) == "open").order_by(col(Need.id))).all())


class ProfileSource:
    """A loaded row as need_profile reads a Need and its Site: attributes, lists decoded."""

    __slots__ = ("_row", "competences", "shifts", "certifications_required")

    def __init__(self, row: Any) -> None:
        self._row = row
        for name in _JSON_LISTS:
            setattr(self, name, json.loads(getattr(row, name)))

    def __getattr__(self, name: str) -> Any:  # only called for names not set above
        return getattr(self._row, name)


def _profiles(rows: Iterable[Any]) -> list[NeedProfile]:
    # a ProfileSource stands in for both the Need and its Site (the attributes read are there)
    return [need_profile(cast_to(Need, source), cast_to(Site, source))
            for source in map(ProfileSource, rows)]


def _best_of(engine: MatchingEngine, rows: list[Any]) -> tuple[np.ndarray, list[str]]:
    """The best score of each row's need (NaN where no capability qualifies) and the id of a
    capability with that score ('' where none)."""
    return _best_of_profiles(engine, _profiles(rows))


def _best_of_profiles(engine: MatchingEngine, profiles: list[NeedProfile]
                      ) -> tuple[np.ndarray, list[str]]:
    best, ids, _ = _ranked_best(engine, profiles)
    return best, ids


def _ranked_best(engine: MatchingEngine, profiles: list[NeedProfile]
                 ) -> tuple[np.ndarray, list[str], PreparedNeeds | None]:
    """:func:`_best_of_profiles`, and the profiles' scoring arrays the ranking built."""
    if not profiles:
        return np.zeros(0, dtype=np.float64), [], None
    batch = engine.rank_many(profiles, k=1)
    caps = engine.capabilities_
    return batch.scores[:, 0], [caps[i].id if i >= 0 else ""
                                for i in batch.capability_index[:, 0].tolist()], \
        batch.prepared.without_profiles()


def _open_need_scores(rows: list[Any], best: np.ndarray) -> OpenNeedScores:
    return OpenNeedScores(
        fte=np.array([r.fte for r in rows], dtype=np.float64), best=best,
        province=np.array([r.province for r in rows], dtype=object),
        arrondissement=np.array([r.arrondissement_nis for r in rows], dtype=object),
        municipality=np.array([r.municipality_nis for r in rows], dtype=object),
        activity=np.array([r.activity for r in rows], dtype=object),
        created_at=_utc64(r.created_at for r in rows))


def score_open_needs(session: Session, settings: Settings) -> OpenNeedScores:
    """Every open need scored from scratch (what the cache's incremental result must equal)."""
    engine = ENGINES.get(session, current_weights(session), engine_config(settings))
    rows = open_need_rows(session)
    return _open_need_scores(rows, _best_of(engine, rows)[0])


_N_SCORED = len(SCORED_COLUMNS)
_log = logging.getLogger(__name__)
MAX_REFIT_WAIT_SECONDS = 120.0


def _profile_key(row: Any) -> bytes:
    """A digest of the row's scored columns: equal digests mean equal profiles.

    A 128-bit digest rather than the values themselves: titles and descriptions of 100,000
    needs would otherwise be held twice. ``repr`` is exact for the strings (the lists are still
    JSON text), floats, booleans and None of these columns, so two rows can only share a digest
    through a 2⁻¹²⁸ collision. Equal lists spelled differently merely get ranked again.
    """
    return hashlib.blake2b(repr(row[:_N_SCORED]).encode(), digest_size=16).digest()


Best = tuple[float, str]  # a need's best score and the id of a capability that has it


@dataclass(frozen=True)
class _Sides:
    """The engine's scoring arrays of open-need profiles, by profile digest.

    Kept from the rankings that built them (a full scoring builds them for every open need),
    so that the first workforce write in an activity group finds its needs' arrays ready
    instead of decoding and vectorising thousands of needs on the request path. Valid while
    the engine keeps its vocabulary (:meth:`PreparedNeeds.fits`); closed or changed needs'
    rows are dropped once they are half of the arrays.
    """

    row: dict[bytes, int]  # profile digest -> row of ``prepared``
    prepared: PreparedNeeds  # without profiles

    def of(self, keys: list[bytes]) -> PreparedNeeds | None:
        rows = [self.row.get(key, -1) for key in keys]
        return None if -1 in rows else self.prepared.take(np.array(rows, dtype=np.int64))

    def extended(self, keys: Iterable[bytes], prepared: PreparedNeeds | None,
                 present: Iterable[bytes]) -> _Sides:
        """These arrays and ``prepared``'s (the profiles ``keys``, in order), keeping only
        rows of ``present`` profiles when the others are half of them."""
        row, merged = dict(self.row), self.prepared
        if prepared is not None:
            offset = len(merged)
            row.update((key, offset + i) for i, key in enumerate(keys))
            merged = merged.extended(prepared)
        wanted = set(present)
        if len(merged) > 2 * len(wanted) + 1024:
            kept = [key for key in row if key in wanted]
            merged = merged.take(np.array([row[key] for key in kept], dtype=np.int64))
            row = {key: i for i, key in enumerate(kept)}
        return _Sides(row, merged)


def _best_reusing(engine: MatchingEngine, rows: list[Any], known: dict[bytes, Best],
                  stale_groups: frozenset[str] = frozenset(), sides: _Sides | None = None
                  ) -> tuple[list[bytes], dict[bytes, Best], _Sides | None]:
    """Best scores of ``rows``, ranking only profiles missing from ``known`` (scored by ``engine``)
    or of an activity group in ``stale_groups`` (whose capabilities changed since).

    Returns each row's profile digest, the scores of exactly the profiles present in
    ``rows`` (so profiles of closed or changed needs drop out and the map stays as large as
    the open needs), and ``sides`` extended by the arrays of the profiles just ranked.
    """
    keys = [_profile_key(row) for row in rows]
    missing: dict[bytes, Any] = {}  # one row per unscored profile: duplicates are ranked once
    for key, row in zip(keys, rows, strict=True):
        if (key not in known or row.activity.split(".", 1)[0] in stale_groups) and (
                key not in missing):
            missing[key] = row
    best, ids, prepared = _ranked_best(engine, _profiles(missing.values()))
    scored = dict(zip(missing, zip(best.tolist(), ids, strict=True), strict=True))
    present = {key: scored[key] if key in scored else known[key] for key in keys}
    if sides is None or not sides.prepared.fits(engine):  # a new vocabulary: start afresh
        sides = None if prepared is None else _Sides(
            {key: i for i, key in enumerate(missing)}, prepared)
    else:
        sides = sides.extended(missing, prepared, present)
    return keys, present, sides


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


def _stamp(session: Session) -> tuple:
    """What the scores depend on: the catalogue's stamps and the need table's."""
    return catalogue_stamp(session) + _needs_stamp(session)


@dataclass(frozen=True)
class _UnmetEntry:
    stamp: tuple  # catalogue and need stamps the scores were computed at
    born: float  # time.monotonic() of the last full recomputation
    scores: OpenNeedScores
    engine: MatchingEngine  # the engine the scores came from
    rows: list[Any]  # the open needs' rows, in ``scores`` order
    keys: list[bytes]  # their profile digests
    best_by_profile: dict[bytes, Best]  # never mutated: a refresh builds a new map
    sides: _Sides | None  # scoring arrays of the open needs' profiles (and some gone ones)
    # what the workforce path builds from ``rows`` once, shared by the entries that follow by
    # workforce writes alone and filled only under the cache's lock: profiles by row index,
    # row indices by activity group, and each group's needs prepared for the engine
    profiles: dict[int, NeedProfile] = dataclasses.field(default_factory=dict)
    group_rows: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    prepared: dict[str, PreparedNeeds] = dataclasses.field(default_factory=dict)

    def profiles_of(self, indices: list[int]) -> list[NeedProfile]:
        todo = [i for i in indices if i not in self.profiles]
        self.profiles.update(zip(todo, _profiles(self.rows[i] for i in todo), strict=True))
        return [self.profiles[i] for i in indices]

    def rows_of(self, group: str) -> list[int]:
        if not self.group_rows and self.rows:
            for i, row in enumerate(self.rows):
                self.group_rows.setdefault(row.activity.split(".", 1)[0], []).append(i)
        return self.group_rows.get(group, [])

    def prepared_for(self, group: str, engine: MatchingEngine) -> PreparedNeeds:
        if group not in self.prepared:
            members = self.rows_of(group)
            kept = None
            if self.sides is not None and self.sides.prepared.fits(engine):
                kept = self.sides.of([self.keys[i] for i in members])
            self.prepared[group] = kept if kept is not None else engine.prepare(
                self.profiles_of(members))
        return self.prepared[group]

    def expired(self) -> bool:
        return time.monotonic() - self.born >= MAX_CACHE_SECONDS

    def valid_for(self, stamp: tuple) -> bool:
        return self.stamp == stamp and not self.expired()

    def stale_groups(self, engine: MatchingEngine, *,
                     despite_age: bool = False) -> frozenset[str] | None:
        """Activity groups whose stored best scores no longer hold for ``engine``; ``None``
        when none hold (``engine`` does not descend from the scores' engine by updates, or
        the scores are past ``MAX_CACHE_SECONDS`` and ``despite_age`` is false)."""
        if self.expired() and not despite_age:
            return None
        groups = engine.changed_groups_since(self.engine.lineage_)
        return None if groups is None else frozenset(groups)


class UnmetCache:
    """Best scores of the open needs per (database, weights, engine config).

    Valid while the catalogue stamps and the need table's stamp are unchanged, and for at most
    ``MAX_CACHE_SECONDS`` after the last full recomputation (workforce ages move with the
    clock). After a need write with the same engine only new or changed profiles are ranked.

    Past ``MAX_CACHE_SECONDS`` every open need is ranked afresh off the request path (a
    thread, as the engine cache refits): meanwhile requests get the scores they had, brought
    up to date with any write by the same incremental paths, so exact for the data and at
    most the refresh's duration older for the clock. A session joined to an outer connection
    (tests, scripts), whose rows another connection cannot see, ranks afresh itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, _UnmetEntry] = {}
        self._refreshing: dict[tuple, threading.Thread] = {}

    def get(self, session: Session, settings: Settings) -> OpenNeedScores:
        bind = session.get_bind()
        key = (str(bind.engine.url), current_weights(session), engine_config(settings))
        stamp = _stamp(session)
        entry = self._entries.get(key)
        if entry and entry.valid_for(stamp):
            return entry.scores
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry.valid_for(stamp):
                return entry.scores
            if entry is not None and entry.expired() and isinstance(bind, Engine):
                if entry.stamp != stamp:
                    entry = self._entries[key] = _refresh(session, settings, stamp, entry,
                                                          despite_age=True)
                if key not in self._refreshing:
                    thread = threading.Thread(target=self._refresh_afresh,
                                              args=(key, bind, settings),
                                              name="unmet-refresh", daemon=True)
                    self._refreshing[key] = thread
                    thread.start()
                return entry.scores
            entry = self._entries[key] = _refresh(session, settings, stamp, entry)
            return entry.scores

    def _refresh_afresh(self, key: tuple, bind: Engine, settings: Settings) -> None:
        try:
            # an engine past its own age is refitted in the background (this use begins it):
            # rank with the refitted one, whose later updates the scores can then follow
            with Session(bind) as session:
                ENGINES.get(session, key[1], key[2])
            ENGINES.wait_refit(bind, key[1], key[2], timeout=MAX_REFIT_WAIT_SECONDS)
            with Session(bind) as session:
                stamp = _stamp(session)
                fresh = _refresh(session, settings, stamp, None)
            with Session(bind) as session:  # writes committed meanwhile: applied here too
                stamp = _stamp(session)
                if stamp != fresh.stamp:
                    fresh = _refresh(session, settings, stamp, fresh)
            with self._lock:  # writes after that are applied on the next use
                self._entries[key] = fresh
        except Exception:  # the next request past the age tries again
            _log.exception("unmet demand: ranking the open needs afresh failed")
        finally:
            with self._lock:
                self._refreshing.pop(key, None)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the refreshes running now (tests, orderly shutdown)."""
        with self._lock:
            threads = list(self._refreshing.values())
        for thread in threads:
            thread.join(timeout)

    def clear(self) -> None:
        self.wait()
        with self._lock:
            self._entries.clear()


def _refresh(session: Session, settings: Settings, stamp: tuple,
             previous: _UnmetEntry | None, *, despite_age: bool = False) -> _UnmetEntry:
    engine = ENGINES.get(session, current_weights(session), engine_config(settings))
    stale = None if previous is None else previous.stale_groups(engine,
                                                                despite_age=despite_age)
    if previous is not None and stale is not None and _only_workforce(previous.stamp, stamp):
        changed = _changed_positions(previous.engine, engine)
        if changed is not None:
            return _after_figures(previous, engine, changed, stamp)
    reuse = stale is not None  # a catalogue write rescores only its activity group's needs
    rows = open_need_rows(session)
    keys, present, sides = _best_reusing(
        engine, rows, previous.best_by_profile if previous is not None and reuse else {},
        stale or frozenset(), previous.sides if previous is not None else None)
    return _UnmetEntry(stamp=stamp,
                       born=previous.born if previous is not None and reuse else time.monotonic(),
                       scores=_open_need_scores(rows, _best_array(keys, present)),
                       engine=engine, rows=rows, keys=keys, best_by_profile=present,
                       sides=sides)


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
    keys, known = previous.keys, previous.best_by_profile
    present = dict(known)
    for group in sorted({str(engine.group_codes_[i]) for i in changed}):
        members = previous.rows_of(group)
        lost = [i for i in members if known[keys[i]][1] in changed_ids]
        best, ids = _best_of_profiles(engine, previous.profiles_of(lost))
        for i, score, cap_id in zip(lost, best.tolist(), ids, strict=True):
            present[keys[i]] = (score, cap_id)
        # the group's needs against the changed columns (the lost ones are ranked already)
        best, where = engine.best_among(previous.prepared_for(group, engine), changed)
        ranked = set(lost)
        for i, score, pos in zip(members, best.tolist(), where.tolist(), strict=True):
            if i in ranked or pos < 0:
                continue
            old_score = present[keys[i]][0]
            if math.isnan(old_score) or score > old_score:
                present[keys[i]] = (score, engine.capabilities_[pos].id)
    scores = dataclasses.replace(previous.scores, best=_best_array(keys, present))
    return dataclasses.replace(previous, stamp=stamp, scores=scores, engine=engine,
                               best_by_profile=present)


UNMET = UnmetCache()


def unmet_by(keys: np.ndarray, fte: np.ndarray) -> dict[str, tuple[int, float]]:
    if keys.size == 0:
        return {}
    labels, inverse = np.unique(keys.astype(str), return_inverse=True)
    counts = np.bincount(inverse, minlength=labels.size)
    sums = np.bincount(inverse, weights=fte, minlength=labels.size)
    return {str(k): (int(c), float(s)) for k, c, s in zip(labels, counts, sums, strict=True)}
