"""Linear heads with calibrated probabilities and a decision rule learned out of fold.

:class:`LinearHead` fits a logistic regression on any feature matrix. Out-of-fold
predictions on the training data (never the test data) give it two things: a temperature
that calibrates its probabilities, and per-class decision weights that maximise macro-F1
(rare classes such as hate need more weight than their prior gives them).
:class:`TextHead` puts a hashed word and character TF-IDF in front: no vocabulary is stored,
so the fitted head is a few arrays and small enough to ship.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, sparse  # type: ignore[import-untyped]
from sklearn.base import BaseEstimator, ClassifierMixin

from tocsin.speech._hashing import (
    CHAR_FEATURES,
    WORD_FEATURES,
    FrozenTextHead,
    _softmax,
    hashed_rows,
)

__all__ = ["LinearHead", "TextHead", "hashed_counts", "hashed_tfidf_features", "weight_counts"]

Matrix = Any  # a dense NDArray or a scipy.sparse CSR matrix


def _as_logits(decision: NDArray[np.float64]) -> NDArray[np.float64]:
    """Binary logistic regression gives one column; make it two (0, z) for the softmax."""
    if decision.ndim == 1:
        return np.column_stack([np.zeros_like(decision), decision])
    return decision


def _fit_temperature(logits: NDArray[np.float64], y_index: NDArray[np.int64]) -> float:
    def loss(log_t: float) -> float:
        proba = _softmax(logits / np.exp(log_t))
        picked = np.clip(proba[np.arange(len(y_index)), y_index], 1e-12, 1.0)
        return float(-np.log(picked).mean())

    result = optimize.minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def _macro_f1(y: NDArray[np.int64], predicted: NDArray[np.int64], n_classes: int) -> float:
    scores = []
    for k in range(n_classes):
        tp = np.sum((predicted == k) & (y == k))
        fp = np.sum((predicted == k) & (y != k))
        fn = np.sum((predicted != k) & (y == k))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def _fit_decision_weights(
    proba: NDArray[np.float64], y_index: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Per-class multipliers on the probabilities that maximise out-of-fold macro-F1.

    Coordinate ascent over a log-spaced grid, two passes, starting from equal weights.
    """
    n_classes = proba.shape[1]
    weights = np.ones(n_classes)
    grid = np.exp(np.linspace(np.log(0.25), np.log(40.0), 41))
    best = _macro_f1(y_index, (proba * weights).argmax(1), n_classes)
    for _ in range(2):
        for k in range(1, n_classes) if n_classes == 2 else range(n_classes):
            for value in grid:
                trial = weights.copy()
                trial[k] = value
                score = _macro_f1(y_index, (proba * trial).argmax(1), n_classes)
                if score > best + 1e-9:
                    best, weights = score, trial
    return weights


