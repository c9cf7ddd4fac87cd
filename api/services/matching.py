"""The adapter between database rows and the pure matching engine.

The fitted engine is cached per process and database and follows the catalogue change log
(``models.revision``): before every use the entries after the engine's last one are read in the
request's own transaction and applied to it, so a request made after a write sees it,
whichever worker serves it, without refitting the whole engine.
"""

from __future__ import annotations

import collections
import functools
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Engine, or_, select
from sqlmodel import Session, col

from api import metrics
from api.config import Settings
from api.errors import NotFound
from api.services import distance
from api.services.access import can_read, is_staff
from api.services.weights import current_weights
from matching import (
    Candidate,
    CapabilityProfile,
    EngineConfig,
    MatchingEngine,
    MatchResult,
    NeedProfile,
    Weights,
    render,
    score_pair_reference,
)
from matching.types import Reason
from models import taxonomy
from models.capability import Capability
from models.matching import (
    ComponentsPublic,
    DiagnosisPublic,
    MatchesPublic,
    MatchItem,
    NearbyPublic,
    OpportunitiesPublic,
    ReasonPublic,
)
from models.need import Need
from models.organisation import Organisation, User
from models.revision import CATALOGUE_TABLES, CatalogueChange, data_stamp
from models.site import Site, Workforce

MAX_CACHE_SECONDS = 3600  # workforce ages move with the clock even without writes


# ---- rows → profiles ------------------------------------------------------------------------

def _age_days(as_of: datetime | None, now: datetime) -> float | None:
    if as_of is None:
        return None
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    return max(0.0, (now - as_of).total_seconds() / 86400.0)


_CAP_COLUMNS: tuple[Any, ...]  # mapped attributes and columns, typed as their values
_CAP_COLUMNS = (Capability.id, Capability.organisation_id, Organisation.name, Capability.site_id,
                Site.municipality, Capability.activity, Capability.competences,
                Capability.description, Capability.placement_modes, Capability.service_radius_km,
                Capability.certifications, Capability.shifts, Site.lat, Site.lon,
                Workforce.free_fte_low, Workforce.free_fte_medium, Workforce.free_fte_high,
                Workforce.supervisors_available, Workforce.figures_as_of,
                Site.coordinates_approximate)


def _capability_query():  # noqa: ANN202
    return (select(*_CAP_COLUMNS)
            .join(Site, col(Site.id) == Capability.site_id)
            .join(Organisation, col(Organisation.id) == Capability.organisation_id)
            .outerjoin(Workforce, col(Workforce.site_id) == Capability.site_id))


def _capability_profile(row, now: datetime) -> CapabilityProfile:  # noqa: ANN001
    (cid, org_id, org_name, site_id, municipality, activity, competences, description, modes,
     radius, certs, shifts, lat, lon, low, medium, high, supervisors, as_of, approximate) = row
    return CapabilityProfile(
        id=str(cid), provider_id=str(org_id), provider_name=org_name, site_id=str(site_id),
        municipality=municipality, activity=activity, competences=tuple(competences or ()),
        text=description or "", placement_modes=tuple(modes or ()), service_radius_km=radius,
        certifications=tuple(certs or ()), shifts=tuple(shifts or ()), lat=lat, lon=lon,
        free_fte=(low or 0.0, medium or 0.0, high or 0.0), supervisors_free=supervisors or 0.0,
        workforce_age_days=_age_days(as_of, now), coordinates_approximate=bool(approximate))


def load_capability_profiles(session: Session, *, active_only: bool = True,
                             ids: list[uuid.UUID] | None = None,
                             organisation_id: uuid.UUID | None = None) -> list[CapabilityProfile]:
    stmt = _capability_query()
    if active_only:
        stmt = stmt.where(col(Capability.active).is_(True))
    if ids is not None:
        stmt = stmt.where(col(Capability.id).in_(ids))
    if organisation_id is not None:
        stmt = stmt.where(Capability.organisation_id == organisation_id)
    now = datetime.now(UTC)
    return [_capability_profile(r, now) for r in session.execute(stmt.order_by(Capability.id))]


