"""The public directory of maatwerkbedrijven (DESIGN §13): search and profile, no login.

A search filters, groups and orders in the database: one grouped query finds the page of
providers (nearest matching site first, then name) and the total, a second reads the matching
capabilities of that page only, with their sites' workforce for the capacity band.

Distances. The database orders by an equirectangular distance (plain arithmetic, so the same
SQL runs on SQLite and PostgreSQL without math functions), with the cosine of the mean
latitude expanded to first order around the postcode's latitude: across Flanders (under 3
degrees of latitude) it differs from the great-circle distance by well under 0.1 %. The page
then reports the great-circle distance of ``matching.scoring.haversine_km``, the function
matching uses.

Capacity band. Free FTE of all support levels, summed over the distinct sites with a
matching capability: ``available`` from :data:`AVAILABLE_FROM_FTE`, ``limited`` from
:data:`LIMITED_FROM_FTE`, ``full`` below that or without figures. Figures older than the
staleness limit (``STALE_WORKFORCE_DAYS``, the one matching flags) are not trusted to say
``available`` and show as ``limited`` at best. Exact figures never leave this module.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.errors import NotFound
from matching.scoring import haversine_km
from models import taxonomy
from models.base import as_utc, utcnow
from models.capability import Capability
from models.directory import (
    ActivityLabel,
    CapacityBand,
    DirectoryActivity,
    DirectoryProvider,
    DirectoryProviderProfile,
)
from models.gazetteer import Place
from models.organisation import Organisation
from models.site import Site, Workforce

#: from this much free FTE (all support levels, matching sites together) a provider shows as
#: `available`: a small team, the typical first order of a need (DESIGN §12's needs are 1-8 FTE)
AVAILABLE_FROM_FTE = 3.0
#: from half a worker up to AVAILABLE_FROM_FTE: `limited`; below: `full`
LIMITED_FROM_FTE = 0.5

_KM_PER_DEGREE = math.pi * 6371.0088 / 180.0  # mean Earth radius, as matching.scoring


@dataclass(frozen=True)
class DirectoryQuery:
    """Validated search filters (the route validates; the service trusts them)."""

    activities: frozenset[str] | None = None  # from `activity` and/or `family`
    place: Place | None = None
    radius_km: float | None = None
    placement_mode: str | None = None
    text: str | None = None


def capacity_band(free_fte: float | None, *, stale: bool) -> CapacityBand:
    """The band for ``free_fte`` free FTE (None: no figures at all)."""
    if free_fte is None or free_fte < LIMITED_FROM_FTE:
        return CapacityBand.full
    if free_fte < AVAILABLE_FROM_FTE or stale:
        return CapacityBand.limited
    return CapacityBand.available


def _activity(code: str) -> DirectoryActivity:
    act = taxonomy.known_activity(code)
    return DirectoryActivity(code=code, family=act.family,
                             label=ActivityLabel(nl=act.label["nl"], en=act.label["en"]))


def activities_of_family(family: str) -> frozenset[str]:
    return frozenset(taxonomy.families()[family].activities)


def _labelled(text: str) -> frozenset[str]:
    """Activity codes whose nl or en label contains ``text`` (a search for 'kledij')."""
    return frozenset(code for code, act in taxonomy.activities().items()
                     if text in act.label["nl"].lower() or text in act.label["en"].lower())


def _conditions(query: DirectoryQuery) -> list:
    """Filters on capability ⋈ site (⋈ organisation only when ``query.text`` is given)."""
    conds: list[sa.ColumnElement[bool]] = [col(Capability.active).is_(True)]
    if query.activities is not None:
        conds.append(col(Capability.activity).in_(sorted(query.activities)))
    if query.placement_mode is not None:
        # placement_modes is a JSON list of closed-vocabulary codes: the quoted code occurs in
        # its text exactly when the list holds it (portable: no JSON operators needed)
        conds.append(sa.cast(Capability.placement_modes, sa.String)
                     .contains(f'"{query.placement_mode}"', autoescape=True))
    if query.text:
        text = query.text.lower()
        matches = [func.lower(Organisation.name).contains(text, autoescape=True),
                   func.lower(Organisation.description).contains(text, autoescape=True),
                   func.lower(Capability.description).contains(text, autoescape=True)]
        if labelled := _labelled(text):
            matches.append(col(Capability.activity).in_(sorted(labelled)))
        conds.append(sa.or_(*matches))
    distance2 = _distance2(query.place)
    if distance2 is not None and query.radius_km is not None:
        conds.append(distance2 <= query.radius_km ** 2)
    return conds


def _distance2(place: Place | None):  # noqa: ANN202 - a SQL expression or None
    """Squared distance in km² from ``place`` to a site, in plain arithmetic (see above)."""
    if place is None:
        return None
    phi0 = math.radians(place.lat)
    cos0, sin0 = math.cos(phi0), math.sin(phi0)
    dy = (Site.lat - place.lat) * _KM_PER_DEGREE
    # cos((φ + φ0) / 2) ≈ cos φ0 − sin φ0 · (φ − φ0) / 2
    cos_mean = cos0 - sin0 * (Site.lat - place.lat) * (math.pi / 360.0)
    dx = (Site.lon - place.lon) * _KM_PER_DEGREE * cos_mean
    return dy * dy + dx * dx


def _joined(*columns, with_organisation: bool = True):  # noqa: ANN001, ANN202
    stmt = (select(*columns).select_from(Capability)
            .join(Site, Site.id == Capability.site_id))
    if with_organisation:
        stmt = stmt.join(Organisation, Organisation.id == Capability.organisation_id)
    return stmt


def page_statement(query: DirectoryQuery, *, limit: int, offset: int):  # noqa: ANN201
    """The one query behind a search page: provider id, name, total and nearest distance².

    Capabilities are grouped by provider first and the organisation joined to the groups
    (one row per provider, not one per capability), unless the text filter reads it.
    """
    distance2 = _distance2(query.place)
    provider_id: sa.Label[uuid.UUID] = col(Capability.organisation_id).label("provider_id")
    inner: list[sa.ColumnElement[Any]] = [provider_id]
    if distance2 is not None:
        inner.append(func.min(distance2).label("nearest"))
    grouped = (_joined(*inner, with_organisation=bool(query.text))
               .where(*_conditions(query)).group_by(Capability.organisation_id).subquery())
    order = [Organisation.name, grouped.c.provider_id]
    columns = [grouped.c.provider_id, Organisation.name, func.count().over().label("total")]
    if distance2 is not None:
        columns.append(grouped.c.nearest)
        order.insert(0, grouped.c.nearest)
    return (select(*columns).select_from(grouped)
            .join(Organisation, Organisation.id == grouped.c.provider_id)
            .where(Organisation.kind == "provider")
            .order_by(*order).limit(limit).offset(offset))


def search(session: Session, query: DirectoryQuery, *, limit: int, offset: int,
           stale_days: int) -> tuple[list[DirectoryProvider], int]:
    """One page of providers with a matching active capability, and how many there are."""
    conds = _conditions(query)
    rows = session.exec(page_statement(query, limit=limit, offset=offset)).all()
    if rows:
        total = int(rows[0].total)
    else:  # past the last page: the window count had no row to ride on
        total = int(session.exec(_joined(func.count(sa.distinct(col(Capability.organisation_id))))
                                 .where(*conds, Organisation.kind == "provider")).one())
    ids = [row[0] for row in rows]
    names = {row[0]: row[1] for row in rows}
    offers = _offers(session, conds, ids)
    return [_listed(pid, names[pid], offers[pid], _band(offers[pid], stale_days), query.place)
            for pid in ids], total


@dataclass(frozen=True)
class _Offer:
    """One matching capability with its site's public facts and (private) free FTE."""

    site_id: uuid.UUID
    activity: str
    placement_modes: Sequence[str]
    certifications: Sequence[str]
    municipality: str
    lat: float
    lon: float
    approximate: bool
    free_fte: float | None  # None: the site has no workforce figures
    figures_as_of: datetime | None


