"""The forecast models are scikit-learn classifiers: scikit-learn's own estimator checks.

Every check ``parametrize_with_checks`` yields runs (binary classifiers: the
multi-class checks are skipped by the ``multi_class=False`` tag). Expected failures are
declared per check with the reason, in ``EXPECTED_FAILURES``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from tocsin.forecast import EWP_PREDICTORS, EWPReplica, TocsinModel

# TocsinModel's default logit reads EWP's 39 predictors by name; scikit-learn's checks
# pass a few unnamed columns, so the checked instance gives the logit every column.
ESTIMATORS = [EWPReplica(), TocsinModel(logit_features=None, n_estimators=30)]

EXPECTED_FAILURES: dict[str, dict[str, str]] = {}


def _expected(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected)
def test_sklearn_estimator_checks(estimator: Any, check: Any) -> None:
    check(estimator)


def test_default_constructor_keeps_the_production_settings() -> None:
    model = TocsinModel()
    assert model.logit_features == EWP_PREDICTORS
    assert clone(model).get_params() == model.get_params()
    assert EWPReplica().get_params()["random_state"] == 90035


def test_named_logit_columns_are_found_by_name_and_required() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "extra"])
    X.loc[:20, "extra"] = np.nan  # the trees take gaps; the logit's columns have none
    y = (rng.random(200) < 1 / (1 + np.exp(-2 * X["a"]))).astype(int)
    model = TocsinModel(logit_features=("b", "a"), n_estimators=20).fit(X, y)
    assert list(model.logit_columns_) == [1, 0]
    contributions = model.contributions(X)
    assert list(contributions.columns) == ["a", "b", "extra"]
    risk = model.predict_proba(X)[:, 1]
    assert np.all((risk > 0) & (risk < 1))
    with pytest.raises(ValueError, match="lacks the logit's columns c"):
        TocsinModel(logit_features=("a", "c")).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        TocsinModel(logit_features=("a", "extra")).fit(X, y)


def test_string_labels_are_kept() -> None:
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=150) > 0, "onset", "none")
    for model in (EWPReplica(), TocsinModel(logit_features=None, n_estimators=20)):
        fitted = model.fit(X, y)
        assert list(fitted.classes_) == ["none", "onset"]
        assert (fitted.predict(X) == y).mean() > 0.8
