"""Frozen value types that go in and out of the matching engine.

The API layer adapts database rows to :class:`NeedProfile` and :class:`CapabilityProfile`;
the engine returns :class:`MatchResult` objects built from :class:`Candidate`,
:class:`Components`, :class:`Reason` and :class:`Diagnosis`. Nothing here knows about
databases or HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SUPPORT_LEVELS: tuple[str, ...] = ("low", "medium", "high")
"""Support levels in increasing order of need; ``free_fte`` tuples follow this order."""
PLACEMENT_MODES = ("workshop", "on_site", "enclave", "individual")
SHIFTS = ("day", "early_late", "night", "weekend")
CERTIFICATIONS = ("iso9001", "iso14001", "vca", "haccp", "brc_ifs", "fsc", "weee_permit")
TIME_PRESSURES = ("low", "medium", "high")
BINDINGS = ("high", "medium", "low")
PUBLIC_TRANSPORT = ("good", "limited", "poor")
#: placement modes in which target-group workers commute to the client's site (DESIGN §4.3)
COMMUTE_MODES = ("on_site", "enclave", "individual")


def activity_group(activity: str) -> str:
    """The activity group: the code before the first dot (``returns.apparel`` → ``returns``)."""
    return activity.split(".", 1)[0]


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def _check_subset(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"{name} contains unknown values {unknown}; allowed: {allowed}")


def _check_number(name: str, value: float, *, positive: bool = False) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if not positive and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _check_coordinates(lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
        raise ValueError(f"invalid coordinates ({lat!r}, {lon!r})")


def _as_tuple(obj: Any, *names: str) -> None:
    # frozen dataclasses: accept lists from callers but store tuples (hashable, immutable)
    for name in names:
        value = getattr(obj, name)
        if value is not None and not isinstance(value, tuple):
            object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True, slots=True)
class NeedProfile:
    """A company's need, as the engine sees it.

    ``accommodates_support`` is the highest support level the workplace can accommodate;
    ``shifts`` and ``certifications`` are required; ``binding`` is the local binding of the
    need's activity and ``public_transport`` the access of the client's site.
    """

    id: str
    activity: str
    competences: tuple[str, ...]
    text: str
    placement_mode: str
    fte: float
    accommodates_support: str
    time_pressure: str
    peak_season: bool
    shifts: tuple[str, ...]
    certifications: tuple[str, ...]
    max_distance_km: float | None
    lat: float
    lon: float
    binding: str
    public_transport: str
    competence_weights: tuple[float, ...] | None = None
    #: FTE of this need already contracted; coverage counts against ``fte - contracted_fte``
    contracted_fte: float = 0.0

    def __post_init__(self) -> None:
        _as_tuple(self, "competences", "shifts", "certifications", "competence_weights")
        _check_choice("placement_mode", self.placement_mode, PLACEMENT_MODES)
        _check_choice("accommodates_support", self.accommodates_support, SUPPORT_LEVELS)
        _check_choice("time_pressure", self.time_pressure, TIME_PRESSURES)
        _check_choice("binding", self.binding, BINDINGS)
        _check_choice("public_transport", self.public_transport, PUBLIC_TRANSPORT)
        _check_subset("shifts", self.shifts, SHIFTS)
        _check_subset("certifications", self.certifications, CERTIFICATIONS)
        _check_number("fte", self.fte, positive=True)
        _check_number("contracted_fte", self.contracted_fte)
        if self.contracted_fte > self.fte:
            raise ValueError("contracted_fte must not exceed fte")
        if self.max_distance_km is not None:
            _check_number("max_distance_km", self.max_distance_km)
        _check_coordinates(self.lat, self.lon)
        if self.competence_weights is not None:
            if len(self.competence_weights) != len(self.competences):
                raise ValueError("competence_weights must have the same length as competences")
            for w in self.competence_weights:
                _check_number("competence_weights", w)
            if self.competences and sum(self.competence_weights) <= 0:
                raise ValueError("competence_weights must not all be zero")

    @property
    def uncovered_fte(self) -> float:
        """FTE the need still asks: need FTE minus contracted FTE (DESIGN §4.2)."""
        return self.fte - self.contracted_fte

    @property
    def weights_or_default(self) -> tuple[float, ...]:
        """Competence weights, all 1.0 when not given."""
        if self.competence_weights is None:
            return (1.0,) * len(self.competences)
        return tuple(float(w) for w in self.competence_weights)


@dataclass(frozen=True, slots=True)
class CapabilityProfile:
    """What one provider site offers for one activity, with its free workforce.

    ``free_fte`` is the free FTE at support level (low, medium, high);
    ``workforce_age_days`` is how old those figures are (``None`` = unknown);
    ``coordinates_approximate``: ``lat``/``lon`` are only the municipality's centre (the
    site's postcode was not found), so distances to it are told as approximate (not scored
    differently).
    """

    id: str
    provider_id: str
    provider_name: str
    site_id: str
    municipality: str
    activity: str
    competences: tuple[str, ...]
    text: str
    placement_modes: tuple[str, ...]
    service_radius_km: float | None
    certifications: tuple[str, ...]
    shifts: tuple[str, ...]
    lat: float
    lon: float
    free_fte: tuple[float, float, float]
    supervisors_free: float
    workforce_age_days: float | None
    coordinates_approximate: bool = False

    def __post_init__(self) -> None:
        _as_tuple(self, "competences", "placement_modes", "certifications", "shifts", "free_fte")
        _check_subset("placement_modes", self.placement_modes, PLACEMENT_MODES)
        _check_subset("certifications", self.certifications, CERTIFICATIONS)
        _check_subset("shifts", self.shifts, SHIFTS)
        if len(self.free_fte) != len(SUPPORT_LEVELS):
            raise ValueError("free_fte must hold three values: low, medium, high")
        for value in self.free_fte:
            _check_number("free_fte", value)
        _check_number("supervisors_free", self.supervisors_free)
        if self.service_radius_km is not None:
            _check_number("service_radius_km", self.service_radius_km)
        if self.workforce_age_days is not None:
            _check_number("workforce_age_days", self.workforce_age_days)
        _check_coordinates(self.lat, self.lon)


_SCALARS = frozenset((float, int, str, bool, type(None)))


def _freeze(value: Any) -> Any:
    if type(value) in _SCALARS:  # the common case first: reasons are built per ranked item
        return value
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(value))
    return value


class Params(Mapping[str, Any]):
    """An immutable, hashable mapping of reason parameters (sorted by key)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | tuple[tuple[str, Any], ...] = ()) -> None:
        pairs = dict(items)
        self._items: tuple[tuple[str, Any], ...] = tuple(
            sorted((str(k), _freeze(v)) for k, v in pairs.items())
        )

    def __getitem__(self, key: str) -> Any:
        for k, v in self._items:
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Params):
            return self._items == other._items
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Params({dict(self._items)!r})"


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason code with parameters; :func:`matching.reasons.render` turns it into text."""

    code: str
    params: Mapping[str, Any] = field(default_factory=Params)

    def __post_init__(self) -> None:
        if not isinstance(self.params, Params):
            object.__setattr__(self, "params", Params(self.params))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly form: ``{"code": ..., "params": {...}}``."""
        return {"code": self.code, "params": {k: _thaw(v) for k, v in self.params.items()}}


