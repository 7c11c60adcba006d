"""Tocsin's model: gradient-boosted trees and the elastic-net logit, averaged in log-odds.

The trees see every feature (missing values allowed: LightGBM learns where to send
them); the logit sees EWP's 39 predictors. The ensemble averages the two log-odds
(a weighted geometric mean of the odds), so each member's additive contributions add
up exactly to the ensemble's log-odds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tocsin.forecast._features import TOCSIN_EXTRA_FEATURES
from tocsin.forecast._panel import EWP_PREDICTORS
from tocsin.forecast._replica import EWPReplica

__all__ = ["TOCSIN_FEATURES", "TocsinModel"]

TOCSIN_FEATURES: tuple[str, ...] = (*EWP_PREDICTORS, *TOCSIN_EXTRA_FEATURES)
"""Every column the model reads (EWP's 39 predictors first)."""


class TocsinModel:
    """LightGBM and the elastic-net logit for mass-killing onset, averaged in log-odds.

    Parameters
    ----------
    tree_weight : float, default=0.5
        Weight of the trees' log-odds in the average (the logit gets the rest).
    n_estimators, learning_rate, num_leaves, min_child_samples, colsample : LightGBM
        settings, chosen on the validation period only.
    random_state : int, default=0
        Seed of the trees' row and column sampling.

    Attributes
    ----------
    trees_ : lightgbm.LGBMClassifier
        The fitted trees.
    logit_ : EWPReplica
        The fitted elastic-net logit on EWP's predictors.
    feature_names_in_ : list of str
        Columns seen in ``fit``.
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
    ) -> None:
        self.tree_weight = tree_weight
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.colsample = colsample
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor arguments (scikit-learn convention)."""
        return {
            name: getattr(self, name)
            for name in (
                "tree_weight",
                "n_estimators",
                "learning_rate",
                "num_leaves",
                "min_child_samples",
                "colsample",
                "random_state",
            )
        }

    def fit(self, X: pd.DataFrame, y: npt.ArrayLike) -> TocsinModel:
        """Fit both members; ``X`` must hold EWP's 39 predictors without gaps."""
        import lightgbm

        if not 0 <= self.tree_weight <= 1:
            raise ValueError(f"TocsinModel: tree_weight must be in [0, 1], got {self.tree_weight}")
        outcome = np.asarray(y, dtype=int)
        self.feature_names_in_ = list(X.columns)
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
        self.trees_.fit(X.to_numpy(dtype=float), outcome)
        self.logit_ = EWPReplica().fit(X[list(EWP_PREDICTORS)], outcome)
        return self

    def decision_function(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The ensemble's log-odds: the weighted average of the members' log-odds."""
        trees = np.asarray(
            self.trees_.predict_proba(
                X[self.feature_names_in_].to_numpy(dtype=float), raw_score=True
            ),
            dtype=float,
        )
        logit = self.logit_.decision_function(X[list(EWP_PREDICTORS)])
        return np.asarray(self.tree_weight * trees + (1 - self.tree_weight) * logit, dtype=float)

    def predict_proba(self, X: pd.DataFrame) -> npt.NDArray[np.float64]:
        """Probabilities of class 0 and 1, shape (n, 2)."""
        risk = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - risk, risk])

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-feature contributions to the ensemble's probability (columns = features).

        Tree contributions are LightGBM's exact TreeSHAP values (``pred_contrib``), the
        logit's its exact linear contributions, both on the log-odds scale; weighted as
        in the average they add up to the ensemble's log-odds minus its base value.
        They are then scaled, row by row, to the ensemble's probability change from the
        base probability, so the columns sum to ``risk - base risk``.
        """
        names = self.feature_names_in_
        tree_raw = self.trees_.predict_proba(X[names].to_numpy(dtype=float), pred_contrib=True)
        tree_raw = np.asarray(tree_raw, dtype=float)
        w = self.tree_weight
        phi = w * tree_raw[:, :-1]
        index = [names.index(c) for c in EWP_PREDICTORS]
        phi[:, index] += (1 - w) * self.logit_.contributions(X[list(EWP_PREDICTORS)])
        base = w * tree_raw[:, -1] + (1 - w) * self.logit_.base_value_
        total = phi.sum(axis=1)
        change = 1 / (1 + np.exp(-(base + total))) - 1 / (1 + np.exp(-base))
        scale = np.divide(change, total, out=np.zeros_like(change), where=total != 0)
        return pd.DataFrame(phi * scale[:, None], columns=names, index=X.index)


def feature_list(extra: Sequence[str] = TOCSIN_EXTRA_FEATURES) -> list[str]:
    """EWP's predictors followed by ``extra``."""
    return [*EWP_PREDICTORS, *extra]
