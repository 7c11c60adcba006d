"""Metric definitions checked against hand-worked cases and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from tocsin.forecast import brier_score, calibration_table, catch_curve, pr_auc, roc_auc


def test_roc_auc_matches_sklearn_with_ties() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.1).astype(float)
    score = np.round(rng.random(500) + y * 0.3, 2)  # rounding makes ties
    assert roc_auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)


def test_pr_auc_matches_average_precision() -> None:
    rng = np.random.default_rng(4)
    y = (rng.random(400) < 0.05).astype(float)
    score = rng.random(400) + y * 0.5
    assert pr_auc(y, score) == pytest.approx(average_precision_score(y, score), abs=1e-12)


def test_missing_values_are_left_out() -> None:
    assert roc_auc([0, 1, 1, np.nan], [0.1, 0.9, np.nan, 0.5]) == 1.0


def test_auc_is_nan_without_both_classes() -> None:
    assert np.isnan(roc_auc([0, 0], [0.1, 0.2]))


def test_brier_and_calibration() -> None:
    assert brier_score([0, 0, 1, 1], [0.0, 0.5, 0.5, 1.0]) == pytest.approx(0.125)
    table = calibration_table([0, 1, 0, 0], [0.005, 0.5, 0.5, 0.03])
    assert [(b.low, b.n) for b in table] == [(0.0, 1), (0.02, 1), (0.32, 2)]
    assert table[-1].observed_rate == 0.5


def test_catch_curve_is_monotone_and_ends_at_share_ranked() -> None:
    curve = catch_curve([1, 2, 30, 31, 200], max_rank=168)
    assert np.all(np.diff(curve) >= 0)
    assert curve[29] == pytest.approx(0.6)
    assert curve[-1] == pytest.approx(0.8)
