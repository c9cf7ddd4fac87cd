"""DESIGN §4.3-§4.4 and §4.8 as acceptance rules, and the behaviours issue 13 reported.

Each test names the behaviour of the old rules it rules out.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import MatchingEngine, Weights, rank_reference
from tests.matching.worlds import cap, need

KM_PER_DEGREE_LAT = 111.195  # along a meridian, haversine on the engine's earth radius
ORIGIN = (51.0, 3.2)


def at_km(distance_km: float) -> dict[str, float]:
    return {"lat": ORIGIN[0] + distance_km / KM_PER_DEGREE_LAT, "lon": ORIGIN[1]}


def ranked_ids(n, caps, weights=None):
    result = MatchingEngine(weights=weights or Weights()).fit(caps).rank(n)
    ref = rank_reference(n, caps, weights=weights or Weights())
    ids = [c.capability_id for c in result.items]
    assert ids == [c.capability_id for c in ref.items]
    return ids


def reasons_of(candidate):
    return {r.code: r.params for r in candidate.reasons}


# -- §4.3 locality beats raw capacity for high binding -------------------------------------


@pytest.mark.parametrize("near_km", [2.0, 10.0, 20.0])
@pytest.mark.parametrize("far_km", [50.0, 80.0, 155.0])
@pytest.mark.parametrize("mode", ["workshop", "on_site", "enclave"])
@pytest.mark.parametrize("access", ["good", "limited", "poor"])
def test_high_binding_near_provider_covering_half_beats_any_far_provider(
    near_km, far_km, mode, access
):
    # was: a full-coverage provider 155 km away beat one 10 km away covering 4 of 6 FTE
    n = need(lat=ORIGIN[0], lon=ORIGIN[1], binding="high", fte=6.0, placement_mode=mode,
             public_transport=access)
    near = cap(id="near", free_fte=(3.0, 0.0, 0.0), supervisors_free=5.0, **at_km(near_km))
    far = cap(id="far", free_fte=(20.0, 20.0, 20.0), supervisors_free=20.0, **at_km(far_km))
    assert ranked_ids(n, [far, near]) == ["near", "far"]


def test_the_reported_case_ten_km_and_four_of_six_fte_wins_over_155_km():
    n = need(lat=ORIGIN[0], lon=ORIGIN[1], binding="high", fte=6.0, placement_mode="on_site")
    near = cap(id="near", free_fte=(4.0, 0.0, 0.0), **at_km(10.0))
    far = cap(id="far", free_fte=(6.0, 6.0, 6.0), **at_km(155.0))
    assert ranked_ids(n, [near, far]) == ["near", "far"]


def test_low_binding_lets_coverage_win_over_a_little_distance():
    n = need(lat=ORIGIN[0], lon=ORIGIN[1], binding="low", fte=6.0)
    near = cap(id="near", free_fte=(1.0, 0.0, 0.0), **at_km(20.0))
    far = cap(id="far", free_fte=(6.0, 0.0, 0.0), **at_km(50.0))
    assert ranked_ids(n, [near, far]) == ["far", "near"]


@settings(max_examples=200, deadline=None)
@given(
    d_near=st.floats(0.5, 60.0),
    extra=st.floats(0.5, 120.0),
    free_near=st.floats(0.1, 8.0),
    free_far=st.floats(0.1, 8.0),
    age_near=st.floats(0.0, 500.0),
    age_far=st.floats(0.0, 500.0),
    binding=st.sampled_from(["high", "medium", "low"]),
    access=st.sampled_from(["limited", "poor"]),
)
def test_bad_public_transport_never_lets_a_farther_provider_gain_rank(
    d_near, extra, free_near, free_far, age_near, age_far, binding, access
):
    # was: the 0.75 factor on every candidate shrank distance differences (Tielt: Roeselare
    # at 15.4 km overtook Pittem at 4.4 km when access was poor)
    caps = [
        cap(id="near", free_fte=(free_near, 0.0, 0.0), workforce_age_days=age_near,
            **at_km(d_near)),
        cap(id="far", free_fte=(free_far, 0.0, 0.0), workforce_age_days=age_far,
            **at_km(d_near + extra)),
    ]
    base = need(lat=ORIGIN[0], lon=ORIGIN[1], binding=binding, fte=4.0, placement_mode="on_site")
    good = ranked_ids(base, caps)
    bad = ranked_ids(base.__class__(**{**_fields(base), "public_transport": access}), caps)
    if good[0] == "near":
        assert bad[0] == "near"


def _fields(profile):
    return {f: getattr(profile, f) for f in profile.__dataclass_fields__}


# -- §4.2 coverage: accepted levels, uncovered FTE, whole supervisors ----------------------


def test_enclave_accepting_only_low_prefers_the_provider_that_can_cover_it():
    # was: 0.5 of 8 FTE coverable ("13 FTE free for 8 FTE needed", capacity 1.0) won over 4.5
    n = need(placement_mode="enclave", fte=8.0, accommodates_support="low")
    mostly_medium = cap(id="a", free_fte=(0.5, 6.0, 6.5), supervisors_free=3.0, town="Izegem")
    low_team = cap(id="b", free_fte=(4.5, 0.0, 0.0), supervisors_free=1.0, town="Izegem")
    engine = MatchingEngine().fit([mostly_medium, low_team])
    items = engine.rank(n).items
    assert [c.capability_id for c in items] == ["b", "a"]
    coverage = reasons_of(items[1])["coverage"]
    assert (coverage["covered_fte"], coverage["uncovered_fte"], coverage["limit"]) == (
        0.5, 8.0, "workers")
    assert "capacity" not in reasons_of(items[1])  # no "13 FTE free" beside "0.5 coverable"


def test_reasons_speak_of_uncovered_fte_and_whole_supervisors():
    # was: the whole need counted although 4 FTE were contracted, and "0.03 supervisors needed"
    n = need(placement_mode="enclave", fte=7.0, contracted_fte=4.0, accommodates_support="low")
    (c,) = MatchingEngine().fit([cap(free_fte=(0.5, 0.0, 0.0), supervisors_free=2.0)]).rank(
        n).items
    reasons = reasons_of(c)
    assert (reasons["coverage"]["covered_fte"], reasons["coverage"]["uncovered_fte"]) == (0.5, 3.0)
    assert reasons["enclave_supervisor"]["needed"] == 1
    assert isinstance(reasons["enclave_supervisor"]["needed"], int)


def test_on_call_reason_never_stands_beside_a_supervision_shortfall_it_denies():
    # was: "on-call supervision suffices" beside "0.5 of 3 FTE coverable"
    n = need(placement_mode="on_site", fte=3.0, accommodates_support="medium")
    (c,) = MatchingEngine().fit([cap(free_fte=(0.5, 3.0, 0.0), supervisors_free=0.0)]).rank(
        n).items
    reasons = reasons_of(c)
    assert reasons["on_call_supervision"]["fte"] == 0.5  # speaks of the 0.5 FTE that can go
    assert reasons["coverage"]["limit"] == "supervision"
    assert reasons["coverage"]["covered_fte"] == 0.5


def test_individual_high_support_worker_without_free_coach_is_excluded():
    # was: scored 0.978 with no reason
    n = need(placement_mode="individual", fte=1.0, accommodates_support="high")
    result = MatchingEngine().fit([cap(free_fte=(0.0, 0.0, 1.0), supervisors_free=0.0)]).rank(
        n, include_excluded=True)
    assert result.items == ()
    assert [r.code for r in result.excluded[0].excluded] == ["no_supervision"]


def test_individual_low_support_worker_may_have_an_on_call_coach():
    n = need(placement_mode="individual", fte=1.0)
    (c,) = MatchingEngine().fit([cap(free_fte=(1.0, 0.0, 0.0), supervisors_free=0.0)]).rank(
        n).items
    assert "on_call_supervision" in reasons_of(c)


# -- §4.4 freshness ------------------------------------------------------------------------


def test_year_old_figures_get_no_capacity_credit():
    # was: figures 400 days old got full capacity credit and were only flagged
    (c,) = MatchingEngine().fit([cap(workforce_age_days=400.0)]).rank(need()).items
    assert c.components.capacity == 0.0
    assert reasons_of(c)["stale_workforce"]["age_days"] == 400.0


@pytest.mark.parametrize("binding", ["high", "medium", "low"])
def test_year_old_figure_never_outranks_a_fresh_one_a_little_farther(binding):
    n = need(lat=ORIGIN[0], lon=ORIGIN[1], binding=binding)
    stale = cap(id="a", workforce_age_days=365.0, **at_km(5.0))
    fresh = cap(id="b", workforce_age_days=5.0, **at_km(7.0))
    assert ranked_ids(n, [stale, fresh]) == ["b", "a"]


def test_stale_credit_fades_gradually():
    scores = [
        MatchingEngine().fit([cap(workforce_age_days=age)]).rank(need()).items[0].components
        .capacity
        for age in (90.0, 150.0, 210.0, 270.0, 330.0, 360.0)
    ]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == 6


# -- §4.8 peak season ----------------------------------------------------------------------


@pytest.mark.parametrize("pressure", ["low", "medium", "high"])
def test_peak_season_is_always_warned_about(pressure):
    # was: only under high time pressure
    (c,) = MatchingEngine().fit([cap()]).rank(
        need(peak_season=True, time_pressure=pressure)).items
    assert reasons_of(c)["peak_season"]["time_pressure"] == pressure


def test_peak_season_under_high_pressure_drops_supervision_fit_sharply():
    calm, peak = (
        MatchingEngine().fit([cap()]).rank(need(peak_season=True, time_pressure=p)).items[0]
        for p in ("medium", "high")
    )
    assert peak.components.supervision <= 0.25 * calm.components.supervision
