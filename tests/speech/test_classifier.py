"""The speech classifier: fitting, routing, combining with cues, saving, the shipped model."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tocsin.speech import (
    SCORE_COLUMNS,
    SpeechClassifier,
    classifier_bytes,
    evaluate_cases,
    load_cases,
    load_classifier,
    load_default_classifier,
)


class HashEmbedder:
    """A deterministic stand-in for the sentence encoder: a hashed bag of words."""

    name = "hash-test"

    def __init__(self) -> None:
        self.n_calls = 0
        self.n_texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.n_calls += 1
        self.n_texts += len(texts)
        out = np.zeros((len(texts), 32), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.md5(word.encode()).digest()
                out[row, digest[0] % 32] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def _toy() -> tuple[list[str], list[str], list[str], list[str]]:
    hate = (
        [f"those people are filth number {i}" for i in range(20)]
        + [f"damn this stupid traffic {i}" for i in range(60)]
        + [f"lovely weather in town {i}" for i in range(40)]
    )
    hate_labels = ["hateful"] * 20 + ["offensive"] * 60 + ["neither"] * 40
    violence = [f"wir sollten sie schlagen {i}" for i in range(20)] + [
        f"schönes wetter heute {i}" for i in range(100)
    ]
    violence_labels = ["violence"] * 20 + ["none"] * 100
    return hate, hate_labels, violence, violence_labels


@pytest.fixture(scope="module")
def toy_classifier() -> SpeechClassifier:
    hate, hate_labels, violence, violence_labels = _toy()
    embedder = HashEmbedder()
    return SpeechClassifier(n_folds=2).fit(
        hate,
        hate_labels,
        violence,
        violence_labels,
        hate_embeddings=embedder.embed(hate),
        violence_embeddings=embedder.embed(violence),
    )


def test_scores_have_every_column_and_sum_to_one(toy_classifier: SpeechClassifier) -> None:
    scores = toy_classifier.score(
        ["lovely weather", "those people are filth"], languages=["en", "en"]
    )
    assert list(scores.columns) == list(SCORE_COLUMNS)
    total = scores[["hateful", "offensive", "neither"]].sum(axis=1)
    assert np.allclose(total, 1.0)
    assert list(scores["label"]) == ["neither", "hateful"]
    assert list(scores["stage"]) == ["fast", "fast"]  # no embedder given


def test_other_languages_go_to_the_embedding_stage(toy_classifier: SpeechClassifier) -> None:
    embedder = HashEmbedder()
    scores = toy_classifier.score(
        ["lovely weather in town", "il fait beau"], languages=["en", "fr"], embedder=embedder
    )
    assert scores.loc[1, "stage"] == "embedding"
    assert embedder.n_texts >= 1
    everything = toy_classifier.score(
        ["a", "b"], languages=["en", "en"], embedder=embedder, route="embedding"
    )
    assert set(everything["stage"]) == {"embedding"}
    with pytest.raises(ValueError, match="route"):
        toy_classifier.score(["a"], route="slow")


def test_counter_speech_takes_weight_off_hate(toy_classifier: SpeechClassifier) -> None:
    scores = toy_classifier.score(
        ["Refugees are vermin.", "Calling refugees vermin is racist and wrong."],
        languages=["en", "en"],
    )
    assert scores.loc[0, "is_flagged"] and scores.loc[0, "dehumanisation"] >= 0.8
    assert not scores.loc[1, "is_flagged"]
    assert scores.loc[1, "hateful"] < scores.loc[0, "hateful"]
    assert scores.loc[0, "target_groups"] == "nationality_or_migrants"


def test_same_data_and_seed_give_the_same_model(toy_classifier: SpeechClassifier) -> None:
    hate, hate_labels, violence, violence_labels = _toy()
    embedder = HashEmbedder()
    again = SpeechClassifier(n_folds=2).fit(
        hate,
        hate_labels,
        violence,
        violence_labels,
        hate_embeddings=embedder.embed(hate),
        violence_embeddings=embedder.embed(violence),
    )
    assert classifier_bytes(again) == classifier_bytes(toy_classifier)


def test_saved_model_scores_like_the_original(
    toy_classifier: SpeechClassifier, tmp_path: Path
) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(classifier_bytes(toy_classifier))
    loaded = load_classifier(path)
    texts = ["those people are filth", "lovely weather"]
    a = toy_classifier.score(texts, languages=["en", "en"])
    b = loaded.score(texts, languages=["en", "en"])
    assert np.allclose(a["hateful"], b["hateful"], atol=1e-3)
    assert loaded.card_["version"].startswith("speech-classifier@")


def test_fit_refuses_unknown_labels() -> None:
    with pytest.raises(ValueError, match="hate labels"):
        SpeechClassifier().fit(["a", "b"], ["hate", "ok"], ["c", "d"], ["none", "violence"])


def test_shipped_model_loads_and_keeps_counter_speech_unflagged() -> None:
    classifier = load_default_classifier()
    assert classifier.hate_embedding_ is not None and classifier.violence_embedding_ is not None
    result = evaluate_cases(classifier, load_cases())  # fast path: no embedder in tests
    assert result["by_category"]["counter_speech"]["n"] >= 5
    assert result["counter_speech_false_flag_rate"] <= 0.2
    assert result["benign_false_flag_rate"] <= 0.2
    assert result["harmful_recall"] >= 0.8
