"""The vectorised engine ranks exactly like the plain per-pair reference."""

from __future__ import annotations

import math
from unittest import mock

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from matching import (
    CERTIFICATIONS,
    PLACEMENT_MODES,
    SHIFTS,
    SUPPORT_LEVELS,
    CapabilityProfile,
    MatchingEngine,
    MatchResult,
    NeedProfile,
    opportunities_reference,
    rank_reference,
)
from matching import engine as engine_module
from matching.text import fit_text_model
from tests.matching.worlds import TOWNS

ACTIVITIES = (
    "returns.apparel",
    "returns.electronics",
    "returns.general",
    "warehouse.handling",
    "warehouse.orderpick",
    "care.support",
)
COMPETENCES = ("laundry", "textile.repair", "sorting", "packing", "scanning", "forklift")
WORDS = (
    "kledij wassen strijken herstellen retour elektronica testen magazijn pallets "
    "picking wasserij keuken returns repair sorting the de en van een"
).split()
PLACES = tuple(TOWNS.values())[:6]

texts = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
fte = st.sampled_from((0.0, 0.5, 1.0, 2.0, 3.5, 8.0))


@st.composite
def points(draw):
    lat, lon = draw(st.sampled_from(PLACES))
    if draw(st.booleans()):  # mostly shared towns (distance ties), sometimes jittered
        lat += draw(st.floats(-0.2, 0.2))
        lon += draw(st.floats(-0.2, 0.2))
    return lat, lon


@st.composite
def capabilities(draw, i):
    lat, lon = draw(points())
    return CapabilityProfile(
        id=f"cap-{draw(st.integers(0, 999)):03d}-{i}",
        provider_id=f"prov-{i % 3}",
        provider_name=f"Provider {i % 3}",
        site_id=f"site-{i}",
        municipality="X",
        activity=draw(st.sampled_from(ACTIVITIES)),
        competences=tuple(draw(st.lists(st.sampled_from(COMPETENCES), max_size=4))),
        text=draw(texts),
        placement_modes=tuple(
            draw(st.lists(st.sampled_from(PLACEMENT_MODES), min_size=1, unique=True))
        ),
        service_radius_km=draw(st.none() | st.sampled_from((5.0, 20.0, 60.0))),
        certifications=tuple(draw(st.lists(st.sampled_from(CERTIFICATIONS[:3]), unique=True))),
        shifts=tuple(draw(st.lists(st.sampled_from(SHIFTS), min_size=1, unique=True))),
        lat=lat,
        lon=lon,
        free_fte=(draw(fte), draw(fte), draw(fte)),
        supervisors_free=draw(st.sampled_from((0.0, 0.25, 1.0, 3.0))),
        workforce_age_days=draw(st.none() | st.sampled_from((5.0, 200.0))),
    )


@st.composite
def needs(draw, i):
    lat, lon = draw(points())
    comps = tuple(draw(st.lists(st.sampled_from(COMPETENCES), max_size=3)))
    weights = draw(st.none() | st.just(tuple(float(1 + j % 3) for j in range(len(comps)))))
    return NeedProfile(
        id=f"need-{i}",
        activity=draw(st.sampled_from(ACTIVITIES)),
        competences=comps,
        text=draw(texts),
        placement_mode=draw(st.sampled_from(PLACEMENT_MODES)),
        fte=draw(st.sampled_from((0.5, 1.0, 2.0, 5.0))),
        accommodates_support=draw(st.sampled_from(SUPPORT_LEVELS)),
        time_pressure=draw(st.sampled_from(("low", "medium", "high"))),
        peak_season=draw(st.booleans()),
        shifts=tuple(draw(st.lists(st.sampled_from(SHIFTS), max_size=2, unique=True))),
        certifications=tuple(draw(st.lists(st.sampled_from(CERTIFICATIONS[:3]), max_size=1))),
        max_distance_km=draw(st.none() | st.sampled_from((0.0, 10.0, 30.0, 100.0))),
        lat=lat,
        lon=lon,
        binding=draw(st.sampled_from(("high", "medium", "low"))),
        public_transport=draw(st.sampled_from(("good", "limited", "poor"))),
        competence_weights=weights if comps else None,
    )