def need_profile(need: Need, site: Site) -> NeedProfile:
    activity = taxonomy.activity(need.activity)
    return NeedProfile(
        id=str(need.id), activity=need.activity, competences=tuple(need.competences),
        text=f"{need.title}. {need.description}".strip(), placement_mode=need.placement_mode,
        fte=need.fte, accommodates_support=need.accommodates_support,
        time_pressure=need.time_pressure or (activity.time_pressure if activity else "low"),
        peak_season=need.peak_season,
        shifts=tuple(need.shifts), certifications=tuple(need.certifications_required),
        max_distance_km=need.max_distance_km, lat=site.lat, lon=site.lon,
        binding=activity.binding if activity else "medium",
        public_transport=site.public_transport_access,
        contracted_fte=min(max(need.contracted_fte or 0.0, 0.0), need.fte))


# ---- the cached engine ----------------------------------------------------------------------

@functools.cache
def vocabulary_texts() -> tuple[str, ...]:
    """The taxonomy's nl and en labels of activities and competences, for the text vocabulary."""
    texts: list[str] = []
    labels = [a.label for a in taxonomy.activities().values()]
    for label in labels + [c.label for c in taxonomy.competences().values()]:
        texts.extend(label[lang] for lang in ("nl", "en"))
    return tuple(texts)


def catalogue_stamp(session: Session) -> tuple:
    """Changes whenever a write to the tables the engine is fitted on commits (any worker)."""
    return data_stamp(session, CATALOGUE_TABLES)


MAX_LOGGED_CHANGES = 500  # more entries than this since the engine's last one: fit afresh


@dataclass(frozen=True)
class _Fitted:
    engine: MatchingEngine
    seq: int  # the last change-log entry applied (0: none)
    token: str | None  # that entry's token (a rolled-back entry's number may be reused)
    born: float  # time.monotonic() of the fit the engine descends from


def _log_head(session: Session) -> tuple[int, str | None]:
    row = session.execute(select(col(CatalogueChange.seq), col(CatalogueChange.token))
                          .order_by(col(CatalogueChange.seq).desc()).limit(1)).first()
    return (0, None) if row is None else (row[0], row[1])


def _log_since(session: Session, entry: _Fitted) -> list | None:
    """Change-log entries after ``entry``'s, or ``None`` if its own entry is gone or reused."""
    rows = session.execute(
        select(col(CatalogueChange.seq), col(CatalogueChange.token),
               col(CatalogueChange.table_name), col(CatalogueChange.row_id))
        .where(col(CatalogueChange.seq) >= entry.seq).order_by(col(CatalogueChange.seq))
        .limit(MAX_LOGGED_CHANGES + 2)).all()
    if entry.seq == 0:
        return list(rows)
    if not rows or rows[0][0] != entry.seq or rows[0][1] != entry.token:
        return None
    return list(rows[1:])


def _changed_profiles(session: Session, engine: MatchingEngine,
                      rows: list) -> tuple[list[CapabilityProfile], list[str]]:
    """The active profiles the logged rows touch, and the engine's capabilities now gone."""
    ids: dict[str, set[str]] = {"capability": set(), "site": set(), "organisation": set()}
    gone_sites: set[str] = set()  # sites (not just their workforce) written: may be deleted
    for _seq, _token, table, row_id in rows:
        ids["site" if table == "workforce" else table].add(row_id)
        if table == "site":
            gone_sites.add(row_id)
    cond = []
    for column, name in ((Capability.id, "capability"), (Capability.site_id, "site"),
                         (Capability.organisation_id, "organisation")):
        if ids[name]:
            cond.append(col(column).in_([uuid.UUID(x) for x in ids[name]]))
    now = datetime.now(UTC)
    stmt = _capability_query().where(col(Capability.active).is_(True), or_(*cond))
    upserts = [_capability_profile(r, now) for r in session.execute(stmt)]
    found = {c.id for c in upserts}
    # a workforce write never removes a capability (without figures it has zero free FTE);
    # a deleted site or organisation takes its capabilities along (ON DELETE CASCADE)
    removed = [x for x in ids["capability"] if x not in found]
    orgs = ids["organisation"]
    if gone_sites or orgs:
        removed += [c.id for c in engine.capabilities_ if c.id not in found and (
            c.site_id in gone_sites or c.provider_id in orgs)]
    return upserts, removed


