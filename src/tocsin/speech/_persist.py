"""Saving and loading a fitted classifier as one compressed NumPy archive (no pickle)."""

from __future__ import annotations

import hashlib
import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from tocsin.errors import TocsinError
from tocsin.speech._classifier import SpeechClassifier
from tocsin.speech._heads import LinearHead, TextHead

__all__ = ["DEFAULT_MODEL_FILE", "classifier_bytes", "load_classifier", "load_default_classifier"]

DEFAULT_MODEL_FILE = "speech_classifier.npz"
FORMAT_VERSION = 1


def classifier_bytes(classifier: SpeechClassifier) -> bytes:
    """The fitted classifier as the bytes of a compressed ``.npz`` archive."""
    arrays: dict[str, Any] = {}
    arrays |= classifier.hate_text_.to_arrays("hate_text.")
    arrays |= classifier.violence_text_.to_arrays("violence_text.")
    if classifier.hate_embedding_ is not None:
        arrays |= classifier.hate_embedding_.to_arrays("hate_embedding.")
    if classifier.violence_embedding_ is not None:
        arrays |= classifier.violence_embedding_.to_arrays("violence_embedding.")
    meta = {
        "format": FORMAT_VERSION,
        "params": {
            "text_C": classifier.text_C,
            "embedding_C": classifier.embedding_C,
            "n_folds": classifier.n_folds,
            "random_state": classifier.random_state,
            "uncertain_band": list(classifier.uncertain_band),
        },
        "hate_language": classifier.hate_language_,
        "violence_language": classifier.violence_language_,
        "card": classifier.card_,
    }
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _from_bytes(data: bytes, origin: str) -> SpeechClassifier:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError) as error:
        raise TocsinError(
            f"{origin}: not a Tocsin speech classifier ({error})",
            fix="retrain it with `tocsin speech train`",
        ) from error
    if meta.get("format") != FORMAT_VERSION:
        raise TocsinError(
            f"{origin}: classifier format {meta.get('format')}, this Tocsin reads {FORMAT_VERSION}",
            fix="retrain it with `tocsin speech train`",
        )
    params = meta["params"]
    classifier = SpeechClassifier(
        text_C=params["text_C"],
        embedding_C=params["embedding_C"],
        n_folds=params["n_folds"],
        random_state=params["random_state"],
        uncertain_band=tuple(params["uncertain_band"]),
    )
    classifier.hate_text_ = TextHead.from_arrays(arrays, "hate_text.")
    classifier.violence_text_ = TextHead.from_arrays(arrays, "violence_text.")
    has = {name.split(".")[0] for name in arrays}
    classifier.hate_embedding_ = (
        LinearHead.from_arrays(arrays, "hate_embedding.") if "hate_embedding" in has else None
    )
    classifier.violence_embedding_ = (
        LinearHead.from_arrays(arrays, "violence_embedding.")
        if "violence_embedding" in has
        else None
    )
    classifier.hate_language_ = meta["hate_language"]
    classifier.violence_language_ = meta["violence_language"]
    classifier.card_ = dict(meta["card"])
    classifier.card_["sha256"] = hashlib.sha256(data).hexdigest()
    classifier.card_["version"] = f"speech-classifier@{classifier.card_['sha256'][:12]}"
    return classifier


def load_classifier(path: Path) -> SpeechClassifier:
    """Load a classifier saved by ``tocsin speech train --output``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TocsinError(f"cannot read {path}: {error.strerror}", fix="check the path") from error
    return _from_bytes(data, str(path))


def load_default_classifier() -> SpeechClassifier:
    """The classifier shipped inside the package (trained by ``tocsin speech train``)."""
    resource = resources.files("tocsin.speech").joinpath("model", DEFAULT_MODEL_FILE)
    if not resource.is_file():
        raise TocsinError(
            "the packaged speech classifier is missing",
            fix="run `tocsin speech train` on a developer machine, or reinstall Tocsin",
        )
    return _from_bytes(resource.read_bytes(), f"tocsin/speech/model/{DEFAULT_MODEL_FILE}")
