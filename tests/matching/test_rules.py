"""Each domain rule of DESIGN §4-§5 on a tiny hand-made world.

Every test fails if its rule is removed from the engine.
"""

from __future__ import annotations

import math

import pytest
from sklearn.exceptions import NotFittedError

from matching import (
    EngineConfig,
    MatchingEngine,
    Reason,
    Weights,
    haversine_km,
    rank_reference,
    render,
)
from tests.matching.worlds import TOWNS, cap, need

IZEGEM_KM = haversine_km(*TOWNS["Roeselare"], *TOWNS["Izegem"])


def rank(n, caps, **kwargs):
    return MatchingEngine().fit(caps).rank(n, **kwargs)


def only(n, c, **kwargs):
    result = rank(n, [c], **kwargs)
    assert len(result.items) == 1, result
    return result.items[0]


def excluded_codes(n, c):
    result = rank(n, [c], include_excluded=True)
    assert result.items == ()
    (candidate,) = result.excluded
    return [r.code for r in candidate.excluded]


def codes(candidate):
    return [r.code for r in candidate.reasons]


# -- competence ------------------------------------------------------------------------


def test_exact_activity_scores_double_the_same_group():
    exact = only(need(), cap())
    group = only(need(), cap(activity="returns.general"))
    assert exact.components.competence == 1.0
    assert group.components.competence == 0.5
    assert "activity_group" in codes(group)


def test_unrelated_activity_is_not_a_candidate():
    result = rank(need(), [cap(activity="warehouse.handling")], include_excluded=True)
    assert result.items == ()
    assert result.excluded == ()
    assert result.diagnosis.considered == 0
    assert result.diagnosis.no_provider_in_group is True


def test_competence_coverage_counts_required_competences():
    c = only(need(), cap(competences=("laundry",)))
    assert c.components.competence == pytest.approx(0.5)
    (reason,) = [r for r in c.reasons if r.code == "competence_coverage"]
    assert (reason.params["covered"], reason.params["required"]) == (1, 2)
    assert reason.params["missing"] == ("textile.repair",)


def test_competence_weights_weigh_the_coverage():
    n = need(competence_weights=(3.0, 1.0))
    assert only(n, cap(competences=("laundry",))).components.competence == pytest.approx(0.75)


def test_need_without_competences_is_fully_covered():
    assert only(need(competences=()), cap(competences=())).components.competence == 1.0


def test_text_similarity_is_blended_into_competence():
    n = need(text="Retourkledij wassen en strijken")
    similar = cap(id="a", text="Wij wassen en strijken kledij")
    other = cap(id="b", text="Elektronica testen en herstellen")
    result = rank(n, [similar, other])
    scored = {c.capability_id: c for c in result.items}
    # coverage is full for both, so only the text separates them
    assert scored["a"].components.competence > scored["b"].components.competence
    assert scored["b"].components.competence == pytest.approx(0.7)  # no shared words
    assert "text_similarity" in codes(scored["a"])


def test_empty_need_text_uses_coverage_only():
    c = only(need(text=""), cap(text="Wij wassen en strijken kledij"))
    assert c.components.competence == 1.0
    assert "text_similarity" not in codes(c)


# -- locality --------------------------------------------------------------------------


def test_locality_decays_with_distance_by_binding():
    medium = only(need(binding="medium"), cap())
    high = only(need(binding="high"), cap())
    assert medium.components.locality == pytest.approx(math.exp(-IZEGEM_KM / 30.0))
    assert high.components.locality == pytest.approx(math.exp(-IZEGEM_KM / 15.0))


def test_haversine_distance_roeselare_izegem():
    # independent check with the textbook haversine formula
    lat1, lon1 = (math.radians(x) for x in TOWNS["Roeselare"])
    lat2, lon2 = (math.radians(x) for x in TOWNS["Izegem"])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    assert IZEGEM_KM == pytest.approx(2 * 6371.0088 * math.asin(math.sqrt(h)), abs=1e-6)


