"""Reading the training corpora from the shared folder (skipped where it is absent)."""

from __future__ import annotations

from pathlib import Path

from tocsin.speech import (
    DAVIDSON_FILE,
    GERMEVAL_FILE,
    davidson_holdout,
    read_davidson,
    read_germeval,
)


def test_corpora_and_the_holdout(shared_dir: Path) -> None:
    folder = shared_dir / "data" / "speech"
    davidson = read_davidson(folder / DAVIDSON_FILE)
    germeval = read_germeval(folder / GERMEVAL_FILE)
    assert len(davidson) == 24_783
    assert davidson["label"].value_counts().to_dict() == {
        "offensive": 19_190,
        "neither": 4_163,
        "hateful": 1_430,
    }
    assert len(germeval) == 16_431
    assert (germeval["label"] == "violence").sum() == 16_431 - 15_901
    train, held_out = davidson_holdout(davidson["class_code"])
    assert (len(train), len(held_out)) == (22_304, 2_479)
    assert not set(train) & set(held_out)
    assert (davidson["label"].iloc[held_out] == "hateful").sum() == 143


def test_training_on_the_real_data_is_reproducible(shared_dir: Path) -> None:
    """Same data and seed, same model bytes (600 + 600 rows, fast path only)."""
    from tocsin.speech import classifier_bytes, train_classifier

    folder = shared_dir / "data" / "speech"
    davidson = read_davidson(folder / DAVIDSON_FILE).sample(600, random_state=0)
    germeval = read_germeval(folder / GERMEVAL_FILE)
    germeval = germeval.sort_values("label", ascending=False).head(600)  # 530 violent + 70
    models = [
        classifier_bytes(train_classifier(davidson.reset_index(drop=True), germeval, n_folds=2))
        for _ in range(2)
    ]
    assert models[0] == models[1]
