"""Learning score weights from lead outcomes (DESIGN §5: weights "learnable from lead outcomes").

Every lead keeps a snapshot of the four score components when it was sent. What providers
and companies then did with the lead is a label:

* ``accepted`` and ``contracted`` leads are positive;
* leads declined for a *fit* reason (``distance``, ``skills``, ``supervision``, ``capacity``)
  are negative;
* everything else (open, withdrawn, expired, declined for timing, price or other reasons)
  says nothing about fit and is ignored.

:class:`WeightLearner` fits a logistic regression on the components and, optionally, their
pairwise products. The weight proposed for a component is its average marginal effect on
the log-odds, ``β_i + Σ_j β_ij · mean(x_j)``, clipped at 0 and normalised so the four
weights sum to 1 — on the components' own [0, 1] scale, so the numbers are comparable with
the engine's weights. :func:`cross_validate` compares the current and the proposed weights
on held-out folds (AUC, log-loss after a one-feature Platt calibration on the training
fold, top-1 per need). :func:`simulate_outcomes` produces outcomes from hidden true
preferences, so tests can check that learning recovers them.

Examples
--------
>>> sim = simulate_outcomes(n_needs=400, true_weights=(0.2, 0.45, 0.2, 0.15), random_state=0)
>>> learner = WeightLearner().fit(sim.X, sim.y)
>>> [round(w, 1) for w in learner.weights_]
[0.2, 0.4, 0.2, 0.1]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

COMPONENTS = ("competence", "locality", "supervision", "capacity")
POSITIVE_STATUSES = frozenset({"accepted", "contracted"})
#: decline reasons that say the match did not fit (timing, price, other say nothing about fit)
FIT_DECLINE_REASONS = frozenset({"distance", "skills", "supervision", "capacity"})
MIN_OUTCOMES = 20
MIN_PER_CLASS = 5
_PAIRS = tuple(combinations(range(len(COMPONENTS)), 2))


def outcome_label(status: str, decline_reason: str | None = None) -> int | None:
    """1 (positive), 0 (negative) or ``None`` (ignored) for a lead's status and decline reason.

    >>> outcome_label("contracted"), outcome_label("declined", "distance")
    (1, 0)
    >>> outcome_label("declined", "price") is None, outcome_label("sent") is None
    (True, True)
    """
    if status in POSITIVE_STATUSES:
        return 1
    if status == "declined" and decline_reason in FIT_DECLINE_REASONS:
        return 0
    return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One labelled lead: the components of its snapshot and what happened."""

    group: str  # the need the lead was sent for (top-1 is computed per need)
    components: tuple[float, float, float, float]
    label: int


def outcomes_from_leads(leads: Iterable[dict[str, Any]]) -> list[Outcome]:
    """Labelled outcomes from plain lead records.

    Each record has ``need_id``, ``status``, ``decline_reason_code`` and ``components``
    (a mapping with the four component names, as stored in the lead snapshot). Leads whose
    label is ``None`` or whose snapshot lacks a component are skipped.
    """
    out = []
    for lead in leads:
        label = outcome_label(lead["status"], lead.get("decline_reason_code"))
        comps = lead.get("components") or {}
        if label is None or any(comps.get(c) is None for c in COMPONENTS):
            continue
        values = tuple(float(comps[c]) for c in COMPONENTS)
        out.append(Outcome(str(lead["need_id"]), values, label))  # type: ignore[arg-type]
    return out