class LinearHead(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """One-vs-rest logistic regression, calibrated and with decision weights fitted out of fold.

    A scikit-learn classifier: dense or sparse input, any class labels, ``decision_function``
    consistent with ``predict``. It passes scikit-learn's estimator checks but one:
    ``predict`` is the arg-max of the *weighted* probabilities, not of ``predict_proba``
    (tests/speech/test_sklearn_checks.py says why).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    n_folds : int
        Folds for the out-of-fold predictions that calibrate and set the decision weights
        (fewer when the rarest class has fewer rows; none when it has one).
    random_state : int
        Seed of the fold split (the solver is deterministic).

    Attributes
    ----------
    classes_ : ndarray
        Class labels, in column order of :meth:`predict_proba`.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    coef_, intercept_ : ndarray
        The fitted logistic regression.
    temperature_ : float
        Divides the logits before the softmax (fitted on out-of-fold logits).
    decision_weights_ : ndarray
        Multipliers on the probabilities before the arg-max in :meth:`predict`.
    oof_proba_ : ndarray
        Calibrated out-of-fold probabilities of the training rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = (X[:, 0] > 0).astype(int)
    >>> head = LinearHead(C=1.0, n_folds=3).fit(X, y)
    >>> float((head.predict(X) == y).mean()) > 0.9
    True
    """

    def __init__(self, *, C: float = 4.0, n_folds: int = 5, random_state: int = 42) -> None:
        self.C = C
        self.n_folds = n_folds
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _fit_logits(self, X: Matrix, y_index: NDArray[np.int64]) -> tuple[Any, Any]:
        """Coefficients and intercepts: one-vs-rest logistic regressions (liblinear).

        One-vs-rest with liblinear is many times faster than a multinomial fit on half a
        million hashed features; the temperature then calibrates the softmax of its logits.
        """
        from sklearn.linear_model import LogisticRegression

        n_classes = int(y_index.max()) + 1
        targets = [y_index == 1] if n_classes == 2 else [y_index == k for k in range(n_classes)]
        coefs, intercepts = [], []
        for target in targets:
            model = LogisticRegression(
                C=self.C, solver="liblinear", max_iter=1000, random_state=self.random_state
            )
            model.fit(X, target.astype(int))
            coefs.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
        return np.vstack(coefs), np.array(intercepts)

    @staticmethod
    def _logits(X: Matrix, coef: Any, intercept: Any) -> NDArray[np.float64]:
        raw = np.asarray(X @ coef.T) + intercept
        return _as_logits(raw[:, 0]) if raw.shape[1] == 1 else raw

    def fit(self, X: Matrix, y: Sequence[Any] | NDArray[Any]) -> LinearHead:
        from sklearn.model_selection import StratifiedKFold
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import validate_data

        if self.C <= 0:
            raise ValueError(f"LinearHead: C must be > 0, got {self.C!r}")
        if self.n_folds < 2:
            raise ValueError(f"LinearHead: n_folds must be >= 2, got {self.n_folds!r}")
        X, labels = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], reset=True
        )
        check_classification_targets(labels)
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise ValueError("LinearHead: y has one class only; it needs at least two classes")
        y_index = np.searchsorted(self.classes_, labels).astype(np.int64)
        n_classes = len(self.classes_)
        # Out-of-fold predictions need every class in every training fold.
        n_splits = min(self.n_folds, int(np.bincount(y_index).min()))
        if n_splits >= 2:
            oof = np.zeros((len(labels), n_classes))
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
            for train, held_out in folds.split(np.zeros(len(labels)), y_index):
                coef, intercept = self._fit_logits(X[train], y_index[train])
                oof[held_out] = self._logits(X[held_out], coef, intercept)
            self.temperature_ = _fit_temperature(oof, y_index)
            self.oof_proba_ = _softmax(oof / self.temperature_)
            self.decision_weights_ = _fit_decision_weights(self.oof_proba_, y_index)
        else:  # a class with a single row: no held-out data to calibrate on
            self.temperature_ = 1.0
            self.oof_proba_ = np.full((len(labels), n_classes), 1.0 / n_classes)
            self.decision_weights_ = np.ones(n_classes)
        coef, intercept = self._fit_logits(X, y_index)
        self.coef_ = np.atleast_2d(coef).astype(np.float64)
        self.intercept_ = np.atleast_1d(intercept).astype(np.float64)
        return self

    def _checked(self, X: Matrix) -> Matrix:
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self, "coef_")
        return validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )

    def decision_function(self, X: Matrix) -> NDArray[np.float64]:
        """Scores whose arg-max (or sign, for two classes) is :meth:`predict`.

        The log of the weighted calibrated probabilities, one column per class; for two
        classes one column, the log-odds of ``classes_[1]`` after weighting.
        """
        scores = np.log(np.clip(self.predict_proba(X), 1e-300, None)) + np.log(
            self.decision_weights_
        )
        if scores.shape[1] == 2:
            binary: NDArray[np.float64] = scores[:, 1] - scores[:, 0]
            return binary
        return scores

    def predict_proba(self, X: Matrix) -> NDArray[np.float64]:
        """Calibrated class probabilities, columns in the order of ``classes_``."""
        logits = self._logits(self._checked(X), self.coef_, self.intercept_)
        return _softmax(logits / self.temperature_)

    def predict(self, X: Matrix) -> NDArray[Any]:
        """The class with the largest weighted probability."""
        weighted = self.predict_proba(X) * self.decision_weights_  # checks fitted first
        labels: NDArray[Any] = self.classes_[weighted.argmax(1)]
        return labels

    def to_arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        """The fitted state as named arrays (coefficients stored as float16, sparse)."""
        nonzero = np.flatnonzero(self.coef_)
        return {
            f"{prefix}classes": self.classes_,
            f"{prefix}coef_shape": np.array(self.coef_.shape),
            f"{prefix}coef_index": nonzero.astype(np.int32),
            f"{prefix}coef_value": self.coef_.ravel()[nonzero].astype(np.float16),
            f"{prefix}intercept": self.intercept_,
            f"{prefix}params": np.array([self.C, self.n_folds, self.random_state]),
            f"{prefix}temperature": np.array([self.temperature_]),
            f"{prefix}decision_weights": self.decision_weights_,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]], prefix: str) -> LinearHead:
        """Rebuild a head saved with :meth:`to_arrays`."""
        C, n_folds, seed = arrays[f"{prefix}params"]
        head = cls(C=float(C), n_folds=int(n_folds), random_state=int(seed))
        head.classes_ = arrays[f"{prefix}classes"]
        coef = np.zeros(int(np.prod(arrays[f"{prefix}coef_shape"])))
        coef[arrays[f"{prefix}coef_index"]] = arrays[f"{prefix}coef_value"].astype(np.float64)
        head.coef_ = coef.reshape(tuple(int(v) for v in arrays[f"{prefix}coef_shape"]))
        head.intercept_ = arrays[f"{prefix}intercept"].astype(np.float64)
        head.temperature_ = float(arrays[f"{prefix}temperature"][0])
        head.decision_weights_ = arrays[f"{prefix}decision_weights"].astype(np.float64)
        head.n_features_in_ = head.coef_.shape[1]
        return head


