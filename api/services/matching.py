"""The adapter between database rows and the pure matching engine.

The fitted engine is cached per process and database. Before every use a cheap fingerprint of
the data it was fitted on (row counts and last-update times of capabilities, workforce, sites
and organisations) is read in the request's own transaction; when it differs the engine is
refitted. So a request made after a write sees it, whichever worker serves it.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections import OrderedDict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session

from api import metrics
from api.config import Settings
from api.deps import is_staff
from api.errors import NotFound
from api.services import distance
from api.services.access import can_read
from api.services.weights import current_weights as active_weights
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
from models.revision import CATALOGUE_TABLES, data_stamp
from models.site import Site, Workforce

MAX_CACHE_SECONDS = 3600  # workforce ages move with the clock even without writes


# ---- rows → profiles ------------------------------------------------------------------------

def _age_days(as_of: datetime | None, now: datetime) -> float | None:
    if as_of is None:
        return None
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    return max(0.0, (now - as_of).total_seconds() / 86400.0)


_CAP_COLUMNS = (Capability.id, Capability.organisation_id, Organisation.name, Capability.site_id,
                Site.municipality, Capability.activity, Capability.competences,
                Capability.description, Capability.placement_modes, Capability.service_radius_km,
                Capability.certifications, Capability.shifts, Site.lat, Site.lon,
                Workforce.free_fte_low, Workforce.free_fte_medium, Workforce.free_fte_high,
                Workforce.supervisors_available, Workforce.figures_as_of)


def _capability_query():  # noqa: ANN202
    return (select(*_CAP_COLUMNS)
            .join(Site, Site.id == Capability.site_id)
            .join(Organisation, Organisation.id == Capability.organisation_id)
            .outerjoin(Workforce, Workforce.site_id == Capability.site_id))


def _capability_profile(row, now: datetime) -> CapabilityProfile:  # noqa: ANN001
    (cid, org_id, org_name, site_id, municipality, activity, competences, description, modes,
     radius, certs, shifts, lat, lon, low, medium, high, supervisors, as_of) = row
    return CapabilityProfile(
        id=str(cid), provider_id=str(org_id), provider_name=org_name, site_id=str(site_id),
        municipality=municipality, activity=activity, competences=tuple(competences or ()),
        text=description or "", placement_modes=tuple(modes or ()), service_radius_km=radius,
        certifications=tuple(certs or ()), shifts=tuple(shifts or ()), lat=lat, lon=lon,
        free_fte=(low or 0.0, medium or 0.0, high or 0.0), supervisors_free=supervisors or 0.0,
        workforce_age_days=_age_days(as_of, now))


def load_capability_profiles(session: Session, *, active_only: bool = True,
                             ids: list[uuid.UUID] | None = None,
                             organisation_id: uuid.UUID | None = None) -> list[CapabilityProfile]:
    stmt = _capability_query()
    if active_only:
        stmt = stmt.where(Capability.active.is_(True))
    if ids is not None:
        stmt = stmt.where(Capability.id.in_(ids))
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
        time_pressure=need.time_pressure, peak_season=need.peak_season,
        shifts=tuple(need.shifts), certifications=tuple(need.certifications_required),
        max_distance_km=need.max_distance_km, lat=site.lat, lon=site.lon,
        binding=activity.binding if activity else "medium",
        public_transport=site.public_transport_access)


# ---- the cached engine ----------------------------------------------------------------------

def _fingerprint(session: Session) -> tuple:
    """Changes whenever a write to the tables the engine is fitted on commits (any worker)."""
    return data_stamp(session, CATALOGUE_TABLES)


class EngineCache:
    """One fitted engine per (database, weights, config); refitted when the data changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[tuple, float, MatchingEngine]] = {}

    def get(self, session: Session, weights: Weights, config: EngineConfig) -> MatchingEngine:
        key = (str(session.get_bind().engine.url), weights, config)
        stamp = _fingerprint(session)
        entry = self._entries.get(key)
        if entry and entry[0] == stamp and time.monotonic() - entry[1] < MAX_CACHE_SECONDS:
            return entry[2]
        with self._lock:  # one refit at a time per process; others wait and reuse it
            entry = self._entries.get(key)
            if entry and entry[0] == stamp and time.monotonic() - entry[1] < MAX_CACHE_SECONDS:
                return entry[2]
            engine = MatchingEngine(weights=weights, config=config).fit(
                load_capability_profiles(session))
            metrics.ENGINE_FITS.labels("cold" if entry is None else "data_changed"
                                       if entry[0] != stamp else "expired").inc()
            self._entries[key] = (stamp, time.monotonic(), engine)
            return engine

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ENGINES = EngineCache()