class EngineCache:
    """One fitted engine per (database, weights, config), following the catalogue change log.

    Every use reads the change-log entries after the engine's last one, in the request's own
    transaction, and applies them (:meth:`MatchingEngine.updated`): a workforce write rewrites
    that site's figure columns, other writes rebuild the touched activity groups. So a request
    made after a write sees it, whichever worker or replica serves it. A full fit happens on
    first use, after a bulk statement or more than ``MAX_LOGGED_CHANGES`` entries, and, off the
    request path, when new or re-worded texts left the text vectoriser's idf behind or the fit
    is older than ``MAX_CACHE_SECONDS`` (workforce ages move with the clock); the refitted
    engine is swapped in whole. ``counts`` tallies "fit", "update" and "background_fit".
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, _Fitted] = {}
        self._refitting: dict[tuple, threading.Thread] = {}
        self.counts: collections.Counter[str] = collections.Counter()

    @staticmethod
    def _key(bind: Any, weights: Weights, config: EngineConfig) -> tuple:  # Engine, Connection
        return (str(bind.engine.url), weights, config)

    def get(self, session: Session, weights: Weights, config: EngineConfig) -> MatchingEngine:
        bind = session.get_bind()
        key = self._key(bind, weights, config)
        entry = self._entries.get(key)
        if entry is not None:
            rows = _log_since(session, entry)
            if rows == []:
                return self._maybe_refit(key, entry, session, weights, config)
        with self._lock:  # one fit or update at a time per process; others wait and reuse it
            entry = self._entries.get(key)
            rows = None if entry is None else _log_since(session, entry)
            if entry is not None and rows == []:
                return entry.engine
            if entry is None or rows is None or len(rows) > MAX_LOGGED_CHANGES or any(
                    r[3] is None for r in rows):
                reason = "cold" if entry is None else "data_changed"
                entry = self._fit(session, weights, config)
                self.counts["fit"] += 1
                metrics.ENGINE_FITS.labels(reason).inc()
            else:
                upserts, removed = _changed_profiles(session, entry.engine, rows)
                entry = _Fitted(entry.engine.updated(upserts, removed), rows[-1][0],
                                rows[-1][1], entry.born)
                self.counts["update"] += 1
                metrics.ENGINE_UPDATES.inc()
            self._entries[key] = entry
        return self._maybe_refit(key, entry, session, weights, config)

    @staticmethod
    def _fit(session: Session, weights: Weights, config: EngineConfig) -> _Fitted:
        seq, token = _log_head(session)  # read first: later entries are applied again
        engine = MatchingEngine(weights=weights, config=config,
                                vocabulary_texts=vocabulary_texts()).fit(
            load_capability_profiles(session))
        return _Fitted(engine, seq, token, time.monotonic())

    def _maybe_refit(self, key: tuple, entry: _Fitted, session: Session, weights: Weights,
                     config: EngineConfig) -> MatchingEngine:
        """``entry``'s engine, refitting it (in the background when possible) if due."""
        if entry.engine.text_exact_ and time.monotonic() - entry.born < MAX_CACHE_SECONDS:
            return entry.engine
        bind = session.get_bind()
        if not isinstance(bind, Engine):
            # a session joined to an outer connection (tests, scripts): its rows are not
            # visible to another connection, so fit here
            with self._lock:
                if self._entries.get(key) is entry:
                    self._entries[key] = self._fit(session, weights, config)
                    self.counts["fit"] += 1
                    metrics.ENGINE_FITS.labels("expired").inc()
                return self._entries[key].engine
        with self._lock:
            if key not in self._refitting:
                thread = threading.Thread(target=self._refit, args=(key, bind, weights, config),
                                          name="engine-refit", daemon=True)
                self._refitting[key] = thread
                thread.start()
        return entry.engine

    def wait_refit(self, bind: Engine, weights: Weights, config: EngineConfig,
                   timeout: float | None = None) -> None:
        """Wait for the background refit of that engine, if one is running."""
        with self._lock:
            thread = self._refitting.get(self._key(bind, weights, config))
        if thread is not None:
            thread.join(timeout)

    def _refit(self, key: tuple, bind: Engine, weights: Weights, config: EngineConfig) -> None:
        try:
            with Session(bind) as session:
                fitted = self._fit(session, weights, config)
            with self._lock:  # entries after its sequence are applied on the next use
                self._entries[key] = fitted
                self.counts["background_fit"] += 1
                metrics.ENGINE_FITS.labels("background").inc()
        finally:
            with self._lock:
                self._refitting.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ENGINES = EngineCache()