@pytest.mark.parametrize("mode", ["on_site", "enclave", "individual"])
def test_poor_public_transport_costs_the_extra_decay_of_a_shorter_length(mode):
    # DESIGN §4.3: the score loses what a decay length of 15 km × 0.5 costs beyond 15 km,
    # exp(-d (1/7.5 - 1/15)); the components themselves keep the binding's decay
    good = only(need(placement_mode=mode, binding="high"), cap())
    poor = only(need(placement_mode=mode, binding="high", public_transport="poor"), cap())
    factor = math.exp(-IZEGEM_KM * (1 / 7.5 - 1 / 15.0))
    assert poor.components == good.components
    assert poor.score == pytest.approx(good.score * factor, abs=1e-11)
    assert "public_transport" in codes(poor)
    assert render(poor.reasons[codes(poor).index("public_transport")], "en",
                  {"public_transport": {"poor": "poor"}}) == (
        "Client site's public-transport access: poor; distance counts more "
        f"(score × {factor:.2f} at this distance)"
    )


def test_limited_public_transport_costs_less_than_poor():
    base = {"placement_mode": "enclave", "binding": "medium"}
    scores = [only(need(**base, public_transport=a), cap()).score
              for a in ("good", "limited", "poor")]
    assert scores[0] > scores[1] > scores[2]


def test_public_transport_does_not_matter_for_workshop_work():
    good = only(need(), cap())
    poor = only(need(public_transport="poor"), cap())
    assert poor.score == good.score
    assert "public_transport" not in codes(poor)


def test_need_max_distance_is_a_hard_limit():
    assert excluded_codes(need(max_distance_km=5.0), cap()) == ["too_far"]
    assert len(rank(need(max_distance_km=10.0), [cap()]).items) == 1


def test_provider_service_radius_is_a_hard_limit():
    assert excluded_codes(need(), cap(service_radius_km=5.0)) == ["too_far"]


# -- supervision -----------------------------------------------------------------------


def test_only_workers_at_accommodated_levels_count():
    c = only(need(fte=2.0, accommodates_support="low"), cap(free_fte=(1.0, 5.0, 5.0)))
    # capacity = covered share × freshness × reach (exp(-d / 2L), the square root of the
    # locality): the 10 medium/high workers do not count
    assert c.components.capacity == pytest.approx(0.5 * c.components.locality ** 0.5)
    (reason,) = [r for r in c.reasons if r.code == "coverage"]
    assert (reason.params["covered_fte"], reason.params["limit"]) == (1.0, "workers")


def test_no_free_workers_at_accommodated_levels_is_excluded():
    n = need(accommodates_support="low")
    assert excluded_codes(n, cap(free_fte=(0.0, 3.0, 0.0))) == ["no_free_capacity_at_level"]


def test_no_free_capacity_is_excluded():
    assert excluded_codes(need(), cap(free_fte=(0.0, 0.0, 0.0))) == ["no_free_capacity"]


def test_enclave_without_free_supervisor_is_excluded_even_for_low_support_workers():
    c = cap(free_fte=(5.0, 0.0, 0.0), supervisors_free=0.0)
    assert excluded_codes(need(placement_mode="enclave"), c) == ["no_supervision"]
    # the same low-support team may work on site with an on-call supervisor
    on_site = only(need(placement_mode="on_site"), c)
    assert on_site.components.capacity == pytest.approx(on_site.components.locality ** 0.5)
    assert "on_call_supervision" in codes(on_site)


def test_enclave_short_of_supervisors_covers_what_they_can_supervise():
    # 8 high-support workers need 8 / 4 = 2 supervisors; 1 is free → 4 FTE, 1 supervisor
    n = need(placement_mode="enclave", fte=8.0)
    c = only(n, cap(free_fte=(0.0, 0.0, 8.0), supervisors_free=1.0))
    assert c.components.capacity == pytest.approx(0.5 * c.components.locality ** 0.5)
    (reason,) = [r for r in c.reasons if r.code == "enclave_supervisor"]
    assert (reason.params["needed"], reason.params["free"]) == (1, 1)
    assert render(reason, "en") == (
        "Supervisor always on site in an enclave: 1 supervisor needed, 1 free"
    )
    (coverage,) = [r for r in c.reasons if r.code == "coverage"]
    assert (coverage.params["covered_fte"], coverage.params["limit"]) == (4.0, "supervision")


