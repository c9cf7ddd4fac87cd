"""FTE assignment of needs to provider sites under capacity and supervision limits.

The assignment maximises ``sum(score * fte)`` over candidate (need, site) pairs with a linear
programme solved by HiGHS (:func:`assign`); :func:`assign_greedy` is the best-pair-first baseline
it is tested against.

A variable ``x[pair, level]`` is the FTE of support level ``level`` that a site sends to a need.
Constraints:

- per need: ``sum x <= need.fte``; several sites may share one need (a samenwerkingsverband,
  seeds 004:1191);
- per site and level: ``sum x <= free_fte[level]``, and only levels at or below the need's
  ``accommodates_support`` exist (DESIGN §4.2);
- per site: ``sum x · load(mode, level) <= floor(supervisors_free)``, the supervisor load of
  the one supervision rule (:func:`matching.coverage.supervisor_load`: every level in an
  ``enclave``, ``medium`` / ``high`` workers ``on_site`` and ``individual``); supervisors are
  whole people. For a single need this is exactly what :func:`matching.coverage.cover` (and
  so the engine and the lead reservation) says the site can cover; several needs at one site
  share its supervisors, and the programme lets their fractional loads add up. One site's
  supervisors are shared by all its assignments.

This module only needs duck-typed inputs (see :class:`AssignableNeed`, :class:`AssignableSite`,
:class:`ScoredPair`); :mod:`matching.clusters` provides the concrete frozen dataclasses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from matching import coverage
from matching.types import SUPPORT_LEVELS

DEFAULT_SUPERVISION_RATIOS: Mapping[str, float] = {"high": 4.0, "medium": 8.0, "low": 15.0}
"""Workers per supervisor by support level (DESIGN §4.1)."""

FTE_EPSILON = 1e-9
FTE_QUANTUM = 1e-6

# Tie-break weights, far below any meaningful score difference (scores live in [0, 1]):
# prefer a shorter distance, then a higher support level (the most accommodating workplaces take
# the workers who are hardest to place, keeping low-support capacity free for stricter needs),
# then the lower pair index (ids sorted), so equal optima resolve the same way every time.
_EPS_DISTANCE = 1e-6
_EPS_LEVEL = 1e-7
_EPS_INDEX = 1e-8


class AssignableNeed(Protocol):
    """What :func:`assign` reads from a need."""

    @property
    def id(self) -> str: ...
    @property
    def fte(self) -> float: ...
    @property
    def accommodates_support(self) -> str: ...
    @property
    def placement_mode(self) -> str: ...


class AssignableSite(Protocol):
    """What :func:`assign` reads from a provider site."""

    @property
    def id(self) -> str: ...
    @property
    def free_fte(self) -> tuple[float, float, float]: ...
    @property
    def supervisors_free(self) -> float: ...


class ScoredPair(Protocol):
    """A candidate (need, site) pair scored by the matching engine."""

    @property
    def need_id(self) -> str: ...
    @property
    def site_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def distance_km(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Allocation:
    """FTE of one support level sent from one site to one need."""

    need_id: str
    site_id: str
    level: str
    fte: float
    score: float
    distance_km: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """Result of :func:`assign` or :func:`assign_greedy`.

    Attributes
    ----------
    allocations : tuple of Allocation
        Sorted by need id, site id and support level; every ``fte`` is positive and a multiple
        of 1e-6 (rounded down, so capacity is never exceeded by rounding).
    covered_fte, unassigned_fte : dict
        Per need id (every need given), covered FTE and demand left uncovered.
    objective : float
        ``sum(score * fte)`` over the allocations.
    """

    allocations: tuple[Allocation, ...]
    covered_fte: dict[str, float]
    unassigned_fte: dict[str, float]
    objective: float


def supervisor_load(placement_mode: str, level: str, ratios: Mapping[str, float]) -> float:
    """Supervisors needed per FTE of ``level`` workers in ``placement_mode``.

    Parameters
    ----------
    placement_mode : str
        ``workshop``, ``on_site``, ``enclave`` or ``individual``.
    level : str
        Support level of the workers.
    ratios : mapping
        Workers per supervisor by support level.

    Returns
    -------
    float
        ``1 / ratio`` when a supervisor must be present, else ``0`` (the one rule of
        :mod:`matching.coverage`).

    Examples
    --------
    >>> supervisor_load("enclave", "low", {"low": 15, "medium": 8, "high": 4})
    0.0666...
    >>> supervisor_load("on_site", "low", {"low": 15, "medium": 8, "high": 4})
    0.0
    """
    return coverage.supervisor_load(placement_mode, level, coverage.ratios_of(ratios))


def allowed_levels(accommodates_support: str) -> tuple[int, ...]:
    """Indices of the support levels a workplace accommodating ``accommodates_support`` accepts.

    Examples
    --------
    >>> allowed_levels("medium")
    (0, 1)
    """
    try:
        top = SUPPORT_LEVELS.index(accommodates_support)
    except ValueError:
        raise ValueError(f"unknown support level {accommodates_support!r}") from None
    return tuple(range(top + 1))


@dataclass(slots=True)
class _Problem:
    """Needs, sites and pairs in canonical (id-sorted) order, as arrays."""

    need_ids: list[str]
    site_ids: list[str]
    need_fte: np.ndarray  # (N,)
    need_top_level: np.ndarray  # (N,) int
    need_mode: list[str]
    site_free: np.ndarray  # (S, 3)
    site_supervisors: np.ndarray  # (S,)
    pair_need: np.ndarray  # (P,) int
    pair_site: np.ndarray  # (P,) int
    pair_score: np.ndarray  # (P,)
    pair_distance: np.ndarray  # (P,)


def _canonical_problem(
    needs: Iterable[AssignableNeed],
    sites: Iterable[AssignableSite],
    pairs: Iterable[ScoredPair],
) -> _Problem:
    """Sort everything by id so the same data always builds the same programme."""
    need_list = sorted(needs, key=lambda n: n.id)
    site_list = sorted(sites, key=lambda s: s.id)
    need_index = {n.id: i for i, n in enumerate(need_list)}
    site_index = {s.id: i for i, s in enumerate(site_list)}
    if len(need_index) != len(need_list):
        raise ValueError("duplicate need id")
    if len(site_index) != len(site_list):
        raise ValueError("duplicate site id")
    for n in need_list:
        if not math.isfinite(n.fte) or n.fte < 0:
            raise ValueError(f"need {n.id!r}: fte must be a finite number >= 0")
    for s in site_list:
        if len(s.free_fte) != len(SUPPORT_LEVELS) or min(s.free_fte) < 0 or s.supervisors_free < 0:
            raise ValueError(f"site {s.id!r}: free_fte and supervisors_free must be >= 0")

    # Pairs for unknown needs or sites are ignored (the caller may pass a wider candidate set);
    # for a duplicated (need, site) pair, e.g. two capabilities of one site, the best one counts.
    best: dict[tuple[int, int], tuple[float, float]] = {}
    for p in pairs:
        ni = need_index.get(p.need_id)
        si = site_index.get(p.site_id)
        if ni is None or si is None:
            continue
        if not (math.isfinite(p.score) and math.isfinite(p.distance_km)):
            raise ValueError(
                f"pair ({p.need_id!r}, {p.site_id!r}): score and distance must be finite"
            )
        key = (ni, si)
        current = best.get(key)
        candidate = (float(p.score), float(p.distance_km))
        if current is None or (-candidate[0], candidate[1]) < (-current[0], current[1]):
            best[key] = candidate
    keys = sorted(best)
    pair_need = np.fromiter((k[0] for k in keys), dtype=np.int64, count=len(keys))
    pair_site = np.fromiter((k[1] for k in keys), dtype=np.int64, count=len(keys))
    pair_score = np.fromiter((best[k][0] for k in keys), dtype=float, count=len(keys))
    pair_distance = np.fromiter((best[k][1] for k in keys), dtype=float, count=len(keys))
    return _Problem(
        need_ids=[n.id for n in need_list],
        site_ids=[s.id for s in site_list],
        need_fte=np.array([float(n.fte) for n in need_list], dtype=float),
        need_top_level=np.array(
            [allowed_levels(n.accommodates_support)[-1] for n in need_list], dtype=np.int64
        ),
        need_mode=[n.placement_mode for n in need_list],
        site_free=np.array(
            [[float(v) for v in s.free_fte] for s in site_list], dtype=float
        ).reshape(-1, len(SUPPORT_LEVELS)),
        site_supervisors=np.array(
            [coverage.whole_supervisors(float(s.supervisors_free)) for s in site_list], dtype=float
        ),
        pair_need=pair_need,
        pair_site=pair_site,
        pair_score=pair_score,
        pair_distance=pair_distance,
    )


def _load_table(problem: _Problem, ratios: Mapping[str, float]) -> np.ndarray:
    """Supervisors per FTE, shape (N, 3): by need (its placement mode) and support level."""
    for level in SUPPORT_LEVELS:
        if float(ratios[level]) <= 0:
            raise ValueError(f"supervision ratio for {level!r} must be > 0")
    return np.array(
        [
            [supervisor_load(mode, level, ratios) for level in SUPPORT_LEVELS]
            for mode in problem.need_mode
        ],
        dtype=float,
    ).reshape(-1, len(SUPPORT_LEVELS))


def _floor_fte(values: np.ndarray) -> np.ndarray:
    """Round down to the FTE quantum (values within 1e-3 quantum of the next step round up)."""
    return np.floor(values / FTE_QUANTUM + 1e-3) * FTE_QUANTUM


def _finish(
    problem: _Problem, var_pair: np.ndarray, var_level: np.ndarray, x: np.ndarray
) -> Assignment:
    x = _floor_fte(np.maximum(x, 0.0))
    keep = x > FTE_EPSILON
    var_pair, var_level, x = var_pair[keep], var_level[keep], x[keep]
    order = np.lexsort((var_level, var_pair))  # pairs are already sorted by (need, site)
    var_pair, var_level, x = var_pair[order], var_level[order], x[order]
    allocations = tuple(
        Allocation(
            need_id=problem.need_ids[problem.pair_need[p]],
            site_id=problem.site_ids[problem.pair_site[p]],
            level=SUPPORT_LEVELS[lvl],
            fte=round(float(f), 6),
            score=float(problem.pair_score[p]),
            distance_km=float(problem.pair_distance[p]),
        )
        for p, lvl, f in zip(var_pair.tolist(), var_level.tolist(), x.tolist(), strict=True)
    )
    covered = np.zeros(len(problem.need_ids))
    np.add.at(covered, problem.pair_need[var_pair], x)
    covered = np.minimum(covered, problem.need_fte)
    unassigned = np.maximum(problem.need_fte - covered, 0.0)
    objective = float(np.sum(problem.pair_score[var_pair] * x))
    return Assignment(
        allocations=allocations,
        covered_fte={
            nid: round(float(c), 6) for nid, c in zip(problem.need_ids, covered, strict=True)
        },
        unassigned_fte={
            nid: round(float(u), 6) for nid, u in zip(problem.need_ids, unassigned, strict=True)
        },
        objective=round(objective, 9),
    )


def _variables(problem: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """One variable per (pair, allowed level) with a positive score; pairs in order."""
    n_levels = len(SUPPORT_LEVELS)
    level_grid = np.broadcast_to(np.arange(n_levels), (problem.pair_need.size, n_levels))
    allowed = level_grid <= problem.need_top_level[problem.pair_need][:, None]
    # A pair scored 0 (or below) adds nothing to the objective: it is never used.
    allowed &= (problem.pair_score > 0)[:, None]
    var_pair, var_level = np.nonzero(allowed)
    return var_pair.astype(np.int64), var_level.astype(np.int64)


def assign(
    needs: Iterable[AssignableNeed],
    sites: Iterable[AssignableSite],
    pairs: Iterable[ScoredPair],
    *,
    ratios: Mapping[str, float] = DEFAULT_SUPERVISION_RATIOS,
) -> Assignment:
    """Assign FTE to maximise ``sum(score * fte)`` under capacity and supervision limits.

    Solved as a linear programme with HiGHS (``scipy.optimize.linprog(method="highs")``), one
    programme per connected component of the need–site candidate graph (same optimum, smaller
    programmes). Inputs are sorted by id before the programme is built and a tiny tie-break
    (shorter distance, then higher support level, then lower pair index) separates equal
    optima, so the same data in any order gives the same assignment.

    Parameters
    ----------
    needs : iterable of AssignableNeed
        Needs with ``id``, ``fte``, ``accommodates_support`` and ``placement_mode``.
    sites : iterable of AssignableSite
        Provider sites with ``id``, ``free_fte`` (low, medium, high) and ``supervisors_free``.
    pairs : iterable of ScoredPair
        Candidate pairs already filtered by the caller (reach, activity, hard constraints).
        Pairs naming an unknown need or site are ignored; pairs with ``score <= 0`` are never
        used; for a repeated (need, site) pair the highest score counts.
    ratios : mapping, default ``{"high": 4, "medium": 8, "low": 15}``
        Workers per supervisor by support level.

    Returns
    -------
    Assignment
        Allocations, covered and unassigned FTE per need, and the objective.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> need = NS(id="n1", fte=3.0, accommodates_support="medium", placement_mode="workshop")
    >>> site = NS(id="s1", free_fte=(1.0, 1.0, 5.0), supervisors_free=0.0)
    >>> pair = NS(need_id="n1", site_id="s1", score=0.8, distance_km=4.0)
    >>> result = assign([need], [site], [pair])
    >>> [(a.level, a.fte) for a in result.allocations], result.unassigned_fte
    ([('low', 1.0), ('medium', 1.0)], {'n1': 1.0})
    """
    problem = _canonical_problem(needs, sites, pairs)
    var_pair, var_level = _variables(problem)
    x = np.zeros(var_pair.size)
    if var_pair.size:
        load = _load_table(problem, ratios)
        for component in _components(problem, var_pair):
            x[component] = _solve_component(
                problem, var_pair[component], var_level[component], load
            )
    return _finish(problem, var_pair, var_level, x)


def _components(problem: _Problem, var_pair: np.ndarray) -> list[np.ndarray]:
    """Variable indices grouped by connected component of the need–site graph, in order."""
    n_needs, n_sites = len(problem.need_ids), len(problem.site_ids)
    used_pairs = np.unique(var_pair)
    rows = problem.pair_need[used_pairs]
    cols = n_needs + problem.pair_site[used_pairs]
    graph = sparse.coo_matrix(
        (np.ones(used_pairs.size), (rows, cols)), shape=(n_needs + n_sites, n_needs + n_sites)
    )
    _, labels = connected_components(graph, directed=False)
    var_label = labels[problem.pair_need[var_pair]]
    order = np.argsort(var_label, kind="stable")
    boundaries = np.flatnonzero(np.diff(var_label[order])) + 1
    return np.split(order, boundaries)


def _solve_component(
    problem: _Problem, var_pair: np.ndarray, var_level: np.ndarray, load: np.ndarray
) -> np.ndarray:
    n_levels = len(SUPPORT_LEVELS)
    n_vars = var_pair.size
    need = problem.pair_need[var_pair]
    site = problem.pair_site[var_pair]

    # Renumber the needs and sites of this component to keep the programme compact.
    need_nodes, need_row = np.unique(need, return_inverse=True)
    site_nodes, site_local = np.unique(site, return_inverse=True)
    cols = np.arange(n_vars)

    need_block = sparse.csr_matrix(
        (np.ones(n_vars), (need_row, cols)), shape=(need_nodes.size, n_vars)
    )
    capacity_block = sparse.csr_matrix(
        (np.ones(n_vars), (site_local * n_levels + var_level, cols)),
        shape=(site_nodes.size * n_levels, n_vars),
    )
    var_load = load[need, var_level]
    supervised = var_load > 0
    supervisor_block = sparse.csr_matrix(
        (var_load[supervised], (site_local[supervised], cols[supervised])),
        shape=(site_nodes.size, n_vars),
    )
    a_ub = sparse.vstack([need_block, capacity_block, supervisor_block], format="csr")
    b_ub = np.concatenate(
        [
            problem.need_fte[need_nodes],
            problem.site_free[site_nodes].reshape(-1),
            problem.site_supervisors[site_nodes],
        ]
    )
    # Drop rows no variable touches (e.g. a site's supervisors when nothing needs them).
    row_used = np.diff(a_ub.indptr) > 0
    a_ub, b_ub = a_ub[row_used], b_ub[row_used]

    distance = problem.pair_distance[var_pair]
    scale = max(float(distance.max()), 1.0)
    c = -(
        problem.pair_score[var_pair]
        - _EPS_DISTANCE * distance / scale
        + _EPS_LEVEL * var_level / (n_levels - 1)
        - _EPS_INDEX * cols / max(n_vars, 1)
    )
    upper = np.minimum(problem.need_fte[need], problem.site_free[site, var_level])
    bounds = np.column_stack([np.zeros(n_vars), upper])
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if (
        result.status != 0 or result.x is None
    ):  # x = 0 is always feasible, so this is a solver fault
        raise RuntimeError(f"assignment LP failed: {result.message}")
    return np.asarray(result.x, dtype=float)


def assign_greedy(
    needs: Iterable[AssignableNeed],
    sites: Iterable[AssignableSite],
    pairs: Iterable[ScoredPair],
    *,
    ratios: Mapping[str, float] = DEFAULT_SUPERVISION_RATIOS,
) -> Assignment:
    """Best-pair-first baseline for :func:`assign`.

    Pairs are taken by descending score (then distance, need id, site id); each takes as much
    FTE as the need, the site's free FTE per allowed level (highest level first) and the site's
    free supervisors allow. Same parameters and result as :func:`assign`; never better.

    Parameters
    ----------
    needs, sites, pairs, ratios
        As for :func:`assign`.

    Returns
    -------
    Assignment

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> need = NS(id="n1", fte=2.0, accommodates_support="low", placement_mode="enclave")
    >>> site = NS(id="s1", free_fte=(5.0, 0.0, 0.0), supervisors_free=1.0)
    >>> pair = NS(need_id="n1", site_id="s1", score=0.5, distance_km=1.0)
    >>> assign_greedy([need], [site], [pair]).covered_fte
    {'n1': 2.0}
    """
    problem = _canonical_problem(needs, sites, pairs)
    load = _load_table(problem, ratios)
    need_left = problem.need_fte.copy()
    free = problem.site_free.copy()
    supervisors = problem.site_supervisors.copy()
    var_pair: list[int] = []
    var_level: list[int] = []
    amounts: list[float] = []
    order = sorted(
        range(problem.pair_need.size),
        key=lambda p: (-problem.pair_score[p], problem.pair_distance[p], p),
    )
    for p in order:
        if problem.pair_score[p] <= 0:
            break
        n, s = int(problem.pair_need[p]), int(problem.pair_site[p])
        for level in range(int(problem.need_top_level[n]), -1, -1):
            amount = min(need_left[n], free[s, level])
            if load[n, level] > 0:
                amount = min(amount, supervisors[s] / load[n, level])
            if amount <= FTE_EPSILON:
                continue
            need_left[n] -= amount
            free[s, level] -= amount
            supervisors[s] = max(supervisors[s] - amount * load[n, level], 0.0)
            var_pair.append(p)
            var_level.append(level)
            amounts.append(amount)
    return _finish(
        problem,
        np.array(var_pair, dtype=np.int64),
        np.array(var_level, dtype=np.int64),
        np.array(amounts, dtype=float),
    )


def check_capacity(
    assignment: Assignment,
    needs: Sequence[AssignableNeed],
    sites: Sequence[AssignableSite],
    *,
    ratios: Mapping[str, float] = DEFAULT_SUPERVISION_RATIOS,
    tolerance: float = 1e-7,
) -> list[str]:
    """List every limit an assignment breaks (empty when it respects all of them).

    Parameters
    ----------
    assignment : Assignment
    needs, sites : sequence
        The inputs the assignment was computed from.
    ratios : mapping
        Workers per supervisor by support level.
    tolerance : float
        Slack allowed for floating-point noise.

    Returns
    -------
    list of str
        Human-readable violations.
    """
    need_by_id = {n.id: n for n in needs}
    site_by_id = {s.id: s for s in sites}
    covered: dict[str, float] = {}
    used: dict[tuple[str, int], float] = {}
    supervisors: dict[str, float] = {}
    problems: list[str] = []
    for a in assignment.allocations:
        need, level = need_by_id[a.need_id], SUPPORT_LEVELS.index(a.level)
        if level not in allowed_levels(need.accommodates_support):
            problems.append(f"{a.need_id}: level {a.level} above {need.accommodates_support}")
        covered[a.need_id] = covered.get(a.need_id, 0.0) + a.fte
        used[a.site_id, level] = used.get((a.site_id, level), 0.0) + a.fte
        supervisors[a.site_id] = supervisors.get(a.site_id, 0.0) + a.fte * supervisor_load(
            need.placement_mode, a.level, ratios
        )
    for need_id, fte in covered.items():
        if fte > need_by_id[need_id].fte + tolerance:
            problems.append(f"{need_id}: covered {fte} > demand {need_by_id[need_id].fte}")
    for (site_id, level), fte in used.items():
        if fte > site_by_id[site_id].free_fte[level] + tolerance:
            problems.append(f"{site_id}: {SUPPORT_LEVELS[level]} {fte} > free")
    for site_id, needed in supervisors.items():
        if needed > coverage.whole_supervisors(site_by_id[site_id].supervisors_free) + tolerance:
            problems.append(f"{site_id}: supervisors {needed} > free")
    return problems