def hashed_counts(texts: Sequence[str]) -> sparse.csr_matrix:
    """Word 1–2-gram and character 2–5-gram counts, hashed, with sublinear TF (1 + log n).

    Every :class:`TextHead` reads the same counts, so they can be computed once per batch
    and weighted by each head's IDF (:func:`weight_counts`).
    """
    counts: sparse.csr_matrix = hashed_rows(texts).to_csr()
    return counts


def weight_counts(counts: sparse.csr_matrix, idf: NDArray[np.float64]) -> sparse.csr_matrix:
    """TF × IDF, L2-normalised per row."""
    from sklearn.preprocessing import normalize

    return normalize((counts @ sparse.diags(idf)).tocsr())


def hashed_tfidf_features(texts: Sequence[str], idf: NDArray[np.float64]) -> sparse.csr_matrix:
    """:func:`hashed_counts` weighted by ``idf`` and L2-normalised."""
    return weight_counts(hashed_counts(texts), idf)


def _document_frequency_idf(texts: Sequence[str]) -> NDArray[np.float64]:
    ones = hashed_tfidf_features(texts, np.ones(WORD_FEATURES + CHAR_FEATURES))
    df = np.bincount(ones.indices, minlength=ones.shape[1])
    idf: NDArray[np.float64] = np.log((1 + len(texts)) / (1 + df)) + 1.0
    idf[df == 0] = 0.0
    return idf


class TextHead:
    """A :class:`LinearHead` over hashed word + character TF-IDF of (normalised) texts.

    Parameters
    ----------
    C, n_folds, random_state
        Passed to the :class:`LinearHead`.

    Attributes
    ----------
    idf_ : ndarray
        Inverse document frequencies of the hashed features (0 where never seen).
    head_ : LinearHead
        The fitted classifier.
    classes_ : ndarray
        As ``head_.classes_``.
    """

    def __init__(self, *, C: float = 4.0, n_folds: int = 5, random_state: int = 42) -> None:
        self.C = C
        self.n_folds = n_folds
        self.random_state = random_state

    def fit(self, texts: Sequence[str], y: Sequence[Any] | NDArray[Any]) -> TextHead:
        self.idf_ = _document_frequency_idf(texts)
        features = hashed_tfidf_features(texts, self.idf_)
        head = LinearHead(C=self.C, n_folds=self.n_folds, random_state=self.random_state)
        self.head_ = head.fit(features, y)
        self.classes_ = self.head_.classes_
        return self

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The feature matrix the head reads."""
        return hashed_tfidf_features(texts, self.idf_)

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return self.head_.predict_proba(self.features(texts))

    def predict(self, texts: Sequence[str]) -> NDArray[Any]:
        return self.head_.predict(self.features(texts))

    def freeze(self) -> FrozenTextHead:
        """The fitted arrays as a scoring-only head (no scikit-learn needed to score)."""
        return FrozenTextHead(
            classes_=self.head_.classes_,
            idf_=self.idf_,
            coef_=self.head_.coef_,
            intercept_=self.head_.intercept_,
            temperature_=self.head_.temperature_,
            decision_weights_=self.head_.decision_weights_,
            params=(self.C, self.n_folds, self.random_state),
        )

    def to_arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        nonzero = np.flatnonzero(self.idf_)
        return {
            f"{prefix}idf_index": nonzero.astype(np.int32),
            f"{prefix}idf_value": self.idf_[nonzero].astype(np.float16),
            **self.head_.to_arrays(prefix),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]], prefix: str) -> TextHead:
        head = LinearHead.from_arrays(arrays, prefix)
        text_head = cls(C=head.C, n_folds=head.n_folds, random_state=head.random_state)
        idf = np.zeros(WORD_FEATURES + CHAR_FEATURES)
        idf[arrays[f"{prefix}idf_index"]] = arrays[f"{prefix}idf_value"].astype(np.float64)
        text_head.idf_ = idf
        text_head.head_ = head
        text_head.classes_ = head.classes_
        return text_head
