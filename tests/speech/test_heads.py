"""Linear heads: calibrated out of fold, decision weights, exact save and load."""

from __future__ import annotations

import numpy as np
import pytest

from tocsin.speech import LinearHead, TextHead


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(["a", "b", "c"], size=600, p=[0.1, 0.6, 0.3])
    centres = {"a": [2.0, 0.0], "b": [0.0, 0.0], "c": [0.0, 2.0]}
    X = np.array([centres[label] for label in y]) + rng.normal(size=(600, 2))
    return X, y


def test_probabilities_are_calibrated_and_rare_class_upweighted() -> None:
    X, y = _blobs()
    head = LinearHead(C=1.0, n_folds=5).fit(X, y)
    proba = head.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert head.temperature_ > 0
    assert head.oof_proba_.shape == (600, 3)
    # Mean predicted probability of each class is close to its frequency (calibration).
    for k, label in enumerate(head.classes_):
        assert abs(proba[:, k].mean() - (y == label).mean()) < 0.05
    assert head.decision_weights_[0] >= head.decision_weights_[1]  # rare "a" not down-weighted


def test_save_and_load_give_the_same_predictions() -> None:
    X, y = _blobs(1)
    head = LinearHead(C=1.0, n_folds=3).fit(X, y)
    again = LinearHead.from_arrays(head.to_arrays("h."), "h.")
    assert np.allclose(again.predict_proba(X), head.predict_proba(X), atol=1e-3)
    assert (again.predict(X) == head.predict(X)).mean() > 0.99


def test_invalid_parameters_are_named() -> None:
    X, y = _blobs()
    with pytest.raises(ValueError, match="C must be > 0"):
        LinearHead(C=0).fit(X, y)
    with pytest.raises(ValueError, match="two classes"):
        LinearHead().fit(X, np.array(["a"] * len(y)))


def test_text_head_learns_words_and_characters() -> None:
    texts = [f"good day number {i}" for i in range(40)] + [f"bad night {i}" for i in range(40)]
    labels = ["pos"] * 40 + ["neg"] * 40
    head = TextHead(C=1.0, n_folds=3).fit(texts, labels)
    assert list(head.predict(["a good day", "a bad night"])) == ["pos", "neg"]
    again = TextHead.from_arrays(head.to_arrays("t."), "t.")
    assert np.allclose(again.predict_proba(["good"]), head.predict_proba(["good"]), atol=1e-3)
