"""The speech classifier: training on the suite, thresholds, routes, saving, the shipped model."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tocsin.speech import (
    BINARY_OUTPUTS,
    HATE_CLASSES,
    SCORE_COLUMNS,
    LogisticOutput,
    SpeechClassifier,
    TrainingSettings,
    assemble_training_data,
    classifier_bytes,
    load_classifier,
    train_classifier,
)


class HashEmbedder:
    """A deterministic stand-in for the sentence encoder: a hashed bag of words."""

    name = "hash-test"

    def __init__(self) -> None:
        self.n_texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.n_texts += len(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, hashlib.md5(word.encode()).digest()[0] % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


SETTINGS = TrainingSettings(C=1.0, suite_weight=1.0, fast_C=1.0)


@pytest.fixture(scope="module")
def suite_frame() -> pd.DataFrame:
    return assemble_training_data(None)


@pytest.fixture(scope="module")
def toy(suite_frame: pd.DataFrame) -> SpeechClassifier:
    embeddings = HashEmbedder().embed(suite_frame["text"].tolist())
    return train_classifier(suite_frame, embeddings, SETTINGS)


def test_scores_have_every_column_and_three_way_probabilities_sum_to_one(
    toy: SpeechClassifier,
) -> None:
    embedder = HashEmbedder()
    texts = ["They are welcome here.", "Kill them all tonight."]
    for route in ("fast", "auto", "embedding"):
        scores = toy.score(texts, languages=["en", "en"], embedder=embedder, route=route)
        assert list(scores.columns) == list(SCORE_COLUMNS)
        assert np.allclose(scores[["hateful", "offensive", "neither"]].sum(axis=1), 1.0)
        assert set(scores["stage"]) <= {"fast", "embedding"}
    everything = toy.score(texts, languages=["en", "en"], embedder=embedder, route="embedding")
    assert set(everything["stage"]) == {"embedding"}
    assert set(toy.score(texts, languages=["en", "en"], route="fast")["stage"]) == {"fast"}
    with pytest.raises(ValueError, match="route"):
        toy.score(texts, route="slow")


def test_thresholds_are_chosen_for_every_output(toy: SpeechClassifier) -> None:
    wanted = {"hateful", "offensive", "counter_override", "route", *BINARY_OUTPUTS}
    assert wanted <= set(toy.thresholds)
    assert all(0.0 <= value <= 1.01 for value in toy.thresholds.values())
    assert toy.card_["settings"]["suite_weight"] == 1.0


def test_test_rows_never_reach_the_model(suite_frame: pd.DataFrame, toy: SpeechClassifier) -> None:
    """Scrambling every test label, or dropping the test rows, leaves the model unchanged."""
    scrambled = suite_frame.copy()
    test = scrambled["split"] == "test"
    scrambled.loc[test, "hate"] = "hateful"
    scrambled.loc[test, "violence"] = True
    embeddings = HashEmbedder().embed(scrambled["text"].tolist())
    again = train_classifier(scrambled, embeddings, SETTINGS)
    assert classifier_bytes(again) == classifier_bytes(toy)


def test_saved_model_scores_like_the_original(toy: SpeechClassifier, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(classifier_bytes(toy))
    loaded = load_classifier(path)
    texts = ["Those people are filth.", "Lovely weather today."]
    embedder = HashEmbedder()
    a = toy.score(texts, languages=["en", "en"], embedder=embedder)
    b = loaded.score(texts, languages=["en", "en"], embedder=embedder)
    # The fast path's coefficients are stored as float16: probabilities agree to 1e-3.
    pd.testing.assert_frame_equal(a, b, atol=1e-3)
    assert loaded.card_["version"].startswith("speech-classifier@")


def _constant(probabilities: Sequence[float]) -> LogisticOutput:
    """An output that gives the same probabilities to every text (through its intercept)."""
    values = np.asarray(probabilities, dtype=float)
    if len(values) == 1:
        p = values[0]
        return LogisticOutput(
            ("no", "yes"), np.zeros((1, 2), np.float32), np.array([np.log(p / (1 - p))])
        )
    return LogisticOutput(HATE_CLASSES, np.zeros((3, 2), np.float32), np.log(values))


def test_a_low_hateful_probability_never_becomes_a_hateful_label() -> None:
    """Issue 12: hateful 0.17 and offensive 0.50 came out as "hateful" under class weights."""
    outputs = {
        "hate": _constant([0.17, 0.33, 0.50]),  # hateful, neither, offensive
        "violence": _constant([0.02]),
        "dehumanisation": _constant([0.02]),
        "counter_speech": _constant([0.02]),
    }
    thresholds = {
        "hateful": 0.5,
        "offensive": 0.6,
        "violence": 0.5,
        "dehumanisation": 0.5,
        "counter_override": 1.01,
    }
    classifier = SpeechClassifier(outputs, thresholds)
    scores = classifier.score(
        ["I love my gay neighbours"], languages=["en"], embeddings=np.zeros((1, 2), np.float32)
    )
    assert scores.loc[0, "label"] == "neither"
    assert not scores.loc[0, "is_flagged"]
    assert scores.loc[0, "hateful"] == pytest.approx(0.17)
    lower = SpeechClassifier(outputs, thresholds | {"hateful": 0.15})
    flagged = lower.score(["x"], languages=["en"], embeddings=np.zeros((1, 2), np.float32))
    assert flagged.loc[0, "label"] == "hateful" and flagged.loc[0, "is_flagged"]


def test_counter_speech_override_withholds_a_flag() -> None:
    outputs = {
        "hate": _constant([0.8, 0.1, 0.1]),
        "violence": _constant([0.9]),
        "dehumanisation": _constant([0.1]),
        "counter_speech": _constant([0.9]),
    }
    base = {"hateful": 0.5, "offensive": 0.5, "violence": 0.5, "dehumanisation": 0.5}
    zero = np.zeros((1, 2), np.float32)
    kept = SpeechClassifier(outputs, base | {"counter_override": 1.01})
    withheld = SpeechClassifier(outputs, base | {"counter_override": 0.8})
    assert kept.score(["x"], languages=["en"], embeddings=zero).loc[0, "is_flagged"]
    assert not withheld.score(["x"], languages=["en"], embeddings=zero).loc[0, "is_flagged"]


def test_a_model_needs_its_core_outputs() -> None:
    with pytest.raises(ValueError, match="outputs missing"):
        SpeechClassifier({"hate": _constant([0.3, 0.3, 0.4])}, {})


def test_a_text_withheld_as_counter_speech_is_not_labelled_hateful() -> None:
    """Issue 12: the label said hateful while the flag withheld it as counter-speech."""
    outputs = {
        "hate": _constant([0.9, 0.04, 0.06]),
        "violence": _constant([0.9]),
        "dehumanisation": _constant([0.1]),
        "counter_speech": _constant([0.9]),
    }
    thresholds = {
        "hateful": 0.5,
        "offensive": 0.5,
        "violence": 0.5,
        "dehumanisation": 0.5,
        "counter_override": 0.8,
    }
    zero = np.zeros((1, 2), np.float32)
    row = SpeechClassifier(outputs, thresholds).score(["x"], languages=["en"], embeddings=zero)
    assert not row.loc[0, "is_flagged"]
    assert row.loc[0, "label"] == "neither"  # offensive 0.06 is under its threshold
    assert row.loc[0, "hateful"] == pytest.approx(0.9)  # the probability itself is kept


def test_counter_ratio_keeps_confident_hate_flagged() -> None:
    """A counter-speech probability over the override but far under the flag's strength
    (hateful 0.60, counter-speech 0.20) no longer withholds the flag."""
    outputs = {
        "hate": _constant([0.6, 0.3, 0.1]),
        "violence": _constant([0.39]),
        "dehumanisation": _constant([0.1]),
        "counter_speech": _constant([0.2]),
    }
    base = {
        "hateful": 0.5,
        "offensive": 0.5,
        "violence": 0.3,
        "dehumanisation": 0.5,
        "counter_override": 0.2,
    }
    zero = np.zeros((1, 2), np.float32)
    old = SpeechClassifier(outputs, base).score(["x"], languages=["en"], embeddings=zero)
    assert not old.loc[0, "is_flagged"]
    new = SpeechClassifier(outputs, base | {"counter_ratio": 0.5})
    row = new.score(["x"], languages=["en"], embeddings=zero)
    assert row.loc[0, "is_flagged"] and row.loc[0, "label"] == "hateful"


def test_the_label_keeps_its_own_thresholds_when_the_model_has_them() -> None:
    outputs = {
        "hate": _constant([0.45, 0.35, 0.2]),
        "violence": _constant([0.1]),
        "dehumanisation": _constant([0.1]),
        "counter_speech": _constant([0.01]),
    }
    base = {
        "hateful": 0.6,
        "offensive": 0.5,
        "violence": 0.5,
        "dehumanisation": 0.5,
        "counter_override": 1.01,
    }
    zero = np.zeros((1, 2), np.float32)
    shared = SpeechClassifier(outputs, base).score(["x"], languages=["en"], embeddings=zero)
    assert shared.loc[0, "label"] == "neither" and not shared.loc[0, "is_flagged"]
    own = SpeechClassifier(outputs, base | {"label.hateful": 0.4, "label.offensive": 0.5})
    row = own.score(["x"], languages=["en"], embeddings=zero)
    assert row.loc[0, "label"] == "hateful"
    assert not row.loc[0, "is_flagged"]  # the flag reads its own threshold (0.6)


def test_training_can_choose_separate_label_thresholds_and_a_counter_ratio(
    suite_frame: pd.DataFrame,
) -> None:
    embeddings = HashEmbedder().embed(suite_frame["text"].tolist())
    settings = TrainingSettings(
        C=1.0, suite_weight=1.0, fast_C=1.0, separate_label=True, counter_ratio=True
    )
    model = train_classifier(suite_frame, embeddings, settings)
    assert {"label.hateful", "label.offensive", "counter_ratio"} <= set(model.thresholds)
    assert 0.0 <= model.thresholds["counter_ratio"] <= 1.5


def test_stacking_by_template_keeps_every_expansion_of_a_template_out_of_its_own_fit(
    suite_frame: pd.DataFrame,
) -> None:
    from tocsin.speech._train import _template_groups, fit_fast_path

    groups = _template_groups(suite_frame)
    per_template = suite_frame.assign(group=groups).groupby("template_id")["group"].nunique()
    assert (per_template == 1).all()
    settings = TrainingSettings(C=1.0, suite_weight=1.0, fast_C=1.0, stacked=True)
    _, _, by_template = fit_fast_path(suite_frame, settings, {})
    by_row_settings = TrainingSettings(
        C=1.0, suite_weight=1.0, fast_C=1.0, stacked=True, stack_by_template=False
    )
    _, _, by_row = fit_fast_path(suite_frame, by_row_settings, {})
    train = (suite_frame["split"] == "train").to_numpy()
    hateful = (suite_frame["hate"] == "hateful").to_numpy()[train]
    # Held out by row, a template's other expansions make its rows easy: the by-row
    # out-of-fold scores separate hateful from the rest better than the by-template ones.
    gap_by_row = (
        by_row["hateful"][train][hateful].mean() - by_row["hateful"][train][~hateful].mean()
    )
    gap_by_template = (
        by_template["hateful"][train][hateful].mean()
        - by_template["hateful"][train][~hateful].mean()
    )
    assert gap_by_template < gap_by_row
    model = train_classifier(
        suite_frame, HashEmbedder().embed(suite_frame["text"].tolist()), settings
    )
    assert model.stacked