def engine_config(settings: Settings) -> EngineConfig:
    return EngineConfig(stale_after_days=float(settings.stale_workforce_days))


# ---- presenting results ---------------------------------------------------------------------

_VOCABULARY_KINDS = {"placement_mode": "placement_modes", "support_level": "support_levels",
                     "level": "time_pressure", "shift": "shifts",
                     "certification": "certifications",
                     "public_transport": "public_transport_access"}


@functools.cache
def reason_labels(lang: str) -> dict[str, dict[str, str]]:
    """Taxonomy labels in ``lang`` by kind, for :func:`matching.render` (one source: taxonomy)."""
    labels = {"activity": {code: a.label[lang] for code, a in taxonomy.activities().items()},
              "competence": {code: c.label[lang] for code, c in taxonomy.competences().items()}}
    for kind, name in _VOCABULARY_KINDS.items():
        labels[kind] = {code: entry["label"][lang]
                        for code, entry in taxonomy.vocabulary(name).items()}
    return labels


def _reasons(reasons: Sequence[Reason] | None, lang: str) -> list[ReasonPublic] | None:
    if reasons is None:
        return None
    labels = reason_labels(lang)
    return [ReasonPublic(code=r.code, text=render(r, lang, labels),
                         params={k: _plain(v) for k, v in r.params.items()}) for r in reasons]


def _plain(value):  # noqa: ANN001, ANN202
    return [_plain(v) for v in value] if isinstance(value, tuple) else value


def _item(c: Candidate, lang: str, need_title: str | None = None, *,
          need_approximate: bool = False,
          approximate_sites: frozenset[str] = frozenset()) -> MatchItem:
    approximate_end = need_approximate or c.site_id in approximate_sites
    return MatchItem(
        capability_id=c.capability_id, provider_id=c.provider_id, provider_name=c.provider_name,
        site_id=c.site_id, municipality=c.municipality, need_id=c.need_id, need_title=need_title,
        distance_km=round(c.distance_km, 3), score=round(c.score, 6),
        distance_approximate=distance.is_approximate(c.distance_km, approximate_end),
        components=ComponentsPublic(competence=round(c.components.competence, 6),
                                    locality=round(c.components.locality, 6),
                                    supervision=round(c.components.supervision, 6),
                                    capacity=round(c.components.capacity, 6)),
        reasons=distance.present(_reasons(c.reasons, lang) or [], c.distance_km,
                                 municipality=c.municipality, approximate_end=approximate_end,
                                 lang=lang),
        excluded=_reasons(c.excluded, lang))


_DIAGNOSIS_TEXT = {
    "too_far": ("{n} aanbieder(s) liggen te ver", "{n} provider(s) are too far away"),
    "placement_mode": ("{n} aanbieder(s) bieden deze plaatsingsvorm niet aan",
                       "{n} provider(s) do not offer this placement mode"),
    "certification": ("{n} aanbieder(s) missen een vereiste certificering",
                      "{n} provider(s) lack a required certification"),
    "shift": ("{n} aanbieder(s) werken niet in de gevraagde ploegen",
              "{n} provider(s) do not work the required shifts"),
    "no_free_capacity": ("{n} aanbieder(s) hebben geen vrije capaciteit",
                         "{n} provider(s) have no free capacity"),
    "no_free_capacity_at_level": (
        "{n} aanbieder(s) hebben geen vrije medewerkers op een begeleidingsgraad die de "
        "werkplek aankan", "{n} provider(s) have no free workers at a support level the "
        "workplace can accommodate"),
    "no_supervision": ("{n} aanbieder(s) hebben geen begeleider vrij",
                       "{n} provider(s) have no supervisor available"),
}


