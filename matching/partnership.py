"""Partnerships (*samenwerkingsverbanden*): 2-4 provider sites that together cover one need.

The seeds name the partnership as the way maatwerkbedrijven take on work too large for one of
them (seeds 004:1191; 001:2213-2243: "pool strength, share investment, deploy workers
optimally"). :func:`propose` combines the engine's ranked (never its excluded) candidates.

Each member covers its part under the one coverage and supervision rule
(:func:`matching.coverage.cover`): only free workers at levels the workplace accommodates, as
many as the member site's own whole supervisors allow for the placement mode. A site's
supervisors go with its workers, exactly as the lead reservation books them when the member's
lead is contracted, so a proposal never promises what contracting could not reserve. One
member per site: several capabilities of one site share one workforce, so the site is offered
once, through its best-ranked capability, and never promised more than it has free.

Search: exact enumeration of every combination of 2-4 sites among the ``top_n`` best-ranked
sites (12 by default: 66 + 220 + 495 = 781 combinations, about a millisecond), not the HiGHS LP
of :mod:`matching.assignment`. The objective is lexicographic over *sets* (most FTE covered,
then the locality rule of DESIGN §4.3, then the mean score, then fewer members) with a fixed
number of 2-4 members, i.e. integer choices an LP relaxation cannot express without a MILP;
and once a set is chosen, the split of the FTE is trivial (every site has its own capacity, so
the covered FTE is ``min(uncovered, sum of capacities)``). At this size enumerating is exact,
deterministic and cheaper than setting up a solver.

When some combination covers the whole need, only such combinations are proposed; otherwise
those covering the most come first. Only *minimal* combinations are proposed: without any
one member the others would cover less, so nobody is added who brings nothing, and a far site
is never tacked on to near ones that already cover the need. Within a combination the FTE go
first to the nearest member for high local binding, otherwise to the best-scored, each taking
what it can.

Ranking: covered FTE first; then for ``high`` binding the number of members 50 km or more away
and the FTE-weighted mean distance (a far provider never replaces near ones that cover as
much, DESIGN §4.3), for other bindings the FTE-weighted mean score; then the other of the two;
then fewer members; then the capability ids.

>>> a = PartnerCandidate("a", "s1", "p1", "Een", "Izegem", 5.0, 0.8, (12.0, 0.0, 0.0), 0.0)
>>> b = PartnerCandidate("b", "s2", "p2", "Twee", "Roeselare", 8.0, 0.7, (10.0, 0.0, 0.0), 0.0)
>>> c = PartnerCandidate("c", "s3", "p3", "Drie", "Tielt", 15.0, 0.6, (8.0, 0.0, 0.0), 0.0)
>>> best = propose([a, b, c], placement_mode="workshop", accommodates_support="low",
...                uncovered_fte=30.0, binding="high")[0]
>>> [m.candidate.capability_id for m in best.members], best.covered_fte, best.uncovered_fte
(['a', 'b', 'c'], 30.0, 0.0)
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.coverage import (
    DEFAULT_RATIOS,
    EPSILON,
    SUPPORT_LEVELS,
    Coverage,
    cover,
    needs_supervisor,
    whole_supervisors,
)
from matching.types import Reason

MIN_MEMBERS = 2
MAX_MEMBERS = 4
TOP_N = 12
"""Best-ranked distinct sites the search combines."""
NEAR_KM = 20.0
FAR_KM = 50.0
"""DESIGN §4.3: 82 % of West-Flemish workers live within 20 km of work (seeds 004:418-422);
for high binding a site 50 km or more away never ranks before near ones."""
_FTE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class PartnerCandidate:
    """A ranked (not excluded) candidate and its site's free workforce now."""

    capability_id: str
    site_id: str
    provider_id: str
    provider_name: str
    municipality: str
    distance_km: float
    score: float
    free_fte: tuple[float, float, float]
    supervisors_free: float


@dataclass(frozen=True, slots=True)
class Member:
    """One site's part of a proposal: FTE per support level and the supervisors they need."""

    candidate: PartnerCandidate
    coverage: Coverage

    @property
    def fte(self) -> float:
        return round(self.coverage.fte, _FTE_DIGITS)


