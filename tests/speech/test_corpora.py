"""Reading the training corpora from the shared folder (skipped where it is absent)."""

from __future__ import annotations

from pathlib import Path

from tocsin.speech import (
    DAVIDSON_FILE,
    GERMEVAL_FILE,
    MLMA_FILES,
    assemble_training_data,
    davidson_holdout,
    read_davidson,
    read_germeval,
    read_hatexplain,
    read_mlma,
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


def test_hatexplain_official_splits_and_labels(shared_dir: Path) -> None:
    frame = read_hatexplain(shared_dir / "data" / "speech")
    assert frame["split"].value_counts().to_dict() == {
        "train": 15_383,
        "validation": 1_922,
        "test": 1_924,
    }
    test = frame[frame["split"] == "test"]["label"].value_counts().to_dict()
    assert test == {"neither": 782, "hateful": 594, "offensive": 548}


def test_mlma_labels_and_the_training_mix(shared_dir: Path) -> None:
    folder = shared_dir / "data" / "speech"
    french = read_mlma(folder / MLMA_FILES["fr"])
    assert set(french["label"]) == {"hateful", "offensive", "neither"}
    assert (french["label"] == "neither").sum() == 821  # plain "normal" only
    frame = assemble_training_data(folder)
    davidson = frame[frame["source"] == "davidson"]
    assert (davidson["split"] == "test").sum() == 2_479  # the seed-42 hold-out
    assert frame.loc[frame["source"] == "germeval", "hate"].isna().all()
    assert not (frame.loc[frame["source"] == "germeval", "split"] == "test").any()
