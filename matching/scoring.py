"""Scoring primitives shared by the vectorised engine and the per-pair reference.

Both implementations compute the same numbers independently (NumPy arrays versus plain
Python floats); they share only what must be bit-identical for rankings to agree:

* per-point trigonometry (computed with :mod:`math` for every point, once),
* the haversine formula written as products of half-angle sines and cosines, so the only
  per-pair transcendental is ``asin`` (distances are then rounded to 1e-9 km),
* score rounding to 12 decimals with ``floor(x * 1e12 + 0.5) / 1e12`` (identical IEEE
  operations in NumPy and Python, unlike ``round``),
* the translation of computed numbers (:class:`PairDetails`) into reasons and candidates.

The score (DESIGN §4, §5) is ``commute × (w_comp·competence + w_loc·locality +
w_sup·supervision + w_cap·capacity)`` with

* ``locality = exp(-d / L)``, ``L`` the decay length of the activity's binding (15 / 30 /
  75 km).
* commuting: when workers commute to a badly served client site (``limited`` / ``poor``
  public transport, 004:410) the whole score is multiplied by ``exp(-d (1/(f L) - 1/L))``,
  the extra loss of a decay length shortened to ``f L`` (f = 0.75 / 0.5). The factor falls
  with distance, so bad transport never lets a farther provider overtake a nearer one
  (DESIGN §4.3); shortening only the locality and reach decay did, because for far pairs it
  squeezes their differences towards zero while competence stays (a property test holds the
  rule; :meth:`EngineConfig.commute_rate`).
* ``capacity = share × freshness × reach``: the share of the need's *uncovered* FTE the
  site can cover with the one coverage rule (:mod:`matching.coverage`: accepted levels,
  supervision, whole supervisors), credited for the age of the workforce figures
  (:meth:`EngineConfig.freshness`) and for reach, ``exp(-d / (2 L))``. This is the only
  place partial coverage counts (it used to count twice, in supervision and capacity, and
  distance once). Coverage is worth what workers can reach: for ``high`` binding
  (``L = 15 km``) a provider within 20 km has at least
  ``e^(30 / 30) = e`` times the reach of one 50 km or more away, more than the factor 2
  between covering half and covering all, and its locality is ahead too; so with equal
  competence it ranks above the far one for any weights (the rest can come from a second near
  provider, a samenwerkingsverband, 004:1191). Reach decays half as fast as locality so that,
  among near providers and for ``medium`` / ``low`` binding, the one that covers the need can
  still win (a full provider in Tielt over one covering a third in Gent, 27 km apart).
* ``supervision`` is the supervision fit of the work itself: 1, or ``peak_pressure_factor``
  (0.2) for peak-season work under high time pressure, a refuted opportunity (000:3522-3560).
  Whether the supervision a team needs is there is decided by the coverage rule: a site that
  cannot supervise anyone is excluded (``no_supervision``), one that can supervise part of
  the team covers only that part.
* a stale figure keeps its locality and competence but loses its capacity credit, fully at
  four times ``stale_after_days``: a year-old figure never outranks a fresh one a little
  farther away.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from matching.coverage import whole_supervisors
from matching.types import (
    SHIFTS,
    SUPPORT_LEVELS,
    Candidate,
    CapabilityProfile,
    Components,
    EngineConfig,
    LazyReasons,
    NearbyProvider,
    NeedProfile,
    Reason,
    activity_group,
)

EARTH_RADIUS_KM = 6371.0088
EARTH_DIAMETER_KM = 2.0 * EARTH_RADIUS_KM
SCORE_DECIMALS = 12
SCORE_SCALE = 1e12
KM_SCALE = 1e9  # distances and reason parameters are rounded to 1e-9
ACTIVITY_FACTOR_EXACT = 1.0
ACTIVITY_FACTOR_GROUP = 0.5
NEARBY_PROVIDERS = 5

# exclusion causes as bits, so the engine can carry them in one integer array
EX_TOO_FAR_NEED = 1
EX_TOO_FAR_PROVIDER = 2
EX_PLACEMENT_MODE = 4
EX_CERTIFICATION = 8
EX_SHIFT = 16
EX_NO_FREE_CAPACITY = 32
EX_NO_FREE_AT_LEVEL = 64
EX_NO_SUPERVISION = 128


def round_score(x: float) -> float:
    """Round a score to 12 decimals, bit-identically to the NumPy formula in the engine."""
    return math.floor(x * SCORE_SCALE + 0.5) / SCORE_SCALE


def round_fine(x: float) -> float:
    """Round a distance or reason parameter to 1e-9, bit-identically to the engine."""
    return math.floor(x * KM_SCALE + 0.5) / KM_SCALE


class PointTrig(NamedTuple):
    """Per-point terms of the haversine formula."""

    sin_half_lat: float
    cos_half_lat: float
    cos_lat: float
    sin_half_lon: float
    cos_half_lon: float


def point_trig(lat: float, lon: float) -> PointTrig:
    phi = math.radians(lat)
    lam = math.radians(lon)
    return PointTrig(
        math.sin(phi / 2.0),
        math.cos(phi / 2.0),
        math.cos(phi),
        math.sin(lam / 2.0),
        math.cos(lam / 2.0),
    )


def haversine_from_trig(a: PointTrig, b: PointTrig) -> float:
    """Great-circle distance in km (rounded to 1e-9 km).

    ``sin((φ1 - φ2) / 2) = sin(φ1/2) cos(φ2/2) - cos(φ1/2) sin(φ2/2)``: with the per-point
    terms precomputed, a pair costs a few products and one ``asin``.
    """
    s_lat = a.sin_half_lat * b.cos_half_lat - a.cos_half_lat * b.sin_half_lat
    s_lon = a.sin_half_lon * b.cos_half_lon - a.cos_half_lon * b.sin_half_lon
    h = s_lat * s_lat + (a.cos_lat * b.cos_lat) * (s_lon * s_lon)
    h = min(h, 1.0)
    return round_fine(EARTH_DIAMETER_KM * math.asin(math.sqrt(h)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two (lat, lon) points in degrees."""
    return haversine_from_trig(point_trig(lat1, lon1), point_trig(lat2, lon2))


