"""The unit each model's factor contributions are stored in, as the watchlist labels them
(issue 18, item 3): Tocsin's model gives changes in probability, the EWP replica log-odds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.forecast import (
    CONTRIBUTION_UNITS,
    MODEL_NAMES,
    MODELS,
    EWPReplica,
    TocsinModel,
    contribution_unit,
)


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(18)
    X = pd.DataFrame(rng.normal(size=(400, 4)), columns=list("abcd"))
    y = pd.Series((rng.random(400) < 1 / (1 + np.exp(-(X["a"] - X["b"] - 1)))).astype(int))
    return X, y


def test_every_model_names_its_unit() -> None:
    assert set(CONTRIBUTION_UNITS) == set(MODEL_NAMES) == set(MODELS)
    assert contribution_unit("tocsin") == "probability"
    assert contribution_unit("ewp-replica") == "log-odds"
    assert contribution_unit("a model of another version") == "unknown"


def test_tocsin_contributions_are_changes_in_probability() -> None:
    X, y = _data()
    model = TocsinModel(logit_features=None, n_estimators=30).fit(X, y)
    risk = model.predict_proba(X)[:, 1]
    total = model.contributions(X).sum(axis=1).to_numpy()
    # risk minus the contributions is one base probability for every row: they are
    # probability changes, not log-odds (whose sum would give the log-odds instead)
    base = risk - total
    assert np.allclose(base, base[0]) and 0 < base[0] < 1
    assert np.all(np.abs(total) < 1)


def test_replica_contributions_are_log_odds() -> None:
    X, y = _data()
    model = EWPReplica().fit(X, y)
    total = model.base_value_ + model.contributions(X).sum(axis=1)
    assert np.allclose(total, model.decision_function(X))
    assert not np.allclose(model.predict_proba(X)[:, 1] - total, 0.0)
