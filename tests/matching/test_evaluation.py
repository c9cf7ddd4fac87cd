"""The evaluation set meets its floors, rests on real seed passages, and the metrics count right."""

from __future__ import annotations

import re

import pytest

from matching import MatchingEngine, Weights
from matching.evaluation import (
    FLOORS,
    ablation,
    evaluate,
    hard_limit_breaches,
    load_scenarios,
    ndcg_at_k,
    scenario_from_dict,
)
from matching.types import MatchResult
from tests.eval import load_data
from tests.matching.worlds import TOWNS, cap, need
from tests.seeds import require_seeds

REQUIRED_GROUPS = {"locality", "supervision", "capacity", "constraints", "text", "binding",
                   "transport", "freshness", "coverage", "peak"}


@pytest.fixture(scope="module")
def scenarios():
    return load_scenarios(load_data())


def default_engine(caps):
    return MatchingEngine().fit(caps)


# -- the evaluation set -----------------------------------------------------------------------


def test_evaluation_set_has_at_least_80_scenarios_in_the_required_groups(scenarios):
    assert len(scenarios) >= 80
    assert REQUIRED_GROUPS <= {s.group for s in scenarios}


def test_every_scenario_cites_a_seed_passage(scenarios):
    pattern = re.compile(r"^00[0-4]:\d+(-\d+)?$")
    for s in scenarios:
        assert s.seeds, s.id
        assert all(pattern.match(ref) for ref in s.seeds), (s.id, s.seeds)


def test_every_cited_seed_line_exists_and_is_not_blank(scenarios):
    seeds = require_seeds()
    files = {p.name[:3]: p.read_text("utf-8").splitlines() for p in seeds.glob("00*_*.txt")}
    for s in scenarios:
        for ref in s.seeds:
            doc, lines = ref.split(":")
            first, _, last = lines.partition("-")
            text = files[doc][int(first) - 1 : int(last or first)]
            assert any(line.strip() for line in text), (s.id, ref)


def test_default_weights_meet_the_floors(scenarios):
    report = evaluate(scenarios, default_engine)
    assert report.failures() == []
    assert report.totals.top1 >= FLOORS["top1"] == 0.95
    assert report.totals.violations == 0
    assert {g.group: g.top1 for g in report.groups} == {g.group: 1.0 for g in report.groups}


def test_ablation_shows_the_set_can_fail(scenarios):
    # dropping a component or switching off a rule makes scenarios fail: the set tests them
    failing = dict(ablation(scenarios))
    assert failing["baseline"] == 0
    for variant in ("drop competence", "drop locality", "drop capacity",
                    "rule off: public transport", "rule off: freshness",
                    "rule off: reach of coverage", "rule off: text similarity"):
        assert failing[variant] > 0, variant


def test_expected_reasons_are_given_with_default_weights(scenarios):
    assert evaluate(scenarios, default_engine).totals.reasons == 1.0


def test_a_locality_only_weight_set_is_caught_below_the_floor(scenarios):
    weights = Weights(0.0, 1.0, 0.0, 0.0, version="locality-only")
    report = evaluate(scenarios, lambda caps: MatchingEngine(weights=weights).fit(caps))
    assert report.totals.top1 < FLOORS["top1"]
    assert report.failures()


# -- metrics ----------------------------------------------------------------------------------


def test_ndcg_is_one_for_the_ideal_order_and_lower_when_swapped():
    assert ndcg_at_k(["a", "b", "c"], {"a": 3, "b": 2, "c": 1}) == 1.0
    assert ndcg_at_k(["b", "a", "c"], {"a": 3, "b": 2, "c": 1}) < 1.0


def test_ndcg_only_counts_the_first_k():
    assert ndcg_at_k(["x", "a"], {"a": 1}, k=1) == 0.0


def test_ndcg_with_nothing_relevant_rewards_an_empty_ranking():
    assert ndcg_at_k([], {}) == 1.0
    assert ndcg_at_k(["a"], {}) == 0.0


class RankEverything:
    """A deliberately broken ranker that ranks every capability, excluded or not."""

    def __init__(self, caps):
        self.caps = caps

    def rank(self, need, k=5):
        real = MatchingEngine().fit(self.caps).rank(need, k=k, include_excluded=True)
        return MatchResult(need.id, (*real.items, *real.excluded)[:k], (), None)


def night_scenario():
    return scenario_from_dict({
        "id": "night", "group": "constraints", "seeds": ["000:3925"],
        "need": {"activity": "returns.apparel", "town": "Roeselare", "shifts": ["night"]},
        "capabilities": [{"id": "day-only", "town": "Izegem"},
                         {"id": "night", "town": "Kortrijk", "shifts": ["day", "night"]}],
        "expect": {"best": "night", "excluded": ["day-only"]},
    }, TOWNS)


def test_a_ranked_excluded_candidate_is_counted_as_a_violation():
    report = evaluate([night_scenario()], RankEverything)
    (result,) = report.results
    assert set(result.violations) == {("day-only", "expected_excluded"), ("day-only", "shift")}
    assert report.totals.violations == 2
    assert report.totals.violation_rate == pytest.approx(2 / 2)
    assert report.failures() == ["2 rule violation(s) > 0"]


def test_the_real_engine_has_no_violation_on_the_same_scenario():
    report = evaluate([night_scenario()], default_engine)
    assert (report.totals.violations, report.totals.top1) == (0, 1.0)


def test_hard_limits_are_checked_without_the_engine():
    n = need(placement_mode="enclave", max_distance_km=5.0, certifications=("haccp",))
    c = cap(supervisors_free=0.0, placement_modes=("workshop",))
    assert hard_limit_breaches(n, c) == ("max_distance_km", "placement_mode", "certification",
                                         "enclave_without_supervisor")


def test_top1_of_a_scenario_where_nothing_may_rank():
    s = scenario_from_dict({
        "id": "none", "group": "constraints",
        "need": {"activity": "returns.apparel", "town": "Roeselare", "max_distance_km": 3},
        "capabilities": [{"id": "far", "town": "Gent"}],
        "expect": {"best": None, "excluded": ["far"]},
    }, TOWNS)
    assert evaluate([s], default_engine).totals.top1 == 1.0
    assert evaluate([s], RankEverything).totals.top1 == 0.0


def test_group_metrics_sum_violations_over_their_scenarios():
    s1 = night_scenario()
    report = evaluate([s1, s1], RankEverything)
    (group,) = report.groups
    assert (group.group, group.scenarios, group.top1, group.violations) == (
        "constraints", 2, 1.0, 4)


def test_scenario_needs_an_expectation():
    with pytest.raises(ValueError, match="expect"):
        scenario_from_dict({"id": "x", "group": "g", "need": {"activity": "returns.apparel",
                            "town": "Roeselare"}, "capabilities": [{"id": "a",
                            "town": "Izegem"}]}, TOWNS)
