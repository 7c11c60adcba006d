"""Calibrated logistic outputs over sentence embeddings, and decision thresholds.

Each output of the classifier (hateful / offensive / neither, violence, dehumanisation,
counter-speech, one per target-group category) is a logistic regression on the frozen
multilingual sentence embedding. Its probabilities are calibrated on the validation split
(Platt scaling for a yes/no output, a temperature for the three-way output), and its
decision threshold is chosen on the same validation split; nothing is chosen on test data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tocsin.speech._hashing import _softmax

__all__ = [
    "LogisticOutput",
    "best_threshold",
    "f1_score",
    "fit_logistic_output",
    "macro_f1",
]


def _sigmoid(z: NDArray[np.float64]) -> NDArray[np.float64]:
    result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
    return result


@dataclass
class LogisticOutput:
    """One fitted output: linear logits, then a calibration fitted on validation data.

    For a yes/no output ``classes`` is ``("no", "yes")``, ``coef`` has one row and the
    probability of yes is ``sigmoid(scale * z + shift)``. For a multi-class output the
    probabilities are ``softmax(scale * z)`` (``scale`` is one over the temperature).
    """

    classes: tuple[str, ...]
    coef: NDArray[np.float32]
    intercept: NDArray[np.float64]
    scale: float = 1.0
    shift: float = 0.0
    hidden_coef: NDArray[np.float32] | None = None  # (d, h): a ReLU layer before the logits
    hidden_intercept: NDArray[np.float32] | None = None

    @property
    def is_binary(self) -> bool:
        return len(self.classes) == 2 and self.coef.shape[0] == 1

    def logits(self, X: NDArray[Any]) -> NDArray[np.float64]:
        inputs = np.asarray(X, dtype=np.float32)
        if self.hidden_coef is not None and self.hidden_intercept is not None:
            inputs = np.maximum(inputs @ self.hidden_coef + self.hidden_intercept, 0.0)
        raw: NDArray[np.float64] = (inputs @ self.coef.T).astype(np.float64) + self.intercept
        return raw

    def proba(self, X: NDArray[Any]) -> NDArray[np.float64]:
        """Probability of "yes" (binary, shape (n,)) or of each class (shape (n, k))."""
        z = self.logits(X)
        if self.is_binary:
            return _sigmoid(self.scale * z[:, 0] + self.shift)
        return _softmax(self.scale * z)

    def calibrate(self, X: NDArray[Any], y: NDArray[Any]) -> LogisticOutput:
        """Fit the calibration on held-out rows (``y``: booleans, or class labels)."""
        from scipy import optimize  # type: ignore[import-untyped]  # training only

        z = self.logits(X)
        if self.is_binary:
            truth = np.asarray(y, dtype=float)

            def binary_loss(params: NDArray[np.float64]) -> float:
                p = np.clip(_sigmoid(params[0] * z[:, 0] + params[1]), 1e-9, 1 - 1e-9)
                return float(-np.mean(truth * np.log(p) + (1 - truth) * np.log(1 - p)))

            result = optimize.minimize(binary_loss, np.array([1.0, 0.0]), method="Nelder-Mead")
            self.scale, self.shift = float(result.x[0]), float(result.x[1])
            return self
        index = np.searchsorted(np.asarray(self.classes), np.asarray(y))

        def multi_loss(log_scale: float) -> float:
            p = _softmax(np.exp(log_scale) * z)
            return float(-np.log(np.clip(p[np.arange(len(index)), index], 1e-12, 1)).mean())

        found = optimize.minimize_scalar(multi_loss, bounds=(-3.0, 3.0), method="bounded")
        self.scale = float(np.exp(found.x))
        return self

    def to_arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        arrays = {
            f"{prefix}classes": np.array(self.classes),
            f"{prefix}coef": self.coef.astype(np.float32),
            f"{prefix}intercept": self.intercept.astype(np.float64),
            f"{prefix}calibration": np.array([self.scale, self.shift]),
        }
        if self.hidden_coef is not None and self.hidden_intercept is not None:
            arrays[f"{prefix}hidden_coef"] = self.hidden_coef.astype(np.float32)
            arrays[f"{prefix}hidden_intercept"] = self.hidden_intercept.astype(np.float32)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]], prefix: str) -> LogisticOutput:
        scale, shift = arrays[f"{prefix}calibration"]
        hidden = arrays.get(f"{prefix}hidden_coef")
        hidden_intercept = arrays.get(f"{prefix}hidden_intercept")
        return cls(
            classes=tuple(str(c) for c in arrays[f"{prefix}classes"]),
            coef=arrays[f"{prefix}coef"].astype(np.float32),
            intercept=arrays[f"{prefix}intercept"].astype(np.float64),
            scale=float(scale),
            shift=float(shift),
            hidden_coef=None if hidden is None else hidden.astype(np.float32),
            hidden_intercept=None
            if hidden_intercept is None
            else hidden_intercept.astype(np.float32),
        )


def fit_logistic_output(
    X: NDArray[Any],
    y: NDArray[Any],
    *,
    C: float,
    sample_weight: NDArray[np.float64] | None = None,
    binary: bool = False,
    hidden: int = 0,
    random_state: int = 42,
) -> LogisticOutput:
    """A logistic regression (L2, lbfgs) on ``X``; ``binary`` for a yes/no output.

    With ``hidden`` > 0, a one-hidden-layer ReLU network (scikit-learn's MLPClassifier,
    L2 ``alpha = 0.01 / C``, early stopping on 10 % of the training rows) instead.
    """
    target = np.asarray(y, dtype=bool).astype(int) if binary else np.asarray(y).astype(str)
    if hidden:
        return _fit_network(X, target, C, sample_weight, binary, hidden, random_state)
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(X, target, sample_weight=sample_weight)
    classes = ("no", "yes") if binary else tuple(str(c) for c in model.classes_)
    return LogisticOutput(
        classes=classes,
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float64),
    )


def _fit_network(
    X: NDArray[Any],
    target: NDArray[Any],
    C: float,
    sample_weight: NDArray[np.float64] | None,
    binary: bool,
    hidden: int,
    random_state: int,
) -> LogisticOutput:
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        alpha=0.01 / C,
        early_stopping=True,
        max_iter=40,
        random_state=random_state,
    )
    model.fit(X, target, sample_weight=sample_weight)
    classes = ("no", "yes") if binary else tuple(str(c) for c in model.classes_)
    return LogisticOutput(
        classes=classes,
        coef=model.coefs_[1].T.astype(np.float32),
        intercept=model.intercepts_[1].astype(np.float64),
        hidden_coef=model.coefs_[0].astype(np.float32),
        hidden_intercept=model.intercepts_[0].astype(np.float32),
    )


def f1_score(truth: NDArray[np.bool_], predicted: NDArray[np.bool_]) -> float:
    """F1 of the positive class (0 when nothing is predicted or present).

    Examples
    --------
    >>> f1_score(np.array([True, False, True]), np.array([True, True, False]))
    0.5
    """
    tp = float(np.sum(truth & predicted))
    denominator = float(np.sum(truth) + np.sum(predicted))
    return 2 * tp / denominator if denominator else 0.0


def macro_f1(truth: Sequence[str] | NDArray[Any], predicted: NDArray[Any]) -> float:
    """Mean F1 over the classes present in ``truth``."""
    values = np.asarray(truth)
    return float(np.mean([f1_score(values == c, predicted == c) for c in np.unique(values)]))


def best_threshold(
    objective: Callable[[float], float], grid: NDArray[np.float64] | None = None
) -> float:
    """The grid value with the best objective (the lowest such value on ties)."""
    values = np.round(np.arange(0.05, 0.951, 0.01), 2) if grid is None else grid
    scores = [objective(float(t)) for t in values]
    return float(values[int(np.argmax(scores))])