@dataclass(frozen=True, slots=True)
class Proposal:
    """A combination of sites covering one need together."""

    members: tuple[Member, ...]
    need_fte: float
    """FTE still uncovered before the partnership (need FTE minus contracted FTE)."""
    covered_fte: float
    mean_distance_km: float
    mean_score: float
    reasons: tuple[Reason, ...]

    @property
    def uncovered_fte(self) -> float:
        return round(max(0.0, self.need_fte - self.covered_fte), _FTE_DIGITS)

    @property
    def key(self) -> str:
        """Stable identity of the proposal: its members and their FTE per level.

        The leads endpoint compares it with the proposal recomputed at the same index, so a
        client never sends a combination that changed since it was shown.
        """
        parts = [f"{m.candidate.capability_id}:{m.coverage.low:.4f}:{m.coverage.medium:.4f}:"
                 f"{m.coverage.high:.4f}:{m.coverage.supervisors}" for m in self.members]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def single_capacity(candidate: PartnerCandidate, placement_mode: str, accommodates_support: str,
                    uncovered_fte: float,
                    ratios: tuple[float, float, float] = DEFAULT_RATIOS) -> Coverage:
    """What ``candidate`` alone can cover of the need (the one rule)."""
    return cover(candidate.free_fte, candidate.supervisors_free, placement_mode,
                 accommodates_support, uncovered_fte, ratios)


def distinct_sites(candidates: Sequence[PartnerCandidate]) -> list[PartnerCandidate]:
    """The best-ranked candidate of each site, in the given (ranked) order."""
    seen: set[str] = set()
    out = []
    for c in candidates:
        if c.site_id not in seen:
            seen.add(c.site_id)
            out.append(c)
    return out


def propose(candidates: Sequence[PartnerCandidate], *, placement_mode: str,
            accommodates_support: str, uncovered_fte: float, binding: str, limit: int = 3,
            top_n: int = TOP_N, ratios: tuple[float, float, float] = DEFAULT_RATIOS
            ) -> list[Proposal]:
    """Up to ``limit`` combinations of 2-4 sites covering as much of ``uncovered_fte`` as possible.

    Parameters
    ----------
    candidates : sequence of PartnerCandidate
        The engine's ranked candidates, best first, excluded ones left out.
    placement_mode, accommodates_support : str
        The need's placement mode and the highest support level its workplace accommodates.
    uncovered_fte : float
        Need FTE minus FTE already contracted.
    binding : str
        The activity's local binding (``high`` / ``medium`` / ``low``).
    limit : int
        Most proposals returned.
    top_n : int
        Best-ranked distinct sites considered.

    Returns
    -------
    list of Proposal
        Best first; empty when the best single site already covers the need or no combination
        covers more than it.
    """
    uncovered = max(0.0, float(uncovered_fte))
    if uncovered <= EPSILON or limit <= 0:
        return []
    sites = []
    for c in distinct_sites(candidates):
        cap = single_capacity(c, placement_mode, accommodates_support, uncovered, ratios).fte
        if cap > EPSILON:
            sites.append((c, cap))
    best_single = max((cap for _c, cap in sites), default=0.0)
    if best_single >= uncovered - EPSILON:
        return []
    sites = sites[:top_n]
    high = binding == "high"
    order = _order(sites, high)
    chosen = _search([sites[i] for i in order], [int(i) for i in order], uncovered, best_single,
                     high, limit)
    return [_build([sites[order[j]] for j in combo], uncovered, placement_mode,
                   accommodates_support, ratios) for combo in chosen]


def _order(sites: Sequence[tuple[PartnerCandidate, float]], high: bool) -> list[int]:
    # the order members are filled in: nearest first for high binding, else best-ranked first
    if high:
        return sorted(range(len(sites)), key=lambda i: (sites[i][0].distance_km, i))
    return list(range(len(sites)))


@functools.cache
def _combinations(n: int, size: int) -> np.ndarray:
    return np.array(list(itertools.combinations(range(n), size)), dtype=np.intp).reshape(-1, size)


