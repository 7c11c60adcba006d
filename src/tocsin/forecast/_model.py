"""Tocsin's model: gradient-boosted trees and the elastic-net logit, averaged in log-odds.

The trees see every feature (missing values allowed: LightGBM learns where to send
them); the logit sees EWP's 39 predictors (``logit_features``). The ensemble averages
the two log-odds (a weighted geometric mean of the odds), so each member's additive
contributions add up exactly to the ensemble's log-odds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from tocsin.forecast._features import TOCSIN_EXTRA_FEATURES
from tocsin.forecast._panel import EWP_PREDICTORS
from tocsin.forecast._replica import EWPReplica, binary_target

__all__ = ["TOCSIN_FEATURES", "TocsinModel"]

TOCSIN_FEATURES: tuple[str, ...] = (*EWP_PREDICTORS, *TOCSIN_EXTRA_FEATURES)
"""Every column the model reads (EWP's 39 predictors first)."""


class TocsinModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """LightGBM and the elastic-net logit for mass-killing onset, averaged in log-odds.

    A binary scikit-learn classifier (checked with ``parametrize_with_checks``).

    Parameters
    ----------
    tree_weight : float, default=0.5
        Weight of the trees' log-odds in the average (the logit gets the rest).
    n_estimators, learning_rate, num_leaves, min_child_samples, colsample : LightGBM
        settings, chosen on the validation period only.
    random_state : int, default=0
        Seed of the trees' row and column sampling.
    logit_features : tuple of str or None, default=EWP's 39 predictors
        Columns (by name; ``X`` must then be a DataFrame) the logit reads; they may not
        have missing values. ``None``: every column.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``.
    trees_ : lightgbm.LGBMClassifier
        The fitted trees.
    logit_ : EWPReplica
        The fitted elastic-net logit on EWP's predictors.
    feature_names_in_ : ndarray of str
        Columns seen in ``fit`` (when ``X`` is a DataFrame).
    n_features_in_ : int
        Number of columns seen in ``fit``.
    logit_columns_ : ndarray of int
        Positions of the logit's columns in ``X``.
    """

    def __init__(
        self,
        *,
        tree_weight: float = 0.5,
        n_estimators: int = 150,
        learning_rate: float = 0.06,
        num_leaves: int = 15,
        min_child_samples: int = 20,
        colsample: float = 0.7,
        random_state: int = 0,
        logit_features: tuple[str, ...] | None = EWP_PREDICTORS,
    ) -> None:
        self.tree_weight = tree_weight
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.colsample = colsample
        self.random_state = random_state
        self.logit_features = logit_features

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: pd.DataFrame | npt.ArrayLike, y: npt.ArrayLike) -> TocsinModel:
        """Fit both members; the ``logit_features`` columns may not have gaps."""
        import lightgbm

        if not 0 <= self.tree_weight <= 1:
            raise ValueError(f"TocsinModel: tree_weight must be in [0, 1], got {self.tree_weight}")
        # missing values go to the trees; the logit refuses them in its own columns
        data, labels = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan")
        self.classes_, encoded = binary_target("TocsinModel", labels)
        outcome = encoded.astype(int)
        self.logit_columns_ = self._logit_columns(data.shape[1])
        self.trees_ = lightgbm.LGBMClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=self.colsample,
            reg_lambda=1.0,
            random_state=self.random_state,
            n_jobs=1,
            verbose=-1,
        )
        self.trees_.fit(data, outcome)
        self.logit_ = EWPReplica().fit(data[:, self.logit_columns_], outcome)
        return self

    def _logit_columns(self, n_features: int) -> npt.NDArray[np.int64]:
        if self.logit_features is None:
            return np.arange(n_features)
        names = list(getattr(self, "feature_names_in_", []))
        absent = [c for c in self.logit_features if c not in names]
        if absent:
            raise ValueError(
                "TocsinModel: X lacks the logit's columns "
                f"{', '.join(map(str, absent[:5]))}{' …' if len(absent) > 5 else ''} "
                "(pass a DataFrame with them, or logit_features=None for every column)"
            )
        return np.array([names.index(c) for c in self.logit_features], dtype=np.int64)

    def _data(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        check_is_fitted(self)
        data = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        return np.asarray(data, dtype=float)

    def decision_function(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The ensemble's log-odds of ``classes_[1]``: the weighted average of the members'."""
        data = self._data(X)
        trees = np.asarray(self.trees_.predict_proba(data, raw_score=True), dtype=float)
        logit = self.logit_.decision_function(data[:, self.logit_columns_])
        return np.asarray(self.tree_weight * trees + (1 - self.tree_weight) * logit, dtype=float)

    def predict_proba(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, shape (n, 2)."""
        risk = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - risk, risk])

    def predict(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[Any]:
        """The more probable label of each row."""
        positive = self.decision_function(X) > 0  # checks that the model is fitted
        return np.asarray(self.classes_[positive.astype(int)])

    def contributions(self, X: pd.DataFrame | npt.ArrayLike) -> pd.DataFrame:
        """Per-feature contributions to the ensemble's probability (columns = features).

        Tree contributions are LightGBM's exact TreeSHAP values (``pred_contrib``), the
        logit's its exact linear contributions, both on the log-odds scale; weighted as
        in the average they add up to the ensemble's log-odds minus its base value.
        They are then scaled, row by row, to the ensemble's probability change from the
        base probability, so the columns sum to ``risk - base risk``.
        """
        data = self._data(X)
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{i}" for i in range(self.n_features_in_)]
        )
        tree_raw = np.asarray(self.trees_.predict_proba(data, pred_contrib=True), dtype=float)
        w = self.tree_weight
        phi = w * tree_raw[:, :-1]
        phi[:, self.logit_columns_] += (1 - w) * self.logit_.contributions(
            data[:, self.logit_columns_]
        )
        base = w * tree_raw[:, -1] + (1 - w) * self.logit_.base_value_
        total = phi.sum(axis=1)
        change = 1 / (1 + np.exp(-(base + total))) - 1 / (1 + np.exp(-base))
        scale = np.divide(change, total, out=np.zeros_like(change), where=total != 0)
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(phi * scale[:, None], columns=names, index=index)


def feature_list(extra: Sequence[str] = TOCSIN_EXTRA_FEATURES) -> list[str]:
    """EWP's predictors followed by ``extra``."""
    return [*EWP_PREDICTORS, *extra]
