"""Specification of the FTE assignment (matching/assignment.py)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.assignment import (
    SUPPORT_LEVELS,
    allowed_levels,
    assign,
    assign_greedy,
    check_capacity,
    supervisor_load,
)
from matching.clusters import ClusterNeed, ClusterProvider, PairScore

RATIOS = {"high": 4.0, "medium": 8.0, "low": 15.0}


def need(
    id: str,
    fte: float = 1.0,
    *,
    support: str = "high",
    mode: str = "workshop",
    family: str = "kledij",
) -> ClusterNeed:
    return ClusterNeed(
        id=id,
        family=family,
        activity="returns.apparel",
        lat=50.95,
        lon=3.12,
        fte=fte,
        accommodates_support=support,
        placement_mode=mode,
        binding="medium",
        municipality="Roeselare",
        province="west-vlaanderen",
        market_demand="high",
        investment="low",
    )


def site(
    id: str, low: float = 0.0, medium: float = 0.0, high: float = 0.0, supervisors: float = 0.0
) -> ClusterProvider:
    return ClusterProvider(
        id=id,
        provider_id=f"p-{id}",
        name=f"Provider {id}",
        lat=50.93,
        lon=3.2,
        free_fte=(low, medium, high),
        supervisors_free=supervisors,
    )


def pair(need_id: str, site_id: str, score: float, distance_km: float = 5.0) -> PairScore:
    return PairScore(need_id, site_id, score, distance_km)


def fte_by(result, key) -> dict:
    totals: dict = {}
    for a in result.allocations:
        totals[key(a)] = round(totals.get(key(a), 0.0) + a.fte, 6)
    return totals


def test_lp_beats_greedy_when_the_best_pair_blocks_a_better_total():
    needs = [need("a"), need("b")]
    sites = [site("s1", high=1.0), site("s2", high=1.0)]
    # b can only use s1; greedy gives s1 to a (0.9) and leaves b empty.
    pairs = [pair("a", "s1", 0.9), pair("a", "s2", 0.8), pair("b", "s1", 0.7)]

    greedy = assign_greedy(needs, sites, pairs)
    optimal = assign(needs, sites, pairs)

    assert greedy.objective == pytest.approx(0.9)
    assert optimal.objective == pytest.approx(1.5)
    assert fte_by(optimal, lambda a: (a.need_id, a.site_id)) == {("a", "s2"): 1.0, ("b", "s1"): 1.0}


def test_site_free_fte_per_level_is_never_exceeded():
    needs = [need("a", 5.0), need("b", 5.0)]
    sites = [site("s1", low=1.0, medium=2.0, high=3.0)]
    pairs = [pair("a", "s1", 0.9), pair("b", "s1", 0.8)]

    result = assign(needs, sites, pairs)

    assert fte_by(result, lambda a: a.level) == {"low": 1.0, "medium": 2.0, "high": 3.0}
    assert check_capacity(result, needs, sites) == []


def test_only_levels_up_to_what_the_need_accommodates_are_used():
    needs = [need("a", 5.0, support="low")]
    sites = [site("s1", low=1.0, medium=10.0, high=10.0)]

    result = assign(needs, sites, [pair("a", "s1", 0.9)])

    assert fte_by(result, lambda a: a.level) == {"low": 1.0}
    assert result.unassigned_fte == {"a": 4.0}


def test_enclave_team_is_limited_by_free_supervisors():
    # One supervisor, high-support workers at 1:4 -> at most 4 FTE (seeds 000:181-185).
    needs = [need("a", 10.0, mode="enclave")]
    sites = [site("s1", high=10.0, supervisors=1.0)]

    result = assign(needs, sites, [pair("a", "s1", 0.9)])

    assert result.covered_fte == {"a": 4.0}


def test_enclave_needs_a_supervisor_even_for_low_support_workers():
    needs = [need("a", 10.0, support="low", mode="enclave")]
    sites = [site("s1", low=10.0, supervisors=0.0)]

    result = assign(needs, sites, [pair("a", "s1", 0.9)])

    assert result.allocations == ()


def test_a_sites_supervisors_are_shared_by_all_its_enclaves():
    needs = [need("a", 4.0, mode="enclave"), need("b", 4.0, mode="enclave")]
    sites = [site("s1", high=8.0, supervisors=1.0)]

    result = assign(needs, sites, [pair("a", "s1", 0.9), pair("b", "s1", 0.8)])

    assert sum(result.covered_fte.values()) == pytest.approx(4.0)
    assert check_capacity(result, needs, sites) == []


def test_supervisor_limit_makes_the_lp_mix_support_levels():
    # 1 supervisor: 15 low workers or 4 high ones; the optimum uses the low-support workers.
    needs = [need("a", 20.0, mode="enclave")]
    sites = [site("s1", low=15.0, high=20.0, supervisors=1.0)]

    result = assign(needs, sites, [pair("a", "s1", 0.9)])

    assert fte_by(result, lambda a: a.level) == {"low": 15.0}


def test_workshop_needs_no_free_supervisor():
    needs = [need("a", 3.0, mode="workshop")]
    sites = [site("s1", high=3.0, supervisors=0.0)]

    assert assign(needs, sites, [pair("a", "s1", 0.9)]).covered_fte == {"a": 3.0}


def test_on_site_needs_a_supervisor_unless_all_workers_are_low():
    needs = [need("a", 6.0, support="high", mode="on_site")]
    sites = [site("s1", low=2.0, high=6.0, supervisors=1.5)]

    result = assign(needs, sites, [pair("a", "s1", 0.9)])

    # low workers may rely on an on-call supervisor; supervisors are whole people, so 1.5
    # free is 1 supervisor, who carries 4 high workers.
    assert fte_by(result, lambda a: a.level) == {"low": 2.0, "high": 4.0}


def test_a_need_larger_than_any_site_is_shared_by_two_sites():
    needs = [need("big", 10.0)]
    sites = [site("s1", high=6.0), site("s2", high=6.0)]

    result = assign(needs, sites, [pair("big", "s1", 0.9), pair("big", "s2", 0.6)])

    assert fte_by(result, lambda a: a.site_id) == {"s1": 6.0, "s2": 4.0}
    assert result.unassigned_fte == {"big": 0.0}


def test_equal_scores_prefer_the_shorter_distance():
    needs = [need("a", 1.0)]
    sites = [site("far", high=1.0), site("near", high=1.0)]
    pairs = [pair("a", "far", 0.8, distance_km=30.0), pair("a", "near", 0.8, distance_km=3.0)]

    result = assign(needs, sites, pairs)

    assert [a.site_id for a in result.allocations] == ["near"]


def test_same_data_in_any_order_gives_the_same_assignment():
    rng = random.Random(3)
    needs = [need(f"n{i}", rng.choice([1.0, 2.0, 3.5])) for i in range(12)]
    sites = [site(f"s{j}", low=2.0, medium=2.0, high=2.0) for j in range(4)]
    # many equal scores: the tie-break alone decides
    pairs = [pair(n.id, s.id, 0.5, 10.0) for n in needs for s in sites]
    reference = assign(needs, sites, pairs)

    for _ in range(3):
        rng.shuffle(needs)
        rng.shuffle(sites)
        rng.shuffle(pairs)
        assert assign(needs, sites, pairs) == reference


def test_pairs_scored_zero_are_never_used():
    result = assign([need("a")], [site("s1", high=1.0)], [pair("a", "s1", 0.0)])

    assert result.allocations == ()
    assert result.unassigned_fte == {"a": 1.0}


def test_a_repeated_pair_counts_with_its_best_score():
    pairs = [pair("a", "s1", 0.3), pair("a", "s1", 0.7)]

    result = assign([need("a")], [site("s1", high=1.0)], pairs)

    assert [a.score for a in result.allocations] == [0.7]


def test_pairs_for_unknown_needs_or_sites_are_ignored():
    pairs = [pair("a", "s1", 0.5), pair("ghost", "s1", 0.9), pair("a", "nowhere", 0.9)]

    result = assign([need("a")], [site("s1", high=1.0)], pairs)

    assert [(a.need_id, a.site_id) for a in result.allocations] == [("a", "s1")]


def test_invalid_support_level_is_rejected():
    with pytest.raises(ValueError, match="support level"):
        assign([need("a", support="extreme")], [site("s1", high=1.0)], [pair("a", "s1", 0.5)])


def test_allowed_levels_and_supervisor_load():
    assert allowed_levels("high") == (0, 1, 2)
    assert supervisor_load("enclave", "low", RATIOS) == pytest.approx(1 / 15)
    assert supervisor_load("on_site", "medium", RATIOS) == pytest.approx(1 / 8)
    # individual: a medium or high worker needs a job coach (DESIGN §4.1)
    assert supervisor_load("individual", "high", RATIOS) == pytest.approx(1 / 4)
    assert supervisor_load("individual", "low", RATIOS) == 0.0


@st.composite
def worlds(draw):
    n_needs = draw(st.integers(1, 8))
    n_sites = draw(st.integers(1, 5))
    fte = st.floats(0.0, 12.0, allow_nan=False).map(lambda v: round(v, 2))
    needs = [
        need(
            f"n{i}",
            draw(fte),
            support=draw(st.sampled_from(SUPPORT_LEVELS)),
            mode=draw(st.sampled_from(["workshop", "on_site", "enclave", "individual"])),
        )
        for i in range(n_needs)
    ]
    sites = [
        site(
            f"s{j}",
            draw(fte),
            draw(fte),
            draw(fte),
            supervisors=draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
        )
        for j in range(n_sites)
    ]
    pairs = [
        pair(n.id, s.id, draw(st.floats(0.0, 1.0).map(lambda v: round(v, 3))), float(k))
        for k, (n, s) in enumerate((n, s) for n in needs for s in sites)
        if draw(st.booleans())
    ]
    return needs, sites, pairs


@settings(max_examples=60, deadline=None)
@given(worlds())
def test_random_worlds_never_exceed_capacity_and_lp_is_at_least_greedy(world):
    needs, sites, pairs = world

    optimal = assign(needs, sites, pairs)
    greedy = assign_greedy(needs, sites, pairs)

    assert check_capacity(optimal, needs, sites) == []
    assert check_capacity(greedy, needs, sites) == []
    assert optimal.objective >= greedy.objective - 1e-5
    for n in needs:
        assert optimal.covered_fte[n.id] + optimal.unassigned_fte[n.id] == pytest.approx(n.fte)
    assert all(a.fte > 0 for a in optimal.allocations)