def relation(need_activity: str, cap_activity: str) -> int:
    """0 = exact activity, 1 = same group, 2 = unrelated (not a candidate)."""
    if need_activity == cap_activity:
        return 0
    if activity_group(need_activity) == activity_group(cap_activity):
        return 1
    return 2


RELATION_NAMES = ("exact", "group", "other")


class PairDetails(NamedTuple):
    """Every number the scoring of one pair produces; reasons are built from these."""

    distance_km: float
    activity_factor: float
    coverage: float
    text_similarity: float
    has_text: bool
    decay_km: float
    covered_low: float
    covered_medium: float
    covered_high: float
    eligible_fte: float
    uncovered_fte: float
    supervisors_needed: float
    freshness: float
    competence: float
    locality: float
    supervision: float
    capacity: float
    commute: float
    score: float
    excluded_bits: int


def _ordered_missing(required: tuple[str, ...], offered: tuple[str, ...]) -> tuple[str, ...]:
    have = set(offered)
    return tuple(sorted({r for r in required if r not in have}))


def build_reasons(
    need: NeedProfile, cap: CapabilityProfile, d: PairDetails, config: EngineConfig
) -> tuple[Reason, ...]:
    """Reasons that explain a score, in a fixed order."""
    reasons: list[Reason] = []
    if d.activity_factor == ACTIVITY_FACTOR_EXACT:
        reasons.append(Reason("activity_exact", {"activity": cap.activity}))
    else:
        reasons.append(
            Reason("activity_group", {"activity": cap.activity, "need_activity": need.activity})
        )
    if need.competences:
        have = set(cap.competences)
        missing = tuple(dict.fromkeys(c for c in need.competences if c not in have))
        required = len(dict.fromkeys(need.competences))
        reasons.append(
            Reason(
                "competence_coverage",
                {
                    "covered": required - len(missing),
                    "required": required,
                    "missing": missing,
                    "coverage": round_fine(d.coverage),
                },
            )
        )
    if d.has_text and d.text_similarity > 0.0:
        reasons.append(Reason("text_similarity", {"similarity": round_fine(d.text_similarity)}))
    elif need.text.strip() and cap.text.strip():
        reasons.append(Reason("text_no_overlap"))
    base_decay = config.decay_km(need.binding)
    reasons.append(
        Reason(
            "distance",
            {"distance_km": d.distance_km, "binding": need.binding, "decay_km": base_decay},
        )
    )
    if config.commute_rate(need.binding, need.placement_mode, need.public_transport) > 0.0:
        reasons.append(
            Reason(
                "public_transport",
                {"access": need.public_transport, "factor": round_fine(d.commute)},
            )
        )
    covered = d.covered_low + d.covered_medium + d.covered_high
    needed = int(d.supervisors_needed)
    free = int(whole_supervisors(cap.supervisors_free))
    if need.placement_mode == "enclave":
        # enclave: supervisor always present, even for low-support workers (seeds 000:181-185)
        reasons.append(Reason("enclave_supervisor", {"needed": needed, "free": free}))
    elif need.placement_mode in ("on_site", "individual") and covered > 0.0:
        if needed == 0:
            reasons.append(
                Reason(
                    "on_call_supervision",
                    {"mode": need.placement_mode, "fte": round_fine(covered)},
                )
            )
        else:
            reasons.append(
                Reason(
                    "supervisor_available",
                    {"mode": need.placement_mode, "needed": needed, "free": free},
                )
            )
    if covered >= d.uncovered_fte - 1e-9:
        limit = "none"
    elif covered < min(d.eligible_fte, d.uncovered_fte) - 1e-6:
        limit = "supervision"
    else:
        limit = "workers"
    reasons.append(
        Reason(
            "coverage",
            {
                "covered_fte": round_fine(covered),
                "uncovered_fte": round_fine(d.uncovered_fte),
                "contracted_fte": round_fine(need.contracted_fte),
                "accommodates": need.accommodates_support,
                "limit": limit,
            },
        )
    )
    if need.peak_season:
        # refuted opportunity: absorbing logistic peaks (seeds 000:3522-3560)
        high = need.time_pressure == "high"
        reasons.append(
            Reason(
                "peak_season",
                {
                    "time_pressure": need.time_pressure,
                    "factor": config.peak_pressure_factor if high else 1.0,
                },
            )
        )
    age = cap.workforce_age_days
    if age is not None and age > config.stale_after_days:
        reasons.append(
            Reason(
                "stale_workforce",
                {"age_days": float(math.floor(age)), "credit": round_fine(d.freshness)},
            )
        )
    return tuple(reasons)


