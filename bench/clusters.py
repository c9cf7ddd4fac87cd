"""Benchmark the cluster engine on a synthetic Flemish world; prints one JSON object.

    python bench/clusters.py [--needs 20000] [--sites 2000] [--k 20] [--seed 7]
                             [--scorer module:function]

Needs and provider sites are scattered around Flemish municipalities (the gazetteer when
``models.gazetteer`` is importable, else a built-in list of towns). Candidate pairs come from a
stand-in scorer: sites offering the need's activity within three times the clustering radius of
its binding (``BallTree``, haversine), scored by a deterministic function of distance and a hashed
"competence" term, the best ``k`` per need kept. ``--scorer module:function`` plugs in another
scorer: ``function(needs, providers, k) -> iterable of PairScore``.

Timed: ``group_needs``, ``assign`` over all grouped needs, and the rest of ``propose_clusters``
(given that assignment); peak RSS from ``resource``. Targets: total <= 30 s, peak RSS <= 2 GB.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.neighbors import BallTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.assignment import assign, check_capacity  # noqa: E402
from matching.clusters import (  # noqa: E402
    DEFAULT_RADIUS_KM_BY_BINDING,
    EARTH_RADIUS_KM,
    ClusterNeed,
    ClusterProvider,
    PairScore,
    group_needs,
    propose_clusters,
)

# code, family, binding, placement modes, market demand (seed potential), SEC investment
ACTIVITIES: tuple[tuple[str, str, str, tuple[str, ...], str, str], ...] = (
    ("returns.apparel", "kledij", "medium", ("workshop", "on_site"), "high", "low"),
    ("returns.electronics", "elektronica", "medium", ("workshop",), "high", "low"),
    ("returns.general", "retour", "medium", ("workshop", "on_site"), "high", "low"),
    ("displays.build", "display", "high", ("workshop",), "medium", "medium"),
    ("warehouse.handling", "magazijn", "high", ("on_site", "enclave"), "medium", "low"),
    ("warehouse.orderpick", "magazijn", "high", ("enclave",), "medium", "low"),
    ("lastmile.delivery", "lastmile", "high", ("on_site", "individual"), "medium", "high"),
    ("fulfilment.webshop", "fulfilment", "low", ("workshop",), "medium", "low"),
    ("digital.services", "digitaal", "low", ("workshop", "individual"), "medium", "low"),
    ("assembly.manual", "assemblage", "medium", ("workshop", "enclave"), "medium", "low"),
    ("packaging.primary", "verpakking", "medium", ("workshop", "enclave"), "medium", "medium"),
    ("packaging.copacking", "verpakking", "medium", ("workshop",), "medium", "low"),
    ("production.metal", "maak", "low", ("workshop",), "medium", "high"),
    ("production.wood", "maak", "low", ("workshop",), "medium", "high"),
    ("production.textile", "maak", "low", ("workshop",), "medium", "medium"),
    ("production.print", "maak", "low", ("workshop",), "medium", "high"),
    ("green.maintenance", "groen", "high", ("on_site",), "medium", "medium"),
    ("facility.cleaning", "facilitair", "high", ("on_site", "enclave"), "medium", "low"),
    ("care.support", "zorg", "high", ("enclave",), "high", "low"),
    ("care.social", "zorg", "high", ("on_site",), "high", "low"),
)
DECAY_KM = {"high": 15.0, "medium": 30.0, "low": 75.0}  # DESIGN §4.3

# Fallback when the gazetteer is not available: (name, province slug, lat, lon).
TOWNS: tuple[tuple[str, str, float, float], ...] = (
    ("Roeselare", "west-vlaanderen", 50.946, 3.123),
    ("Tielt", "west-vlaanderen", 50.999, 3.327),
    ("Izegem", "west-vlaanderen", 50.914, 3.214),
    ("Kortrijk", "west-vlaanderen", 50.828, 3.265),
    ("Brugge", "west-vlaanderen", 51.209, 3.225),
    ("Oostende", "west-vlaanderen", 51.216, 2.928),
    ("Ieper", "west-vlaanderen", 50.851, 2.886),
    ("Waregem", "west-vlaanderen", 50.889, 3.427),
    ("Wingene", "west-vlaanderen", 51.057, 3.273),
    ("Torhout", "west-vlaanderen", 51.065, 3.101),
    ("Gent", "oost-vlaanderen", 51.054, 3.717),
    ("Aalst", "oost-vlaanderen", 50.938, 4.039),
    ("Sint-Niklaas", "oost-vlaanderen", 51.165, 4.143),
    ("Oudenaarde", "oost-vlaanderen", 50.845, 3.605),
    ("Eeklo", "oost-vlaanderen", 51.187, 3.557),
    ("Dendermonde", "oost-vlaanderen", 51.029, 4.101),
    ("Antwerpen", "antwerpen", 51.219, 4.402),
    ("Mechelen", "antwerpen", 51.026, 4.478),
    ("Turnhout", "antwerpen", 51.322, 4.945),
    ("Geel", "antwerpen", 51.162, 4.990),
    ("Mol", "antwerpen", 51.191, 5.116),
    ("Lier", "antwerpen", 51.131, 4.570),
    ("Leuven", "vlaams-brabant", 50.879, 4.701),
    ("Vilvoorde", "vlaams-brabant", 50.928, 4.425),
    ("Halle", "vlaams-brabant", 50.734, 4.234),
    ("Tienen", "vlaams-brabant", 50.808, 4.938),
    ("Aarschot", "vlaams-brabant", 50.987, 4.837),
    ("Hasselt", "limburg", 50.930, 5.338),
    ("Genk", "limburg", 50.965, 5.500),
    ("Sint-Truiden", "limburg", 50.816, 5.186),
    ("Tongeren", "limburg", 50.781, 5.464),
    ("Lommel", "limburg", 51.230, 5.313),
)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    province: str
    lat: float
    lon: float


def load_places() -> tuple[list[Place], str]:
    """Flemish municipalities from the gazetteer if available, else the built-in towns."""
    try:
        from models.gazetteer import municipalities  # type: ignore[import-not-found]

        places = [
            Place(str(m.name), str(m.province), float(m.lat), float(m.lon))
            for m in municipalities(region="flanders")
        ]
        if places:
            return sorted(places, key=lambda p: p.name), "models.gazetteer"
    except (ImportError, AttributeError, TypeError) as error:  # optional: say why it is unused
        print(f"gazetteer unavailable ({error!r}); using built-in towns", file=sys.stderr)
    return [Place(*t) for t in TOWNS], "builtin"


def make_world(
    n_needs: int, n_sites: int, places: Sequence[Place], seed: int
) -> tuple[list[ClusterNeed], list[ClusterProvider], dict[str, frozenset[str]]]:
    """Synthetic needs and sites; returns also the activities each site offers."""
    rng = np.random.default_rng(seed)
    levels = ("low", "medium", "high")

    def jitter(place: Place, km: float) -> tuple[float, float]:
        dlat = rng.normal(0.0, km) / 111.0
        dlon = rng.normal(0.0, km) / (111.0 * math.cos(math.radians(place.lat)))
        return place.lat + dlat, place.lon + dlon

    needs = []
    for i in range(n_needs):
        place = places[int(rng.integers(len(places)))]
        code, family, binding, modes, demand, investment = ACTIVITIES[
            int(rng.integers(len(ACTIVITIES)))
        ]
        lat, lon = jitter(place, 3.0)
        needs.append(
            ClusterNeed(
                id=f"need-{i:06d}",
                family=family,
                activity=code,
                lat=lat,
                lon=lon,
                fte=float(np.clip(np.round(rng.lognormal(1.0, 0.8), 1), 0.5, 40.0)),
                accommodates_support=levels[int(rng.choice(3, p=[0.3, 0.4, 0.3]))],
                placement_mode=modes[int(rng.integers(len(modes)))],
                binding=binding,
                municipality=place.name,
                province=place.province,
                market_demand=demand,
                investment=investment,
            )
        )
    sites = []
    offers: dict[str, frozenset[str]] = {}
    for j in range(n_sites):
        place = places[int(rng.integers(len(places)))]
        lat, lon = jitter(place, 4.0)
        site_id = f"site-{j:05d}"
        free = rng.gamma(2.0, 4.0, size=3).round(1)
        sites.append(
            ClusterProvider(
                id=site_id,
                provider_id=f"provider-{j // 3:05d}",
                name=f"Maatwerkbedrijf {j // 3}",
                lat=lat,
                lon=lon,
                free_fte=(float(free[0]), float(free[1]), float(free[2])),
                supervisors_free=float(rng.integers(0, 6)),
            )
        )
        chosen = rng.choice(len(ACTIVITIES), size=int(rng.integers(2, 7)), replace=False)
        offers[site_id] = frozenset(ACTIVITIES[int(a)][0] for a in chosen)
    return needs, sites, offers


def standin_pairs(
    needs: Sequence[ClusterNeed],
    sites: Sequence[ClusterProvider],
    offers: dict[str, frozenset[str]],
    k: int,
) -> list[PairScore]:
    """Sites offering the activity within 3 × radius; best ``k`` per need by a stand-in score."""
    pairs: list[PairScore] = []
    for code, _family, binding, _modes, _demand, _investment in ACTIVITIES:
        need_idx = [i for i, n in enumerate(needs) if n.activity == code]
        site_idx = [j for j, s in enumerate(sites) if code in offers[s.id]]
        if not need_idx or not site_idx:
            continue
        site_xy = np.radians([[sites[j].lat, sites[j].lon] for j in site_idx])
        need_xy = np.radians([[needs[i].lat, needs[i].lon] for i in need_idx])
        reach = 3.0 * DEFAULT_RADIUS_KM_BY_BINDING[binding] / EARTH_RADIUS_KM
        found, dist = BallTree(site_xy, metric="haversine").query_radius(
            need_xy, r=reach, return_distance=True, sort_results=True
        )
        for i, cand, d in zip(need_idx, found, dist, strict=True):
            if cand.size == 0:
                continue
            km = d * EARTH_RADIUS_KM
            site_numbers = np.asarray(site_idx)[cand]
            # deterministic "competence" term in [0.3, 1] from a hash of the pair
            mixed = (site_numbers * 2654435761 + i * 40503) % 1000003
            competence = 0.3 + 0.7 * (mixed / 1000003.0)
            score = 0.6 * competence + 0.4 * np.exp(-km / DECAY_KM[binding])
            best = np.lexsort((km, -score))[:k]
            pairs.extend(
                PairScore(
                    needs[i].id, sites[int(site_numbers[b])].id, float(score[b]), float(km[b])
                )
                for b in best
            )
    return pairs


def load_scorer(spec: str) -> Callable[..., Iterable[PairScore]]:
    module_name, _, function_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--sites", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=20, help="candidate pairs kept per need")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scorer", help="module:function(needs, providers, k) -> PairScores")
    args = parser.parse_args(argv)

    places, place_source = load_places()
    t0 = time.perf_counter()
    needs, sites, offers = make_world(args.needs, args.sites, places, args.seed)
    t1 = time.perf_counter()
    if args.scorer:
        pairs = list(load_scorer(args.scorer)(needs, sites, args.k))
    else:
        pairs = standin_pairs(needs, sites, offers, args.k)
    t2 = time.perf_counter()
    groups = group_needs(needs)
    t3 = time.perf_counter()
    grouped = [needs[i] for g in groups for i in g]
    assignment = assign(grouped, sites, pairs)
    t4 = time.perf_counter()
    proposals = propose_clusters(needs, sites, pairs, assignment=assignment)
    t5 = time.perf_counter()

    demand = sum(n.fte for n in needs)
    covered = sum(assignment.covered_fte.values())
    sizes = [len(p.need_ids) for p in proposals]
    result: dict[str, object] = {
        "benchmark": "clusters",
        "needs": len(needs),
        "sites": len(sites),
        "pairs": len(pairs),
        "lp_variables_upper_bound": 3 * len(pairs),
        "places": len(places),
        "place_source": place_source,
        "scorer": args.scorer or "standin",
        "clusters": len(proposals),
        "singleton_clusters": sum(1 for s in sizes if s == 1),
        "largest_cluster_needs": max(sizes, default=0),
        "allocations": len(assignment.allocations),
        "demand_fte": round(demand, 1),
        "covered_fte": round(covered, 1),
        "objective": round(assignment.objective, 3),
        "capacity_violations": len(check_capacity(assignment, needs, sites)),
        "potential": {
            r: sum(1 for p in proposals if p.potential.rating == r)
            for r in ("high", "medium", "low")
        },
        "seconds": {
            "world": round(t1 - t0, 3),
            "pairs": round(t2 - t1, 3),
            "group": round(t3 - t2, 3),
            "assign": round(t4 - t3, 3),
            "propose": round(t5 - t4, 3),
            "group_assign_propose": round(t5 - t2, 3),
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {"seconds": 30, "peak_rss_mb": 2048},
        "python": platform.python_version(),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
