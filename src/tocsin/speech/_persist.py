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
from tocsin.speech._hashing import FrozenTextHead
from tocsin.speech._outputs import LogisticOutput

__all__ = ["DEFAULT_MODEL_FILE", "classifier_bytes", "load_classifier", "load_default_classifier"]

DEFAULT_MODEL_FILE = "speech_classifier.npz"
FORMAT_VERSION = 2


def classifier_bytes(classifier: SpeechClassifier) -> bytes:
    """The fitted classifier as the bytes of a compressed ``.npz`` archive."""
    arrays: dict[str, Any] = {}
    for name, output in classifier.outputs.items():
        arrays |= output.to_arrays(f"output.{name}.")
    if classifier.fast_hate is not None and classifier.fast_violence is not None:
        arrays |= classifier.fast_hate.to_arrays("fast_hate.")
        arrays |= classifier.fast_violence.to_arrays("fast_violence.")
    meta = {
        "format": FORMAT_VERSION,
        "outputs": sorted(classifier.outputs),
        "thresholds": classifier.thresholds,
        "stacked": classifier.stacked,
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
    outputs = {
        name: LogisticOutput.from_arrays(arrays, f"output.{name}.") for name in meta["outputs"]
    }
    has_fast = any(name.startswith("fast_hate.") for name in arrays)
    card = dict(meta["card"])
    card["sha256"] = hashlib.sha256(data).hexdigest()
    card["version"] = f"speech-classifier@{card['sha256'][:12]}"
    return SpeechClassifier(
        outputs,
        {k: float(v) for k, v in meta["thresholds"].items()},
        fast_hate=FrozenTextHead.from_arrays(arrays, "fast_hate.") if has_fast else None,
        fast_violence=FrozenTextHead.from_arrays(arrays, "fast_violence.") if has_fast else None,
        stacked=bool(meta.get("stacked", False)),
        card=card,
    )


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