def _search(sites: Sequence[tuple[PartnerCandidate, float]], ranks: Sequence[int],
            uncovered: float, best_single: float, high: bool,
            limit: int) -> list[tuple[int, ...]]:
    """The best ``limit`` minimal combinations, as index tuples into ``sites`` (fill order).

    Every combination of every size is evaluated at once with NumPy (arrays of at most 495
    rows); the members of a row are in fill order, so the split is a running sum.
    """
    cap = np.array([c for _s, c in sites])
    dist = np.array([s.distance_km for s, _c in sites])
    score = np.array([s.score for s, _c in sites])
    # tie-break on the members' engine ranks: the set holding the better-ranked site first
    rank_bit = np.array([float(1 << (len(sites) - r)) for r in ranks])
    keys: list[np.ndarray] = []
    combos: list[tuple[int, ...]] = []
    for size in range(MIN_MEMBERS, min(MAX_MEMBERS, len(sites)) + 1):
        idx = _combinations(len(sites), size)
        caps = cap[idx]
        total = caps.sum(axis=1)
        covered = np.minimum(uncovered, total)
        before = np.cumsum(caps, axis=1) - caps
        take = np.clip(uncovered - before, 0.0, caps)
        weight = take.sum(axis=1)
        # minimal: without its smallest member the others would cover less
        keep = ((covered > best_single + EPSILON)
                & ((total < uncovered - EPSILON) | (total - caps.min(axis=1)
                                                    < uncovered - EPSILON)))
        if not keep.any():
            continue
        idx, take, weight, covered = idx[keep], take[keep], weight[keep], covered[keep]
        mean_d = np.round((take * dist[idx]).sum(axis=1) / weight, 6)
        mean_s = np.round((take * score[idx]).sum(axis=1) / weight, 6)
        far = (dist[idx] >= FAR_KM - EPSILON).sum(axis=1)
        locality = (far, mean_d, -mean_s) if high else (np.zeros_like(far), -mean_s, mean_d)
        keys.append(np.column_stack([-np.round(covered, _FTE_DIGITS), *locality,
                                     np.full(len(idx), size),
                                     -rank_bit[idx].sum(axis=1)]))
        combos.extend(map(tuple, idx.tolist()))
    if not combos:
        return []
    key = np.concatenate(keys)
    if (key[:, 0] <= -(uncovered - EPSILON)).any():
        # some combination covers it all: partial ones are no alternative
        full = np.flatnonzero(key[:, 0] <= -(uncovered - EPSILON))
        key, combos = key[full], [combos[i] for i in full]
    order = np.lexsort(key.T[::-1])[:limit]
    return [combos[i] for i in order]


def _build(combo: Sequence[tuple[PartnerCandidate, float]], uncovered: float,
           placement_mode: str, accommodates_support: str,
           ratios: tuple[float, float, float]) -> Proposal:
    members = []
    rest = uncovered
    for c, cap in combo:  # in fill order
        take = min(cap, rest)
        rest -= take
        coverage = cover(c.free_fte, c.supervisors_free, placement_mode, accommodates_support,
                         take, ratios)
        members.append(Member(c, coverage))
    members.sort(key=lambda m: (-m.coverage.fte, m.candidate.distance_km,
                                m.candidate.capability_id))
    covered = round(sum(m.coverage.fte for m in members), _FTE_DIGITS)
    weight = sum(m.coverage.fte for m in members)
    distance = sum(m.candidate.distance_km * m.coverage.fte for m in members) / weight
    score = sum(m.candidate.score * m.coverage.fte for m in members) / weight
    proposal = Proposal(tuple(members), round(uncovered, _FTE_DIGITS), covered,
                        round(distance, 3), round(score, 6), ())
    return Proposal(proposal.members, proposal.need_fte, proposal.covered_fte,
                    proposal.mean_distance_km, proposal.mean_score,
                    _reasons(proposal, placement_mode))


def _reasons(p: Proposal, placement_mode: str) -> tuple[Reason, ...]:
    reasons = [Reason("partnership_covers", {
        "covered": p.covered_fte, "needed": p.need_fte, "members": len(p.members),
        "parts": tuple(m.fte for m in p.members)})]
    farthest = max(m.candidate.distance_km for m in p.members)
    reasons.append(Reason("partnership_distance", {"max_km": round(farthest, 1),
                                                   "mean_km": p.mean_distance_km}))
    if placement_mode != "workshop":
        for m in p.members:
            if m.coverage.supervisors > 0:
                reasons.append(Reason("partnership_supervisor", {
                    "municipality": m.candidate.municipality,
                    "provider": m.candidate.provider_name,
                    "supervisors": m.coverage.supervisors, "fte": m.fte,
                    "placement_mode": placement_mode}))
    if p.uncovered_fte > EPSILON:
        reasons.append(Reason("partnership_shortfall", {"uncovered": p.uncovered_fte}))
    return tuple(reasons)


# ---- what is missing when no combination covers the need -------------------------------------

@dataclass(frozen=True, slots=True)
class Shortage:
    """Why the best combination (or site) still leaves FTE uncovered.

    ``fte_above_level``: free FTE of the candidates at support levels the workplace does not
    accommodate; ``fte_without_supervisor``: free FTE at accepted levels that lack a
    supervisor (supervision, not workers, keeps them out); ``supervisors_short``: whole
    supervisors those sites lack to let those FTE count; ``fte_excluded_too_far``: free FTE of
    candidates beyond a distance limit (given by the caller).
    """

    uncovered_fte: float
    best_covered_fte: float
    fte_above_level: float
    fte_without_supervisor: float
    supervisors_short: int
    sites_considered: int


