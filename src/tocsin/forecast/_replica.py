"""The Early Warning Project's model: elastic-net logit, mixing 0.5, lambda by 10-fold CV."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from tocsin.forecast._glmnet import cv_elastic_net_logit
from tocsin.forecast._rrandom import r_cv_folds

__all__ = ["EWPReplica"]


class EWPReplica:
    """Elastic-net logistic regression as EWP fits it (``cv.glmnet``, ``lambda.min``).

    Parameters
    ----------
    alpha : float, default=0.5
        Elastic-net mixing (1 = lasso, 0 = ridge).
    n_folds : int, default=10
        Cross-validation folds for choosing lambda (held-out binomial deviance).
    n_lambda : int, default=100
        Length of the lambda path.
    random_state : int, default=90035
        Seed of the fold assignment (EWP's ``set.seed(90035)``).
    fold_method : {"r", "numpy"}, default="r"
        ``"r"`` draws folds exactly as R's ``cv.glmnet`` does after ``set.seed``
        (so rows must come in the same order as EWP's panel file); ``"numpy"`` uses
        NumPy's generator.
    patience : int or None, default=10
        Stop the lambda path this many steps after the best cross-validated deviance
        (``None``: the whole path, exactly as ``cv.glmnet``). On EWP's backtest both
        choose the same lambda in all 31 refits (see docs/methodology/forecast.md).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients on the original scale at ``lambda.min``.
    intercept_ : float
        Intercept on the original scale.
    lambda_ : float
        The chosen penalty.
    mean_ : ndarray of shape (n_features,)
        Training means, the reference point of :meth:`contributions`.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (when ``X`` is a DataFrame).
    n_features_in_ : int
        Number of predictors.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    >>> y = (rng.random(300) < 1 / (1 + np.exp(-2 * X["a"]))).astype(int)
    >>> model = EWPReplica().fit(X, y)
    >>> bool(model.coef_[0] > 0.5)
    True
    """

    def __init__(
        self,
        *,
        alpha: float = 0.5,
        n_folds: int = 10,
        n_lambda: int = 100,
        random_state: int = 90035,
        fold_method: str = "r",
        patience: int | None = 10,
    ) -> None:
        self.alpha = alpha
        self.n_folds = n_folds
        self.n_lambda = n_lambda
        self.random_state = random_state
        self.fold_method = fold_method
        self.patience = patience

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor arguments (scikit-learn convention)."""
        return {
            "alpha": self.alpha,
            "n_folds": self.n_folds,
            "n_lambda": self.n_lambda,
            "random_state": self.random_state,
            "fold_method": self.fold_method,
            "patience": self.patience,
        }

    def set_params(self, **params: Any) -> EWPReplica:
        """Set constructor arguments (scikit-learn convention)."""
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X: pd.DataFrame | npt.ArrayLike, y: npt.ArrayLike) -> EWPReplica:
        """Fit on complete rows; ``y`` is 0/1."""
        if not 0 < self.alpha <= 1:
            raise ValueError(f"EWPReplica: alpha must be in (0, 1], got {self.alpha!r}")
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        data = np.asarray(X, dtype=float)
        outcome = np.asarray(y, dtype=float)
        if np.isnan(data).any():
            raise ValueError("EWPReplica: X has missing values; drop incomplete rows first")
        if self.fold_method not in ("r", "numpy"):
            raise ValueError(
                f"EWPReplica: fold_method must be 'r' or 'numpy', got {self.fold_method!r}"
            )
        fold_ids = (
            r_cv_folds(len(data), self.n_folds, self.random_state)
            if self.fold_method == "r"
            else None
        )
        with threadpool_limits(1):
            fit = cv_elastic_net_logit(
                data,
                outcome,
                alpha=self.alpha,
                n_folds=self.n_folds,
                n_lambda=self.n_lambda,
                random_state=self.random_state,
                fold_ids=fold_ids,
                patience=self.patience,
            )
        self.coef_ = fit.coef
        self.intercept_ = fit.intercept
        self.lambda_ = fit.lambda_min
        self.mean_ = data.mean(axis=0)
        self.n_features_in_ = data.shape[1]
        return self

    def decision_function(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Log-odds of the positive class."""
        data = np.asarray(X, dtype=float)
        return np.asarray(data @ self.coef_ + self.intercept_, dtype=float)

    def predict_proba(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Probabilities of class 0 and 1, shape (n, 2)."""
        risk = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - risk, risk])

    def contributions(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Exact additive log-odds contributions ``coef_j * (x_j - mean_j)``.

        They sum, with :attr:`base_value_`, to the decision function (this is also
        the SHAP value of a linear model with independent features).
        """
        data = np.asarray(X, dtype=float)
        return np.asarray((data - self.mean_) * self.coef_, dtype=float)

    @property
    def base_value_(self) -> float:
        """Log-odds at the training means."""
        return float(self.intercept_ + self.mean_ @ self.coef_)
