"""The one coverage and supervision rule (DESIGN §4.1, §4.2).

Every caller asks this module what a provider site can cover of a need: the engine (arrays,
:func:`cover_arrays`), the per-pair reference, the lead reservation and the cluster LP
(:func:`cover` and :func:`supervisor_load`). There is no second copy of the rule.

Supervision, by placement mode (seeds 000:158-185):

- ``workshop``: the provider's own workshop supervises its workers; no site supervisor counts.
- ``enclave``: a provider supervisor is on site for the whole team, whatever the workers'
  support level (000:181-185): every worker loads the supervisors at its level's ratio.
- ``on_site``: an on-call supervisor suffices only when every assigned worker is ``low``; a
  ``medium`` or ``high`` worker needs a supervisor present (000:158-168), loaded at its ratio.
- ``individual``: a ``medium`` or ``high`` worker needs a job coach, counted as supervisor
  capacity at its level's ratio; a ``low`` worker's coach may be on call (000:158-173).

Default ratios are high 1:4, medium 1:8, low 1:15 workers per supervisor (configurable).

A worker's load (``1 / ratio`` supervisors per FTE, or none) depends only on the mode and its
own level, so the rule is linear and the cluster LP can use it as a constraint. Supervisors are
people: a team whose load is 0.3 needs one whole supervisor, so a site with ``S`` free
supervisors can carry a load of at most ``floor(S)``; for one need ``ceil(load) <= floor(S)``
and ``load <= floor(S)`` are the same condition, which is why the LP and this rule agree.

Coverage: only free workers at or below the need's ``accommodates_support`` count, and only
as many as the supervision allows, against the FTE still uncovered (need FTE minus contracted
FTE). Workers are taken lowest support level first: the lower the level, the smaller the load
per FTE (0 or 1/15 < 1/8 < 1/4), so this order covers the most FTE with the supervisors there
are (a fractional knapsack taken cheapest first).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matching.types import SUPPORT_LEVELS

PLACEMENT_MODES: tuple[str, ...] = ("workshop", "on_site", "enclave", "individual")
DEFAULT_RATIOS: tuple[float, float, float] = (15.0, 8.0, 4.0)
"""Workers per supervisor at (low, medium, high) (DESIGN §4.1)."""

#: slack for floating-point noise in FTE and supervisor counts
EPSILON = 1e-9

_WORKSHOP, _ON_SITE, _ENCLAVE, _INDIVIDUAL = range(4)


def needs_supervisor(placement_mode: str, level: str) -> bool:
    """Whether a worker at ``level`` in ``placement_mode`` needs a supervisor or coach present.

    >>> needs_supervisor("enclave", "low"), needs_supervisor("on_site", "low")
    (True, False)
    >>> needs_supervisor("individual", "medium"), needs_supervisor("workshop", "high")
    (True, False)
    """
    if placement_mode == "enclave":
        return True  # enclave: supervisor always present (seeds 000:181-185)
    if placement_mode in ("on_site", "individual"):
        return level != "low"  # on call only for low-support workers (seeds 000:158-173)
    return False


def supervisor_load(
    placement_mode: str, level: str, ratios: tuple[float, float, float] = DEFAULT_RATIOS
) -> float:
    """Supervisors needed per FTE of ``level`` workers in ``placement_mode`` (0 = on call).

    >>> supervisor_load("enclave", "high")
    0.25
    >>> supervisor_load("on_site", "low")
    0.0
    """
    if not needs_supervisor(placement_mode, level):
        return 0.0
    return 1.0 / float(ratios[SUPPORT_LEVELS.index(level)])


def whole_supervisors(free: float) -> float:
    """Free supervisors as whole people (1.5 recorded free → 1 person who can go)."""
    return float(math.floor(free + EPSILON))


def supervisors_for(load: float) -> int:
    """Whole supervisors a team with supervisor ``load`` needs (0.3 → 1, 0 → 0)."""
    return max(0, math.ceil(load - EPSILON))


def ratios_of(mapping: Mapping[str, float]) -> tuple[float, float, float]:
    """``{"low": 15, "medium": 8, "high": 4}`` → ``(15.0, 8.0, 4.0)``."""
    return (float(mapping["low"]), float(mapping["medium"]), float(mapping["high"]))


@dataclass(frozen=True, slots=True)
class Coverage:
    """What one site can cover of one need.

    ``low`` / ``medium`` / ``high`` are the FTE taken per support level, ``supervisors`` the
    whole supervisors (or job coaches) they need present, ``eligible_fte`` the free FTE at
    accepted levels (before supervision), ``uncovered_fte`` what the need still asks.
    """

    low: float
    medium: float
    high: float
    supervisors: int
    load: float
    eligible_fte: float
    uncovered_fte: float

    @property
    def fte(self) -> float:
        """FTE covered (all levels)."""
        return self.low + self.medium + self.high

    @property
    def shortfall(self) -> float:
        """FTE of the need still uncovered after this site."""
        return max(0.0, self.uncovered_fte - self.fte)

    @property
    def share(self) -> float:
        """Covered share of the uncovered FTE, in [0, 1]."""
        return min(1.0, self.fte / self.uncovered_fte) if self.uncovered_fte > 0.0 else 1.0

    @property
    def on_call(self) -> bool:
        """No supervisor needs to be present for the covered team."""
        return self.supervisors == 0

    @property
    def limited_by_supervision(self) -> bool:
        """Supervision, not the free workers at accepted levels, keeps coverage lower."""
        return self.fte < min(self.eligible_fte, self.uncovered_fte) - 1e-6


def cover(
    free_fte: tuple[float, float, float],
    supervisors_free: float,
    placement_mode: str,
    accommodates_support: str,
    uncovered_fte: float,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
) -> Coverage:
    """What a site with ``free_fte`` (low, medium, high) can cover of ``uncovered_fte``.

    Parameters
    ----------
    free_fte : (float, float, float)
        Free FTE at support level low, medium, high.
    supervisors_free : float
        Free supervisors (job coaches) of the site; only whole people count.
    placement_mode : str
    accommodates_support : str
        Highest support level the workplace accommodates.
    uncovered_fte : float
        Need FTE minus FTE already contracted.
    ratios : (float, float, float)
        Workers per supervisor at low, medium, high.

    Returns
    -------
    Coverage

    Examples
    --------
    >>> c = cover((0.5, 6.0, 6.0), 3.0, "enclave", "low", 8.0)
    >>> c.fte, c.supervisors, c.shortfall
    (0.5, 1, 7.5)
    >>> c = cover((0.0, 0.0, 1.0), 0.0, "individual", "high", 1.0)
    >>> c.fte
    0.0
    """
    mode = PLACEMENT_MODES.index(placement_mode)
    top = SUPPORT_LEVELS.index(accommodates_support)
    budget = whole_supervisors(supervisors_free)
    rest = max(0.0, float(uncovered_fte))
    taken = [0.0, 0.0, 0.0]
    load = 0.0
    eligible = 0.0
    for level in range(3):
        if level > top:
            break
        free = float(free_fte[level])
        eligible += free
        x = min(free, rest)
        if _supervised(mode, level):
            x = min(x, (budget - load) * ratios[level])
            x = max(0.0, x)
            load += x / ratios[level]
        taken[level] = x
        rest -= x
    return Coverage(
        low=taken[0],
        medium=taken[1],
        high=taken[2],
        supervisors=supervisors_for(load),
        load=load,
        eligible_fte=eligible,
        uncovered_fte=max(0.0, float(uncovered_fte)),
    )


def _supervised(mode: int, level: int) -> bool:
    return mode == _ENCLAVE or (mode in (_ON_SITE, _INDIVIDUAL) and level > 0)


def cover_arrays(
    free_low: np.ndarray,
    free_medium: np.ndarray,
    free_high: np.ndarray,
    supervisors_free: np.ndarray,
    mode: np.ndarray,
    accommodates: np.ndarray,
    uncovered: np.ndarray,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
) -> dict[str, np.ndarray]:
    """:func:`cover` broadcast over arrays, with the same operations in the same order.

    ``mode`` holds indices into :data:`PLACEMENT_MODES`, ``accommodates`` indices into
    :data:`SUPPORT_LEVELS`. Returns arrays ``low``, ``medium``, ``high``, ``load``,
    ``supervisors`` (whole people, as float) and ``eligible``.
    """
    budget = np.floor(supervisors_free + EPSILON)
    rest = np.maximum(0.0, uncovered)
    load = np.zeros(np.broadcast(budget, rest, mode).shape)
    eligible = np.zeros_like(load)
    out: dict[str, np.ndarray] = {}
    for level, (name, free) in enumerate(
        (("low", free_low), ("medium", free_medium), ("high", free_high))
    ):
        allowed = accommodates >= level
        free_here = np.where(allowed, free, 0.0)
        eligible = eligible + free_here
        x = np.minimum(free_here, rest)
        if level == 0:
            supervised = mode == _ENCLAVE
        else:
            supervised = (mode == _ENCLAVE) | (mode == _ON_SITE) | (mode == _INDIVIDUAL)
        capped = np.maximum(0.0, np.minimum(x, (budget - load) * ratios[level]))
        x = np.where(supervised, capped, x)
        load = np.where(supervised, load + x / ratios[level], load)
        out[name] = x
        rest = rest - x
    out["load"] = load
    out["supervisors"] = np.maximum(0.0, np.ceil(load - EPSILON))
    out["eligible"] = eligible
    return out
