"""The scoring of ``engine._score`` on 1-D arrays, for the ranking paths (one concern).

:func:`top_k` ranks one need against its activity-group block; :func:`top_k_many` a chunk of
needs against it (distances and static constraints on the grid, the rest on the pairs that
survive). :meth:`MatchingEngine.rank` calls :func:`top_k` for every single-need query, so its
cost is mostly NumPy's per-operation overhead on a few hundred to a few thousand rows. The
need's terms are Python scalars, not (1, 1) arrays, and whatever the need makes constant is
decided in Python (no text: no text blend; support level: the coverage levels it cannot use
are skipped; no distance limit: no distance test), and coverage, blend and score are computed
only on the rows the distance and static constraints leave. Every array that is computed goes
through the same IEEE operations in the same order as in ``engine._score`` and
:func:`matching.coverage.cover_arrays`, so scores and details are bit for bit those of the
broadcast scorer (the per-pair reference agrees on scores and rankings). Only whether a pair
is excluded is computed, not which constraints exclude it (the engine falls back to the
broadcast scorer for diagnoses and excluded candidates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from matching.coverage import EPSILON, cover_arrays
from matching.scoring import EARTH_DIAMETER_KM, KM_SCALE, SCORE_SCALE, PairDetails
from matching.types import EngineConfig, Weights

_ENCLAVE, _ON_SITE, _INDIVIDUAL = 2, 1, 3  # indices into PLACEMENT_MODES


class NeedTerms(NamedTuple):
    """One need's scoring terms as Python scalars (the columns of the engine's need side)."""

    sin_half_lat: float
    cos_half_lat: float
    cos_lat: float
    sin_half_lon: float
    cos_half_lon: float
    act: int
    mode: int
    cert_bits: int
    shift_bits: int
    acc: int
    uncovered: float
    peak: float
    maxd: float
    decay: float
    reach_decay: float
    commute_rate: float  # 0.0 unless workers commute to a badly served client site
    comp_total: float
    has_text: bool


class BlockMasks(NamedTuple):
    """Constant facts about a block that let a need skip a test for every row."""

    mode_ok: tuple[np.ndarray, ...]  # per placement mode: which rows offer it
    cert_all: int  # certifications every row holds
    shift_all: int  # shifts every row offers
    radius_finite: bool  # some row has a service radius
    factor: dict[int, np.ndarray]  # per activity of the block: activity factor of each row


def block_masks(a: Mapping[str, np.ndarray], n_modes: int) -> BlockMasks:
    """The :class:`BlockMasks` of a block's capability columns (static: no workforce)."""
    modes = a["mode_bits"]
    act = a["act"]
    full = (1 << 62) - 1
    return BlockMasks(
        mode_ok=tuple((modes & (1 << m)) != 0 for m in range(n_modes)),
        cert_all=int(np.bitwise_and.reduce(a["cert_bits"])) if modes.size else full,
        shift_all=int(np.bitwise_and.reduce(a["shift_bits"])) if modes.size else full,
        radius_finite=bool(np.isfinite(a["radius"]).any()),
        factor={int(x): np.where(act == x, 1.0, 0.5) for x in np.unique(act).tolist()},
    )


