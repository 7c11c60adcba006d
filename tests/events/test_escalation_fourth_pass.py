"""The fourth pass's calibrated two-part detector (design C, docs/methodology/escalation.md)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.optimize import minimize  # type: ignore[import-untyped]
from sklearn.utils.estimator_checks import parametrize_with_checks

from tocsin.events._escalation import (
    TWO_PART_FEATURES,
    CalibratedTwoPartDetector,
    EscalationDetector,
    TwoPartEscalationDetector,
    apply_logit_calibration,
    fit_logit_calibration,
    out_of_fold_risks,
    surge_targets,
)

NEIGHBOUR = TWO_PART_FEATURES.index("rel_neighbour_osv_decay_4")


def _quiet_and_active(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """TWO_PART_FEATURES rows (surge threshold 25 deaths). Quiet rows next to violence
    often see 22 deaths in the next 4 weeks but never a surge; active rows with sustained
    killing (20 deaths in the last 4 weeks) see 12 most of the time and a surge (30) in
    3 % of weeks. The quiet part's count model has a heavy tail, the active part's none."""
    rng = np.random.default_rng(seed)
    n = 4000
    X = np.zeros((n, len(TWO_PART_FEATURES)))
    X[:, -1] = 1.0  # trailing mean
    quiet = np.arange(n) < n // 2
    X[quiet, NEIGHBOUR] = rng.choice([0.0, 50.0], size=quiet.sum())
    X[~quiet, 0] = 20.0
    X[~quiet, 1] = 60.0
    y_quiet = np.where((X[:, NEIGHBOUR] > 0) & (rng.random(n) < 0.5), 22.0, 0.0)
    y_active = np.where(rng.random(n) < 0.03, 30.0, 12.0)
    return X, np.where(quiet, y_quiet, y_active)


def _probes() -> np.ndarray:
    """A quiet area next to violence, and an area with sustained killing."""
    probe = np.zeros((2, len(TWO_PART_FEATURES)))
    probe[:, -1] = 1.0
    probe[0, NEIGHBOUR] = 50.0
    probe[1, 0], probe[1, 1] = 20.0, 60.0
    return probe


def test_calibration_stops_a_quiet_area_outranking_sustained_killing() -> None:
    X, y = _quiet_and_active(1)
    quiet_next, sustained = _probes()
    uncalibrated = TwoPartEscalationDetector(alpha=1.0).fit(X, y).surge_risk(_probes())
    # design N: the quiet part's heavy tail puts the quiet area first, though it never surges
    assert uncalibrated[0] > 10 * uncalibrated[1]
    detector = CalibratedTwoPartDetector(alpha=1.0).fit(X, y)
    risk_quiet, risk_sustained = detector.surge_risk(_probes())
    assert risk_sustained > 10 * risk_quiet
    # each calibrated risk is near the surge rate of the rows like it (0 and 3 %)
    surges = surge_targets(X, y, min_deaths=25.0, ratio=2.0)
    active_rate = surges[X[:, 1] > 0].mean()
    assert 0.02 < active_rate < 0.04
    assert risk_sustained == pytest.approx(active_rate, rel=0.25)
    assert risk_quiet < 0.01


def test_out_of_fold_risks_never_score_a_row_with_a_model_that_saw_it() -> None:
    X, y = _quiet_and_active(2)
    active = X[:, 1] > 0
    X, y = X[active], y[active]
    make = lambda: EscalationDetector(alpha=1.0)  # noqa: E731
    before = out_of_fold_risks(make, X, y, 5)
    changed = y.copy()
    block = np.array_split(np.arange(len(X)), 5)[2]
    changed[block] = 200.0  # rewrite the third block's outcomes
    after = out_of_fold_risks(make, X, changed, 5)
    assert np.allclose(before[block], after[block])
    rest = np.ones(len(X), dtype=bool)
    rest[block] = False
    assert not np.allclose(before[rest], after[rest])


def test_calibration_is_fitted_on_each_parts_training_rows_only() -> None:
    X, y = _quiet_and_active(3)
    detector = CalibratedTwoPartDetector(alpha=1.0, n_folds=4).fit(X, y)
    for rows, calibration in (
        (X[:, 1] > 0, detector.active_calibration_),
        (X[:, 1] <= 0, detector.quiet_calibration_),
    ):
        risks = out_of_fold_risks(lambda: EscalationDetector(alpha=1.0), X[rows], y[rows], 4)
        labels = surge_targets(X[rows], y[rows], min_deaths=25.0, ratio=2.0)
        assert calibration == pytest.approx(fit_logit_calibration(risks, labels, penalty=1.0))
    # scoring other rows leaves the fitted calibration as it was
    state = (detector.active_calibration_, detector.quiet_calibration_)
    detector.surge_risk(_quiet_and_active(4)[0])
    assert (detector.active_calibration_, detector.quiet_calibration_) == state


def test_logit_calibration_is_the_penalised_optimum() -> None:
    rng = np.random.default_rng(5)
    risks = rng.uniform(1e-4, 0.5, size=3000)
    logit = np.log(risks) - np.log1p(-risks)
    labels = (rng.random(3000) < 1.0 / (1.0 + np.exp(-(-1.0 + 0.5 * logit)))).astype(float)
    a, b = fit_logit_calibration(risks, labels, penalty=1.0)

    def objective(beta: np.ndarray) -> float:
        eta = beta[0] + beta[1] * logit
        prior = (beta[0] ** 2) + (beta[1] - 1.0) ** 2
        return float((np.logaddexp(0.0, eta) - labels * eta).sum() + prior)

    best = minimize(objective, np.array([0.0, 1.0]), method="Nelder-Mead", tol=1e-10).x
    assert (a, b) == pytest.approx(tuple(best), abs=1e-3)
    assert a == pytest.approx(-1.0, abs=0.2)
    assert b == pytest.approx(0.5, abs=0.1)
    # with no surge at all the map lowers every risk but keeps their order
    a0, b0 = fit_logit_calibration(risks, np.zeros(3000), penalty=1.0)
    calibrated = apply_logit_calibration(risks, a0, b0)
    assert b0 > 0
    assert np.all(calibrated < risks)
    assert np.all(np.diff(calibrated[np.argsort(risks)]) >= 0)


def test_calibrated_detector_checks_its_parameters() -> None:
    X, y = _quiet_and_active(6)
    with pytest.raises(ValueError, match="n_folds"):
        CalibratedTwoPartDetector(n_folds=-1).fit(X, y)
    with pytest.raises(ValueError, match="calibration_penalty"):
        CalibratedTwoPartDetector(calibration_penalty=0.0).fit(X, y)


@parametrize_with_checks([CalibratedTwoPartDetector()])
def test_scikit_learn_estimator_checks(estimator: object, check: Callable[[object], None]) -> None:
    check(estimator)
