"""One coverage and supervision rule (DESIGN §4.1-4.2), and every caller agreeing on it."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services.lead_reservation import Capacity, best_reservation
from matching import MatchingEngine
from matching.assignment import assign
from matching.coverage import PLACEMENT_MODES, SUPPORT_LEVELS, cover, cover_arrays
from matching.reference import rank_reference
from tests.matching.worlds import cap, need


def test_enclave_always_needs_a_whole_supervisor_even_for_low_workers():
    c = cover((3.0, 0.0, 0.0), 1.0, "enclave", "low", 3.0)
    assert (c.fte, c.supervisors, c.on_call) == (3.0, 1, False)
    assert cover((3.0, 0.0, 0.0), 0.0, "enclave", "low", 3.0).fte == 0.0


def test_fractional_free_supervisors_count_as_whole_people_only():
    # 0.9 of a supervisor "free" is nobody who can go to an enclave
    assert cover((3.0, 0.0, 0.0), 0.9, "enclave", "low", 3.0).fte == 0.0
    assert cover((30.0, 0.0, 0.0), 1.5, "enclave", "low", 30.0).fte == 15.0


def test_enclave_ratios_high_4_medium_8_low_15():
    c = cover((0.0, 0.0, 10.0), 2.0, "enclave", "high", 10.0)
    assert (c.high, c.supervisors, c.shortfall) == (8.0, 2, 2.0)
    c = cover((0.0, 20.0, 0.0), 2.0, "enclave", "medium", 20.0)
    assert (c.medium, c.supervisors) == (16.0, 2)


def test_on_site_on_call_only_for_an_all_low_team():
    c = cover((2.0, 0.0, 0.0), 0.0, "on_site", "high", 2.0)
    assert (c.fte, c.on_call) == (2.0, True)
    c = cover((1.0, 3.0, 0.0), 0.0, "on_site", "medium", 4.0)
    assert (c.low, c.medium, c.limited_by_supervision) == (1.0, 0.0, True)
    c = cover((1.0, 3.0, 0.0), 1.0, "on_site", "medium", 4.0)
    assert (c.low, c.medium, c.supervisors) == (1.0, 3.0, 1)


def test_individual_medium_or_high_worker_needs_a_job_coach():
    assert cover((0.0, 0.0, 1.0), 0.0, "individual", "high", 1.0).fte == 0.0
    c = cover((0.0, 0.0, 1.0), 1.0, "individual", "high", 1.0)
    assert (c.high, c.supervisors) == (1.0, 1)
    c = cover((1.0, 0.0, 0.0), 0.0, "individual", "high", 1.0)
    assert (c.low, c.on_call) == (1.0, True)


def test_workshop_needs_no_site_supervisor():
    c = cover((0.0, 0.0, 5.0), 0.0, "workshop", "high", 5.0)
    assert (c.high, c.supervisors) == (5.0, 0)


def test_only_levels_the_workplace_accommodates_count():
    c = cover((0.5, 6.0, 6.5), 3.0, "enclave", "low", 8.0)
    assert (c.fte, c.eligible_fte, c.shortfall) == (0.5, 0.5, 7.5)


def test_coverage_counts_against_the_uncovered_fte():
    c = cover((10.0, 0.0, 0.0), 0.0, "workshop", "low", 2.0)
    assert (c.fte, c.share, c.shortfall) == (2.0, 1.0, 0.0)


@settings(max_examples=300, deadline=None)
@given(
    free=st.tuples(*(st.floats(0, 30, allow_nan=False) for _ in range(3))),
    supervisors=st.floats(0, 6, allow_nan=False),
    mode=st.sampled_from(PLACEMENT_MODES),
    acc=st.sampled_from(SUPPORT_LEVELS),
    uncovered=st.floats(0, 40, allow_nan=False),
)
def test_array_form_is_bit_identical_to_the_scalar_rule(free, supervisors, mode, acc, uncovered):
    c = cover(free, supervisors, mode, acc, uncovered)
    a = cover_arrays(
        np.array([free[0]]),
        np.array([free[1]]),
        np.array([free[2]]),
        np.array([supervisors]),
        np.array([PLACEMENT_MODES.index(mode)]),
        np.array([SUPPORT_LEVELS.index(acc)]),
        np.array([uncovered]),
    )
    assert (a["low"][0], a["medium"][0], a["high"][0]) == (c.low, c.medium, c.high)
    assert (a["supervisors"][0], a["eligible"][0]) == (c.supervisors, c.eligible_fte)


# -- every caller agrees -------------------------------------------------------------------

WORLD = [
    # (free low/medium/high, supervisors, mode, accommodates, fte, contracted)
    ((0.5, 6.0, 6.5), 3.0, "enclave", "low", 8.0, 0.0),
    ((0.5, 6.0, 6.5), 3.0, "enclave", "high", 8.0, 0.0),
    ((20.0, 0.0, 0.0), 1.0, "enclave", "low", 20.0, 0.0),
    ((2.0, 6.0, 0.0), 0.0, "on_site", "medium", 8.0, 0.0),
    ((2.0, 6.0, 0.0), 1.0, "on_site", "medium", 8.0, 0.0),
    ((0.0, 0.0, 1.0), 0.0, "individual", "high", 1.0, 0.0),
    ((0.0, 2.0, 1.0), 1.0, "individual", "high", 3.0, 0.0),
    ((1.0, 1.0, 1.0), 0.0, "workshop", "medium", 6.0, 4.0),
    ((4.0, 4.0, 0.0), 1.0, "enclave", "medium", 7.0, 4.0),
]


def _engine_covered(n, c) -> float | None:
    engine = MatchingEngine().fit([c])
    result = engine.rank(n, include_excluded=True)
    found = result.items or result.excluded
    if result.excluded:
        return 0.0  # excluded: nothing coverable
    reasons = {r.code: r.params for r in found[0].reasons}
    return reasons["coverage"]["covered_fte"]


@pytest.mark.parametrize(("free", "sup", "mode", "acc", "fte", "contracted"), WORLD)
def test_engine_reference_reservation_and_lp_agree_on_what_a_site_covers(
    free, sup, mode, acc, fte, contracted
):
    n = need(placement_mode=mode, accommodates_support=acc, fte=fte, contracted_fte=contracted)
    c = cap(free_fte=free, supervisors_free=sup)
    expected = cover(free, sup, mode, acc, fte - contracted).fte

    engine = _engine_covered(n, c)
    ref = rank_reference(n, [c], include_excluded=True)
    ref_cands = ref.items or ref.excluded
    ref_covered = (
        0.0 if ref.excluded else {r.code: r.params for r in ref_cands[0].reasons}["coverage"][
            "covered_fte"]
    )
    reservation = best_reservation(
        Capacity(low=free[0], medium=free[1], high=free[2], supervisors=sup),
        fte - contracted, acc, mode,
    ).fte
    lp = assign(
        [NS(id="n", fte=fte - contracted, accommodates_support=acc, placement_mode=mode)],
        [NS(id="s", free_fte=free, supervisors_free=sup)],
        [NS(need_id="n", site_id="s", score=0.5, distance_km=5.0)],
    ).covered_fte.get("n", 0.0)

    assert engine == pytest.approx(expected, abs=1e-9)
    assert ref_covered == pytest.approx(expected, abs=1e-9)
    assert reservation == pytest.approx(expected, abs=1e-6)
    assert lp == pytest.approx(expected, abs=1e-6)


def test_the_world_has_the_exact_coverages_the_rule_promises():
    got = [cover(f, s, m, a, fte - done).fte for f, s, m, a, fte, done in WORLD]
    assert got == pytest.approx([0.5, 8.0, 15.0, 2.0, 8.0, 0.0, 3.0, 2.0, 3.0])