def top_k(
    n: NeedTerms,
    c: Mapping[str, np.ndarray],
    masks: BlockMasks,
    products: tuple[np.ndarray, np.ndarray],
    weights: Weights,
    config: EngineConfig,
    k: int,
) -> tuple[list[int], list[PairDetails]]:
    """The k best rows of the block for one need, and their details.

    Ranked by score desc, distance asc, row asc (rows are in capability-id order), exactly
    as ``engine._top_k`` ranks a row of the broadcast scorer.
    """
    # distance: matching.scoring.haversine_from_trig, broadcast over the block
    s_lat = n.sin_half_lat * c["cos_half_lat"]
    s_lat -= n.cos_half_lat * c["sin_half_lat"]
    s_lon = n.sin_half_lon * c["cos_half_lon"]
    s_lon -= n.cos_half_lon * c["sin_half_lon"]
    h = n.cos_lat * c["cos_lat"]
    s_lon *= s_lon
    h *= s_lon
    s_lat *= s_lat
    h = np.add(s_lat, h, out=h)
    np.minimum(h, 1.0, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= EARTH_DIAMETER_KM
    h *= KM_SCALE
    h += 0.5
    np.floor(h, out=h)
    d = np.divide(h, KM_SCALE, out=h)

    # hard constraints that need no coverage; the rest is computed on the rows they leave
    ok = masks.mode_ok[n.mode] & (c["total"] > 0.0)
    if n.maxd != np.inf:
        ok &= d <= n.maxd
    if masks.radius_finite:
        ok &= d <= c["radius"]
    if n.cert_bits & ~masks.cert_all:
        ok &= (n.cert_bits & ~c["cert_bits"]) == 0
    if n.shift_bits & ~masks.shift_all:
        ok &= (n.shift_bits & ~c["shift_bits"]) == 0
    at = ok.nonzero()[0]
    if at.size == 0:
        return [], []
    d = d[at]

    # competence = activity factor × blend(weighted coverage, tf-idf cosine)
    whole = masks.factor.get(n.act)  # the need's activity may be another of the group
    factor = np.full(at.size, 0.5) if whole is None else whole[at]
    covered_comp, block_similarity = products
    similarity: Any
    total = n.comp_total
    coverage: Any = covered_comp[at] / total if total > 0.0 else 1.0
    has_text: Any
    if n.has_text:
        has_text = c["has_text"][at]
        similarity = np.where(has_text, block_similarity[at], 0.0)
        blend = np.where(
            has_text,
            config.text_coverage_weight * coverage + config.text_tfidf_weight * similarity,
            coverage,
        )
    else:
        has_text, similarity, blend = False, 0.0, coverage
    competence = factor * blend
    locality = np.exp(-d / n.decay)

    # coverage: matching.coverage.cover_arrays with the need's mode and level as scalars
    ratios = config.supervision_ratios
    budget = np.floor(c["sup"][at] + EPSILON)
    rest: Any = float(np.maximum(0.0, n.uncovered))
    load: Any = np.zeros(d.shape)
    eligible: Any = np.zeros(d.shape)
    taken: list[Any] = [0.0, 0.0, 0.0]
    for level, name in enumerate(("f_low", "f_med", "f_high")):
        if n.acc < level:
            break  # free_here = 0: nothing taken, nothing changes (x = min(0, rest) = 0)
        free = c[name][at]
        eligible = eligible + free
        x = np.minimum(free, rest)
        if n.mode == _ENCLAVE or (level and n.mode in (_ON_SITE, _INDIVIDUAL)):
            x = np.maximum(0.0, np.minimum(x, (budget - load) * ratios[level]))
            load = load + x / ratios[level]
        taken[level] = x
        if level < n.acc:  # the last level's rest is not used
            rest = rest - x
    supervisors = np.maximum(0.0, np.ceil(load - EPSILON))
    covered = taken[0] + taken[1] + taken[2]
    uncovered = n.uncovered
    share: Any = np.minimum(1.0, covered / uncovered) if uncovered > 0.0 else 1.0
    reach = np.exp(-d / n.reach_decay)
    fresh = c["fresh"][at]
    capacity = share * fresh * reach
    # covered > 0 implies eligible > 0: a level takes at most what is free there (>= 0)
    ok = covered > 0.0 if uncovered > 0.0 else eligible > 0.0

    w_comp, w_loc, w_sup, w_cap = weights.as_tuple()
    # w_comp * competence + w_loc * locality + w_sup * peak + w_cap * capacity, in place
    raw = w_comp * competence
    raw += w_loc * locality
    raw += w_sup * n.peak
    capacity_part = w_cap * capacity
    raw += capacity_part
    commute: Any = 1.0
    if n.commute_rate:  # × exp(-0.0) = 1.0 changes nothing: skipped
        commute = np.exp(-d * n.commute_rate)
        raw *= commute
    raw *= SCORE_SCALE
    raw += 0.5
    score = np.floor(raw, out=raw)
    score /= SCORE_SCALE

    rows = ok.nonzero()[0]  # positions in ``at``, ascending like the block rows
    if rows.size > k:
        s = score[rows]
        rows = rows[s >= np.partition(s, rows.size - k)[rows.size - k]]
    order = np.lexsort((rows, d[rows], -score[rows]))[:k]
    rows = rows[order]
    m = rows.size

    def pick(v: Any) -> list[Any]:
        return v[rows].tolist() if isinstance(v, np.ndarray) else [v.item()] * m if isinstance(
            v, np.generic) else [v] * m

    columns: Sequence[list[Any]] = (
        pick(d), pick(factor), pick(coverage), pick(similarity), pick(has_text),
        [n.decay] * m, pick(taken[0]), pick(taken[1]), pick(taken[2]), pick(eligible),
        [uncovered] * m, pick(supervisors), pick(fresh), pick(competence),
        pick(locality), [n.peak] * m, pick(capacity), pick(commute), pick(score), [0] * m,
    )
    return at[rows].tolist(), list(map(PairDetails._make, zip(*columns, strict=True)))


def top_k_many(
    n: Mapping[str, np.ndarray],
    c: Mapping[str, np.ndarray],
    masks: BlockMasks,
    products: tuple[np.ndarray, np.ndarray],
    weights: Weights,
    config: EngineConfig,
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Per need of a chunk (the C rows of ``n``), the k best rows of the block and details.

    Distances and the constraints that need no coverage are computed on the (C, B) grid;
    everything else only on the pairs they leave, as 1-D arrays (the same element-wise
    operations as ``engine._score``). ``products``: the (C, B) weighted competence coverage
    and text similarity. Returns (need rows, block rows, position within the need's ranking)
    sorted by need then position, and the :class:`PairDetails` fields of those pairs (all but
    ``excluded_bits``) as arrays.
    """
    col = {name: v[:, None] for name, v in n.items()}
    s_lat = col["sin_half_lat"] * c["cos_half_lat"] - col["cos_half_lat"] * c["sin_half_lat"]
    s_lon = col["sin_half_lon"] * c["cos_half_lon"] - col["cos_half_lon"] * c["sin_half_lon"]
    h = s_lat * s_lat + (col["cos_lat"] * c["cos_lat"]) * (s_lon * s_lon)
    np.minimum(h, 1.0, out=h)
    grid_d = np.floor(EARTH_DIAMETER_KM * np.arcsin(np.sqrt(h)) * KM_SCALE + 0.5) / KM_SCALE

    ok = np.stack(masks.mode_ok)[n["mode"]]
    ok &= c["total"] > 0.0
    if np.isfinite(n["maxd"]).any():
        ok &= grid_d <= col["maxd"]
    if masks.radius_finite:
        ok &= grid_d <= c["radius"]
    if (n["cert_bits"] & ~masks.cert_all).any():
        ok &= (col["cert_bits"] & ~c["cert_bits"]) == 0
    if (n["shift_bits"] & ~masks.shift_all).any():
        ok &= (col["shift_bits"] & ~c["shift_bits"]) == 0
    r, q = ok.nonzero()  # the pairs left, by need then block row
    d = grid_d[r, q]

    factor = np.where(n["act"][r] == c["act"][q], 1.0, 0.5)
    total = n["comp_total"][r]
    positive = total > 0.0
    coverage = np.where(positive, products[0][r, q] / np.where(positive, total, 1.0), 1.0)
    has_text = n["has_text"][r] & c["has_text"][q]
    similarity = np.where(has_text, products[1][r, q], 0.0)
    blend = np.where(
        has_text,
        config.text_coverage_weight * coverage + config.text_tfidf_weight * similarity,
        coverage,
    )
    competence = factor * blend
    decay = n["decay"][r]
    locality = np.exp(-d / decay)
    uncovered = n["uncovered"][r]
    cov = cover_arrays(
        c["f_low"][q], c["f_med"][q], c["f_high"][q], c["sup"][q], n["mode"][r], n["acc"][r],
        uncovered, config.supervision_ratios,
    )
    covered = cov["low"] + cov["medium"] + cov["high"]
    wanted = uncovered > 0.0
    share = np.where(wanted, np.minimum(1.0, covered / np.where(wanted, uncovered, 1.0)), 1.0)
    reach = np.exp(-d / n["reach_decay"][r])
    fresh = c["fresh"][q]
    capacity = share * fresh * reach
    supervision = n["peak"][r]
    eligible = cov["eligible"]
    w_comp, w_loc, w_sup, w_cap = weights.as_tuple()
    raw = w_comp * competence + w_loc * locality + w_sup * supervision + w_cap * capacity
    commute = np.exp(-d * n["commute_rate"][r])
    score = np.floor(raw * commute * SCORE_SCALE + 0.5) / SCORE_SCALE
    fits = (eligible > 0.0) & ~(wanted & (covered <= 0.0))

    # per need, the k best fitting pairs: those at or above its k-th best score, then sorted
    grid = np.full(ok.shape, -1.0)
    grid[r[fits], q[fits]] = score[fits]
    n_cols = grid.shape[1]
    if n_cols > k:
        kth = np.partition(grid, n_cols - k, axis=1)[:, n_cols - k]
        fits &= score >= kth[r]
    keep = fits.nonzero()[0]
    keep = keep[np.lexsort((q[keep], d[keep], -score[keep], r[keep]))]
    rows = r[keep]
    if rows.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, {f: np.zeros(0) for f in PairDetails._fields[:-1]}
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    pos = np.arange(rows.size) - np.repeat(starts, np.diff(np.r_[starts, rows.size]))
    keep, rows, pos = keep[pos < k], rows[pos < k], pos[pos < k]
    details = {
        "distance_km": d, "activity_factor": factor, "coverage": coverage,
        "text_similarity": similarity, "has_text": has_text, "decay_km": decay,
        "covered_low": cov["low"], "covered_medium": cov["medium"], "covered_high": cov["high"],
        "eligible_fte": eligible, "uncovered_fte": uncovered,
        "supervisors_needed": cov["supervisors"], "freshness": fresh,
        "competence": competence, "locality": locality, "supervision": supervision,
        "capacity": capacity, "commute": commute, "score": score,
    }
    return rows, q[keep], pos, {f: v[keep] for f, v in details.items()}
