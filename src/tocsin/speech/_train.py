"""Training the shipped classifier from the two corpora (reproducible: same data, same seed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.speech._classifier import SpeechClassifier
from tocsin.speech._corpora import davidson_holdout

__all__ = ["train_classifier"]


def train_classifier(
    davidson: pd.DataFrame,
    germeval: pd.DataFrame,
    *,
    davidson_embeddings: NDArray[np.float32] | None = None,
    germeval_embeddings: NDArray[np.float32] | None = None,
    random_state: int = 42,
    data_card: dict[str, Any] | None = None,
    **params: Any,
) -> SpeechClassifier:
    """Fit a :class:`SpeechClassifier` on Davidson's training part and all of GermEval.

    Davidson's stratified 10 % hold-out (seed 42) is left out, so the shipped model can be
    evaluated on it. Embeddings, when given, must be row-aligned with the frames; without
    them the classifier has only its fast path.
    """
    train, held_out = davidson_holdout(davidson["class_code"])
    hate_embeddings = davidson_embeddings[train] if davidson_embeddings is not None else None
    classifier = SpeechClassifier(random_state=random_state, **params).fit(
        davidson["text"].iloc[train].tolist(),
        davidson["label"].iloc[train].tolist(),
        germeval["text"].tolist(),
        germeval["label"].tolist(),
        hate_embeddings=hate_embeddings,
        violence_embeddings=germeval_embeddings,
    )
    classifier.card_ = {
        "data": data_card or {},
        "random_state": random_state,
        "davidson_train_rows": int(len(train)),
        "davidson_holdout_rows": int(len(held_out)),
        "davidson_holdout": "train_test_split(test_size=0.1, random_state=42, stratify=class)",
        "germeval_rows": int(len(germeval)),
        "embedding_stage": davidson_embeddings is not None,
    }
    return classifier
