"""Koppel's pure matching core: no database, no HTTP; stdlib, NumPy, SciPy, scikit-learn."""

from matching.engine import MatchingEngine, RankedBatch
from matching.reasons import REASON_CODES, render
from matching.reference import opportunities_reference, rank_reference, score_pair_reference
from matching.scoring import EARTH_RADIUS_KM, haversine_km
from matching.types import (
    BINDINGS,
    CERTIFICATIONS,
    PLACEMENT_MODES,
    PUBLIC_TRANSPORT,
    SHIFTS,
    SUPPORT_LEVELS,
    TIME_PRESSURES,
    Candidate,
    CapabilityProfile,
    Components,
    Diagnosis,
    EngineConfig,
    MatchResult,
    NearbyProvider,
    NeedProfile,
    Reason,
    Weights,
    activity_group,
)

__all__ = [
    "BINDINGS",
    "CERTIFICATIONS",
    "EARTH_RADIUS_KM",
    "PLACEMENT_MODES",
    "PUBLIC_TRANSPORT",
    "REASON_CODES",
    "SHIFTS",
    "SUPPORT_LEVELS",
    "TIME_PRESSURES",
    "Candidate",
    "CapabilityProfile",
    "Components",
    "Diagnosis",
    "EngineConfig",
    "MatchResult",
    "MatchingEngine",
    "NearbyProvider",
    "NeedProfile",
    "RankedBatch",
    "Reason",
    "Weights",
    "activity_group",
    "haversine_km",
    "opportunities_reference",
    "rank_reference",
    "render",
    "score_pair_reference",
]
