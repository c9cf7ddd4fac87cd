"""Learning weights from lead outcomes recovers hidden preferences better than the defaults."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching import Weights
from matching.learning import (
    WeightLearner,
    cross_validate,
    outcome_label,
    outcomes_from_leads,
    shortfall,
    simulate_outcomes,
    top1_accuracy,
    true_best_accuracy,
)

TRUE = (0.2, 0.45, 0.2, 0.15)


def l1(a, b):
    return sum(abs(x - y) for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def learned():
    train = simulate_outcomes(n_needs=400, true_weights=TRUE, random_state=0)
    return train, WeightLearner().fit(train.X, train.y)


@pytest.fixture(scope="module")
def held_out():
    return simulate_outcomes(n_needs=1000, true_weights=TRUE, random_state=1)


def test_learned_weights_are_closer_to_the_hidden_ones_than_the_defaults(learned):
    _, learner = learned
    defaults = Weights().as_tuple()
    assert l1(defaults, TRUE) == pytest.approx(1.0)
    assert l1(learner.weights_, TRUE) < 0.06  # measured 0.031
    assert l1(learner.weights_, TRUE) < l1(defaults, TRUE) / 5


def test_learned_weights_rank_held_out_needs_better(learned, held_out):
    _, learner = learned
    default_acc = true_best_accuracy(held_out.X, held_out.utility, held_out.groups,
                                     Weights().as_tuple())
    learned_acc = true_best_accuracy(held_out.X, held_out.utility, held_out.groups,
                                     learner.weights_)
    assert learned_acc >= default_acc + 0.15  # measured 0.72 → 0.97


def test_learned_weights_are_valid_engine_weights(learned):
    _, learner = learned
    Weights(*learner.weights_, version="learned")
    assert all(w >= 0 for w in learner.weights_)
    assert math.fsum(learner.weights_) == pytest.approx(1.0, abs=1e-12)


def test_learning_is_deterministic():
    a = simulate_outcomes(n_needs=100, random_state=3)
    b = simulate_outcomes(n_needs=100, random_state=3)
    assert np.array_equal(a.y, b.y)
    assert WeightLearner().fit(a.X, a.y).weights_ == WeightLearner().fit(b.X, b.y).weights_


def test_without_interactions_the_weights_are_recovered_too(learned):
    train, _ = learned
    plain = WeightLearner(interactions=False).fit(train.X, train.y)
    assert l1(plain.weights_, TRUE) < 0.06


def test_a_component_that_hurts_gets_weight_zero():
    sim = simulate_outcomes(n_needs=300, random_state=4)
    y = sim.y.copy()
    X = sim.X.copy()
    X[:, 3] = 1.0 - X[:, 3] * 0.5 - 0.5 * sim.y  # capacity anti-correlated with acceptance
    assert WeightLearner().fit(X, y).weights_[3] == 0.0


def test_cross_validation_prefers_the_proposed_weights_on_simulated_outcomes(learned):
    train, _ = learned
    report = cross_validate(train.X, train.y, train.groups, Weights().as_tuple())
    assert report["folds"] == 5
    assert report["outcomes"] == 2000
    assert report["proposed"]["auc"] > report["current"]["auc"]
    assert report["proposed"]["log_loss"] < report["current"]["log_loss"]
    assert report["proposed"]["top1"] > report["current"]["top1"]
    again = cross_validate(train.X, train.y, train.groups, Weights().as_tuple())
    assert again == report


# -- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "reason", "label"), [
    ("contracted", None, 1), ("accepted", None, 1),
    ("declined", "distance", 0), ("declined", "skills", 0),
    ("declined", "supervision", 0), ("declined", "capacity", 0),
    ("declined", "price", None), ("declined", "timing", None), ("declined", "other", None),
    ("sent", None, None), ("withdrawn", None, None), ("expired", None, None),
])
def test_outcome_labels(status, reason, label):
    assert outcome_label(status, reason) == label


def test_outcomes_from_leads_skip_unlabelled_and_incomplete_snapshots():
    comps = {"competence": 1.0, "locality": 0.5, "supervision": 1.0, "capacity": 1.0}
    leads = [
        {"need_id": "n1", "status": "contracted", "components": comps},
        {"need_id": "n1", "status": "declined", "decline_reason_code": "price",
         "components": comps},
        {"need_id": "n2", "status": "declined", "decline_reason_code": "distance",
         "components": {"competence": 1.0}},
    ]
    (only,) = outcomes_from_leads(leads)
    assert (only.group, only.label, only.components) == ("n1", 1, (1.0, 0.5, 1.0, 1.0))


def test_shortfall_says_how_many_outcomes_are_needed():
    assert "at least 20" in shortfall(np.array([1] * 10 + [0] * 3))
    assert shortfall(np.array([1] * 10 + [0] * 10)) is None


def test_top1_accuracy_per_need():
    scores = np.array([0.9, 0.1, 0.2, 0.8, 0.5])
    y = np.array([1, 0, 1, 0, 1])
    groups = np.array(["a", "a", "b", "b", "c"], dtype=object)
    assert top1_accuracy(scores, y, groups) == 0.5  # c has one row and does not count