@st.composite
def worlds(draw):
    n_caps = draw(st.integers(0, 40))
    n_needs = draw(st.integers(1, 8))
    caps = [draw(capabilities(i)) for i in range(n_caps)]
    caps = list({c.id: c for c in caps}.values())
    return [draw(needs(i)) for i in range(n_needs)], caps, draw(st.integers(1, 10))


def assert_same(engine_result: MatchResult, reference_result: MatchResult) -> None:
    assert engine_result.need_id == reference_result.need_id
    for got, want in (
        (engine_result.items, reference_result.items),
        (engine_result.excluded, reference_result.excluded),
    ):
        assert [c.capability_id for c in got] == [c.capability_id for c in want]
        for a, b in zip(got, want, strict=True):
            assert math.isclose(a.score, b.score, abs_tol=1e-9)
            assert math.isclose(a.distance_km, b.distance_km, abs_tol=1e-9)
            for x, y in zip(
                (
                    a.components.competence,
                    a.components.locality,
                    a.components.supervision,
                    a.components.capacity,
                ),
                (
                    b.components.competence,
                    b.components.locality,
                    b.components.supervision,
                    b.components.capacity,
                ),
                strict=True,
            ):
                assert math.isclose(x, y, abs_tol=1e-9)
            assert a.reasons == b.reasons
            assert a.excluded == b.excluded
    assert engine_result.diagnosis == reference_result.diagnosis


# deterministic; no shrinking phase (a failing world is printed as drawn, and shrinking
# through refits of the engine would take minutes)
SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEWER = settings(SETTINGS, max_examples=30)


@SETTINGS
@given(worlds())
def test_engine_ranks_like_reference(world):
    needs_, caps, k = world
    engine = MatchingEngine().fit(caps)
    text_model = fit_text_model([c.text for c in caps])  # the reference's own fit
    for need in needs_:
        for include_excluded in (False, True):
            assert_same(
                engine.rank(need, k=k, include_excluded=include_excluded),
                rank_reference(
                    need, caps, k=k, include_excluded=include_excluded, text_model=text_model
                ),
            )


@FEWER
@given(worlds())
def test_batch_ranks_like_reference(world):
    needs_, caps, k = world
    engine = MatchingEngine().fit(caps)
    text_model = fit_text_model([c.text for c in caps])
    batch = engine.rank_many(needs_, k=k)
    assert len(batch) == len(needs_)
    for need, result in zip(needs_, batch, strict=True):
        assert_same(result, rank_reference(need, caps, k=k, text_model=text_model))


@FEWER
@given(worlds())
def test_opportunities_rank_like_reference(world):
    needs_, caps, k = world
    engine = MatchingEngine().fit(caps)
    mine = [c for c in caps if c.provider_id == "prov-0"]
    got = engine.opportunities(mine, needs_, k=k)
    want = opportunities_reference(mine, needs_, engine.text_model_, k=k)
    assert [(c.need_id, c.capability_id) for c in got] == [
        (c.need_id, c.capability_id) for c in want
    ]
    for a, b in zip(got, want, strict=True):
        assert math.isclose(a.score, b.score, abs_tol=1e-9)
        assert a.reasons == b.reasons


@FEWER
@given(worlds())
def test_single_dense_path_equals_batch_and_broadcast_exactly(world):
    # three implementations of one score: the single-need dense scorer (rank), the batch
    # scorer (rank_many) and the broadcast scorer (rank with include_excluded): every score,
    # distance, component and reason equal, not merely close
    needs_, caps, k = world
    engine = MatchingEngine().fit(caps)
    batch = engine.rank_many(needs_, k=k)
    for need, batched in zip(needs_, batch, strict=True):
        single = engine.rank(need, k=k)
        assert single == batched
        assert single.items == engine.rank(need, k=k, include_excluded=True).items


@FEWER
@given(worlds())
def test_batch_text_products_dense_or_sparse_give_the_same_bits(world):
    needs_, caps, k = world
    engine = MatchingEngine().fit(caps)
    # a handful of needs would not pay for the dense copy: both paths forced
    with mock.patch.object(engine_module, "_dense_if_worth_it", lambda m, _n: m.toarray()):
        dense = engine.rank_many(needs_, k=k)
    with mock.patch.object(engine_module, "_dense_if_worth_it", lambda m, _n: m):
        sparse = engine.rank_many(needs_, k=k)
    assert list(dense) == list(sparse)
    assert dense.scores.tobytes() == sparse.scores.tobytes()