def _offers(session: Session, conds: list, ids: Iterable[uuid.UUID]) -> dict:
    """The matching capabilities of providers ``ids``, with their sites' workforce (one query)."""
    ids = list(ids)
    offers: dict[uuid.UUID, list[_Offer]] = {pid: [] for pid in ids}
    if not ids:
        return offers
    free = Workforce.free_fte_low + Workforce.free_fte_medium + Workforce.free_fte_high
    rows = session.exec(_joined(Capability.organisation_id, Capability.site_id,
                                Capability.activity, Capability.placement_modes,
                                Capability.certifications, Site.municipality, Site.lat,
                                Site.lon, Site.coordinates_approximate, free,
                                Workforce.figures_as_of)
                        .outerjoin(Workforce, Workforce.site_id == Site.id)
                        .where(*conds, Organisation.kind == "provider",
                               col(Capability.organisation_id).in_(ids))).all()
    for pid, site_id, activity, modes, certifications, municipality, lat, lon, approximate, \
            free_fte, as_of in rows:
        offers[pid].append(_Offer(site_id, activity, modes, certifications, municipality, lat,
                                  lon, approximate, free_fte, as_utc(as_of)))
    return offers


def _band(offered: Sequence[_Offer], stale_days: int) -> CapacityBand:
    """Capacity band over the distinct sites of ``offered``."""
    # free FTE and figures date come together from the site's workforce row (or neither does)
    sites = {o.site_id: (o.free_fte, o.figures_as_of) for o in offered
             if o.free_fte is not None and o.figures_as_of is not None}
    if not sites:
        return capacity_band(None, stale=False)
    stale_before = utcnow() - timedelta(days=stale_days)
    return capacity_band(sum(fte for fte, _ in sites.values()),
                         stale=any(as_of < stale_before for _, as_of in sites.values()))