def as_arrays(outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, groups)``: components (n, 4), labels (n,), need ids (n,)."""
    X = np.array([o.components for o in outcomes], dtype=np.float64).reshape(-1, 4)
    y = np.array([o.label for o in outcomes], dtype=np.int64)
    groups = np.array([o.group for o in outcomes], dtype=object)
    return X, y, groups


def shortfall(y: np.ndarray) -> str | None:
    """Why ``y`` is too small to learn from, or ``None`` when it is enough."""
    n, pos = len(y), int(np.sum(y == 1))
    neg = n - pos
    if n < MIN_OUTCOMES or pos < MIN_PER_CLASS or neg < MIN_PER_CLASS:
        return (f"{n} labelled lead outcome(s) ({pos} accepted/contracted, {neg} declined for "
                f"distance, skills, supervision or capacity); at least {MIN_OUTCOMES} are "
                f"needed, with at least {MIN_PER_CLASS} of each kind")
    return None


def design_matrix(X: np.ndarray, interactions: bool = True) -> np.ndarray:
    """Components, followed by their pairwise products when ``interactions``."""
    X = np.asarray(X, dtype=np.float64)
    if not interactions:
        return X
    return np.column_stack([X, *(X[:, i] * X[:, j] for i, j in _PAIRS)])


def _normalise(values: np.ndarray) -> tuple[float, float, float, float]:
    clipped = np.clip(values, 0.0, None)
    total = math.fsum(clipped)
    if total <= 0.0:
        raise ValueError("no component has a positive effect; cannot propose weights")
    w = [float(v) / total for v in clipped]
    # the largest weight absorbs the rounding residue, so the sum is 1 and zeros stay zero
    top = int(np.argmax(w))
    w[top] = 1.0 - math.fsum(v for i, v in enumerate(w) if i != top)
    return (w[0], w[1], w[2], w[3])


class WeightLearner:
    """Logistic regression on lead outcomes that proposes non-negative weights summing to 1.

    Parameters
    ----------
    interactions : bool, default=True
        Also fit the six pairwise products of the components.
    C : float, default=10.0
        Inverse L2 regularisation strength of the logistic regression.

    Attributes
    ----------
    model_ : LogisticRegression
    marginal_effects_ : ndarray of shape (4,)
        Average effect of each component on the log-odds over the training rows.
    weights_ : tuple of 4 floats
        Proposed (competence, locality, supervision, capacity) weights.
    """

    def __init__(self, interactions: bool = True, C: float = 10.0) -> None:
        self.interactions = interactions
        self.C = C

    def fit(self, X: np.ndarray, y: np.ndarray) -> WeightLearner:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        if X.ndim != 2 or X.shape[1] != len(COMPONENTS):
            raise ValueError("X must have shape (n, 4): competence, locality, supervision, "
                             "capacity")
        if len(np.unique(y)) != 2:
            raise ValueError("y must hold both positive and negative outcomes")
        model = LogisticRegression(C=self.C, max_iter=2000)
        model.fit(design_matrix(X, self.interactions), y)
        beta = model.coef_[0]
        effects = beta[: len(COMPONENTS)].copy()
        if self.interactions:
            means = X.mean(axis=0)
            for k, (i, j) in enumerate(_PAIRS):
                effects[i] += beta[len(COMPONENTS) + k] * means[j]
                effects[j] += beta[len(COMPONENTS) + k] * means[i]
        self.model_ = model
        self.marginal_effects_ = effects
        self.weights_ = _normalise(effects)
        return self


def score(X: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """The engine's weighted sum of components for each row."""
    return np.asarray(X, dtype=np.float64) @ np.asarray(weights, dtype=np.float64)