def test_enclave_allocates_least_supervision_hungry_workers_first():
    # 2 low + 4 high free; fte 6 with 1 supervisor: 2 low (2/15) + 3.47 high, not 4 high
    n = need(placement_mode="enclave", fte=6.0)
    c = only(n, cap(free_fte=(2.0, 0.0, 4.0), supervisors_free=1.0))
    (coverage,) = [r for r in c.reasons if r.code == "coverage"]
    assert coverage.params["covered_fte"] == pytest.approx(2.0 + (1.0 - 2.0 / 15.0) * 4.0)


def test_on_site_with_medium_support_workers_needs_a_free_supervisor():
    n = need(placement_mode="on_site", fte=4.0, accommodates_support="medium")
    without = only(n, cap(free_fte=(1.0, 3.0, 0.0), supervisors_free=0.0))
    with_supervisor = only(n, cap(free_fte=(1.0, 3.0, 0.0), supervisors_free=1.0))
    # only the low worker may go with an on-call supervisor
    assert without.components.capacity == pytest.approx(0.25 * without.components.locality ** 0.5)
    (coverage,) = [r for r in without.reasons if r.code == "coverage"]
    assert (coverage.params["covered_fte"], coverage.params["limit"]) == (1.0, "supervision")
    assert with_supervisor.components.capacity == pytest.approx(
        with_supervisor.components.locality ** 0.5)
    assert "supervisor_available" in codes(with_supervisor)


def test_on_site_without_low_workers_or_supervisor_is_excluded():
    n = need(placement_mode="on_site")
    assert excluded_codes(n, cap(free_fte=(0.0, 3.0, 0.0), supervisors_free=0.0)) == [
        "no_supervision"
    ]


def test_peak_season_under_high_time_pressure_scores_low_on_supervision():
    calm = only(need(), cap())
    peak = only(need(peak_season=True, time_pressure="high"), cap())
    assert calm.components.supervision == 1.0
    assert peak.components.supervision == pytest.approx(0.2)
    (reason,) = [r for r in peak.reasons if r.code == "peak_season"]
    assert "(seeds 000:3522)" in render(reason, "en")
    # a peak without high pressure keeps its fit but is still warned about (DESIGN §4.8)
    mild = only(need(peak_season=True), cap())
    assert mild.components.supervision == 1.0
    assert "peak_season" in codes(mild)


# -- capacity and hard constraints -----------------------------------------------------


def test_capacity_is_the_covered_share_of_the_uncovered_fte_within_reach():
    partial = only(need(fte=4.0), cap(free_fte=(1.0, 0.0, 0.0)))
    assert partial.components.capacity == pytest.approx(0.25 * partial.components.locality ** 0.5)
    full = only(need(fte=1.0), cap())
    assert full.components.capacity == pytest.approx(full.components.locality ** 0.5)
    # 3 of 4 FTE already contracted: 1 FTE free covers all that is still uncovered
    rest = only(need(fte=4.0, contracted_fte=3.0), cap(free_fte=(1.0, 0.0, 0.0)))
    assert rest.components.capacity == pytest.approx(rest.components.locality ** 0.5)


def test_placement_mode_not_offered_is_excluded():
    n = need(placement_mode="enclave")
    assert excluded_codes(n, cap(placement_modes=("workshop",))) == ["placement_mode"]


def test_missing_certification_is_excluded_and_named():
    result = rank(
        need(certifications=("haccp", "vca")), [cap(certifications=("vca",))], include_excluded=True
    )
    (reason,) = result.excluded[0].excluded
    assert reason == Reason("certification", {"missing": ("haccp",)})


