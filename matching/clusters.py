"""Granular, local cluster proposals (DESIGN §7).

"Hoe algemener clusters gedefinieerd ... hoe minder nuttig" (seeds 000:4025-4031): a cluster is
one activity family in one local area, never one big "e-commerce" cluster. The pipeline:

1. :func:`group_needs` groups the needs of each family by geography — density clustering
   (DBSCAN, haversine) with a radius from the family's local binding, then complete-linkage
   splits so no two needs in one group lie more than ``2 * radius`` apart;
2. :func:`matching.assignment.assign` assigns provider FTE to needs under capacity and
   supervision limits, maximising ``sum(score * fte)``;
3. :func:`propose_clusters` turns each group into a :class:`ClusterProposal` with a name, a
   centroid, its assignments and a potential rating (DESIGN §4.7, seeds 000:2570-2592).

Provider capacity is shared by all clusters. The assignment does not depend on how needs are
grouped (variables are need–site pairs, constraints are per need and per site), so one
programme over all selected needs — split only into independent connected components of the
need–site graph — gives the best total over every cluster at once. Solving cluster by cluster
and decrementing capacity would make the result depend on the processing order and lose value
whenever an early cluster takes a site a later one needed more.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import DBSCAN
from sklearn.metrics.pairwise import haversine_distances

from matching.assignment import (
    DEFAULT_SUPERVISION_RATIOS,
    Allocation,
    Assignment,
    assign,
)
from matching.potential import rate_potential

EARTH_RADIUS_KM = 6371.0088

DEFAULT_RADIUS_KM_BY_BINDING: Mapping[str, float] = {"high": 10.0, "medium": 20.0, "low": 40.0}
"""Clustering radius by local binding: strongly bound activities form tighter clusters."""

_BINDING_STRENGTH = {"high": 0, "medium": 1, "low": 2}
_LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}

# Complete linkage needs all pairwise distances of a group (quadratic memory), so a family with
# more needs than this is first cut into spatial chunks by median bisection.
_MAX_CHUNK = 3000

CLUSTER_NAMES: Mapping[str, Mapping[str, str]] = {
    "nl": {
        "kledij": "Kledijcluster",
        "elektronica": "Elektronicacluster",
        "retour": "Retourcluster",
        "display": "Displaycluster",
        "magazijn": "Magazijncluster",
        "lastmile": "Last-milecluster",
        "fulfilment": "Fulfilmentcluster",
        "digitaal": "Digitale cluster",
        "assemblage": "Assemblagecluster",
        "verpakking": "Verpakkingscluster",
        "maak": "Maakcluster",
        "groen": "Groencluster",
        "facilitair": "Facilitaire cluster",
        "zorg": "Zorgcluster",
    },
    "en": {
        "kledij": "Apparel cluster",
        "elektronica": "Electronics cluster",
        "retour": "Returns cluster",
        "display": "Display cluster",
        "magazijn": "Warehouse cluster",
        "lastmile": "Last-mile cluster",
        "fulfilment": "Fulfilment cluster",
        "digitaal": "Digital services cluster",
        "assemblage": "Assembly cluster",
        "verpakking": "Packaging cluster",
        "maak": "Manufacturing cluster",
        "groen": "Green maintenance cluster",
        "facilitair": "Facility services cluster",
        "zorg": "Care cluster",
    },
}
"""Default cluster labels by language and family (seeds 000:4033-4070 name several)."""


@dataclass(frozen=True, slots=True)
class ClusterNeed:
    """An open need as the cluster engine sees it."""

    id: str
    family: str
    activity: str
    lat: float
    lon: float
    fte: float
    accommodates_support: str  # low | medium | high: only workers at or below this level count
    placement_mode: str  # workshop | on_site | enclave | individual
    binding: str  # high | medium | low: the activity's local binding, sets the cluster radius
    municipality: str
    province: str
    market_demand: str  # low | medium | high (activity attribute, for the potential rating)
    investment: str  # low | medium | high SEC investment (activity attribute)
    # competence fit of target-group workers with the activity (taxonomy, DESIGN §4.7): the
    # opportunity's, never today's match scores
    competence_fit: str = "high"
    # binding as a potential criterion (an enclave at the client is bound there, 001:2322)
    potential_binding: str | None = None


@dataclass(frozen=True, slots=True)
class ClusterProvider:
    """One provider site with its free capacity."""

    id: str  # site id
    provider_id: str
    name: str
    lat: float
    lon: float
    free_fte: tuple[float, float, float]  # by support level: low, medium, high
    supervisors_free: float


@dataclass(frozen=True, slots=True)
class PairScore:
    """A candidate (need, site) pair scored by the matching engine."""

    need_id: str
    site_id: str
    score: float
    distance_km: float


@dataclass(frozen=True, slots=True)
class Potential:
    """Potential rating with its four criteria (DESIGN §4.7, seeds 000:2570-2592)."""

    rating: str
    market_demand: str
    investment: str
    competence_fit: str
    binding: str


@dataclass(frozen=True, slots=True)
class ClusterProposal:
    """A proposed cluster: one family, one local area, its needs and the sites that serve them.

    Attributes
    ----------
    key : str
        Stable identity: hash of the kind and the sorted need ids.
    kind : str
        Activity family.
    name : str
        ``"<family label> <municipality with most demanded FTE>"``,
        e.g. ``Kledijcluster Roeselare``.
    assignments : tuple of Allocation
        Need → site FTE by support level, with the pair's score and distance.
    unassigned_fte : dict
        Demand left uncovered, per need id (every member need).
    mean_score, mean_distance_km : float or None
        FTE-weighted over the assignments; ``None`` when nothing is assigned.
    """

    key: str
    kind: str
    name: str
    municipality: str
    province: str
    centroid_lat: float
    centroid_lon: float
    radius_km: float
    need_ids: tuple[str, ...]
    provider_site_ids: tuple[str, ...]
    provider_ids: tuple[str, ...]
    assignments: tuple[Allocation, ...]
    demand_fte: float
    covered_fte: float
    unassigned_fte: dict[str, float]
    mean_score: float | None
    mean_distance_km: float | None
    potential: Potential


def family_binding(bindings: Iterable[str]) -> str:
    """The binding of a family: the most common one among its needs, ties to the stronger.

    Ties go to the stronger binding (smaller radius) because clusters should be as granular as
    possible (seeds 000:4025-4031).

    Examples
    --------
    >>> family_binding(["medium", "high", "medium"])
    'medium'
    >>> family_binding(["low", "high"])
    'high'
    """
    counts = Counter(bindings)
    if not counts:
        raise ValueError("no bindings given")
    for binding in counts:
        if binding not in _BINDING_STRENGTH:
            raise ValueError(f"unknown binding {binding!r}")
    return min(counts, key=lambda b: (-counts[b], _BINDING_STRENGTH[b]))


def group_needs(
    needs: Sequence[ClusterNeed],
    radius_km_by_binding: Mapping[str, float] = DEFAULT_RADIUS_KM_BY_BINDING,
    *,
    min_needs: int = 1,
) -> list[list[int]]:
    """Group needs by family and geography.

    Per family, DBSCAN with the haversine metric and ``eps`` = the family's radius (see
    :func:`family_binding`) finds dense areas; an area wider than ``2 * radius`` is split by
    complete linkage cut at ``2 * radius``. No two needs in one group are therefore farther apart
    than twice the radius. Families with more than a few thousand needs are first cut into
    spatial chunks (median bisection) to bound memory.

    Parameters
    ----------
    needs : sequence of ClusterNeed
    radius_km_by_binding : mapping, default ``{"high": 10, "medium": 20, "low": 40}``
        Clustering radius in km by local binding.
    min_needs : int, default 1
        Drop groups with fewer needs (a single need is still a local proposal by default).

    Returns
    -------
    list of list of int
        Indices into ``needs``; each group sorted by need id, groups sorted by family and then
        their first need id. Independent of the input order.

    Examples
    --------
    >>> def need(id, lat, lon, family="kledij"):
    ...     return ClusterNeed(id, family, "returns.apparel", lat, lon, 1.0, "high", "workshop",
    ...                        "medium", "Roeselare", "west-vlaanderen", "high", "low")
    >>> needs = [need("a", 50.95, 3.12), need("b", 50.96, 3.13), need("c", 51.22, 4.40),
    ...          need("d", 50.95, 3.12, family="zorg")]
    >>> group_needs(needs)
    [[0, 1], [2], [3]]
    """
    if min_needs < 1:
        raise ValueError("min_needs must be >= 1")
    order = sorted(range(len(needs)), key=lambda i: needs[i].id)
    if len({needs[i].id for i in order}) != len(order):
        raise ValueError("duplicate need id")
    by_family: dict[str, list[int]] = defaultdict(list)
    for i in order:
        by_family[needs[i].family].append(i)

    groups: list[list[int]] = []
    for family in sorted(by_family):
        members = by_family[family]
        binding = family_binding(needs[i].binding for i in members)
        radius_km = float(radius_km_by_binding[binding])
        if radius_km <= 0:
            raise ValueError(f"radius for binding {binding!r} must be > 0")
        coords = np.radians([[needs[i].lat, needs[i].lon] for i in members])
        local_groups: list[np.ndarray] = []
        for chunk in _spatial_chunks(coords, _MAX_CHUNK):
            for area in _dense_areas(coords[chunk], radius_km):
                for part in _split_wide(coords[chunk[area]], 2.0 * radius_km):
                    local_groups.append(np.sort(chunk[area[part]]))
        groups.extend([members[j] for j in g] for g in local_groups if g.size >= min_needs)
    groups.sort(key=lambda g: (needs[g[0]].family, needs[g[0]].id))
    return groups


def _spatial_chunks(coords: np.ndarray, max_size: int) -> list[np.ndarray]:
    """Cut points into chunks of at most ``max_size`` by median bisection on the wider axis."""
    pending = [np.arange(len(coords))]
    chunks: list[np.ndarray] = []
    while pending:
        idx = pending.pop()
        if idx.size <= max_size:
            chunks.append(idx)
            continue
        lat, lon = coords[idx, 0], coords[idx, 1]
        east_west = (lon.max() - lon.min()) * math.cos(float(lat.mean()))
        axis = lon if east_west > lat.max() - lat.min() else lat
        ranked = idx[np.lexsort((idx, axis))]  # ties by position: deterministic
        half = ranked.size // 2
        pending.extend([np.sort(ranked[half:]), np.sort(ranked[:half])])
    return sorted(chunks, key=lambda c: int(c[0]))


def _dense_areas(coords: np.ndarray, radius_km: float) -> list[np.ndarray]:
    """Connected dense areas: DBSCAN with min_samples=1 (every need belongs to an area)."""
    if len(coords) == 1:
        return [np.zeros(1, dtype=np.int64)]
    labels = (
        DBSCAN(
            eps=radius_km / EARTH_RADIUS_KM,
            min_samples=1,
            metric="haversine",
            algorithm="ball_tree",
        )
        .fit(coords)
        .labels_
    )
    return [np.flatnonzero(labels == label) for label in np.unique(labels)]


def _split_wide(coords: np.ndarray, max_diameter_km: float) -> list[np.ndarray]:
    """Split points so no two in one part are farther apart than ``max_diameter_km``."""
    if len(coords) == 1:
        return [np.zeros(1, dtype=np.int64)]
    distances = haversine_distances(coords) * EARTH_RADIUS_KM
    if distances.max() <= max_diameter_km:
        return [np.arange(len(coords))]
    # Complete linkage merges two groups at their largest pairwise distance, so a cut at
    # max_diameter_km leaves every part within that diameter.
    tree = linkage(squareform(distances, checks=False), method="complete")
    labels = fcluster(tree, t=max_diameter_km, criterion="distance")
    parts = [np.flatnonzero(labels == label) for label in np.unique(labels)]
    return sorted(parts, key=lambda p: int(p[0]))


def _weighted_mode(values: Iterable[tuple[str, float]], *, tie_to_higher: bool) -> str:
    """Most common value weighted by FTE (ties resolved conservatively by the caller's rule)."""
    weights: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    for value, weight in values:
        weights[value] += weight
        counts[value] += 1
    sign = 1 if tie_to_higher else -1
    return max(
        weights, key=lambda v: (round(weights[v], 9), counts[v], sign * _LEVEL_RANK.get(v, 0), v)
    )


def _most_demanded(values: Iterable[tuple[str, float]]) -> str:
    """Value with most demanded FTE; ties to the alphabetically first."""
    weights: dict[str, float] = defaultdict(float)
    for value, weight in values:
        weights[value] += weight
    return min(weights, key=lambda v: (-round(weights[v], 9), v))


def cluster_key(kind: str, need_ids: Iterable[str]) -> str:
    """Stable key of a cluster: a hash of its kind and sorted need ids.

    Examples
    --------
    >>> cluster_key("kledij", ["b", "a"]) == cluster_key("kledij", ["a", "b"])
    True
    """
    text = "\n".join([kind, *sorted(need_ids)])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def cluster_label(family: str, lang: str = "nl", names: Mapping[str, str] | None = None) -> str:
    """Label of a family's clusters, e.g. ``Kledijcluster``.

    Examples
    --------
    >>> cluster_label("kledij"), cluster_label("kledij", "en"), cluster_label("bouw")
    ('Kledijcluster', 'Apparel cluster', 'Bouwcluster')
    """
    if names is not None and family in names:
        return names[family]
    label = CLUSTER_NAMES.get(lang, {}).get(family)
    if label is not None:
        return label
    return f"{family.capitalize()} cluster" if lang == "en" else f"{family.capitalize()}cluster"


def propose_clusters(
    needs: Sequence[ClusterNeed],
    providers: Sequence[ClusterProvider],
    pairs: Iterable[PairScore],
    *,
    families: Iterable[str] | None = None,
    radius_km_by_binding: Mapping[str, float] = DEFAULT_RADIUS_KM_BY_BINDING,
    ratios: Mapping[str, float] = DEFAULT_SUPERVISION_RATIOS,
    min_needs: int = 1,
    name_lang: str = "nl",
    cluster_names: Mapping[str, str] | None = None,
    assignment: Assignment | None = None,
) -> list[ClusterProposal]:
    """Propose granular local clusters with provider FTE assigned to their needs.

    Parameters
    ----------
    needs : sequence of ClusterNeed
        Open needs.
    providers : sequence of ClusterProvider
        Provider sites with free capacity.
    pairs : iterable of PairScore
        Candidate pairs scored by the matching engine; the caller has already applied reach,
        activity and hard constraints. Only these pairs can be assigned.
    families : iterable of str, optional
        Only propose clusters of these families.
    radius_km_by_binding : mapping
        Clustering radius by local binding (see :func:`group_needs`).
    ratios : mapping
        Workers per supervisor by support level.
    min_needs : int, default 1
        Smallest group proposed as a cluster.
    name_lang : {"nl", "en"}
        Language of the default cluster labels.
    cluster_names : mapping, optional
        Label per family (e.g. from the taxonomy), overriding the defaults.
    assignment : Assignment, optional
        A precomputed assignment of these needs (e.g. from :func:`assign`); computed when absent.

    Returns
    -------
    list of ClusterProposal
        Sorted by kind, then descending demand, then key. Provider capacity is shared by all
        proposals: one assignment over every selected need never exceeds a site's free FTE per
        support level or its free supervisors.

    Examples
    --------
    >>> n = ClusterNeed("n1", "kledij", "returns.apparel", 50.95, 3.12, 2.0, "high", "workshop",
    ...                 "medium", "Roeselare", "west-vlaanderen", "high", "low")
    >>> s = ClusterProvider("s1", "p1", "AMAB", 50.92, 3.21, (1.0, 1.0, 1.0), 0.0)
    >>> [c] = propose_clusters([n], [s], [PairScore("n1", "s1", 0.8, 7.1)])
    >>> c.name, c.covered_fte, c.potential.rating
    ('Kledijcluster Roeselare', 2.0, 'medium')
    """
    wanted = None if families is None else set(families)
    selected = [n for n in needs if wanted is None or n.family in wanted]
    groups = group_needs(selected, radius_km_by_binding, min_needs=min_needs)
    if assignment is None:
        # Only needs that end up in a proposal compete for capacity.
        grouped = [selected[i] for group in groups for i in group]
        assignment = assign(grouped, providers, pairs, ratios=ratios)
    by_need: dict[str, list[Allocation]] = defaultdict(list)
    for allocation in assignment.allocations:
        by_need[allocation.need_id].append(allocation)
    provider_of_site = {p.id: p.provider_id for p in providers}

    proposals = []
    for group in groups:
        members = [selected[i] for i in group]
        binding = family_binding(n.binding for n in members)
        proposals.append(
            _proposal(
                members,
                [a for n in members for a in by_need.get(n.id, ())],
                provider_of_site,
                binding=binding,
                radius_km=float(radius_km_by_binding[binding]),
                label=cluster_label(members[0].family, name_lang, cluster_names),
            )
        )
    proposals.sort(key=lambda c: (c.kind, -c.demand_fte, c.key))
    return proposals


def _proposal(
    members: list[ClusterNeed],
    allocations: list[Allocation],
    provider_of_site: Mapping[str, str],
    *,
    binding: str,
    radius_km: float,
    label: str,
) -> ClusterProposal:
    kind = members[0].family
    demand = sum(n.fte for n in members)
    weights = np.array([n.fte for n in members], dtype=float)
    if weights.sum() <= 0:
        weights = np.ones(len(members))
    centroid_lat = float(np.average([n.lat for n in members], weights=weights))
    centroid_lon = float(np.average([n.lon for n in members], weights=weights))
    municipality = _most_demanded((n.municipality, n.fte) for n in members)
    province = _most_demanded((n.province, n.fte) for n in members)

    covered_by_need: dict[str, float] = defaultdict(float)
    for a in allocations:
        covered_by_need[a.need_id] += a.fte
    covered = sum(covered_by_need.values())
    if covered > 0:
        mean_score: float | None = sum(a.score * a.fte for a in allocations) / covered
        mean_distance: float | None = sum(a.distance_km * a.fte for a in allocations) / covered
    else:
        mean_score = mean_distance = None

    # Majorities by demanded FTE; on a tie the less favourable value wins (a proposal should not
    # look better than its needs).
    market_demand = _weighted_mode(((n.market_demand, n.fte) for n in members), tie_to_higher=False)
    investment = _weighted_mode(((n.investment, n.fte) for n in members), tie_to_higher=True)
    # potential rates the opportunity from the activities' criteria; covered FTE and mean
    # score are reported beside it and never lower it (DESIGN §4.7)
    fit = _weighted_mode(((n.competence_fit, n.fte) for n in members), tie_to_higher=False)
    criteria_binding = _weighted_mode(
        ((n.potential_binding or n.binding, n.fte) for n in members), tie_to_higher=False
    )
    site_ids = sorted({a.site_id for a in allocations})
    return ClusterProposal(
        key=cluster_key(kind, (n.id for n in members)),
        kind=kind,
        name=f"{label} {municipality}",
        municipality=municipality,
        province=province,
        centroid_lat=round(centroid_lat, 6),
        centroid_lon=round(centroid_lon, 6),
        radius_km=radius_km,
        need_ids=tuple(n.id for n in members),
        provider_site_ids=tuple(site_ids),
        provider_ids=tuple(sorted({provider_of_site[s] for s in site_ids})),
        assignments=tuple(
            sorted(allocations, key=lambda a: (a.need_id, a.site_id, _LEVEL_RANK[a.level]))
        ),
        demand_fte=round(demand, 6),
        covered_fte=round(covered, 6),
        unassigned_fte={
            n.id: round(max(n.fte - covered_by_need.get(n.id, 0.0), 0.0), 6) for n in members
        },
        mean_score=None if mean_score is None else round(mean_score, 6),
        mean_distance_km=None if mean_distance is None else round(mean_distance, 3),
        potential=Potential(
            rating=rate_potential(market_demand, investment, fit, criteria_binding),
            market_demand=market_demand,
            investment=investment,
            competence_fit=fit,
            binding=criteria_binding,
        ),
    )