def shortage(candidates: Sequence[PartnerCandidate], *, placement_mode: str,
             accommodates_support: str, uncovered_fte: float, best_covered_fte: float,
             ratios: tuple[float, float, float] = DEFAULT_RATIOS) -> Shortage:
    """What the candidates lack to cover ``uncovered_fte`` (support level, supervisors)."""
    top = SUPPORT_LEVELS.index(accommodates_support)
    above = 0.0
    unsupervised = 0.0
    supervisors_short = 0
    sites = distinct_sites(candidates)
    for c in sites:
        above += sum(c.free_fte[top + 1:])
        got = cover(c.free_fte, c.supervisors_free, placement_mode, accommodates_support,
                    uncovered_fte, ratios)
        unlimited = cover(c.free_fte, 1e9, placement_mode, accommodates_support,
                          uncovered_fte, ratios)
        if unlimited.fte - got.fte > EPSILON:
            # supervisors are people of that site: what it lacks for all its accepted workers
            unsupervised += unlimited.fte - got.fte
            supervisors_short += max(1, unlimited.supervisors
                                     - int(whole_supervisors(c.supervisors_free)))
    return Shortage(round(max(0.0, uncovered_fte), _FTE_DIGITS),
                    round(best_covered_fte, _FTE_DIGITS), round(above, _FTE_DIGITS),
                    round(unsupervised, _FTE_DIGITS), supervisors_short, len(sites))


# ---- text -------------------------------------------------------------------------------------

def _num(value: float, lang: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nl" else text


def _label(labels: Mapping[str, Mapping[str, str]], kind: str, code: Any) -> str:
    return str(labels.get(kind, {}).get(code, code))


def render(reason: Reason, lang: str = "nl",
           labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Text of a partnership reason in ``lang`` (nl or en), modes by their taxonomy label.

    >>> render(Reason("partnership_covers", {"covered": 30.0, "needed": 30.0, "members": 3,
    ...                                      "parts": (12.0, 10.0, 8.0)}))
    'Samen dekken ze 30 van 30 VTE (12 + 10 + 8)'
    >>> render(Reason("partnership_supervisor", {"municipality": "Izegem", "provider": "X",
    ...        "supervisors": 1, "fte": 4.0, "placement_mode": "enclave"}), "en")
    'Izegem brings the enclave supervisor (1 supervisor for 4 FTE)'
    """
    p = reason.params
    en = lang == "en"
    labels = labels or {}
    if reason.code == "partnership_covers":
        parts = " + ".join(_num(x, lang) for x in p["parts"])
        if en:
            return f"Together they cover {_num(p['covered'], lang)} of {_num(p['needed'], lang)} " \
                   f"FTE ({parts})"
        return f"Samen dekken ze {_num(p['covered'], lang)} van {_num(p['needed'], lang)} VTE " \
               f"({parts})"
    if reason.code == "partnership_distance":
        if en:
            return f"All within {_num(p['max_km'], lang)} km (FTE-weighted mean " \
                   f"{_num(p['mean_km'], lang)} km)"
        return f"Allemaal binnen {_num(p['max_km'], lang)} km (gewogen gemiddelde " \
               f"{_num(p['mean_km'], lang)} km)"
    if reason.code == "partnership_supervisor":
        n = int(p["supervisors"])
        mode = p["placement_mode"]
        if mode == "enclave":
            role_nl, role_en = "de enclavebegeleider", "the enclave supervisor"
            if n > 1:
                role_nl, role_en = f"{n} enclavebegeleiders", f"{n} enclave supervisors"
        elif mode == "individual":
            role_nl = "de jobcoach" if n == 1 else f"{n} jobcoaches"
            role_en = "the job coach" if n == 1 else f"{n} job coaches"
        else:
            label = _label(labels, "placement_mode", mode)
            role_nl = f"de begeleider ({label})" if n == 1 else f"{n} begeleiders ({label})"
            role_en = f"the supervisor ({label})" if n == 1 else f"{n} supervisors ({label})"
        fte = _num(p["fte"], lang)
        if en:
            word = "supervisor" if n == 1 else "supervisors"
            return f"{p['municipality']} brings {role_en} ({n} {word} for {fte} FTE)"
        word = "begeleider" if n == 1 else "begeleiders"
        return f"{p['municipality']} brengt {role_nl} ({n} {word} voor {fte} VTE)"
    if reason.code == "partnership_shortfall":
        if en:
            return f"{_num(p['uncovered'], lang)} FTE remain uncovered"
        return f"{_num(p['uncovered'], lang)} VTE blijven onbedekt"
    raise KeyError(reason.code)


REASON_CODES = ("partnership_covers", "partnership_distance", "partnership_supervisor",
                "partnership_shortfall")


def needs_any_supervisor(placement_mode: str, accommodates_support: str) -> bool:
    """Whether some accepted level needs a supervisor present in ``placement_mode``."""
    top = SUPPORT_LEVELS.index(accommodates_support)
    return any(needs_supervisor(placement_mode, level) for level in SUPPORT_LEVELS[:top + 1])
