"""The Early Warning Project's model: elastic-net logit, mixing 0.5, lambda by 10-fold CV."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from tocsin.forecast._glmnet import cv_elastic_net_logit
from tocsin.forecast._rrandom import r_cv_folds

__all__ = ["EWPReplica"]


class EWPReplica(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Elastic-net logistic regression as EWP fits it (``cv.glmnet``, ``lambda.min``).

    A binary scikit-learn classifier (checked with ``parametrize_with_checks``): the
    first of the two sorted labels in ``classes_`` is the negative class.

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
    classes_ : ndarray of shape (2,)
        The two labels seen in ``fit``.
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

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # the binomial deviance of glmnet: two classes, never more
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X: pd.DataFrame | npt.ArrayLike, y: npt.ArrayLike) -> EWPReplica:
        """Fit on complete rows (no missing values); ``y`` holds two labels."""
        if not 0 < self.alpha <= 1:
            raise ValueError(f"EWPReplica: alpha must be in (0, 1], got {self.alpha!r}")
        if self.fold_method not in ("r", "numpy"):
            raise ValueError(
                f"EWPReplica: fold_method must be 'r' or 'numpy', got {self.fold_method!r}"
            )
        # every fold needs a row; missing values are refused (complete cases are the
        # caller's rule, see tocsin.forecast.complete_cases)
        data, labels = validate_data(
            self, X, y, dtype=np.float64, ensure_min_samples=max(2, self.n_folds)
        )
        self.classes_, encoded = binary_target("EWPReplica", labels)
        outcome = encoded.astype(float)
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
        return self

    def _data(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        check_is_fitted(self)
        return np.asarray(validate_data(self, X, dtype=np.float64, reset=False), dtype=float)

    def decision_function(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Log-odds of ``classes_[1]``."""
        data = self._data(X)
        return np.asarray(data @ self.coef_ + self.intercept_, dtype=float)

    def predict_proba(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, shape (n, 2)."""
        risk = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - risk, risk])

    def predict(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[Any]:
        """The more probable label of each row (risk above 0.5 gives ``classes_[1]``)."""
        positive = self.decision_function(X) > 0  # checks that the model is fitted
        return np.asarray(self.classes_[positive.astype(int)])

    def contributions(self, X: pd.DataFrame | npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Exact additive log-odds contributions ``coef_j * (x_j - mean_j)``.

        They sum, with :attr:`base_value_`, to the decision function (this is also
        the SHAP value of a linear model with independent features).
        """
        data = self._data(X)
        return np.asarray((data - self.mean_) * self.coef_, dtype=float)

    @property
    def base_value_(self) -> float:
        """Log-odds at the training means."""
        check_is_fitted(self)
        return float(self.intercept_ + self.mean_ @ self.coef_)


def binary_target(owner: str, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two classes of ``labels`` and each label's index in them (0 or 1).

    Refuses anything but a two-class target, in scikit-learn's wording for binary-only
    classifiers, prefixed with the ``owner`` estimator's name.
    """
    check_classification_targets(labels)
    kind = type_of_target(labels, input_name="y")
    if kind != "binary":
        raise ValueError(
            f"{owner}: Only binary classification is supported. The type of the target is {kind}."
        )
    classes, encoded = np.unique(labels, return_inverse=True)
    if len(classes) != 2:
        raise ValueError(f"{owner}: y must hold two classes, got only one class: {classes[0]!r}")
    return classes, encoded