def test_night_work_is_matched_only_to_providers_offering_it():
    n = need(shifts=("night",))
    assert excluded_codes(n, cap(shifts=("day",))) == ["shift"]
    assert len(rank(n, [cap(shifts=("day", "night"))]).items) == 1


def test_stale_workforce_figures_lose_capacity_credit_gradually():
    fresh = only(need(), cap(workforce_age_days=30.0))
    c = only(need(), cap(workforce_age_days=135.0))  # 90 days + 1/6 of the 270-day fade
    assert c.components.capacity == pytest.approx(fresh.components.capacity * (5.0 / 6.0))
    (reason,) = [r for r in c.reasons if r.code == "stale_workforce"]
    assert render(reason, "en") == "Workforce figures are 135 days old: capacity counts for 83 %"
    assert "stale_workforce" not in codes(fresh)
    gone = only(need(), cap(workforce_age_days=360.0))
    assert gone.components.capacity == 0.0


# -- score and ranking -----------------------------------------------------------------


def test_score_is_the_weighted_sum_of_components():
    weights = Weights(competence=0.4, locality=0.3, supervision=0.2, capacity=0.1)
    engine = MatchingEngine(weights=weights).fit([cap(competences=("laundry",))])
    (c,) = engine.rank(need(fte=8.0)).items
    comp = c.components
    expected = 0.4 * comp.competence + 0.3 * comp.locality + 0.2 * comp.supervision
    assert c.score == pytest.approx(expected + 0.1 * comp.capacity, abs=1e-12)


def test_weights_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        Weights(competence=0.5, locality=0.5, supervision=0.5, capacity=0.0)


def test_ranking_ties_are_broken_by_distance_then_id():
    caps = [
        cap(id="b", town="Izegem"),
        cap(id="a", town="Izegem"),
        cap(id="c", town="Roeselare"),
    ]
    # one weight on supervision fit only: every candidate scores 1.0
    weights = Weights(competence=0.0, locality=0.0, supervision=1.0, capacity=0.0)
    result = MatchingEngine(weights=weights).fit(caps).rank(need())
    assert [c.capability_id for c in result.items] == ["c", "a", "b"]
    assert {c.score for c in result.items} == {1.0}


def test_ranking_is_by_score_first():
    near_poor = cap(id="a", town="Roeselare", competences=())
    far_good = cap(id="b", town="Izegem")
    result = rank(need(), [near_poor, far_good])
    assert [c.capability_id for c in result.items] == ["b", "a"]


def test_k_limits_the_number_of_items():
    caps = [cap(id=f"c{i}") for i in range(5)]
    assert len(rank(need(), caps, k=2).items) == 2


def test_batch_and_opportunities_agree_with_rank():
    caps = [cap(id="a"), cap(id="b", town="Kortrijk", competences=("laundry",))]
    needs = [need(id="n1"), need(id="n2", town="Gent", placement_mode="enclave")]
    engine = MatchingEngine().fit(caps)
    single = [engine.rank(n) for n in needs]
    assert list(engine.rank_many(needs)) == single
    opportunities = engine.opportunities([caps[1]], needs)
    by_need = {r.need_id: {c.capability_id: c.score for c in r.items} for r in single}
    assert [(c.need_id, c.score) for c in opportunities] == sorted(
        ((n, s["b"]) for n, s in by_need.items()), key=lambda t: -t[1]
    )


# -- diagnosis -------------------------------------------------------------------------