def _summary(offered: Sequence[_Offer]) -> tuple[list[DirectoryActivity], list[str], list[str]]:
    return ([_activity(code) for code in sorted({o.activity for o in offered})],
            sorted({m for o in offered for m in o.placement_modes}),
            sorted({c for o in offered for c in o.certifications}))


def _listed(pid: uuid.UUID, name: str, offered: list[_Offer], band: CapacityBand,
            place: Place | None) -> DirectoryProvider:
    activities, modes, certifications = _summary(offered)
    distance = approximate = None
    if place is None:
        municipality = min(o.municipality for o in offered)
    else:
        distance, nearest = min(
            ((haversine_km(place.lat, place.lon, o.lat, o.lon), o) for o in offered),
            key=lambda pair: (pair[0], pair[1].municipality))
        municipality = nearest.municipality
        # two places on one gazetteer point are not 0.0 km apart as if that were measured
        approximate = (place.approximate or nearest.approximate
                       or (place.lat, place.lon) == (nearest.lat, nearest.lon))
        distance = round(distance, 1)
    return DirectoryProvider(id=pid, name=name, municipality=municipality,
                             activities=activities, placement_modes=modes,
                             certifications=certifications, capacity_band=band,
                             distance_km=distance, distance_approximate=approximate)


def profile(session: Session, provider_id: uuid.UUID, *,
            stale_days: int) -> DirectoryProviderProfile:
    """A provider's public profile; 404 unless it is a provider with an active capability."""
    org = session.get(Organisation, provider_id)
    conds: list[sa.ColumnElement[bool]] = [col(Capability.active).is_(True)]
    offered = _offers(session, conds, [provider_id])[provider_id] if org else []
    if org is None or org.kind != "provider" or not offered:
        # erased and withdrawn providers have no active capability: they are not listed
        raise NotFound(f"Provider {provider_id} not found in the directory")
    municipalities = session.exec(select(Site.municipality).distinct()
                                  .where(Site.organisation_id == org.id)
                                  .order_by(Site.municipality)).all()
    band = _band(offered, stale_days)
    activities, modes, certifications = _summary(offered)
    return DirectoryProviderProfile(id=org.id, name=org.name, description=org.description,
                                    website=org.website, municipalities=list(municipalities),
                                    activities=activities, placement_modes=modes,
                                    certifications=certifications, capacity_band=band)
