"""Batch scoring as a function over partitions (pandas now, Dask unchanged).

``score_partition`` takes one frame and returns one frame with the same index, so
``dask_frame.map_partitions(score_partition, classifier=c, meta=score_meta(dask_frame._meta))``
runs it on Dask without changes; the CLI calls it on chunks of a file.
"""

from __future__ import annotations

import pandas as pd

from tocsin.speech._classifier import SCORE_COLUMNS, SpeechClassifier
from tocsin.speech._embed import Embedder

__all__ = ["score_meta", "score_partition"]


def score_partition(
    frame: pd.DataFrame,
    classifier: SpeechClassifier,
    *,
    text_column: str = "text",
    embedder: Embedder | None = None,
    route: str = "auto",
    keep_text: bool = False,
) -> pd.DataFrame:
    """The partition's columns (text dropped unless ``keep_text``) followed by the scores.

    Examples
    --------
    >>> from tocsin.speech import load_default_classifier
    >>> part = pd.DataFrame({"id": [7], "text": ["Refugees are welcome here."]}, index=[3])
    >>> scored = score_partition(part, load_default_classifier(), route="fast")
    >>> list(scored.index), bool(scored.loc[3, "is_flagged"])
    ([3], False)
    """
    texts = frame[text_column].fillna("").astype(str).tolist()
    languages = frame["language"].tolist() if "language" in frame.columns else None
    scores = classifier.score(texts, languages=languages, embedder=embedder, route=route)
    scores.index = frame.index
    kept = frame if keep_text else frame.drop(columns=[text_column])
    kept = kept.drop(columns=[c for c in SCORE_COLUMNS if c in kept.columns])
    return pd.concat([kept, scores], axis=1)


def score_meta(frame: pd.DataFrame, *, text_column: str = "text") -> pd.DataFrame:
    """An empty frame with the columns and dtypes :func:`score_partition` returns."""
    kept = frame.drop(columns=[text_column, *[c for c in SCORE_COLUMNS if c in frame.columns]])
    empty = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in SCORE_COLUMNS.items()})
    return pd.concat([kept.iloc[:0], empty], axis=1)
