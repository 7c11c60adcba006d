"""Accuracy measures for rare-event forecasts: ranking, discrimination and calibration.

All functions take plain arrays (0/1 outcomes, probabilities, ranks) and return floats,
so the backtest, the benchmarks and the tests share one definition of every number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "CalibrationBin",
    "brier_score",
    "calibration_table",
    "catch_curve",
    "pr_auc",
    "roc_auc",
]

FloatArray = npt.NDArray[np.float64]


def _pair(outcome: npt.ArrayLike, score: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(outcome, dtype=float)
    s = np.asarray(score, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"outcome and score must be 1-D and the same length: {y.shape}, {s.shape}")
    keep = ~(np.isnan(y) | np.isnan(s))
    return y[keep], s[keep]


def roc_auc(outcome: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the ROC curve; ties count one half (the Mann–Whitney statistic).

    Rows where either value is missing are left out, as R's ``pROC::roc`` does.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, s = _pair(outcome, score)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(s.size)
    sorted_scores = s[order]
    # average ranks for ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    rank_sum = ranks[y == 1].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def pr_auc(outcome: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Area under the precision–recall curve as average precision (step interpolation).

    Examples
    --------
    >>> round(pr_auc([0, 1, 0, 1], [0.1, 0.9, 0.8, 0.3]), 4)
    0.8333
    """
    y, s = _pair(outcome, score)
    n_pos = y.sum()
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    y_sorted, s_sorted = y[order], s[order]
    # group tied scores: precision and recall are taken at the end of each tie block
    last = np.r_[np.diff(s_sorted) != 0, True]
    true_pos = np.cumsum(y_sorted)[last]
    seen = (np.arange(y.size) + 1)[last]
    precision = true_pos / seen
    recall = true_pos / n_pos
    recall_steps = np.diff(np.r_[0.0, recall])
    return float(np.sum(recall_steps * precision))


def brier_score(outcome: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    """Mean squared difference between the probability and the 0/1 outcome.

    Examples
    --------
    >>> brier_score([0, 1], [0.2, 0.6])
    0.1
    """
    y, p = _pair(outcome, probability)
    if y.size == 0:
        return float("nan")
    return float(np.round(np.mean((p - y) ** 2), 15))


@dataclass(frozen=True)
class CalibrationBin:
    """One bin of a reliability table: forecasts in ``[low, high)``."""

    low: float
    high: float
    n: int
    mean_forecast: float
    observed_rate: float


DEFAULT_EDGES = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 1.0000001)


def calibration_table(
    outcome: npt.ArrayLike,
    probability: npt.ArrayLike,
    edges: tuple[float, ...] = DEFAULT_EDGES,
) -> list[CalibrationBin]:
    """Reliability table: mean forecast against observed frequency in each probability bin.

    The default edges double from 1 % because onsets are rare and most forecasts are small.

    Examples
    --------
    >>> table = calibration_table([0, 0, 1, 0], [0.005, 0.03, 0.5, 0.5])
    >>> [(b.n, b.observed_rate) for b in table]
    [(1, 0.0), (1, 0.0), (2, 0.5)]
    """
    y, p = _pair(outcome, probability)
    bins: list[CalibrationBin] = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (p >= low) & (p < high)
        if inside.any():
            bins.append(
                CalibrationBin(
                    low=low,
                    high=min(high, 1.0),
                    n=int(inside.sum()),
                    mean_forecast=float(p[inside].mean()),
                    observed_rate=float(y[inside].mean()),
                )
            )
    return bins


def catch_curve(onset_ranks: npt.ArrayLike, max_rank: int = 168) -> FloatArray:
    """Share of onsets whose (best) rank is at most k, for k = 1 … ``max_rank``.

    Examples
    --------
    >>> catch_curve([1, 3, 40], max_rank=4).tolist()
    [0.3333333333333333, 0.3333333333333333, 0.6666666666666666, 0.6666666666666666]
    """
    ranks = np.asarray(onset_ranks, dtype=float)
    cutoffs = np.arange(1, max_rank + 1)
    if ranks.size == 0:
        return np.full(cutoffs.size, np.nan)
    return np.asarray((ranks[None, :] <= cutoffs[:, None]).mean(axis=1), dtype=float)
