"""Hashed word and character n-gram features, and a fitted TF-IDF head that scores them.

This module is what scoring needs of the fast path, and it imports only NumPy and
``mmh3``. It reproduces scikit-learn's ``HashingVectorizer`` (word 1–2-grams with the
default token pattern, ``char_wb`` 2–5-grams, MurmurHash3 x86 32-bit with seed 0,
``alternate_sign=False``) instead of calling it because importing scikit-learn costs about
a second of start-up (it loads SciPy's statistics), and `tocsin speech score` on ten texts
must answer in under three seconds (issue 12). ``tests/speech/test_hashing.py`` holds the
two equal, feature for feature, on text in every suite language. Training still uses
scikit-learn for the fits (:mod:`tocsin.speech._heads`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mmh3
import numpy as np
from numpy.typing import NDArray

__all__ = ["CHAR_FEATURES", "WORD_FEATURES", "FrozenTextHead", "HashedRows", "hashed_rows"]

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18

# scikit-learn's default ``token_pattern`` and its white-space normalisation for char_wb.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACE = re.compile(r"\s\s+")
_INT32_MIN = -(2**31)

# n-grams repeat across texts (character n-grams above all), so each one is hashed once per
# process; a dictionary look-up is several times cheaper than a call into MurmurHash from
# Python. Bounded so a long bulk run does not grow without end.
_WORD_BUCKETS: dict[str, int] = {}
_CHAR_BUCKETS: dict[str, int] = {}
_MAX_REMEMBERED = 2_000_000


@dataclass(frozen=True)
class HashedRows:
    """A sparse row matrix in CSR layout (``indptr``, ``indices``, ``data``), NumPy only."""

    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]
    data: NDArray[np.float64]
    n_features: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def weighted(self, idf: NDArray[np.float64]) -> HashedRows:
        """TF × IDF, each row scaled to unit L2 norm (an all-zero row stays zero)."""
        values = self.data * idf[self.indices]
        lengths = np.diff(self.indptr)
        filled = lengths > 0
        norms = np.ones(self.n_rows)
        if filled.any():
            # reduceat over the non-empty rows only: an empty row's start is not a segment
            norms[filled] = np.sqrt(np.add.reduceat(values**2, self.indptr[:-1][filled]))
        norms[norms == 0] = 1.0
        scaled = values / np.repeat(norms, lengths)
        return HashedRows(self.indptr, self.indices, scaled, self.n_features)

    def times_transpose(self, coef: NDArray[np.float64]) -> NDArray[np.float64]:
        """``self @ coef.T`` for a dense ``coef`` of shape (k, n_features): shape (n, k)."""
        result = np.zeros((self.n_rows, coef.shape[0]))
        if not len(self.data):
            return result
        contributions = coef[:, self.indices] * self.data
        lengths = np.diff(self.indptr)
        filled = lengths > 0
        result[filled] = np.add.reduceat(contributions, self.indptr[:-1][filled], axis=1).T
        return result

    def to_csr(self) -> Any:
        """The same matrix as a SciPy CSR matrix (for training)."""
        from scipy import sparse  # type: ignore[import-untyped]

        return sparse.csr_matrix(
            (self.data, self.indices, self.indptr), shape=(self.n_rows, self.n_features)
        )


def _bucket(feature: str, n_features: int) -> int:
    h = mmh3.hash(feature.encode("utf-8"), 0, signed=True)
    if h == _INT32_MIN:  # as scikit-learn defines abs(-2**31) % n_features
        return (2**31 - 1 - (n_features - 1)) % n_features
    return abs(h) % n_features


def _word_features(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _char_wb_features(text: str) -> list[str]:
    grams: list[str] = []
    for word in _WHITE_SPACE.sub(" ", text).split():
        padded = f" {word} "
        for n in range(2, 6):
            if len(padded) <= n:  # a word this short counts once, whole, as in scikit-learn
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def hashed_rows(texts: Sequence[str]) -> HashedRows:
    """Word 1–2-gram and character 2–5-gram counts, hashed, with sublinear TF (1 + log n).

    Columns ``[0, WORD_FEATURES)`` are words, the next ``CHAR_FEATURES`` characters; each
    row's columns are sorted.

    >>> rows = hashed_rows(["kill them", ""])
    >>> rows.n_rows, int(np.diff(rows.indptr)[1])
    (2, 0)
    """
    indptr = [0]
    all_indices: list[NDArray[np.int64]] = []
    all_counts: list[NDArray[np.int64]] = []
    if len(_WORD_BUCKETS) + len(_CHAR_BUCKETS) > _MAX_REMEMBERED:
        _WORD_BUCKETS.clear()
        _CHAR_BUCKETS.clear()
    words, chars = _WORD_BUCKETS, _CHAR_BUCKETS
    for text in texts:
        buckets = []
        for feature in _word_features(text):
            bucket = words.get(feature)
            if bucket is None:
                bucket = words[feature] = _bucket(feature, WORD_FEATURES)
            buckets.append(bucket)
        for feature in _char_wb_features(text):
            bucket = chars.get(feature)
            if bucket is None:
                bucket = chars[feature] = WORD_FEATURES + _bucket(feature, CHAR_FEATURES)
            buckets.append(bucket)
        columns, counts = np.unique(np.array(buckets, dtype=np.int64), return_counts=True)
        all_indices.append(columns)
        all_counts.append(counts)
        indptr.append(indptr[-1] + len(columns))
    indices = np.concatenate(all_indices) if all_indices else np.zeros(0, dtype=np.int64)
    counts = np.concatenate(all_counts) if all_counts else np.zeros(0, dtype=np.int64)
    return HashedRows(
        np.array(indptr, dtype=np.int64),
        indices.astype(np.int64),
        1.0 + np.log(counts.astype(np.float64)),
        WORD_FEATURES + CHAR_FEATURES,
    )


def _softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return result


@dataclass
class FrozenTextHead:
    """A fitted TF-IDF head for scoring only: the arrays of a trained ``TextHead``.

    ``predict_proba`` gives the same calibrated probabilities as the ``TextHead`` it came
    from (``TextHead.freeze``), without scikit-learn or SciPy.
    """

    classes_: NDArray[Any]
    idf_: NDArray[np.float64]
    coef_: NDArray[np.float64]
    intercept_: NDArray[np.float64]
    temperature_: float
    decision_weights_: NDArray[np.float64]
    params: tuple[float, int, int] = (4.0, 5, 42)

    def proba_of_rows(self, counts: HashedRows) -> NDArray[np.float64]:
        """Probabilities from :func:`hashed_rows` counts (computed once for every head)."""
        raw = counts.weighted(self.idf_).times_transpose(self.coef_) + self.intercept_
        logits = np.column_stack([np.zeros(len(raw)), raw[:, 0]]) if raw.shape[1] == 1 else raw
        return _softmax(logits / self.temperature_)

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        return self.proba_of_rows(hashed_rows(texts))

    def predict(self, texts: Sequence[str]) -> NDArray[Any]:
        weighted = self.predict_proba(texts) * self.decision_weights_
        labels: NDArray[Any] = self.classes_[weighted.argmax(1)]
        return labels

    def to_arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        """Named arrays (coefficients and IDF stored sparse, as float16)."""
        nonzero = np.flatnonzero(self.coef_)
        idf_nonzero = np.flatnonzero(self.idf_)
        return {
            f"{prefix}idf_index": idf_nonzero.astype(np.int32),
            f"{prefix}idf_value": self.idf_[idf_nonzero].astype(np.float16),
            f"{prefix}classes": self.classes_,
            f"{prefix}coef_shape": np.array(self.coef_.shape),
            f"{prefix}coef_index": nonzero.astype(np.int32),
            f"{prefix}coef_value": self.coef_.ravel()[nonzero].astype(np.float16),
            f"{prefix}intercept": self.intercept_,
            f"{prefix}params": np.array(self.params),
            f"{prefix}temperature": np.array([self.temperature_]),
            f"{prefix}decision_weights": self.decision_weights_,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, NDArray[Any]], prefix: str) -> FrozenTextHead:
        """Rebuild a head saved with :meth:`to_arrays` (or ``TextHead.to_arrays``)."""
        shape = tuple(int(v) for v in arrays[f"{prefix}coef_shape"])
        coef = np.zeros(int(np.prod(shape)))
        coef[arrays[f"{prefix}coef_index"]] = arrays[f"{prefix}coef_value"].astype(np.float64)
        idf = np.zeros(WORD_FEATURES + CHAR_FEATURES)
        idf[arrays[f"{prefix}idf_index"]] = arrays[f"{prefix}idf_value"].astype(np.float64)
        C, n_folds, seed = arrays[f"{prefix}params"]
        return cls(
            classes_=arrays[f"{prefix}classes"],
            idf_=idf,
            coef_=coef.reshape(shape),
            intercept_=arrays[f"{prefix}intercept"].astype(np.float64),
            temperature_=float(arrays[f"{prefix}temperature"][0]),
            decision_weights_=arrays[f"{prefix}decision_weights"].astype(np.float64),
            params=(float(C), int(n_folds), int(seed)),
        )
