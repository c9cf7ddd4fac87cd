"""The vectorised matching engine: a scikit-learn-style estimator over capability profiles.

Rules (DESIGN §4-§5) are the same as in :mod:`matching.reference`, written on arrays:
candidates are the capabilities of the need's activity group (activity blocking), scored in
(needs × block) matrices. Every per-point quantity is a 1-D array, so a chunk of needs
against a block is pure broadcasting; competence coverage and text similarity are sparse
matrix products.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.neighbors import BallTree
from sklearn.utils.validation import check_is_fitted

from matching.coverage import cover_arrays
from matching.dense import BlockMasks, NeedTerms, block_masks, top_k, top_k_many
from matching.scoring import (
    EARTH_DIAMETER_KM,
    EX_CERTIFICATION,
    EX_NO_FREE_AT_LEVEL,
    EX_NO_FREE_CAPACITY,
    EX_NO_SUPERVISION,
    EX_PLACEMENT_MODE,
    EX_SHIFT,
    EX_TOO_FAR_NEED,
    EX_TOO_FAR_PROVIDER,
    KM_SCALE,
    NEARBY_PROVIDERS,
    SCORE_SCALE,
    PairDetails,
    make_candidate,
    make_nearby,
    point_trig,
)
from matching.text import TextModel, fit_text_model
from matching.types import (
    CERTIFICATIONS,
    PLACEMENT_MODES,
    SHIFTS,
    SUPPORT_LEVELS,
    Candidate,
    CapabilityProfile,
    Diagnosis,
    EngineConfig,
    MatchResult,
    NeedProfile,
    Weights,
    activity_group,
)

_TRIG = ("sin_half_lat", "cos_half_lat", "cos_lat", "sin_half_lon", "cos_half_lon")
_DETAIL_FIELDS = PairDetails._fields


def _bits(values: Iterable[str], vocabulary: tuple[str, ...]) -> int:
    out = 0
    for v in values:
        out |= 1 << vocabulary.index(v)
    return out


def _trig_arrays(points: Sequence[tuple[float, float]]) -> dict[str, np.ndarray]:
    # math, not numpy, so the per-point terms are bit-identical to the reference's
    terms = np.array([point_trig(lat, lon) for lat, lon in points], dtype=np.float64)
    terms = terms.reshape(len(points), len(_TRIG))
    return {name: terms[:, i].copy() for i, name in enumerate(_TRIG)}


def _round_fine(x: np.ndarray) -> np.ndarray:
    return np.floor(x * KM_SCALE + 0.5) / KM_SCALE


def _haversine(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> np.ndarray:
    """Same formula as :func:`matching.scoring.haversine_from_trig`, broadcast."""
    s_lat = a["sin_half_lat"] * b["cos_half_lat"] - a["cos_half_lat"] * b["sin_half_lat"]
    s_lon = a["sin_half_lon"] * b["cos_half_lon"] - a["cos_half_lon"] * b["sin_half_lon"]
    h = s_lat * s_lat + (a["cos_lat"] * b["cos_lat"]) * (s_lon * s_lon)
    np.minimum(h, 1.0, out=h)
    return _round_fine(EARTH_DIAMETER_KM * np.arcsin(np.sqrt(h)))


class _Side:
    """Column arrays of one side (needs or capabilities) plus its sparse matrices."""

    def __init__(
        self, arrays: dict[str, np.ndarray], comp: sp.csr_matrix, text: sp.csr_matrix
    ) -> None:
        self.a = arrays
        self.comp = comp
        self.text = text
        self.pairs: tuple[list, list] = ([], [])  # one need's rows, when built without matrices

    def __len__(self) -> int:
        return len(self.a["fte" if "fte" in self.a else "total"])

    def take(self, idx: np.ndarray) -> _Side:
        return _Side({k: v[idx] for k, v in self.a.items()}, self.comp[idx], self.text[idx])

    def shaped(self, shape: tuple[int, int]) -> dict[str, np.ndarray]:
        return {k: v.reshape(shape) for k, v in self.a.items()}


def _capability_side(
    caps: Sequence[CapabilityProfile],
    activities: dict[str, int],
    competences: dict[str, int],
    text_model: TextModel,
    config: EngineConfig,
) -> _Side:
    m = len(caps)
    a = _trig_arrays([(c.lat, c.lon) for c in caps])
    a["act"] = np.array([activities[c.activity] for c in caps], dtype=np.int64)
    a["mode_bits"] = np.array([_bits(c.placement_modes, PLACEMENT_MODES) for c in caps], np.int64)
    a["cert_bits"] = np.array([_bits(c.certifications, CERTIFICATIONS) for c in caps], np.int64)
    a["shift_bits"] = np.array([_bits(c.shifts, SHIFTS) for c in caps], np.int64)
    a["radius"] = np.array(
        [np.inf if c.service_radius_km is None else c.service_radius_km for c in caps],
        dtype=np.float64,
    )
    free = np.array([c.free_fte for c in caps], dtype=np.float64).reshape(m, 3)
    a["f_low"], a["f_med"], a["f_high"] = (free[:, i].copy() for i in range(3))
    a["total"] = a["f_low"] + a["f_med"] + a["f_high"]
    a["sup"] = np.array([c.supervisors_free for c in caps], dtype=np.float64)
    a["fresh"] = np.array([config.freshness(c.workforce_age_days) for c in caps], np.float64)
    rows, cols = [], []
    for i, c in enumerate(caps):
        for j in sorted({competences[x] for x in c.competences if x in competences}):
            rows.append(i)
            cols.append(j)
    comp = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(m, len(competences)), dtype=np.float64
    )
    text = text_model.transform([c.text for c in caps])
    a["has_text"] = np.diff(text.indptr) > 0
    return _Side(a, comp, text)


def _need_side(
    needs: Sequence[NeedProfile],
    activities: dict[str, int],
    competences: dict[str, int],
    text_model: TextModel,
    config: EngineConfig,
    matrices: bool = True,
) -> _Side:
    n = len(needs)
    a = _trig_arrays([(x.lat, x.lon) for x in needs])
    a["act"] = np.array([activities.get(x.activity, -1) for x in needs], dtype=np.int64)
    a["mode"] = np.array([PLACEMENT_MODES.index(x.placement_mode) for x in needs], np.int64)
    a["mode_bit"] = np.left_shift(1, a["mode"])
    a["cert_bits"] = np.array([_bits(x.certifications, CERTIFICATIONS) for x in needs], np.int64)
    a["shift_bits"] = np.array([_bits(x.shifts, SHIFTS) for x in needs], np.int64)
    a["fte"] = np.array([x.fte for x in needs], dtype=np.float64)
    a["acc"] = np.array([SUPPORT_LEVELS.index(x.accommodates_support) for x in needs], np.int64)
    a["uncovered"] = np.array([x.uncovered_fte for x in needs], dtype=np.float64)
    a["peak"] = np.array(
        [
            config.peak_pressure_factor if x.peak_season and x.time_pressure == "high" else 1.0
            for x in needs
        ],
        dtype=np.float64,
    )
    a["maxd"] = np.array(
        [np.inf if x.max_distance_km is None else x.max_distance_km for x in needs], np.float64
    )
    a["decay"] = np.array([config.decay_km(x.binding) for x in needs], dtype=np.float64)
    a["commute_rate"] = np.array(
        [config.commute_rate(x.binding, x.placement_mode, x.public_transport) for x in needs],
        dtype=np.float64,
    )
    a["reach_decay"] = a["decay"] * config.reach_decay_factor
    rows, cols, vals, totals = [], [], [], []
    for i, x in enumerate(needs):
        total = 0.0
        for comp, w in zip(x.competences, x.weights_or_default, strict=True):
            total += w  # same order as the reference's running sum
            j = competences.get(comp)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append(w)
        totals.append(total)
    a["comp_total"] = np.array(totals, dtype=np.float64)
    if not matrices:  # one need: its rows as (column, value) pairs, no SciPy objects
        summed: dict[int, float] = {}
        for j, w in zip(cols, vals, strict=True):
            summed[j] = summed[j] + w if j in summed else w
        comp_pairs = sorted(summed.items())
        text_pairs = text_model.term_weights(needs[0].text) if text_model.n_terms else []
        a["has_text"] = np.array([bool(text_pairs)])
        side = _Side(a, None, None)
        side.pairs = (comp_pairs, text_pairs)
        return side
    comp = sp.csr_matrix((vals, (rows, cols)), shape=(n, len(competences)), dtype=np.float64)
    text = text_model.transform([x.text for x in needs])
    a["has_text"] = np.diff(text.indptr) > 0
    return _Side(a, comp, text)


_HISTORY = 256  # updates whose changed groups an engine remembers
_FIGURE_COLUMNS = ("f_low", "f_med", "f_high", "total", "sup", "fresh")


def _codes(caps: Sequence[CapabilityProfile]) -> tuple[dict[str, int], dict[str, int]]:
    """Activity and competence code → index, as :meth:`MatchingEngine.fit` numbers them."""
    activities = {a: i for i, a in enumerate(sorted({c.activity for c in caps}))}
    competences = {x: i for i, x in enumerate(sorted({x for c in caps for x in c.competences}))}
    return activities, competences


def same_but_figures(old: CapabilityProfile, new: CapabilityProfile) -> bool:
    """True when only the workforce figures (free FTE, supervisors, their age) differ."""
    return old == dataclasses.replace(
        new,
        free_fte=old.free_fte,
        supervisors_free=old.supervisors_free,
        workforce_age_days=old.workforce_age_days,
    )


def _concat_sides(a: _Side, b: _Side) -> _Side:
    arrays = {k: np.concatenate([v, b.a[k]]) for k, v in a.a.items()}
    return _Side(
        arrays,
        sp.vstack([a.comp, b.comp], format="csr"),
        sp.vstack([a.text, b.text], format="csr"),
    )


@dataclass(frozen=True)
class _Block:
    """The capabilities of one activity group, pre-sliced for batch scoring."""

    index: np.ndarray  # global capability indices, ascending (= id order)
    caps: _Side
    comp_t: sp.csr_matrix  # competences × block
    text_t: sp.csr_matrix  # terms × block
    tree: BallTree
    masks: BlockMasks  # static facts for the single-need scorer (matching.dense)

    def products(self, comp: list[tuple[int, float]], text: list[tuple[int, float]]
                 ) -> tuple[np.ndarray, np.ndarray]:
        """One need's (weighted competence coverage, text similarity) against the block.

        Two sparse matrix-vector products with the need as a dense vector: each row of the
        block's (block × competences, block × terms) matrices adds its products from 0.0 in
        the row's column order, ascending, so a capability gets, bit for bit, the sums that
        ``need @ comp_t`` and ``need @ text_t`` give (the need's columns ascending; the
        columns the need lacks add 0.0, which changes no sum). Cheaper per call than slicing
        the need's rows of the transposed matrices.
        """
        caps = self.caps
        return _dense_product(caps.comp, comp), _dense_product(caps.text, text)


# a block's terms × rows text matrix is multiplied as a dense array up to this many cells (32 MB)
_DENSE_TEXT_CELLS = 4_000_000


def _dense_if_worth_it(matrix: sp.csr_matrix, n_needs: int) -> sp.csr_matrix | np.ndarray:
    """The matrix as a dense array if it is small enough and enough needs are scored against
    it to pay for the conversion (more pairs than cells): a chunk of needs times a dense
    matrix adds, per cell, the same products in the same order (the need's terms ascending;
    the zeros add 0.0) as the sparse product, at a third of its cost."""
    rows, cols = matrix.shape
    cells = rows * cols
    return matrix.toarray() if cells <= _DENSE_TEXT_CELLS and n_needs * cols >= cells else matrix


def _as_array(product: Any) -> np.ndarray:
    return product.toarray() if sp.issparse(product) else np.asarray(product)


def _dense_product(matrix: sp.csr_matrix, pairs: list[tuple[int, float]]) -> np.ndarray:
    if not pairs:
        return np.zeros(matrix.shape[0])
    vector = np.zeros(matrix.shape[1])
    columns, weights = zip(*pairs, strict=True)
    vector[list(columns)] = weights
    return matrix @ vector


def _score(
    needs: _Side,
    caps: _Side,
    comp_t: sp.csr_matrix,
    text_t: sp.csr_matrix,
    weights: Weights,
    config: EngineConfig,
    products: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Score every (need, capability) pair of ``needs`` × ``caps``: arrays of shape (C, B).

    Same formulas, in the same operation order, as ``matching.reference._pair_details``.
    ``products``: the (covered, similarity) rows of a single need, already computed.
    """
    c_n, c_b = len(needs), len(caps)
    n = needs.shaped((c_n, 1))
    c = caps.shaped((1, c_b))
    shape = (c_n, c_b)
    out: dict[str, np.ndarray] = {}
    d = _haversine(n, c)
    out["distance_km"] = d

    # competence = activity factor × blend(weighted coverage, tf-idf cosine)
    factor = np.where(n["act"] == c["act"], 1.0, 0.5)
    if products is not None:
        covered, similarity = (p.reshape(shape) for p in products)
    else:
        covered = (needs.comp @ comp_t).toarray()
        if needs.text.shape[1]:
            similarity = (needs.text @ text_t).toarray()
        else:
            similarity = np.zeros(shape)
    total = n["comp_total"]
    coverage = np.where(total > 0.0, covered / np.where(total > 0.0, total, 1.0), 1.0)
    has_text = n["has_text"] & c["has_text"]
    similarity = np.where(has_text, similarity, 0.0)
    blend = np.where(
        has_text,
        config.text_coverage_weight * coverage + config.text_tfidf_weight * similarity,
        coverage,
    )
    competence = factor * blend
    out.update(
        activity_factor=factor,
        coverage=coverage,
        text_similarity=similarity,
        has_text=has_text,
        competence=competence,
    )

    # locality: exp(-d / L), L by binding (DESIGN §4.3)
    locality = np.exp(-d / n["decay"])
    out.update(decay_km=n["decay"], locality=locality)

    # coverage: the one rule (matching.coverage) on the FTE still uncovered
    uncovered = n["uncovered"]
    cov = cover_arrays(
        c["f_low"],
        c["f_med"],
        c["f_high"],
        c["sup"],
        n["mode"],
        n["acc"],
        uncovered,
        config.supervision_ratios,
    )
    covered = cov["low"] + cov["medium"] + cov["high"]
    share = np.where(
        uncovered > 0.0,
        np.minimum(1.0, covered / np.where(uncovered > 0.0, uncovered, 1.0)),
        1.0,
    )
    # one coverage component, credited for fresh figures and for reach (see matching.scoring)
    reach = np.exp(-d / n["reach_decay"])
    capacity = share * c["fresh"] * reach
    # supervision fit of the work itself: peaks under high pressure (seeds 000:3522-3560)
    supervision = np.broadcast_to(n["peak"], shape)
    eligible = cov["eligible"]
    out.update(
        covered_low=cov["low"],
        covered_medium=cov["medium"],
        covered_high=cov["high"],
        eligible_fte=eligible,
        uncovered_fte=uncovered,
        supervisors_needed=cov["supervisors"],
        freshness=c["fresh"],
        supervision=supervision,
        capacity=capacity,
    )

    no_free = c["total"] <= 0.0
    bits = (
        (d > n["maxd"]) * EX_TOO_FAR_NEED
        | (d > c["radius"]) * EX_TOO_FAR_PROVIDER
        | ((n["mode_bit"] & c["mode_bits"]) == 0) * EX_PLACEMENT_MODE
        | ((n["cert_bits"] & ~c["cert_bits"]) != 0) * EX_CERTIFICATION
        | ((n["shift_bits"] & ~c["shift_bits"]) != 0) * EX_SHIFT
        | no_free * EX_NO_FREE_CAPACITY
        | (~no_free & (eligible <= 0.0)) * EX_NO_FREE_AT_LEVEL
        | (~no_free & (eligible > 0.0) & (uncovered > 0.0) & (covered <= 0.0))
        * EX_NO_SUPERVISION
    )
    out["excluded_bits"] = bits
    w_comp, w_loc, w_sup, w_cap = weights.as_tuple()
    raw = w_comp * competence + w_loc * locality + w_sup * supervision + w_cap * capacity
    # commuting to a badly served client: a factor that falls with distance (see matching.types)
    commute = np.exp(-d * n["commute_rate"])
    out["commute"] = commute
    out["score"] = np.floor(raw * commute * SCORE_SCALE + 0.5) / SCORE_SCALE
    return out


