"""The EWP replica reproduces EWP's published 2025 forecast from the bundled panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tocsin.datasets import load
from tocsin.forecast import EWP_PREDICTORS, EWPReplica, cv_elastic_net_logit


def test_published_2025_forecast_is_reproduced() -> None:
    panel = load("ewp_panel")
    columns = list(EWP_PREDICTORS)
    outcomes = ["mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2"]
    train = panel[panel["year"] <= 2022].dropna(subset=columns + outcomes)
    test = panel[panel["year"] == 2024].dropna(subset=columns)
    model = EWPReplica().fit(train[columns], train["mk_onset_1or2"])
    ours = pd.Series(model.predict_proba(test[columns])[:, 1], index=test["ccode"].to_numpy())
    published = load("ewp_forecasts").set_index("ccode")["risk.2025and2026.from2024"]
    both = pd.concat([ours, published], axis=1, join="inner").dropna()
    assert len(both) == 168
    assert np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1] > 0.999
    top_ours = set(both.iloc[:, 0].nlargest(30).index)
    top_theirs = set(both.iloc[:, 1].nlargest(30).index)
    assert len(top_ours & top_theirs) >= 28
    assert np.abs(both.iloc[:, 0] - both.iloc[:, 1]).max() < 0.01


def test_contributions_add_up_to_the_log_odds() -> None:
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    y = (rng.random(300) < 1 / (1 + np.exp(-(X["a"] - X["b"])))).astype(int)
    model = EWPReplica().fit(X, y)
    total = model.base_value_ + model.contributions(X).sum(axis=1)
    assert np.allclose(total, model.decision_function(X))


def test_lasso_end_of_path_keeps_all_zero_at_lambda_max() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(200, 3))
    y = (rng.random(200) < 0.3).astype(float)
    fit = cv_elastic_net_logit(x, y, n_lambda=20)
    assert fit.lambdas[0] > fit.lambdas[-1]
    assert fit.cv_deviance.shape == fit.lambdas.shape


def test_bad_parameters_and_missing_values_are_refused() -> None:
    X = np.array([[0.0], [1.0], [np.nan]])
    with pytest.raises(ValueError, match="NaN"):
        EWPReplica().fit(X, [0, 1, 0])
    with pytest.raises(ValueError, match="alpha must be"):
        EWPReplica(alpha=0).fit(X[:2], [0, 1])
    with pytest.raises(ValueError, match="^EWPReplica: Only binary classification"):
        EWPReplica().fit(np.arange(20.0).reshape(-1, 1), [0, 1, 2, 3] * 5)
    with pytest.raises(ValueError, match="only one class"):
        EWPReplica().fit(np.arange(20.0).reshape(-1, 1), [1] * 20)