def build_exclusions(
    need: NeedProfile, cap: CapabilityProfile, d: PairDetails
) -> tuple[Reason, ...]:
    """Hard-constraint reasons from the exclusion bits, in a fixed order."""
    bits = d.excluded_bits
    out: list[Reason] = []
    if bits & EX_TOO_FAR_NEED:
        out.append(
            Reason(
                "too_far",
                {
                    "distance_km": d.distance_km,
                    "limit_km": float(need.max_distance_km or 0.0),
                    "limit": "need",
                },
            )
        )
    if bits & EX_TOO_FAR_PROVIDER:
        out.append(
            Reason(
                "too_far",
                {
                    "distance_km": d.distance_km,
                    "limit_km": float(cap.service_radius_km or 0.0),
                    "limit": "provider",
                },
            )
        )
    if bits & EX_PLACEMENT_MODE:
        out.append(
            Reason(
                "placement_mode",
                {"mode": need.placement_mode, "offered": tuple(cap.placement_modes)},
            )
        )
    if bits & EX_CERTIFICATION:
        out.append(
            Reason(
                "certification",
                {"missing": _ordered_missing(need.certifications, cap.certifications)},
            )
        )
    if bits & EX_SHIFT:
        missing = _ordered_missing(need.shifts, cap.shifts)
        out.append(Reason("shift", {"missing": tuple(s for s in SHIFTS if s in missing)}))
    if bits & EX_NO_FREE_CAPACITY:
        out.append(Reason("no_free_capacity"))
    if bits & EX_NO_FREE_AT_LEVEL:
        out.append(Reason("no_free_capacity_at_level", {"accommodates": need.accommodates_support}))
    if bits & EX_NO_SUPERVISION:
        out.append(Reason("no_supervision", {"mode": need.placement_mode}))
    return tuple(out)


def make_candidate(
    need: NeedProfile,
    cap: CapabilityProfile,
    d: PairDetails,
    config: EngineConfig,
) -> Candidate:
    """Build the output candidate; excluded pairs carry score 0 and their exclusions."""
    excluded = build_exclusions(need, cap, d) if d.excluded_bits else None
    return Candidate(
        need_id=need.id,
        capability_id=cap.id,
        provider_id=cap.provider_id,
        provider_name=cap.provider_name,
        site_id=cap.site_id,
        municipality=cap.municipality,
        distance_km=d.distance_km,
        score=0.0 if excluded else d.score,
        components=Components(d.competence, d.locality, d.supervision, d.capacity),
        reasons=LazyReasons(build_reasons, need, cap, d, config),
        excluded=excluded,
    )


def make_nearby(cap: CapabilityProfile, rel: int, distance_km: float) -> NearbyProvider:
    return NearbyProvider(
        capability_id=cap.id,
        provider_id=cap.provider_id,
        provider_name=cap.provider_name,
        site_id=cap.site_id,
        municipality=cap.municipality,
        activity=cap.activity,
        relation=RELATION_NAMES[rel],
        distance_km=distance_km,
    )


def support_index(level: str) -> int:
    return SUPPORT_LEVELS.index(level)