def _diagnosis(result: MatchResult, lang: str) -> DiagnosisPublic | None:
    d = result.diagnosis
    if d is None:
        return None
    counts = d.counts()
    en = lang == "en"
    summary = []
    if counts.get("no_provider_with_activity"):
        summary.append("No provider offers this activity" if en
                       else "Geen enkele aanbieder biedt deze activiteit aan")
    for key, (nl_text, en_text) in _DIAGNOSIS_TEXT.items():
        if counts.get(key):
            summary.append((en_text if en else nl_text).format(n=counts[key]))
    nearest = [NearbyPublic(capability_id=n.capability_id, provider_id=n.provider_id,
                            provider_name=n.provider_name, site_id=n.site_id,
                            municipality=n.municipality, activity=n.activity,
                            relation=n.relation, distance_km=round(n.distance_km, 3))
               for n in d.nearest_related]
    return DiagnosisPublic(summary=summary, counts=counts, nearest_related=nearest)


# ---- use cases ------------------------------------------------------------------------------

def _readable_need_and_site(session: Session, user: User,
                            need_id: uuid.UUID) -> tuple[Need, Site]:
    """The need (404 unless the caller may read it) and its site, in one round trip."""
    row = session.execute(select(Need, Site).join(Site, col(Site.id) == Need.site_id)
                          .where(col(Need.id) == need_id)).first()
    if row is None or not can_read(user, row[0].organisation_id):
        raise NotFound(f"Need {need_id} not found")
    return row[0], row[1]


def _approximate_sites(engine: MatchingEngine, candidates: Sequence[Candidate]) -> frozenset[str]:
    """The candidates' sites whose coordinates are approximate, from the engine's profiles
    (which follow site writes through the change log, like everything else they hold)."""
    profiles, position = engine.capabilities_, engine.position_
    return frozenset(c.site_id for c in candidates
                     if profiles[position[c.capability_id]].coordinates_approximate)


class MatchPages:
    """Recently served match pages, per fitted engine (least recently used go first).

    A page depends only on the engine (its data, weights and configuration), the need's
    profile and the page parameters, so it can be served again until either changes: a write
    to the catalogue fits a new engine, whose pages start empty (the old engine's go with it),
    and an edited need has a different profile. Companies reopen the same matches often.

    Pages are kept as their JSON body: one bytes object each, which the garbage collector
    never has to walk (as model instances, 1,024 pages were ~300,000 tracked objects, and
    every full collection walked them), and a repeat is served without serialising again.
    """

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._pages: weakref.WeakKeyDictionary[MatchingEngine, OrderedDict] = (
            weakref.WeakKeyDictionary())

    def get(self, engine: MatchingEngine, key: tuple) -> bytes | None:
        with self._lock:
            pages = self._pages.get(engine)
            if pages is None or key not in pages:
                return None
            pages.move_to_end(key)
            return pages[key]

    def put(self, engine: MatchingEngine, key: tuple, page: bytes) -> None:
        with self._lock:
            pages = self._pages.setdefault(engine, OrderedDict())
            pages[key] = page
            if len(pages) > self._size:
                pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


MATCH_PAGES = MatchPages()

#: the response model of ``GET /needs/{id}/matches``, built once: each page's JSON body is
#: validated against it (strictly) when the page is built, and repeats are served as those
#: same checked bytes; a page that does not fit fails there (a 500, as FastAPI's own response
#: validation would give) instead of reaching a client
MATCHES_PAGE: TypeAdapter[MatchesPublic] = TypeAdapter(MatchesPublic)


def matches_for_need(session: Session, user: User, settings: Settings, need_id: uuid.UUID, *,
                     limit: int, include_excluded: bool, lang: str) -> MatchesPublic:
    return MATCHES_PAGE.validate_json(matches_json(
        session, user, settings, need_id, limit=limit, include_excluded=include_excluded,
        lang=lang))


