"""Plain per-pair Python implementation of the matching rules: the engine's yardstick.

Every pair is scored with :mod:`math` and Python floats in a loop, with no index and no
arrays. It must rank exactly like :class:`matching.engine.MatchingEngine`; the property
test ``tests/matching/test_equivalence.py`` holds both to that, and ``bench/matching.py``
uses this module as the speed baseline.

Text similarity: the TF-IDF vectoriser is the same function the engine fits
(:func:`matching.text.fit_text_model` on the capability texts); each document becomes a
``{term: weight}`` dict and the cosine is a Python sum over shared terms, so the only
difference from the engine's sparse product is floating-point summation order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matching.coverage import cover
from matching.scoring import (
    ACTIVITY_FACTOR_EXACT,
    ACTIVITY_FACTOR_GROUP,
    EX_CERTIFICATION,
    EX_NO_FREE_AT_LEVEL,
    EX_NO_FREE_CAPACITY,
    EX_NO_SUPERVISION,
    EX_PLACEMENT_MODE,
    EX_SHIFT,
    EX_TOO_FAR_NEED,
    EX_TOO_FAR_PROVIDER,
    NEARBY_PROVIDERS,
    PairDetails,
    haversine_from_trig,
    make_candidate,
    make_nearby,
    point_trig,
    relation,
    round_score,
)
from matching.text import TextModel, cosine, fit_text_model
from matching.types import (
    Candidate,
    CapabilityProfile,
    Diagnosis,
    EngineConfig,
    MatchResult,
    NeedProfile,
    Weights,
)


def _pair_details(
    need: NeedProfile,
    cap: CapabilityProfile,
    weights: Weights,
    config: EngineConfig,
    need_vec: dict[int, float],
    cap_vec: dict[int, float],
) -> PairDetails | None:
    rel = relation(need.activity, cap.activity)
    if rel == 2:
        return None  # activity blocking: unrelated activities are never candidates
    distance = haversine_from_trig(point_trig(need.lat, need.lon), point_trig(cap.lat, cap.lon))

    # competence: activity factor × blend(weighted coverage, tf-idf cosine)
    factor = ACTIVITY_FACTOR_EXACT if rel == 0 else ACTIVITY_FACTOR_GROUP
    need_weights = need.weights_or_default
    total_weight = 0.0
    covered_weight = 0.0
    have = set(cap.competences)
    for comp, w in zip(need.competences, need_weights, strict=True):
        total_weight += w
        if comp in have:
            covered_weight += w
    coverage = covered_weight / total_weight if total_weight > 0.0 else 1.0
    has_text = bool(need_vec) and bool(cap_vec)
    similarity = cosine(need_vec, cap_vec) if has_text else 0.0
    if has_text:
        blend = config.text_coverage_weight * coverage + config.text_tfidf_weight * similarity
    else:
        blend = coverage
    competence = factor * blend

    # locality: exponential decay by binding (DESIGN §4.3)
    decay = config.decay_km(need.binding)
    locality = math.exp(-distance / decay)

    # coverage: the one rule (matching.coverage) on the FTE still uncovered
    uncovered = need.uncovered_fte
    cov = cover(
        cap.free_fte,
        cap.supervisors_free,
        need.placement_mode,
        need.accommodates_support,
        uncovered,
        config.supervision_ratios,
    )
    covered = cov.low + cov.medium + cov.high
    share = min(1.0, covered / uncovered) if uncovered > 0.0 else 1.0
    freshness = config.freshness(cap.workforce_age_days)
    # one coverage component, credited for fresh figures and for reach (see matching.scoring)
    reach = math.exp(-distance / (decay * config.reach_decay_factor))
    capacity = share * freshness * reach
    # supervision fit of the work itself: peaks under high pressure do not suit (000:3522)
    supervision = config.peak_pressure_factor if _peak_pressure(need) else 1.0
    eligible = cov.eligible_fte
    free_low, free_medium, free_high = cap.free_fte
    total_free = free_low + free_medium + free_high

    bits = 0
    if need.max_distance_km is not None and distance > need.max_distance_km:
        bits |= EX_TOO_FAR_NEED
    if cap.service_radius_km is not None and distance > cap.service_radius_km:
        bits |= EX_TOO_FAR_PROVIDER
    if need.placement_mode not in cap.placement_modes:
        bits |= EX_PLACEMENT_MODE
    if any(c not in cap.certifications for c in need.certifications):
        bits |= EX_CERTIFICATION
    if any(s not in cap.shifts for s in need.shifts):
        bits |= EX_SHIFT
    if total_free <= 0.0:
        bits |= EX_NO_FREE_CAPACITY
    elif eligible <= 0.0:
        bits |= EX_NO_FREE_AT_LEVEL
    elif uncovered > 0.0 and covered <= 0.0:
        bits |= EX_NO_SUPERVISION  # free workers at accepted levels, none supervisable

    w_comp, w_loc, w_sup, w_cap = weights.as_tuple()
    # commuting to a badly served client: a factor that falls with distance (see matching.types)
    commute = math.exp(
        -distance * config.commute_rate(need.binding, need.placement_mode, need.public_transport)
    )
    score = round_score(
        (w_comp * competence + w_loc * locality + w_sup * supervision + w_cap * capacity)
        * commute
    )
    return PairDetails(
        distance_km=distance,
        activity_factor=factor,
        coverage=coverage,
        text_similarity=similarity,
        has_text=has_text,
        decay_km=decay,
        covered_low=cov.low,
        covered_medium=cov.medium,
        covered_high=cov.high,
        eligible_fte=eligible,
        uncovered_fte=uncovered,
        supervisors_needed=float(cov.supervisors),
        freshness=freshness,
        competence=competence,
        locality=locality,
        supervision=supervision,
        capacity=capacity,
        commute=commute,
        score=score,
        excluded_bits=bits,
    )


def _peak_pressure(need: NeedProfile) -> bool:
    return need.peak_season and need.time_pressure == "high"


def score_pair_reference(
    need: NeedProfile,
    cap: CapabilityProfile,
    weights: Weights | None = None,
    config: EngineConfig | None = None,
    text_model: TextModel | None = None,
) -> Candidate | None:
    """Score one pair; ``None`` when the activities are unrelated (not a candidate).

    Without ``text_model`` the vectoriser is fitted on this one capability's text, so
    pass the model fitted on the whole capability set to reproduce an engine score.
    """
    weights = weights or Weights()
    config = config or EngineConfig()
    model = text_model or fit_text_model([cap.text])
    details = _pair_details(
        need, cap, weights, config, model.vector_dict(need.text), model.vector_dict(cap.text)
    )
    return None if details is None else make_candidate(need, cap, details, config)


def rank_reference(
    need: NeedProfile,
    capabilities: Sequence[CapabilityProfile],
    weights: Weights | None = None,
    config: EngineConfig | None = None,
    k: int = 10,
    include_excluded: bool = False,
    text_model: TextModel | None = None,
    capability_vectors: Mapping[str, dict[int, float]] | None = None,
    vocabulary_texts: Sequence[str] = (),
) -> MatchResult:
    """Rank capabilities for a need with a plain loop over every pair.

    Same contract as :meth:`matching.engine.MatchingEngine.rank`. ``text_model`` defaults to
    one fitted on ``capabilities``' texts and ``vocabulary_texts``; ``capability_vectors``
    (capability id → ``text_model.vector_dicts`` of its text) may be passed in to time only
    the scoring.
    """
    weights = weights or Weights()
    config = config or EngineConfig()
    model = text_model or fit_text_model([c.text for c in capabilities], vocabulary_texts)
    if capability_vectors is None:
        vectors = model.vector_dicts([c.text for c in capabilities])
        capability_vectors = {c.id: v for c, v in zip(capabilities, vectors, strict=True)}
    need_vec = model.vector_dict(need.text)
    scored: list[tuple[PairDetails, CapabilityProfile]] = []
    for cap in capabilities:
        cap_vec = capability_vectors[cap.id]
        details = _pair_details(need, cap, weights, config, need_vec, cap_vec)
        if details is not None:
            scored.append((details, cap))

    fitting = [(d, c) for d, c in scored if d.excluded_bits == 0]
    fitting.sort(key=lambda dc: (-dc[0].score, dc[0].distance_km, dc[1].id))
    items = tuple(make_candidate(need, c, d, config) for d, c in fitting[:k])
    excluded: tuple[Candidate, ...] = ()
    if include_excluded:
        failing = [(d, c) for d, c in scored if d.excluded_bits != 0]
        failing.sort(key=lambda dc: (dc[0].distance_km, dc[1].id))
        excluded = tuple(make_candidate(need, c, d, config) for d, c in failing[:k])
    diagnosis = None if items else _diagnose(need, capabilities, scored)
    return MatchResult(need_id=need.id, items=items, excluded=excluded, diagnosis=diagnosis)


def _diagnose(
    need: NeedProfile,
    capabilities: Sequence[CapabilityProfile],
    scored: list[tuple[PairDetails, CapabilityProfile]],
) -> Diagnosis:
    counts = dict.fromkeys(
        (
            EX_TOO_FAR_NEED | EX_TOO_FAR_PROVIDER,
            EX_PLACEMENT_MODE,
            EX_CERTIFICATION,
            EX_SHIFT,
            EX_NO_FREE_CAPACITY,
            EX_NO_FREE_AT_LEVEL,
            EX_NO_SUPERVISION,
        ),
        0,
    )
    for details, _ in scored:
        for mask in counts:
            if details.excluded_bits & mask:
                counts[mask] += 1
    here = point_trig(need.lat, need.lon)
    nearby = sorted(
        (
            (
                relation(need.activity, c.activity),
                haversine_from_trig(here, point_trig(c.lat, c.lon)),
                c,
            )
            for c in capabilities
        ),
        key=lambda t: (t[0], t[1], t[2].id),
    )
    return Diagnosis(
        considered=len(scored),
        no_provider_with_activity=not any(c.activity == need.activity for c in capabilities),
        no_provider_in_group=not scored,
        too_far=counts[EX_TOO_FAR_NEED | EX_TOO_FAR_PROVIDER],
        placement_mode=counts[EX_PLACEMENT_MODE],
        certification=counts[EX_CERTIFICATION],
        shift=counts[EX_SHIFT],
        no_free_capacity=counts[EX_NO_FREE_CAPACITY],
        no_free_capacity_at_level=counts[EX_NO_FREE_AT_LEVEL],
        no_supervision=counts[EX_NO_SUPERVISION],
        nearest_related=tuple(
            make_nearby(c, rel, dist) for rel, dist, c in nearby[:NEARBY_PROVIDERS]
        ),
    )


def opportunities_reference(
    capabilities_of_provider: Sequence[CapabilityProfile],
    needs: Sequence[NeedProfile],
    text_model: TextModel,
    weights: Weights | None = None,
    config: EngineConfig | None = None,
    k: int = 10,
) -> list[Candidate]:
    """Needs ranked for one provider's capabilities (the reverse direction), per pair."""
    weights = weights or Weights()
    config = config or EngineConfig()
    out: list[tuple[PairDetails, NeedProfile, CapabilityProfile]] = []
    for cap in capabilities_of_provider:
        cap_vec = text_model.vector_dict(cap.text)
        for need in needs:
            d = _pair_details(
                need, cap, weights, config, text_model.vector_dict(need.text), cap_vec
            )
            if d is not None and d.excluded_bits == 0:
                out.append((d, need, cap))
    out.sort(key=lambda t: (-t[0].score, t[0].distance_km, t[1].id, t[2].id))
    return [make_candidate(n, c, d, config) for d, n, c in out[:k]]
