"""Calibrated outputs and threshold choice."""

from __future__ import annotations

import numpy as np
import pytest

from tocsin.speech import LogisticOutput
from tocsin.speech._outputs import best_threshold, f1_score, fit_logistic_output, macro_f1


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2000, 3))
    y = rng.random(2000) < 1 / (1 + np.exp(-3 * X[:, 0]))
    return X, y


def test_platt_calibration_on_held_out_rows_matches_frequencies() -> None:
    X, y = _data()
    output = fit_logistic_output(X[:1000], y[:1000], C=0.001, binary=True)  # over-regularised
    before = output.proba(X[1000:])
    output.calibrate(X[1000:], y[1000:])
    after = output.proba(X[1000:])
    high = after > 0.8
    assert abs(y[1000:][high].mean() - after[high].mean()) < 0.05
    assert np.ptp(after) > np.ptp(before)  # calibration undid the shrinkage


def test_multiclass_output_and_array_round_trip() -> None:
    X, y = _data(1)
    labels = np.where(y, "a", np.where(X[:, 1] > 0, "b", "c"))
    output = fit_logistic_output(X, labels, C=1.0).calibrate(X, labels)
    proba = output.proba(X)
    assert proba.shape == (2000, 3) and np.allclose(proba.sum(axis=1), 1)
    again = LogisticOutput.from_arrays(output.to_arrays("x."), "x.")
    assert np.allclose(again.proba(X), proba, atol=1e-5)


def test_network_output_round_trips() -> None:
    X, y = _data(2)
    output = fit_logistic_output(X, y, C=1.0, binary=True, hidden=8)
    again = LogisticOutput.from_arrays(output.to_arrays("n."), "n.")
    assert np.allclose(again.proba(X), output.proba(X), atol=1e-5)
    assert ((output.proba(X) >= 0.5) == y).mean() > 0.75


def test_threshold_choice_and_f1() -> None:
    scores = np.array([0.1, 0.2, 0.6, 0.9])
    truth = np.array([False, False, True, True])
    assert best_threshold(lambda t: f1_score(truth, scores >= t)) == pytest.approx(0.21)
    assert macro_f1(np.array(["a", "b"]), np.array(["a", "a"])) == pytest.approx(1 / 3)