def engine_config(settings: Settings) -> EngineConfig:
    return EngineConfig(stale_after_days=float(settings.stale_workforce_days))


def current_weights(session: Session) -> Weights:
    """The active weight set (DESIGN §5 defaults, version "default", until staff activate one).

    The engine cache is keyed by these weights, so an activation applies on the next request.
    """
    return active_weights(session)


# ---- presenting results ---------------------------------------------------------------------

def _reasons(reasons: tuple[Reason, ...] | None, lang: str) -> list[ReasonPublic] | None:
    if reasons is None:
        return None
    return [ReasonPublic(code=r.code, text=render(r, lang),
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
    row = session.execute(select(Need, Site).join(Site, Site.id == Need.site_id)
                          .where(Need.id == need_id)).first()
    if row is None or not can_read(user, row[0].organisation_id):
        raise NotFound(f"Need {need_id} not found")
    return row[0], row[1]


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


def matches_for_need(session: Session, user: User, settings: Settings, need_id: uuid.UUID, *,
                     limit: int, include_excluded: bool, lang: str) -> MatchesPublic:
    return MatchesPublic.model_validate_json(matches_json(
        session, user, settings, need_id, limit=limit, include_excluded=include_excluded,
        lang=lang))


def matches_json(session: Session, user: User, settings: Settings, need_id: uuid.UUID, *,
                 limit: int, include_excluded: bool, lang: str) -> bytes:
    """The ``MatchesPublic`` page for a need as its JSON body (kept in ``MATCH_PAGES``)."""
    need, site = _readable_need_and_site(session, user, need_id)
    weights = current_weights(session)
    engine = ENGINES.get(session, weights, engine_config(settings))
    profile = need_profile(need, site)
    key = (profile, limit, include_excluded, lang)
    if (page := MATCH_PAGES.get(engine, key)) is not None:
        return page
    result = engine.rank(profile, k=limit, include_excluded=include_excluded)
    where = {"need_approximate": site.coordinates_approximate,
             "approximate_sites": distance.approximate_site_ids(session)}
    items = [_item(c, lang, **where) for c in result.items]
    if include_excluded:
        items += [_item(c, lang, **where) for c in result.excluded]
    body = MatchesPublic(need_id=need.id, weights_version=weights.version, language=lang,
                         items=items, diagnosis=_diagnosis(result, lang)
                         ).model_dump_json(by_alias=True).encode()
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
    stmt = (select(Need, Site).join(Site, Site.id == Need.site_id)
            .where(Need.status == "open",
                   Site.lat.between(min(lats) - lat_pad, max(lats) + lat_pad),
                   Site.lon.between(min(lons) - lon_pad, max(lons) + lon_pad)))
    rows = [(n, s) for n, s in session.execute(stmt)
            if n.activity.split(".", 1)[0] in groups]
    titles = {str(n.id): n.title for n, _s in rows}
    profiles = [need_profile(n, s) for n, s in rows]
    ranked = engine.opportunities(caps, profiles, k=limit)
    need_approximate = {str(n.id): s.coordinates_approximate for n, s in rows}
    approximate_sites = distance.approximate_site_ids(session)
    return OpportunitiesPublic(provider_id=org.id, weights_version=weights.version, language=lang,
                               items=[_item(c, lang, titles.get(c.need_id),
                                            need_approximate=need_approximate[c.need_id],
                                            approximate_sites=approximate_sites)
                                      for c in ranked])


def score_pair(session: Session, need: Need, capability: Capability,
               settings: Settings) -> dict | None:
    """Score one (need, capability) pair exactly as the ranking would; None if unrelated.

    Used to snapshot a match into a lead. Works for inactive capabilities too.
    """
    weights = current_weights(session)
    engine = ENGINES.get(session, weights, engine_config(settings))
    caps = load_capability_profiles(session, active_only=False, ids=[capability.id])
    if not caps:
        return None
    site = session.get(Site, need.site_id)
    cand = score_pair_reference(need_profile(need, site), caps[0], weights, engine.config_,
                                text_model=engine.text_model_)
    if cand is None:
        return None
    item = _item(cand, "en", need_approximate=site.coordinates_approximate,
                 approximate_sites=distance.approximate_site_ids(session))
    return {"score": item.score, "components": item.components.model_dump(),
            "distance_km": item.distance_km,
            "reasons": [r.model_dump() for r in item.reasons],
            "excluded": [r.model_dump() for r in item.excluded] if item.excluded else None,
            "weights_version": weights.version}