def matches_json(session: Session, user: User, settings: Settings, need_id: uuid.UUID, *,
                 limit: int, include_excluded: bool, lang: str) -> bytes:
    """The ``MatchesPublic`` page for a need as its JSON body, validated against the response
    model when built (:data:`MATCHES_PAGE`) and kept in :data:`MATCH_PAGES` for repeats."""
    need, site = _readable_need_and_site(session, user, need_id)
    weights = current_weights(session)
    engine = ENGINES.get(session, weights, engine_config(settings))
    profile = need_profile(need, site)
    key = (profile, limit, include_excluded, lang)
    if (page := MATCH_PAGES.get(engine, key)) is not None:
        return page
    result = engine.rank(profile, k=limit, include_excluded=include_excluded)
    where: dict[str, Any] = {"need_approximate": site.coordinates_approximate,
             "approximate_sites": _approximate_sites(engine, (*result.items, *result.excluded))}
    items = [_item(c, lang, **where) for c in result.items]
    if include_excluded:
        items += [_item(c, lang, **where) for c in result.excluded]
    body = MATCHES_PAGE.dump_json(
        MatchesPublic(need_id=need.id, weights_version=weights.version, language=lang,
                      items=items, diagnosis=_diagnosis(result, lang)), by_alias=True)
    MATCHES_PAGE.validate_json(body, strict=True)
    MATCH_PAGES.put(engine, key, body)
    return body


OPPORTUNITY_REACH_KM = 200.0


def opportunities_for_provider(session: Session, user: User, settings: Settings,
                               provider_id: uuid.UUID, *, limit: int,
                               lang: str) -> OpportunitiesPublic:
    org = session.get(Organisation, provider_id)
    if org is None or org.kind != "provider" or not (
            is_staff(user) or user.organisation_id == org.id):
        raise NotFound(f"Provider {provider_id} not found")
    weights = current_weights(session)
    engine = ENGINES.get(session, weights, engine_config(settings))
    caps = load_capability_profiles(session, organisation_id=org.id)
    if not caps:
        return OpportunitiesPublic(provider_id=org.id, weights_version=weights.version,
                                   language=lang, items=[])
    groups = {c.activity.split(".", 1)[0] for c in caps}
    # prefilter open needs to the provider's activity groups and a bounding box around its sites
    lat_pad, lon_pad = OPPORTUNITY_REACH_KM / 111.0, OPPORTUNITY_REACH_KM / 70.0
    lats, lons = [c.lat for c in caps], [c.lon for c in caps]
    stmt = (select(Need, Site).join(Site, col(Site.id) == Need.site_id)
            .where(col(Need.status) == "open",
                   col(Site.lat).between(min(lats) - lat_pad, max(lats) + lat_pad),
                   col(Site.lon).between(min(lons) - lon_pad, max(lons) + lon_pad)))
    rows = [(n, s) for n, s in session.execute(stmt)
            if n.activity.split(".", 1)[0] in groups]
    titles = {str(n.id): n.title for n, _s in rows}
    profiles = [need_profile(n, s) for n, s in rows]
    ranked = engine.opportunities(caps, profiles, k=limit)
    need_approximate = {str(n.id): s.coordinates_approximate for n, s in rows}
    approximate_sites = frozenset(c.site_id for c in caps if c.coordinates_approximate)
    return OpportunitiesPublic(provider_id=org.id, weights_version=weights.version, language=lang,
                               items=[_item(c, lang, titles.get(c.need_id),
                                            need_approximate=need_approximate[c.need_id],
                                            approximate_sites=approximate_sites)
                                      for c in ranked])


def score_pair(session: Session, need: Need, capability: Capability,
               settings: Settings, lang: str = "nl") -> dict | None:
    """Score one (need, capability) pair exactly as the ranking would; None if unrelated.

    Used to snapshot a match into a lead, with reason texts in ``lang`` (the language of the
    request that sends it, DESIGN §5). Works for inactive capabilities too.
    """
    weights = current_weights(session)
    engine = ENGINES.get(session, weights, engine_config(settings))
    caps = load_capability_profiles(session, active_only=False, ids=[capability.id])
    if not caps:
        return None
    site = session.get_one(Site, need.site_id)
    cand = score_pair_reference(need_profile(need, site), caps[0], weights, engine.config_,
                                text_model=engine.text_model_)
    if cand is None:
        return None
    item = _item(cand, lang, need_approximate=site.coordinates_approximate,
                 approximate_sites=frozenset(
                     [cand.site_id] if caps[0].coordinates_approximate else []))
    return {"score": item.score, "components": item.components.model_dump(),
            "distance_km": item.distance_km,
            "reasons": [r.model_dump() for r in item.reasons],
            "excluded": [r.model_dump() for r in item.excluded] if item.excluded else None,
            "weights_version": weights.version}