def _top_k(score: np.ndarray, ok: np.ndarray, dist: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Per row, the k best columns by (score desc, distance asc, column asc).

    Columns are in capability-id order, so the column breaks the final tie by id. Returns
    (rows, cols, position within row), sorted by row then position.
    """
    masked = np.where(ok, score, -1.0)
    n_cols = masked.shape[1]
    keep = ok
    if n_cols > k:
        kth = np.partition(masked, n_cols - k, axis=1)[:, n_cols - k]
        keep = ok & (masked >= kth[:, None])
    rows, cols = np.nonzero(keep)
    order = np.lexsort((cols, dist[rows, cols], -masked[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    if rows.size == 0:
        return rows, cols, rows
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    lengths = np.diff(np.r_[starts, rows.size])
    pos = np.arange(rows.size) - np.repeat(starts, lengths)
    sel = pos < k
    return rows[sel], cols[sel], pos[sel]


def _gather(out: dict[str, np.ndarray], rows: np.ndarray, cols: np.ndarray) -> dict[str, Any]:
    shape = out["score"].shape
    return {f: np.broadcast_to(out[f], shape)[rows, cols] for f in _DETAIL_FIELDS}


def _details_list(out: dict[str, np.ndarray], cols: np.ndarray) -> list[PairDetails]:
    """The details of row 0's ``cols`` as Python scalars: one ``tolist()`` per field."""
    shape = out["score"].shape
    columns = [np.broadcast_to(out[f], shape)[0, cols].tolist() for f in _DETAIL_FIELDS]
    return [PairDetails(*values) for values in zip(*columns, strict=True)]


def _details_at(gathered: dict[str, np.ndarray], i: int) -> PairDetails:
    """One pair's details as Python scalars (``item()`` keeps bool and int types)."""
    return PairDetails(*(gathered[f][i].item() for f in _DETAIL_FIELDS))


class MatchingEngine(BaseEstimator):
    """Rank provider capabilities for company needs (and needs for a provider).

    Parameters
    ----------
    weights : Weights, default=Weights()
        Weights of the four score components (competence, locality, supervision, capacity).
    config : EngineConfig, default=EngineConfig()
        Domain constants: supervision ratios, distance decay, text blend, factors.
    vocabulary_texts : tuple of str, default=()
        Extra texts the text vectoriser is fitted on besides the capability texts: the
        taxonomy's nl/en labels, so their words are in the vocabulary (DESIGN §5).

    Attributes
    ----------
    capabilities_ : tuple of CapabilityProfile
        The fitted capabilities, sorted by id (the final ranking tie-break).
    coords_ : ndarray of shape (n_capabilities, 2)
        Latitude and longitude in radians.
    tree_ : BallTree or None
        Haversine ball tree over all capabilities (``None`` when fitted on none).
    activities_ : dict of str to int
        Activity code → activity index.
    activity_index_ : dict of str to ndarray
        Activity code → capability indices.
    group_index_ : dict of str to ndarray
        Activity group (code before the dot) → capability indices; the blocking unit.
    competences_ : dict of str to int
        Competence code → column of ``competence_matrix_``.
    competence_matrix_ : scipy.sparse.csr_matrix of shape (n_capabilities, n_competences)
        Binary capability × competence matrix.
    text_model_ : TextModel
        The TF-IDF vectoriser fitted on capability texts (``vectorizer_`` is its vectoriser).
    text_matrix_ : scipy.sparse.csr_matrix
        L2-normalised TF-IDF rows of the capability texts.
    free_fte_ : ndarray of shape (n_capabilities, 3)
        Free FTE at support level low, medium, high.
    supervisors_free_ : ndarray of shape (n_capabilities,)
    mode_mask_, certification_mask_, shift_mask_ : ndarray of int64
        Bitmasks over ``PLACEMENT_MODES``, ``CERTIFICATIONS`` and ``SHIFTS``.

    Examples
    --------
    >>> from matching import CapabilityProfile, MatchingEngine, NeedProfile
    >>> cap = CapabilityProfile(
    ...     id="c1", provider_id="p1", provider_name="AMAB", site_id="s1",
    ...     municipality="Roeselare", activity="returns.apparel",
    ...     competences=("laundry", "textile.repair"), text="Kledij wassen en herstellen",
    ...     placement_modes=("workshop",), service_radius_km=None, certifications=(),
    ...     shifts=("day",), lat=50.9469, lon=3.1230, free_fte=(3.0, 1.0, 0.0),
    ...     supervisors_free=1.0, workforce_age_days=10.0)
    >>> need = NeedProfile(
    ...     id="n1", activity="returns.apparel", competences=("laundry",),
    ...     text="Retour kledij wassen", placement_mode="workshop", fte=2.0,
    ...     accommodates_support="medium", time_pressure="low", peak_season=False,
    ...     shifts=("day",), certifications=(), max_distance_km=40.0, lat=50.9140,
    ...     lon=3.2056, binding="medium", public_transport="good")
    >>> engine = MatchingEngine().fit([cap])
    >>> result = engine.rank(need, k=5)
    >>> [(c.capability_id, round(c.distance_km, 1)) for c in result.items]
    [('c1', 6.8)]
    >>> 0.0 < result.items[0].score <= 1.0
    True
    """

    def __init__(
        self,
        weights: Weights = Weights(),
        config: EngineConfig = EngineConfig(),
        vocabulary_texts: tuple[str, ...] = (),
    ):
        self.weights = weights
        self.config = config
        self.vocabulary_texts = vocabulary_texts

    # -- parameters --------------------------------------------------------------------
    def _params(self) -> tuple[Weights, EngineConfig]:
        weights = Weights() if self.weights is None else self.weights
        config = EngineConfig() if self.config is None else self.config
        if not isinstance(weights, Weights):
            raise TypeError(f"weights must be a Weights, got {type(weights).__name__}")
        if not isinstance(config, EngineConfig):
            raise TypeError(f"config must be an EngineConfig, got {type(config).__name__}")
        return weights, config

    @staticmethod
    def _check_k(k: int) -> None:
        if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")

    # -- fit ---------------------------------------------------------------------------
    def fit(self, capabilities: Iterable[CapabilityProfile], y: None = None) -> MatchingEngine:
        """Index the capabilities.

        Parameters
        ----------
        capabilities : iterable of CapabilityProfile
            Active capabilities; ids must be unique.
        y : None
            Ignored (scikit-learn convention).

        Returns
        -------
        self : MatchingEngine
        """
        self.weights_, self.config_ = self._params()
        caps = sorted(capabilities, key=lambda c: c.id)
        for cap in caps:
            if not isinstance(cap, CapabilityProfile):
                raise TypeError(f"expected CapabilityProfile, got {type(cap).__name__}")
        ids = [c.id for c in caps]
        if len(set(ids)) != len(ids):
            raise ValueError("capability ids must be unique")
        self.text_model_ = fit_text_model(
            [c.text for c in caps], tuple(self.vocabulary_texts or ())
        )
        self.text_exact_ = True
        self.changed_groups_: frozenset[str] = frozenset()
        self.lineage_ = (uuid.uuid4().hex, 0)  # (this fit, updates applied since)
        self.history_: tuple[frozenset[str], ...] = ()  # changed groups of recent updates
        activities, competences = _codes(caps)
        side = _capability_side(caps, activities, competences, self.text_model_, self.config_)
        self._index(caps, activities, competences, side, {})
        return self

    def _index(
        self,
        caps: list[CapabilityProfile],
        activities: dict[str, int],
        competences: dict[str, int],
        side: _Side,
        reuse: dict[str, _Block],
    ) -> None:
        """Set every fitted attribute from the sorted capabilities and their side.

        ``reuse`` holds blocks whose members and their rows are unchanged (their ``index`` is
        remapped to the new positions by the caller).
        """
        self.capabilities_ = tuple(caps)
        self.n_capabilities_ = len(caps)
        self.position_ = {c.id: i for i, c in enumerate(caps)}
        self.activities_ = activities
        self.competences_ = competences
        self.vectorizer_ = self.text_model_.vectorizer
        self._caps_side_ = side
        self.coords_ = np.radians(np.array([[c.lat, c.lon] for c in caps]).reshape(-1, 2))
        self.tree_ = BallTree(self.coords_, metric="haversine") if caps else None
        self.competence_matrix_ = side.comp
        self.text_matrix_ = side.text
        self._set_workforce_views()
        self.mode_mask_ = side.a["mode_bits"]
        self.certification_mask_ = side.a["cert_bits"]
        self.shift_mask_ = side.a["shift_bits"]
        groups = [activity_group(c.activity) for c in caps]
        self.group_codes_ = np.array(groups, dtype=object)
        self.activity_index_ = {
            a: np.flatnonzero(side.a["act"] == i) for a, i in self.activities_.items()
        }
        members: dict[str, list[int]] = {}
        for i, g in enumerate(groups):
            members.setdefault(g, []).append(i)
        self.group_index_ = {g: np.array(members[g], dtype=np.int64) for g in sorted(members)}
        self.blocks_ = {
            g: reuse[g] if g in reuse else self._make_block(idx)
            for g, idx in self.group_index_.items()
        }
        self.block_position_ = np.zeros(len(caps), dtype=np.int64)
        for idx in self.group_index_.values():
            self.block_position_[idx] = np.arange(idx.size)

    def _set_workforce_views(self) -> None:
        a = self._caps_side_.a
        self.free_fte_ = np.column_stack([a["f_low"], a["f_med"], a["f_high"]])
        self.supervisors_free_ = a["sup"]

    # -- incremental updates -------------------------------------------------------------
    def updated(
        self, upserts: Iterable[CapabilityProfile] = (), removed: Iterable[str] = ()
    ) -> MatchingEngine:
        """A new engine with capabilities added or replaced (``upserts``) and removed (by id).

        ``self`` is left untouched (readers holding it keep a consistent engine); the new one
        shares every unchanged part with it:

        * a change of workforce figures only (free FTE, supervisors, figure age) rewrites those
          columns of the capability's block, nothing else;
        * any other change rebuilds only the blocks of the activity groups it touches, reusing
          the other blocks, the text vectoriser and every unchanged text row.

        Rankings and scores equal those of a fresh :meth:`fit` on the resulting capabilities
        bit for bit, except that new, removed or re-worded texts are vectorised with the
        current vectoriser: until a refit its idf comes from the earlier texts, which
        ``text_exact_`` (then ``False``) records.
        """
        check_is_fitted(self, "capabilities_")
        changed: dict[str, CapabilityProfile] = {}
        for cap in upserts:
            if not isinstance(cap, CapabilityProfile):
                raise TypeError(f"expected CapabilityProfile, got {type(cap).__name__}")
            changed[cap.id] = cap
        gone = {x for x in removed if x in self.position_ and x not in changed}
        figures: list[tuple[int, CapabilityProfile]] = []
        structural: dict[str, CapabilityProfile] = {}
        for cap in changed.values():
            i = self.position_.get(cap.id)
            if i is not None and self.capabilities_[i] == cap:
                continue
            if i is not None and same_but_figures(self.capabilities_[i], cap):
                figures.append((i, cap))
            else:
                structural[cap.id] = cap
        new = copy.copy(self)
        new.changed_groups_ = frozenset()
        if structural or gone:
            for _i, cap in figures:
                structural[cap.id] = cap
            new._rebuild(structural, gone)
        elif figures:
            new._rewrite_figures(figures)
        new.lineage_ = (self.lineage_[0], self.lineage_[1] + 1)
        new.history_ = (*self.history_, new.changed_groups_)[-_HISTORY:]
        return new

    def _rewrite_figures(self, figures: list[tuple[int, CapabilityProfile]]) -> None:
        caps = list(self.capabilities_)
        side = self._caps_side_
        a = dict(side.a)
        for name in _FIGURE_COLUMNS:
            a[name] = a[name].copy()
        by_group: dict[str, list[tuple[int, int]]] = {}
        for i, cap in figures:
            caps[i] = cap
            a["f_low"][i], a["f_med"][i], a["f_high"][i] = cap.free_fte
            a["total"][i] = a["f_low"][i] + a["f_med"][i] + a["f_high"][i]
            a["sup"][i] = cap.supervisors_free
            a["fresh"][i] = self.config_.freshness(cap.workforce_age_days)
            group = self.group_codes_[i]
            by_group.setdefault(group, []).append((i, int(self.block_position_[i])))
        self.capabilities_ = tuple(caps)
        self._caps_side_ = _Side(a, side.comp, side.text)
        self._set_workforce_views()
        blocks = dict(self.blocks_)
        for group, rows in by_group.items():
            block = blocks[group]
            ba = dict(block.caps.a)
            glob = np.array([i for i, _ in rows], dtype=np.int64)
            local = np.array([j for _, j in rows], dtype=np.int64)
            for name in _FIGURE_COLUMNS:
                column = ba[name].copy()
                column[local] = a[name][glob]
                ba[name] = column
            blocks[group] = _Block(
                index=block.index,
                caps=_Side(ba, block.caps.comp, block.caps.text),
                comp_t=block.comp_t,
                text_t=block.text_t,
                tree=block.tree,
                masks=block.masks,
            )
        self.blocks_ = blocks
        self.changed_groups_ = frozenset(by_group)

    def _rebuild(self, changed: dict[str, CapabilityProfile], gone: set[str]) -> None:
        old = self.capabilities_
        drop = gone | set(changed)
        kept = np.array([i for i, c in enumerate(old) if c.id not in drop], dtype=np.int64)
        added = sorted(changed.values(), key=lambda c: c.id)
        merged = [old[i] for i in kept.tolist()] + added
        order = np.array(sorted(range(len(merged)), key=lambda i: merged[i].id), np.int64)
        caps = [merged[i] for i in order.tolist()]
        touched = {activity_group(old[self.position_[x]].activity) for x in drop
                   if x in self.position_}
        touched.update(activity_group(c.activity) for c in added)
        before = collections.Counter(old[self.position_[x]].text for x in drop
                                     if x in self.position_)
        after = collections.Counter(c.text for c in added)
        self.text_exact_ = self.text_exact_ and before == after
        activities, competences = _codes(caps)
        if activities == self.activities_ and competences == self.competences_:
            fresh = _capability_side(
                added, activities, competences, self.text_model_, self.config_
            )
            side = _concat_sides(self._caps_side_.take(kept), fresh).take(order)
            # where each old capability now sits, to remap the blocks kept as they are
            new_pos = np.full(len(old), -1, dtype=np.int64)
            new_pos[kept[order[order < kept.size]]] = np.flatnonzero(order < kept.size)
            reuse = {
                g: dataclasses.replace(b, index=new_pos[b.index])
                for g, b in self.blocks_.items()
                if g not in touched
            }
        else:  # a new activity or competence code renumbers the columns
            side = _capability_side(
                caps, activities, competences, self.text_model_, self.config_
            )
            reuse = {}
        self._index(caps, activities, competences, side, reuse)
        self.changed_groups_ = frozenset(touched)

    def changed_groups_since(self, lineage: tuple[str, int]) -> set[str] | None:
        """Activity groups whose capabilities changed since the engine of ``lineage``.

        ``lineage`` is an earlier engine's ``lineage_``. ``None`` when this engine does not
        descend from it by updates (another fit, or more than the last 256 updates ago): then
        any score may have moved.
        """
        fit, done = lineage
        if fit != self.lineage_[0] or done > self.lineage_[1]:
            return None
        steps = self.lineage_[1] - done
        if steps > len(self.history_):
            return None
        groups: set[str] = set()
        for changed in self.history_[len(self.history_) - steps :]:
            groups.update(changed)
        return groups

    def prepare(self, needs: Sequence[NeedProfile]) -> PreparedNeeds:
        """``needs`` with their scoring arrays built once (text vectors, codes, trigonometry),
        for repeated :meth:`best_among` calls while only workforce figures change."""
        check_is_fitted(self, "capabilities_")
        needs = tuple(needs)
        return PreparedNeeds(needs, self._needs_side(needs), self._vocabulary())

    def _vocabulary(self) -> tuple[object, ...]:
        # what a need side is built from: equal objects (figure updates keep them) mean the
        # prepared arrays still hold
        return (self.text_model_, self.activities_, self.competences_)

    def best_among(
        self, needs: Sequence[NeedProfile] | PreparedNeeds, positions: Iterable[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each need's best score among the capabilities at ``positions`` (of ``capabilities_``).

        Returns ``(scores, positions)``: NaN and -1 where none of them qualifies. Scores are
        those :meth:`rank_many` gives the same pairs, bit for bit (the same block columns and
        formulas), so ``max(best of the others, best_among(changed))`` equals a full re-rank
        when only the capabilities at ``positions`` changed (monitoring's unmet demand after a
        workforce write). ``needs`` may come from :meth:`prepare` (of this engine or one it was
        updated from by figures): then nothing about them is computed again.
        """
        check_is_fitted(self, "capabilities_")
        if isinstance(needs, PreparedNeeds) and needs.fits(self):
            prepared = needs
        elif isinstance(needs, PreparedNeeds):
            if needs.needs is None:
                raise ValueError("needs prepared without profiles for another vocabulary")
            prepared = self.prepare(needs.needs)
        else:
            prepared = self.prepare(needs)
        n = len(prepared)
        best = np.full(n, np.nan)
        where = np.full(n, -1, dtype=np.int64)
        by_group: dict[str, list[int]] = {}
        for p in sorted(set(positions)):
            by_group.setdefault(str(self.group_codes_[p]), []).append(p)
        if not n or not by_group:
            return best, where
        need_groups = prepared.groups()
        for group, members in by_group.items():
            rows = np.flatnonzero(need_groups == group)
            if rows.size == 0:
                continue
            block = self.blocks_[group]
            glob = np.array(members, dtype=np.int64)
            local = self.block_position_[glob]
            out = _score(prepared.side.take(rows), block.caps.take(local),
                         block.comp_t[:, local], block.text_t[:, local], self.weights_,
                         self.config_)
            score = np.where(out["excluded_bits"] == 0, out["score"], -np.inf)
            col = np.argmax(score, axis=1)
            top = score[np.arange(rows.size), col]
            hit = np.isfinite(top)
            best[rows[hit]] = top[hit]
            where[rows[hit]] = glob[col[hit]]
        return best, where

    def _make_block(self, idx: np.ndarray) -> _Block:
        caps = self._caps_side_.take(idx)
        for matrix in (caps.comp, caps.text):
            matrix.sort_indices()  # rows are built sorted; Block.products relies on it
        return _Block(
            index=idx,
            caps=caps,
            comp_t=caps.comp.T.tocsr(),
            text_t=caps.text.T.tocsr(),
            tree=BallTree(self.coords_[idx], metric="haversine"),
            masks=block_masks(caps.a, len(PLACEMENT_MODES)),
        )

    def _needs_side(self, needs: Sequence[NeedProfile], matrices: bool = True) -> _Side:
        for need in needs:
            if not isinstance(need, NeedProfile):
                raise TypeError(f"expected NeedProfile, got {type(need).__name__}")
        return _need_side(
            needs, self.activities_, self.competences_, self.text_model_, self.config_,
            matrices,
        )

    def _need_terms(self, need: NeedProfile) -> tuple[NeedTerms, list, list]:
        """One need's terms as scalars, with its (column, weight) competence and text pairs.

        The same values as :func:`_need_side` gives in its one-row arrays.
        """
        if not isinstance(need, NeedProfile):
            raise TypeError(f"expected NeedProfile, got {type(need).__name__}")
        config = self.config_
        competences = self.competences_
        summed: dict[int, float] = {}
        total = 0.0
        for comp, w in zip(need.competences, need.weights_or_default, strict=True):
            total += w  # same order as the reference's running sum
            j = competences.get(comp)
            if j is not None:
                summed[j] = summed[j] + w if j in summed else w
        model = self.text_model_
        text_pairs = model.term_weights(need.text) if model.n_terms else []
        decay = float(config.decay_km(need.binding))
        high = need.peak_season and need.time_pressure == "high"
        terms = NeedTerms(
            *point_trig(need.lat, need.lon),
            act=self.activities_.get(need.activity, -1),
            mode=PLACEMENT_MODES.index(need.placement_mode),
            cert_bits=_bits(need.certifications, CERTIFICATIONS),
            shift_bits=_bits(need.shifts, SHIFTS),
            acc=SUPPORT_LEVELS.index(need.accommodates_support),
            uncovered=float(need.uncovered_fte),
            peak=float(config.peak_pressure_factor if high else 1.0),
            maxd=np.inf if need.max_distance_km is None else float(need.max_distance_km),
            decay=decay,
            reach_decay=decay * config.reach_decay_factor,
            commute_rate=float(config.commute_rate(need.binding, need.placement_mode,
                                                   need.public_transport)),
            comp_total=float(total),
            has_text=bool(text_pairs),
        )
        return terms, sorted(summed.items()), text_pairs

    # -- one need ----------------------------------------------------------------------
    def rank(self, need: NeedProfile, k: int = 10, include_excluded: bool = False) -> MatchResult:
        """Rank capabilities for one need.

        Parameters
        ----------
        need : NeedProfile
        k : int, default=10
            Number of candidates to return (and of excluded ones, when asked).
        include_excluded : bool, default=False
            Also return up to ``k`` excluded candidates of the need's activity group,
            nearest first, with the hard constraints they fail.

        Returns
        -------
        MatchResult
            ``items`` ranked by score desc, distance asc, capability id asc;
            ``diagnosis`` set when no capability fits.
        """
        if "capabilities_" not in self.__dict__:  # the cheap test first: this is per query
            check_is_fitted(self, "capabilities_")
        self._check_k(k)
        block = self.blocks_.get(activity_group(need.activity))
        if block is not None and not include_excluded:
            terms, comp_pairs, text_pairs = self._need_terms(need)
            rows, details = top_k(
                terms, block.caps.a, block.masks, block.products(comp_pairs, text_pairs),
                self.weights_, self.config_, k,
            )
            if rows:
                caps, config, index = self.capabilities_, self.config_, block.index
                return MatchResult(need.id, tuple(
                    make_candidate(need, caps[j], pair, config)
                    for j, pair in zip(index[rows].tolist(), details, strict=True)
                ), (), None)
        if block is None:
            needs = self._needs_side([need])
            return MatchResult(need.id, (), (), self._diagnose(need, needs, None))
        # the whole block, densely: at block sizes (hundreds to a few thousand) one pass of
        # array operations beats a radius query plus slicing the sparse matrices per call
        single = self._needs_side([need], matrices=False)
        out = _score(
            single, block.caps, block.comp_t, block.text_t, self.weights_, self.config_,
            products=block.products(*single.pairs),
        )
        ok = out["excluded_bits"] == 0
        _rows, cols, _ = _top_k(out["score"], ok, out["distance_km"], k)
        caps = self.capabilities_
        config = self.config_
        global_idx = block.index[cols].tolist()
        items = tuple(
            make_candidate(need, caps[j], details, config)
            for j, details in zip(global_idx, _details_list(out, cols), strict=True)
        )
        excluded: tuple[Candidate, ...] = ()
        if include_excluded:
            bad_cols = np.flatnonzero(~ok[0])
            order = np.lexsort((bad_cols, out["distance_km"][0, bad_cols]))[:k]
            bad_cols = bad_cols[order]
            excluded = tuple(
                make_candidate(need, caps[j], details, config)
                for j, details in zip(
                    block.index[bad_cols].tolist(), _details_list(out, bad_cols), strict=True
                )
            )
        diagnosis = None if items else self._diagnose(need, self._needs_side([need]), block)
        return MatchResult(need.id, items, excluded, diagnosis)

    def _diagnose(self, need: NeedProfile, needs: _Side, block: _Block | None) -> Diagnosis:
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
        considered = 0
        if block is not None:
            out = _score(needs, block.caps, block.comp_t, block.text_t, self.weights_, self.config_)
            considered = len(block.index)
            for mask in counts:
                counts[mask] = int(np.count_nonzero(out["excluded_bits"] & mask))
        nearest: tuple = ()
        if self.n_capabilities_:
            caps = self._caps_side_
            dist = _haversine(needs.a, caps.a)
            group = activity_group(need.activity)
            rel = np.where(self.group_codes_ == group, 1, 2)
            act = self.activities_.get(need.activity, -1)
            rel = np.where(caps.a["act"] == act, 0, rel)
            order = np.lexsort((np.arange(len(dist)), dist, rel))[:NEARBY_PROVIDERS]
            nearest = tuple(
                make_nearby(self.capabilities_[j], int(rel[j]), float(dist[j])) for j in order
            )
        return Diagnosis(
            considered=considered,
            no_provider_with_activity=need.activity not in self.activities_,
            no_provider_in_group=considered == 0,
            too_far=counts[EX_TOO_FAR_NEED | EX_TOO_FAR_PROVIDER],
            placement_mode=counts[EX_PLACEMENT_MODE],
            certification=counts[EX_CERTIFICATION],
            shift=counts[EX_SHIFT],
            no_free_capacity=counts[EX_NO_FREE_CAPACITY],
            no_free_capacity_at_level=counts[EX_NO_FREE_AT_LEVEL],
            no_supervision=counts[EX_NO_SUPERVISION],
            nearest_related=nearest,
        )

    # -- many needs --------------------------------------------------------------------
    def rank_many(self, needs: Sequence[NeedProfile], k: int = 10) -> RankedBatch:
        """Rank capabilities for many needs at once.

        Needs are grouped by activity group; each group is scored against its block of
        capabilities in dense chunks of about ``config.batch_chunk_pairs`` pairs (at these
        block sizes a dense distance matrix beats tree queries), the rest of the scoring
        only on the pairs the distance and the static constraints leave
        (:func:`matching.dense.top_k_many`).

        Parameters
        ----------
        needs : sequence of NeedProfile
        k : int, default=10

        Returns
        -------
        RankedBatch
            A read-only sequence of :class:`MatchResult`, one per need in input order,
            built lazily from compact arrays (``capability_index``, ``scores``, ...).
            Results equal ``[self.rank(n, k) for n in needs]``.
        """
        check_is_fitted(self, "capabilities_")
        self._check_k(k)
        needs = list(needs)
        side = self._needs_side(needs)
        n = len(needs)
        counts = np.zeros(n, dtype=np.int64)
        cap_index = np.full((n, k), -1, dtype=np.int64)
        store = {
            f: np.zeros(n * k, dtype=bool if f == "has_text" else np.float64)
            for f in _DETAIL_FIELDS
            if f != "excluded_bits"
        }
        groups: dict[str, list[int]] = {}
        for i, need in enumerate(needs):
            groups.setdefault(activity_group(need.activity), []).append(i)
        chunk_pairs = self.config_.batch_chunk_pairs
        for group, members in groups.items():
            block = self.blocks_.get(group)
            if block is None:
                continue
            member_rows = np.array(members, dtype=np.int64)
            chunk = max(1, chunk_pairs // len(block.index))
            text_t = _dense_if_worth_it(block.text_t, member_rows.size)
            for start in range(0, member_rows.size, chunk):
                rows_global = member_rows[start : start + chunk]
                part = side.take(rows_global)
                covered = (part.comp @ block.comp_t).toarray()
                if part.text.shape[1]:
                    similarity = _as_array(part.text @ text_t)
                else:
                    similarity = np.zeros(covered.shape)
                rows, cols, pos, gathered = top_k_many(
                    part.a, block.caps.a, block.masks, (covered, similarity),
                    self.weights_, self.config_, k,
                )
                targets = rows_global[rows]
                flat = targets * k + pos
                for f, values in store.items():
                    values[flat] = gathered[f]
                cap_index[targets, pos] = block.index[cols]
                np.add.at(counts, targets, 1)
        return RankedBatch(self, needs, side, k, counts, cap_index, store)

    # -- reverse direction -------------------------------------------------------------
    def opportunities(
        self,
        capabilities_of_provider: Sequence[CapabilityProfile],
        needs: Sequence[NeedProfile],
        k: int = 10,
    ) -> list[Candidate]:
        """Rank needs for one provider's capabilities (the provider's opportunities).

        Same scoring as :meth:`rank` (the text vectoriser fitted on the market's
        capabilities is reused), over all (capability, need) pairs of related activities
        that pass the hard constraints.

        Parameters
        ----------
        capabilities_of_provider : sequence of CapabilityProfile
        needs : sequence of NeedProfile
            Open needs.
        k : int, default=10

        Returns
        -------
        list of Candidate
            Ranked by score desc, distance asc, need id asc, capability id asc.
        """
        check_is_fitted(self, "capabilities_")
        self._check_k(k)
        caps = sorted(capabilities_of_provider, key=lambda c: c.id)
        need_list = sorted(needs, key=lambda x: x.id)
        if not caps or not need_list:
            return []
        activities = {a: i for i, a in enumerate(sorted({c.activity for c in caps}))}
        codes = {x for c in caps for x in c.competences}
        codes.update(x for m in need_list for x in m.competences)
        competences = {x: i for i, x in enumerate(sorted(codes))}
        cap_side = _capability_side(
            caps, activities, competences, self.text_model_, self.config_
        )
        for need in need_list:
            if not isinstance(need, NeedProfile):
                raise TypeError(f"expected NeedProfile, got {type(need).__name__}")
        need_side = _need_side(need_list, activities, competences, self.text_model_, self.config_)
        cap_groups = np.array([activity_group(c.activity) for c in caps], dtype=object)
        need_groups = np.array([activity_group(x.activity) for x in need_list], dtype=object)
        need_parts, cap_parts, detail_parts = [], [], []
        for group in sorted(set(cap_groups)):
            ci = np.flatnonzero(cap_groups == group)
            ni = np.flatnonzero(need_groups == group)
            if ni.size == 0:
                continue
            sub_caps = cap_side.take(ci)
            out = _score(
                need_side.take(ni),
                sub_caps,
                sub_caps.comp.T.tocsr(),
                sub_caps.text.T.tocsr(),
                self.weights_,
                self.config_,
            )
            rows, cols = np.nonzero(out["excluded_bits"] == 0)
            need_parts.append(ni[rows])
            cap_parts.append(ci[cols])
            detail_parts.append(_gather(out, rows, cols))
        if not need_parts:
            return []
        need_idx = np.concatenate(need_parts)
        cap_idx = np.concatenate(cap_parts)
        gathered = {f: np.concatenate([g[f] for g in detail_parts]) for f in _DETAIL_FIELDS}
        order = np.lexsort((cap_idx, need_idx, gathered["distance_km"], -gathered["score"]))
        return [
            make_candidate(
                need_list[need_idx[i]], caps[cap_idx[i]], _details_at(gathered, i), self.config_
            )
            for i in order[:k]
        ]


def _same_objects(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    return all(x is y for x, y in zip(a, b, strict=True))


class PreparedNeeds:
    """Needs with the engine's scoring arrays for them (:meth:`MatchingEngine.prepare`).

    ``needs`` may be ``None`` (:meth:`without_profiles`): the arrays and each row's activity
    group are all :meth:`MatchingEngine.best_among` reads while the engine's vocabulary is
    the one they were built with (:meth:`fits`), so callers that keep many prepared needs
    need not keep their profiles too.
    """

    def __init__(self, needs: tuple[NeedProfile, ...] | None, side: _Side,
                 vocabulary: tuple[object, ...], groups: np.ndarray | None = None) -> None:
        self.needs = needs
        self.side = side
        self.vocabulary = vocabulary
        self._groups = groups

    def __len__(self) -> int:
        return len(self.side)

    def groups(self) -> np.ndarray:
        if self._groups is None:
            assert self.needs is not None  # built without profiles: groups were given
            self._groups = np.array([activity_group(x.activity) for x in self.needs],
                                    dtype=object)
        return self._groups

    def fits(self, engine: MatchingEngine) -> bool:
        """Whether the arrays hold for ``engine`` (built with the same vocabulary objects)."""
        return _same_objects(self.vocabulary, engine._vocabulary())

    def without_profiles(self) -> PreparedNeeds:
        return PreparedNeeds(None, self.side, self.vocabulary, self.groups())

    def take(self, rows: np.ndarray) -> PreparedNeeds:
        """The needs at ``rows`` (repeats allowed), in that order, arrays row for row equal."""
        rows = np.asarray(rows, dtype=np.int64)
        needs = None if self.needs is None else tuple(self.needs[i] for i in rows.tolist())
        return PreparedNeeds(needs, self.side.take(rows), self.vocabulary, self.groups()[rows])

    def extended(self, other: PreparedNeeds) -> PreparedNeeds:
        """These needs followed by ``other``'s (same vocabulary), without profiles."""
        if not _same_objects(self.vocabulary, other.vocabulary):
            raise ValueError("prepared with another vocabulary")
        return PreparedNeeds(None, _concat_sides(self.side, other.side), self.vocabulary,
                             np.concatenate([self.groups(), other.groups()]))


class RankedBatch(Sequence[MatchResult]):
    """Results of :meth:`MatchingEngine.rank_many`, materialised per need on access.

    Attributes
    ----------
    need_ids : list of str
    k : int
    counts : ndarray of shape (n_needs,)
        Number of ranked candidates per need.
    capability_index : ndarray of shape (n_needs, k)
        Index into ``engine.capabilities_`` of each ranked candidate (-1 = none).
    scores, distances : ndarray of shape (n_needs, k)
        NaN where there is no candidate.
    """

    def __init__(
        self,
        engine: MatchingEngine,
        needs: list[NeedProfile],
        side: _Side,
        k: int,
        counts: np.ndarray,
        capability_index: np.ndarray,
        store: dict[str, np.ndarray],
    ) -> None:
        self._engine = engine
        self._needs = needs
        self._side = side
        self.k = k
        self.counts = counts
        self.capability_index = capability_index
        self._store = store
        empty = capability_index < 0
        self.scores = np.where(empty, np.nan, store["score"].reshape(-1, k))
        self.distances = np.where(empty, np.nan, store["distance_km"].reshape(-1, k))

    @property
    def need_ids(self) -> list[str]:
        return [n.id for n in self._needs]

    @property
    def prepared(self) -> PreparedNeeds:
        """The ranked needs with the scoring arrays this batch built for them (the same as
        :meth:`MatchingEngine.prepare` builds), for later :meth:`MatchingEngine.best_among`."""
        return PreparedNeeds(tuple(self._needs), self._side, self._engine._vocabulary())

    def __len__(self) -> int:
        return len(self._needs)

    @overload
    def __getitem__(self, i: int) -> MatchResult: ...
    @overload
    def __getitem__(self, i: slice) -> list[MatchResult]: ...
    def __getitem__(self, i: int | slice) -> MatchResult | list[MatchResult]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        need = self._needs[i]
        engine = self._engine
        count = int(self.counts[i])
        lo = i * self.k
        columns = {f: v[lo : lo + count].tolist() for f, v in self._store.items()}
        items = tuple(
            make_candidate(
                need,
                engine.capabilities_[int(self.capability_index[i, j])],
                PairDetails(**{f: columns[f][j] for f in columns}, excluded_bits=0),
                engine.config_,
            )
            for j in range(count)
        )
        diagnosis = None
        if not items:
            block = engine.blocks_.get(activity_group(need.activity))
            diagnosis = engine._diagnose(need, self._side.take(np.array([i])), block)
        return MatchResult(need.id, items, (), diagnosis)

    def __iter__(self) -> Iterator[MatchResult]:
        return (self[i] for i in range(len(self)))
