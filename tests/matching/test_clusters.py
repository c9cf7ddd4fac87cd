"""Specification of the cluster engine (matching/clusters.py)."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.assignment import Assignment, check_capacity
from matching.clusters import (
    ClusterNeed,
    ClusterProvider,
    PairScore,
    cluster_key,
    family_binding,
    group_needs,
    propose_clusters,
    rate_potential,
)

ROESELARE = (50.9465, 3.1228)
IZEGEM = (50.9142, 3.2138)
ANTWERPEN = (51.2194, 4.4025)
RADIUS = {"high": 10.0, "medium": 20.0, "low": 40.0}
BINDING_OF = {"kledij": "medium", "zorg": "high", "maak": "low"}


def need(
    id: str,
    at: tuple[float, float] = ROESELARE,
    fte: float = 1.0,
    *,
    family: str = "kledij",
    municipality: str = "Roeselare",
    province: str = "west-vlaanderen",
    support: str = "high",
    mode: str = "workshop",
    market_demand: str = "high",
    investment: str = "low",
    potential_binding: str | None = None,
) -> ClusterNeed:
    return ClusterNeed(
        id=id,
        family=family,
        activity=f"{family}.activity",
        lat=at[0],
        lon=at[1],
        fte=fte,
        accommodates_support=support,
        placement_mode=mode,
        binding=BINDING_OF[family],
        municipality=municipality,
        province=province,
        market_demand=market_demand,
        investment=investment,
        potential_binding=potential_binding,
    )


def site(id: str, high: float = 5.0, at: tuple[float, float] = IZEGEM) -> ClusterProvider:
    return ClusterProvider(
        id=id,
        provider_id=f"p-{id}",
        name=f"Provider {id}",
        lat=at[0],
        lon=at[1],
        free_fte=(0.0, 0.0, high),
        supervisors_free=0.0,
    )


def km_between(a: ClusterNeed, b: ClusterNeed) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def east_of(origin: tuple[float, float], km: float) -> tuple[float, float]:
    return origin[0], origin[1] + km / (111.32 * math.cos(math.radians(origin[0])))


# --- grouping ---------------------------------------------------------------------------


def test_each_cluster_holds_one_kind():
    needs = [
        need("a", family="kledij"),
        need("b", family="zorg"),
        need("c", family="kledij"),
        need("d", family="zorg"),
    ]

    groups = group_needs(needs)

    assert [sorted(needs[i].id for i in g) for g in groups] == [["a", "c"], ["b", "d"]]


def test_needs_far_apart_are_not_grouped():
    needs = [need("roeselare", ROESELARE), need("izegem", IZEGEM), need("antwerpen", ANTWERPEN)]

    groups = group_needs(needs)

    assert [[needs[i].id for i in g] for g in groups] == [["antwerpen"], ["izegem", "roeselare"]]


def test_a_chain_of_close_needs_is_split_to_keep_clusters_local():
    # Needs 8 km apart along a line: density clustering chains all 11 (80 km end to end);
    # no cluster may span more than 2 x 20 km (binding medium).
    needs = [need(f"n{i:02d}", east_of(ROESELARE, 8.0 * i)) for i in range(11)]

    groups = group_needs(needs)

    assert len(groups) > 1
    for g in groups:
        assert max(km_between(needs[i], needs[j]) for i in g for j in g) <= 40.0 + 1e-6


def test_radius_follows_the_familys_binding():
    # 15 km apart: together for medium binding (radius 20), apart for high binding (radius 10).
    kledij = [need("k1", ROESELARE), need("k2", east_of(ROESELARE, 15.0))]
    zorg = [need(n.id.replace("k", "z"), (n.lat, n.lon), family="zorg") for n in kledij]

    assert len(group_needs(kledij)) == 1
    assert len(group_needs(zorg)) == 2


def test_family_binding_is_the_majority_with_ties_to_the_stronger():
    assert family_binding(["low", "low", "medium"]) == "low"
    assert family_binding(["medium", "high"]) == "high"


def test_min_needs_drops_small_groups():
    needs = [need("a", ROESELARE), need("b", ROESELARE), need("c", ANTWERPEN)]

    groups = group_needs(needs, min_needs=2)

    assert [[needs[i].id for i in g] for g in groups] == [["a", "b"]]


def test_grouping_does_not_depend_on_input_order():
    rng = random.Random(5)
    needs = [
        need(f"n{i}", (50.8 + rng.random() * 0.4, 3.0 + rng.random() * 1.5), family=f)
        for i, f in enumerate(["kledij", "zorg", "maak"] * 20)
    ]
    expected = [sorted(needs[i].id for i in g) for g in group_needs(needs)]

    rng.shuffle(needs)

    assert [[needs[i].id for i in g] for g in group_needs(needs)] == expected


@st.composite
def scattered_needs(draw):
    n = draw(st.integers(1, 40))
    coordinate = st.tuples(st.floats(50.7, 51.4), st.floats(2.6, 5.8))
    return [
        need(f"n{i:03d}", draw(coordinate), family=draw(st.sampled_from(sorted(BINDING_OF))))
        for i in range(n)
    ]


@settings(max_examples=50, deadline=None)
@given(scattered_needs())
def test_no_two_needs_in_a_cluster_are_farther_apart_than_twice_the_radius(needs):
    groups = group_needs(needs)

    assert sorted(i for g in groups for i in g) == list(range(len(needs)))
    for g in groups:
        assert len({needs[i].family for i in g}) == 1
        limit = 2 * RADIUS[BINDING_OF[needs[g[0]].family]]
        for i, j in itertools.combinations(g, 2):
            assert km_between(needs[i], needs[j]) <= limit + 1e-6


# --- proposals ----------------------------------------------------------------------------


def test_name_uses_the_municipality_with_most_demanded_fte():
    needs = [
        need("a", ROESELARE, 1.0, municipality="Roeselare"),
        need("b", ROESELARE, 1.0, municipality="Roeselare"),
        need("c", IZEGEM, 3.0, municipality="Izegem"),
    ]

    [cluster] = propose_clusters(needs, [], [])

    assert cluster.name == "Kledijcluster Izegem"
    assert cluster.municipality == "Izegem"


def test_name_ties_go_to_the_first_municipality_by_name():
    needs = [
        need("a", ROESELARE, 2.0, municipality="Roeselare"),
        need("b", IZEGEM, 2.0, municipality="Izegem"),
    ]

    [cluster] = propose_clusters(needs, [], [])

    assert cluster.name == "Kledijcluster Izegem"


def test_names_follow_language_and_caller_labels():
    needs = [need("a")]

    assert propose_clusters(needs, [], [], name_lang="en")[0].name == "Apparel cluster Roeselare"
    named = propose_clusters(needs, [], [], cluster_names={"kledij": "Textielcluster"})
    assert named[0].name == "Textielcluster Roeselare"


def test_proposal_reports_assignments_and_figures():
    needs = [need("a", ROESELARE, 4.0), need("b", IZEGEM, 2.0, municipality="Izegem")]
    sites = [site("s1", high=3.0), site("s2", high=1.0)]
    pairs = [
        PairScore("a", "s1", 0.8, 6.0),
        PairScore("b", "s2", 0.5, 2.0),
    ]

    [c] = propose_clusters(needs, sites, pairs)

    assert c.kind == "kledij"
    assert c.need_ids == ("a", "b")
    assert c.provider_site_ids == ("s1", "s2")
    assert c.provider_ids == ("p-s1", "p-s2")
    assert [(a.need_id, a.site_id, a.level, a.fte) for a in c.assignments] == [
        ("a", "s1", "high", 3.0),
        ("b", "s2", "high", 1.0),
    ]
    assert c.demand_fte == 6.0
    assert c.covered_fte == 4.0
    assert c.unassigned_fte == {"a": 1.0, "b": 1.0}
    assert c.mean_score == pytest.approx((0.8 * 3 + 0.5 * 1) / 4)
    assert c.mean_distance_km == pytest.approx((6.0 * 3 + 2.0 * 1) / 4)
    assert c.centroid_lat == pytest.approx((ROESELARE[0] * 4 + IZEGEM[0] * 2) / 6, abs=1e-6)
    assert c.province == "west-vlaanderen"
    assert c.radius_km == 20.0


def test_only_the_given_pairs_are_assigned():
    needs = [need("a", ROESELARE, 2.0)]
    sites = [site("near", at=ROESELARE), site("paired")]

    [c] = propose_clusters(needs, sites, [PairScore("a", "paired", 0.6, 7.0)])

    assert c.provider_site_ids == ("paired",)


def test_a_need_larger_than_any_provider_is_shared_by_two_providers():
    needs = [need("big", fte=8.0)]
    sites = [site("s1", high=5.0), site("s2", high=5.0)]
    pairs = [PairScore("big", "s1", 0.9, 3.0), PairScore("big", "s2", 0.7, 9.0)]

    [c] = propose_clusters(needs, sites, pairs)

    assert c.provider_ids == ("p-s1", "p-s2")
    assert c.covered_fte == 8.0
    assert c.unassigned_fte == {"big": 0.0}


def test_capacity_is_shared_across_clusters_and_never_exceeded():
    # Two clusters (different families and places) want the same site's 5 FTE.
    needs = [
        need("k", ROESELARE, 4.0, family="kledij"),
        need("z", ANTWERPEN, 4.0, family="zorg", municipality="Antwerpen", province="antwerpen"),
    ]
    sites = [site("s1", high=5.0)]
    pairs = [PairScore("k", "s1", 0.9, 8.0), PairScore("z", "s1", 0.6, 90.0)]

    clusters = propose_clusters(needs, sites, pairs)

    assert [c.kind for c in clusters] == ["kledij", "zorg"]
    assert [c.covered_fte for c in clusters] == [4.0, 1.0]
    combined = Assignment(
        allocations=tuple(a for c in clusters for a in c.assignments),
        covered_fte={},
        unassigned_fte={},
        objective=0.0,
    )
    assert check_capacity(combined, needs, sites) == []


def test_families_limits_the_run():
    needs = [need("k", family="kledij"), need("z", family="zorg")]

    assert [c.kind for c in propose_clusters(needs, [], [], families=["zorg"])] == ["zorg"]


def test_min_needs_keeps_dropped_needs_from_taking_capacity():
    needs = [
        need("alone", ANTWERPEN, 5.0),
        need("a", ROESELARE, 3.0),
        need("b", ROESELARE, 2.0),
    ]
    sites = [site("s1", high=5.0)]
    pairs = [PairScore(n.id, "s1", 0.9 if n.id == "alone" else 0.5, 10.0) for n in needs]

    [c] = propose_clusters(needs, sites, pairs, min_needs=2)

    assert c.need_ids == ("a", "b")
    assert c.covered_fte == 5.0


def test_proposals_do_not_depend_on_input_order():
    rng = random.Random(11)
    needs = [
        need(
            f"n{i:02d}",
            (50.85 + rng.random() * 0.3, 3.0 + rng.random() * 0.6),
            rng.choice([1.0, 2.0, 4.0]),
            family=rng.choice(["kledij", "zorg"]),
            municipality=rng.choice(["Roeselare", "Izegem", "Tielt"]),
            mode=rng.choice(["workshop", "enclave"]),
        )
        for i in range(30)
    ]
    sites = [
        replace(site(f"s{j}", high=3.0), free_fte=(1.0, 2.0, 3.0), supervisors_free=1.0)
        for j in range(6)
    ]
    # equal scores and distances everywhere: only the deterministic tie-break decides
    pairs = [PairScore(n.id, s.id, 0.5, 10.0) for n in needs for s in sites]
    expected = propose_clusters(needs, sites, pairs)

    for _ in range(3):
        rng.shuffle(needs)
        rng.shuffle(sites)
        rng.shuffle(pairs)
        assert propose_clusters(needs, sites, pairs) == expected


def test_key_depends_on_kind_and_members_only():
    assert cluster_key("kledij", ["b", "a"]) == cluster_key("kledij", ["a", "b"])
    assert cluster_key("kledij", ["a"]) != cluster_key("zorg", ["a"])
    assert cluster_key("kledij", ["a"]) != cluster_key("kledij", ["a", "b"])


# --- potential (DESIGN §4.7, seeds 000:2570-2592) --------------------------------------------


@pytest.mark.parametrize(
    ("demand", "investment", "fit", "binding", "rating"),
    [
        ("high", "low", "high", "high", "high"),
        ("high", "low", "high", "medium", "high"),  # returns logistics (000:3448)
        ("medium", "low", "high", "high", "high"),
        ("high", "medium", "medium", "high", "medium"),  # warehouse tasks (000:3138)
        ("high", "high", "high", "high", "medium"),  # product displays (000:2958)
        ("high", "high", "low", "high", "medium"),  # last mile (000:3279)
        ("low", "low", "high", "high", "medium"),  # own webshop (000:2793)
        ("medium", "medium", "medium", "medium", "low"),
        ("low", "high", "low", "low", "low"),
        ("low", "high", "medium", "medium", "low"),
    ],
)
def test_potential_truth_table(demand, investment, fit, binding, rating):
    assert rate_potential(demand, investment, fit, binding) == rating


def test_potential_over_all_combinations():
    levels = ("low", "medium", "high")
    good = ("high", "low", "high", "high")
    bad = ("low", "high", "low", "low")
    for combo in itertools.product(levels, repeat=4):
        favourable = sum(v == g for v, g in zip(combo, good, strict=True))
        unfavourable = sum(v == b for v, b in zip(combo, bad, strict=True))
        medium = 4 - favourable - unfavourable
        expected = ("high" if unfavourable == 0 and medium <= 1
                    else "low" if favourable == 0 else "medium")
        assert rate_potential(*combo) == expected


def test_cluster_potential_combines_needs_fit_and_binding():
    needs = [
        need("a", fte=3.0, family="zorg", market_demand="high", investment="low"),
        need("b", fte=1.0, family="zorg", market_demand="medium", investment="medium"),
    ]
    sites = [site("s1", high=10.0)]
    pairs = [PairScore("a", "s1", 0.9, 3.0), PairScore("b", "s1", 0.7, 3.0)]

    [c] = propose_clusters(needs, sites, pairs)

    assert c.potential.market_demand == "high"  # majority by demanded FTE
    assert c.potential.investment == "low"
    assert c.potential.competence_fit == "high"  # the activities' fit, not the scores
    assert c.potential.binding == "high"
    assert c.potential.rating == "high"


def test_unserved_high_potential_cluster_keeps_its_rating():
    # was: rated low because its "fit" was today's (absent) mean match score (DESIGN §4.7)
    [c] = propose_clusters(
        [need("a", family="zorg", market_demand="high", investment="low")], [], [])

    assert (c.mean_score, c.covered_fte) == (None, 0.0)
    assert c.potential.competence_fit == "high"
    assert c.potential.rating == "high"


def test_enclave_binding_criterion_rates_in_house_production_high():
    # enclave work for in-house production (001:2322-2336): bound at the client
    [workshop] = propose_clusters([need("a", family="maak")], [], [])
    [enclave] = propose_clusters([need("a", family="maak", potential_binding="high")], [], [])
    assert (workshop.potential.binding, workshop.potential.rating) == ("low", "medium")
    assert (enclave.potential.binding, enclave.potential.rating) == ("high", "high")


def test_majority_ties_take_the_less_favourable_value():
    needs = [
        need("a", fte=2.0, market_demand="high", investment="low"),
        need("b", fte=2.0, market_demand="medium", investment="medium"),
    ]

    [c] = propose_clusters(needs, [], [])

    assert (c.potential.market_demand, c.potential.investment) == ("medium", "medium")


def test_large_families_are_chunked_without_breaking_the_distance_bound(monkeypatch):
    monkeypatch.setattr("matching.clusters._MAX_CHUNK", 7)
    rng = random.Random(2)
    needs = [
        need(f"n{i:02d}", (50.8 + rng.random() * 0.5, 2.8 + rng.random() * 2.0)) for i in range(60)
    ]

    groups = group_needs(needs)

    assert sorted(i for g in groups for i in g) == list(range(60))
    assert max(len(g) for g in groups) <= 7
    for g in groups:
        assert max(km_between(needs[i], needs[j]) for i in g for j in g) <= 40.0 + 1e-6
