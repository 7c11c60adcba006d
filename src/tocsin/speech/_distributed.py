"""Batch speech scoring on Dask: :func:`~tocsin.speech.score_partition` over chunks.

The frame is cut into chunks of ``chunk_size`` rows, each scored by one Dask task, and
the scored chunks are put back together in order: the same frame
:func:`~tocsin.speech.score_partition` gives on the whole (the classifier scores each text
on its own). Where the tasks run is the ``scheduler`` of
:func:`tocsin.events.dask_scheduler`: threads here by default, or a ``dask.distributed``
cluster at ``tcp://host:8786``.

The classifier travels once per worker, not once per chunk; with ``classifier=None`` each
worker loads the packaged one itself (nothing to send). The embedding model is never sent:
with ``embed=True`` each worker process loads its own on first use.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from tocsin.speech._batch import score_meta, score_partition
from tocsin.speech._classifier import SpeechClassifier
from tocsin.speech._embed import UseEmbedder

if TYPE_CHECKING:
    from distributed import Client


@cache
def _packaged_classifier() -> SpeechClassifier:
    from tocsin.speech._persist import load_default_classifier

    return load_default_classifier()


@cache
def _worker_embedder() -> UseEmbedder:
    return UseEmbedder()


def _score_chunk(
    frame: pd.DataFrame,
    classifier: SpeechClassifier | None,
    text_column: str,
    route: str,
    embed: bool,
    keep_text: bool,
) -> pd.DataFrame:
    return score_partition(
        frame,
        _packaged_classifier() if classifier is None else classifier,
        text_column=text_column,
        embedder=_worker_embedder() if embed else None,
        route=route,
        keep_text=keep_text,
    )


def score_on_dask(
    frame: pd.DataFrame,
    classifier: SpeechClassifier | None = None,
    *,
    scheduler: str | Client | None = None,
    chunk_size: int = 1000,
    text_column: str = "text",
    route: str = "auto",
    embed: bool = False,
    keep_text: bool = False,
) -> pd.DataFrame:
    """Score every text of ``frame`` in Dask tasks of ``chunk_size`` rows.

    ``route`` and ``keep_text`` are :func:`~tocsin.speech.score_partition`'s; ``embed``
    gives each worker the multilingual embedding model (without it every text stays on
    the fast path). Returns the columns and index :func:`~tocsin.speech.score_partition`
    returns for the whole frame.

    Examples
    --------
    >>> part = pd.DataFrame({"id": [1, 2], "text": ["Welcome, neighbours.", "Good day."]})
    >>> scored = score_on_dask(part, route="fast", chunk_size=1, scheduler="sync")
    >>> scored["id"].tolist(), scored["is_flagged"].tolist()
    ([1, 2], [False, False])
    """
    from tocsin.events import dask_scheduler, require_dask

    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    dask = require_dask()
    if frame.empty:
        return score_meta(frame, text_column=text_column)
    task = dask.delayed(_score_chunk, pure=True)
    with dask_scheduler(scheduler) as runner:
        shared = None if classifier is None else runner.share(classifier)
        tasks = [
            task(
                frame.iloc[start : start + chunk_size], shared, text_column, route, embed, keep_text
            )
            for start in range(0, len(frame), chunk_size)
        ]
        scored: list[pd.DataFrame] = runner.compute(tasks)
    return pd.concat(scored)