def _thaw(value: Any) -> Any:
    return [_thaw(v) for v in value] if isinstance(value, tuple) else value


@dataclass(frozen=True, slots=True)
class Components:
    """Score components, each in [0, 1]."""

    competence: float
    locality: float
    supervision: float
    capacity: float


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score components; they must sum to 1."""

    competence: float = 0.40
    locality: float = 0.10
    supervision: float = 0.05
    capacity: float = 0.45
    version: str = "default"

    def __post_init__(self) -> None:
        values = self.as_tuple()
        for v in values:
            if not isinstance(v, int | float) or not math.isfinite(v) or not 0.0 <= v <= 1.0:
                raise ValueError(f"weights must be numbers in [0, 1], got {values}")
        if abs(math.fsum(values) - 1.0) > 1e-9:
            raise ValueError(f"weights must sum to 1, got {math.fsum(values)!r}")

    def as_tuple(self) -> tuple[float, float, float, float]:
        """(competence, locality, supervision, capacity)."""
        return (self.competence, self.locality, self.supervision, self.capacity)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Domain constants of the engine (DESIGN §4, §5); all have seed-backed defaults."""

    # workers per supervisor by support level (DESIGN §4.1)
    supervision_ratio_low: float = 15.0
    supervision_ratio_medium: float = 8.0
    supervision_ratio_high: float = 4.0
    # distance decay length by local binding (DESIGN §4.3, seeds 000:2537)
    decay_km_high: float = 15.0
    decay_km_medium: float = 30.0
    decay_km_low: float = 75.0
    # coverage counts within reach: its decay length is this multiple of the locality's; at
    # most 2 keeps DESIGN §4.3's high-binding rule for any weights (see matching.scoring)
    reach_decay_factor: float = 2.0
    # competence = activity factor × (coverage_weight × coverage + (1 - it) × tf-idf cosine)
    text_coverage_weight: float = 0.7
    # commuting to a badly served client site (004:410) counts as this shorter decay length
    # (factor of L), applied to the whole score: distance matters more, never less (§4.3)
    public_transport_limited: float = 0.75
    public_transport_poor: float = 0.5
    # refuted opportunity: absorbing peaks under high time pressure (seeds 000:3522-3560)
    peak_pressure_factor: float = 0.2
    # free-workforce figures older than this lose capacity credit, none left at 4x (§4.4)
    stale_after_days: float = 90.0
    # batch scoring works on dense (needs × block) chunks of about this many pairs
    batch_chunk_pairs: int = 262_144

    def __post_init__(self) -> None:
        for name in (
            "supervision_ratio_low",
            "supervision_ratio_medium",
            "supervision_ratio_high",
            "decay_km_high",
            "decay_km_medium",
            "decay_km_low",
            "reach_decay_factor",
        ):
            _check_number(name, getattr(self, name), positive=True)
        for name in (
            "text_coverage_weight",
            "public_transport_limited",
            "public_transport_poor",
            "peak_pressure_factor",
        ):
            value = getattr(self, name)
            _check_number(name, value, positive=name.startswith("public_transport"))
            if value > 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        _check_number("stale_after_days", self.stale_after_days, positive=True)
        if not isinstance(self.batch_chunk_pairs, int) or self.batch_chunk_pairs < 1:
            raise ValueError("batch_chunk_pairs must be a positive int")

    @property
    def text_tfidf_weight(self) -> float:
        return 1.0 - self.text_coverage_weight

    @property
    def supervision_ratios(self) -> tuple[float, float, float]:
        """Workers per supervisor at (low, medium, high)."""
        return (
            self.supervision_ratio_low,
            self.supervision_ratio_medium,
            self.supervision_ratio_high,
        )

    def decay_km(self, binding: str) -> float:
        return {
            "high": self.decay_km_high,
            "medium": self.decay_km_medium,
            "low": self.decay_km_low,
        }[binding]

    def public_transport_factor(self, placement_mode: str, access: str) -> float:
        """Decay-length factor for the client site's public-transport access (1.0 = none).

        Only placements whose workers commute to the client are affected.
        """
        if placement_mode not in COMMUTE_MODES:
            return 1.0
        return {
            "good": 1.0,
            "limited": self.public_transport_limited,
            "poor": self.public_transport_poor,
        }[access]

    def commute_rate(self, binding: str, placement_mode: str, access: str) -> float:
        """Per-km rate ``r`` of the commute factor ``exp(-d r)`` on a need's scores (0.0 = none).

        A decay length shortened from ``L`` to ``f L`` costs a candidate at ``d`` km the extra
        factor ``exp(-d (1/(f L) - 1/L))``. It multiplies the whole score, not the locality
        and reach components: a factor that does not grow with distance keeps the nearer of
        two candidates ahead whenever it was ahead (``s1 >= s2`` and ``m1 >= m2`` give
        ``m1 s1 >= m2 s2``), whereas shortening the components' decay squeezes their
        differences towards zero for far pairs and lets a farther, better-covering provider
        overtake (DESIGN §4.3: a farther provider never gains rank from bad transport).
        """
        factor = self.public_transport_factor(placement_mode, access)
        if factor >= 1.0:
            return 0.0
        return (1.0 / factor - 1.0) / self.decay_km(binding)

    def freshness(self, age_days: float | None) -> float:
        """Capacity credit of workforce figures ``age_days`` old (DESIGN §4.4).

        Full credit up to ``stale_after_days``, then linearly less, none at four times that
        age: a year-old figure (4 × 90 days) no longer counts at all. Unknown age: full credit
        (the figures were never dated, which the API does not allow for new rows).

        >>> EngineConfig().freshness(90.0), EngineConfig().freshness(225.0)
        (1.0, 0.5)
        >>> EngineConfig().freshness(400.0)
        0.0
        """
        if age_days is None or age_days <= self.stale_after_days:
            return 1.0
        t = self.stale_after_days
        return max(0.0, 1.0 - (age_days - t) / (3.0 * t))