def top1_accuracy(scores: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float | None:
    """Share of groups (needs) whose highest-scored row is positive.

    Only groups with at least two rows and at least one positive count; ``None`` if none do.
    Ties are broken by row order, as a stable sort would.
    """
    hits = total = 0
    for g in dict.fromkeys(groups.tolist()):
        idx = np.flatnonzero(groups == g)
        if idx.size < 2 or not np.any(y[idx] == 1):
            continue
        total += 1
        hits += int(y[idx[np.argmax(scores[idx])]] == 1)
    return hits / total if total else None


def _calibrated_log_loss(train_s: np.ndarray, y_train: np.ndarray, test_s: np.ndarray,
                         y_test: np.ndarray) -> float:
    # a weighted score is not a probability: map it through a one-feature logistic fitted on
    # the training fold, so both weight sets are judged on the same footing
    platt = LogisticRegression(C=1e6, max_iter=2000).fit(train_s.reshape(-1, 1), y_train)
    return float(log_loss(y_test, platt.predict_proba(test_s.reshape(-1, 1))[:, 1],
                          labels=[0, 1]))


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


def cross_validate(X: np.ndarray, y: np.ndarray, groups: np.ndarray,
                   current: Sequence[float], learner: WeightLearner | None = None,
                   n_splits: int = 5, random_state: int = 0) -> dict[str, Any]:
    """Cross-validated comparison of the current weights and weights learned on each fold.

    Returns a JSON-friendly report: per weight set the mean AUC, log-loss and top-1 over
    ``StratifiedKFold(n_splits, shuffle=True, random_state)`` folds (fewer folds when a class
    is rarer than ``n_splits``), plus the number of outcomes.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    groups = np.asarray(groups, dtype=object)
    learner = learner or WeightLearner()
    splits = max(2, min(n_splits, int(np.sum(y == 1)), int(np.sum(y == 0))))
    folds = StratifiedKFold(n_splits=splits, shuffle=True, random_state=random_state)
    rows: dict[str, dict[str, list]] = {
        "current": {"auc": [], "log_loss": [], "top1": []},
        "proposed": {"auc": [], "log_loss": [], "top1": []},
    }
    for train, test in folds.split(X, y):
        fitted = WeightLearner(learner.interactions, learner.C).fit(X[train], y[train])
        for name, w in (("current", current), ("proposed", fitted.weights_)):
            s_train, s_test = score(X[train], w), score(X[test], w)
            single_class = len(np.unique(y[test])) < 2
            rows[name]["auc"].append(None if single_class else
                                     float(roc_auc_score(y[test], s_test)))
            rows[name]["log_loss"].append(
                _calibrated_log_loss(s_train, y[train], s_test, y[test]))
            rows[name]["top1"].append(top1_accuracy(s_test, y[test], groups[test]))
    return {
        "folds": splits,
        "random_state": random_state,
        "outcomes": int(len(y)),
        "positives": int(np.sum(y == 1)),
        "negatives": int(np.sum(y == 0)),
        **{name: {metric: _mean(values) for metric, values in metrics.items()}
           for name, metrics in rows.items()},
    }


# ---- synthetic outcomes ---------------------------------------------------------------------

@dataclass(frozen=True)
class SimulatedOutcomes:
    """Outcomes drawn from hidden preferences; ``utility`` is the noise-free true score."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    utility: np.ndarray
    true_weights: tuple[float, float, float, float]


def simulate_outcomes(n_needs: int = 300, candidates_per_need: int = 5,
                      true_weights: Sequence[float] = (0.2, 0.45, 0.2, 0.15),
                      sharpness: float = 12.0, random_state: int = 0) -> SimulatedOutcomes:
    """Leads whose acceptance follows hidden true weights.

    Each need gets ``candidates_per_need`` leads with components drawn uniformly from
    [0, 1]; a lead is accepted with probability ``sigmoid(sharpness · (w·x − mean w·x))``
    and otherwise declined for a fit reason.
    """
    rng = np.random.default_rng(random_state)
    w = np.asarray(true_weights, dtype=np.float64)
    n = n_needs * candidates_per_need
    X = rng.uniform(0.0, 1.0, size=(n, len(COMPONENTS)))
    utility = X @ w
    p = 1.0 / (1.0 + np.exp(-sharpness * (utility - utility.mean())))
    y = (rng.uniform(size=n) < p).astype(np.int64)
    groups = np.repeat(np.array([f"need-{i}" for i in range(n_needs)], dtype=object),
                       candidates_per_need)
    return SimulatedOutcomes(X, y, groups, utility, tuple(float(v) for v in w))  # type: ignore[arg-type]


def true_best_accuracy(X: np.ndarray, utility: np.ndarray, groups: np.ndarray,
                       weights: Sequence[float]) -> float:
    """Share of needs where ``weights`` put the candidate with the highest true utility first."""
    s = score(X, weights)
    hits = total = 0
    for g in dict.fromkeys(groups.tolist()):
        idx = np.flatnonzero(groups == g)
        total += 1
        hits += int(np.argmax(s[idx]) == np.argmax(utility[idx]))
    return hits / total if total else 0.0
