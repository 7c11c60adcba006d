"""The shipped model on the four texts that opened issue 12, offline, through the default route."""

from __future__ import annotations

import pandas as pd
import pytest

from tocsin.speech import SpeechClassifier, UseEmbedder, load_default_classifier, load_suite


@pytest.fixture(scope="module")
def shipped() -> SpeechClassifier:
    return load_default_classifier()


@pytest.fixture(scope="module")
def embedder() -> UseEmbedder:
    return UseEmbedder()


def _score(classifier: SpeechClassifier, embedder: UseEmbedder, text: str) -> pd.Series:
    return classifier.score([text], embedder=embedder).iloc[0]


def test_a_positive_mention_of_gay_neighbours_is_not_flagged(
    shipped: SpeechClassifier, embedder: UseEmbedder
) -> None:
    row = _score(shipped, embedder, "I love my gay neighbours")
    assert not row["is_flagged"]
    assert row["label"] != "hateful"


def test_quoted_and_denounced_hate_is_counter_speech_not_a_flag(
    shipped: SpeechClassifier, embedder: UseEmbedder
) -> None:
    row = _score(shipped, embedder, 'Saying "kill all Muslims" is disgusting and wrong')
    assert not row["is_flagged"]
    assert row["label"] != "hateful"  # withheld as counter-speech, so never labelled hateful
    assert row["counter_speech"] >= shipped.thresholds["counter_speech"]


def test_extermination_with_machetes_is_flagged_as_violence(
    shipped: SpeechClassifier, embedder: UseEmbedder
) -> None:
    row = _score(shipped, embedder, "exterminate these invaders; take your machetes")
    assert row["is_flagged"]
    assert row["violence"] >= shipped.thresholds["violence"]


def test_french_incitement_against_the_peuls_is_flagged(
    shipped: SpeechClassifier, embedder: UseEmbedder
) -> None:
    text = (
        "Les Peuls sont des étrangers qui volent nos terres en Centrafrique : "
        "prenez vos armes et chassez-les de nos villages avant qu'il soit trop tard."
    )
    row = _score(shipped, embedder, text)
    assert row["is_flagged"]
    assert row["violence"] >= shipped.thresholds["violence"]


def test_shipped_model_is_small_versioned_and_routes(
    shipped: SpeechClassifier, embedder: UseEmbedder
) -> None:
    assert shipped.has_fast_path
    assert shipped.card_["version"].startswith("speech-classifier@")
    assert set(shipped.card_["rows"]["train"]) >= {"suite"}
    texts = load_suite().query("split == 'test'")["text"].head(40).tolist()
    scores = shipped.score(texts, embedder=embedder)
    assert set(scores["stage"]) <= {"fast", "embedding"}
    assert (scores["stage"] == "embedding").any()