def test_diagnosis_explains_an_empty_result_and_offers_nearest_related():
    n = need(max_distance_km=10.0, certifications=("haccp",))
    caps = [
        cap(id="far", town="Gent", certifications=("haccp",)),
        cap(id="nocert", town="Izegem"),
        cap(id="group", activity="returns.general", town="Kortrijk", free_fte=(0, 0, 0)),
        cap(id="other", activity="warehouse.handling", town="Roeselare"),
    ]
    result = rank(n, caps)
    assert result.items == ()
    d = result.diagnosis
    assert d.counts() == {
        "considered": 3,
        "no_provider_with_activity": False,
        "no_provider_in_group": False,
        "too_far": 2,
        "placement_mode": 0,
        "certification": 2,
        "shift": 0,
        "no_free_capacity": 1,
        "no_free_capacity_at_level": 0,
        "no_supervision": 0,
    }
    assert [(p.capability_id, p.relation) for p in d.nearest_related] == [
        ("nocert", "exact"),
        ("far", "exact"),
        ("group", "group"),
        ("other", "other"),
    ]
    assert d == rank_reference(n, caps).diagnosis


def test_no_diagnosis_when_something_fits():
    assert rank(need(), [cap()]).diagnosis is None


# -- engine contract -------------------------------------------------------------------


def test_rank_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        MatchingEngine().rank(need())


def test_fit_rejects_duplicate_capability_ids():
    with pytest.raises(ValueError, match="unique"):
        MatchingEngine().fit([cap(), cap()])


def test_engine_fitted_on_no_capabilities_diagnoses_everything():
    result = MatchingEngine().fit([]).rank(need())
    assert result.items == ()
    assert result.diagnosis.no_provider_with_activity is True
    assert result.diagnosis.nearest_related == ()


def test_invalid_profiles_are_rejected():
    with pytest.raises(ValueError, match="placement_mode"):
        need(placement_mode="remote")
    with pytest.raises(ValueError, match="fte"):
        need(fte=0.0)
    with pytest.raises(ValueError, match="free_fte"):
        cap(free_fte=(1.0, -1.0, 0.0))


def test_config_ratios_change_supervision_needs():
    n = need(placement_mode="enclave", fte=8.0)
    c = cap(free_fte=(0.0, 0.0, 8.0), supervisors_free=1.0)
    config = EngineConfig(supervision_ratio_high=8.0)
    (item,) = MatchingEngine(config=config).fit([c]).rank(n).items
    assert item.components.capacity == pytest.approx(item.components.locality ** 0.5)


# -- reasons ---------------------------------------------------------------------------


def test_reasons_render_in_dutch_and_english():
    distance = Reason("distance", {"distance_km": 12.34, "binding": "medium", "decay_km": 30.0})
    assert render(distance, "en", {"level": {"medium": "medium"}}) == (
        "12.3 km away (medium binding: 30 km decay)"
    )
    assert render(distance, "nl", {"level": {"medium": "middel"}}) == (
        "12,3 km verwijderd (lokale gebondenheid middel: afname over 30 km)"
    )
    coverage = Reason("competence_coverage", {"covered": 3, "required": 4, "missing": ()})
    assert render(coverage, "en") == "Covers 3 of 4 required competences"
    labels = {"activity": {"returns.apparel": "Clothing returns"}}
    assert render(Reason("activity_exact", {"activity": "returns.apparel"}), "en", labels) == (
        "Exact activity match: Clothing returns"
    )


def test_every_produced_reason_renders_in_both_languages():
    n = need(
        placement_mode="on_site",
        public_transport="poor",
        peak_season=True,
        time_pressure="high",
        text="kledij wassen",
        max_distance_km=2.0,
    )
    caps = [cap(id="a", text="kledij wassen", workforce_age_days=300.0), cap(id="b", town="Gent")]
    result = rank(n, caps, include_excluded=True)
    reasons = [
        r for c in (*result.items, *result.excluded) for r in (*c.reasons, *(c.excluded or ()))
    ]
    assert reasons
    for reason in reasons:
        assert render(reason, "nl")
        assert render(reason, "en")


def test_reasons_are_hashable_values():
    a = Reason("shift", {"missing": ["night"]})
    assert a == Reason("shift", {"missing": ("night",)})
    assert len({a, Reason("shift", {"missing": ("night",)})}) == 1
    assert a.as_dict() == {"code": "shift", "params": {"missing": ["night"]}}