class LazyReasons(Sequence["Reason"]):
    """A candidate's reasons, built on first access (then kept).

    A ranking builds candidates it may never show in full (a page of results, the scores of
    a batch): their reasons cost more than their scoring, so they are rendered when read.
    Equal to, and hashing like, the tuple of the same reasons; pickles as that tuple.
    """

    __slots__ = ("_args", "_build", "_items")

    def __init__(self, build: Callable[..., tuple[Reason, ...]], *args: Any) -> None:
        self._build: Callable[..., tuple[Reason, ...]] | None = build
        self._args: tuple[Any, ...] = args
        self._items: tuple[Reason, ...] | None = None

    def _get(self) -> tuple[Reason, ...]:
        items = self._items
        if items is None:
            assert self._build is not None
            items = self._build(*self._args)
            # racing readers build equal tuples; the last assignment wins, harmlessly
            self._items, self._build, self._args = items, None, ()
        return items

    def __getitem__(self, i: Any) -> Any:
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[Reason]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyReasons):
            return self._get() == other._get()
        if isinstance(other, tuple):
            return self._get() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self._get(),))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One scored (need, capability) pair; ``excluded`` lists hard-constraint failures."""

    need_id: str
    capability_id: str
    provider_id: str
    provider_name: str
    site_id: str
    municipality: str
    distance_km: float
    score: float
    components: Components
    reasons: Sequence[Reason]  # a tuple, or LazyReasons (equal to the tuple)
    excluded: tuple[Reason, ...] | None = None


@dataclass(frozen=True, slots=True)
class NearbyProvider:
    """A nearby capability of a related activity, offered when nothing fits."""

    capability_id: str
    provider_id: str
    provider_name: str
    site_id: str
    municipality: str
    activity: str
    relation: str  # "exact" | "group" | "other"
    distance_km: float


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why a need has no match: counts of the hard constraints that excluded candidates.

    ``considered`` capabilities share the need's activity group; a capability may count
    under several causes.
    """

    considered: int
    no_provider_with_activity: bool
    no_provider_in_group: bool
    too_far: int
    placement_mode: int
    certification: int
    shift: int
    no_free_capacity: int
    no_free_capacity_at_level: int
    no_supervision: int
    nearest_related: tuple[NearbyProvider, ...] = ()

    def counts(self) -> dict[str, int | bool]:
        """The structured counts without the nearby providers."""
        return {
            "considered": self.considered,
            "no_provider_with_activity": self.no_provider_with_activity,
            "no_provider_in_group": self.no_provider_in_group,
            "too_far": self.too_far,
            "placement_mode": self.placement_mode,
            "certification": self.certification,
            "shift": self.shift,
            "no_free_capacity": self.no_free_capacity,
            "no_free_capacity_at_level": self.no_free_capacity_at_level,
            "no_supervision": self.no_supervision,
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Ranked candidates for one need; ``diagnosis`` is set when ``items`` is empty."""

    need_id: str
    items: tuple[Candidate, ...]
    excluded: tuple[Candidate, ...] = ()
    diagnosis: Diagnosis | None = None
