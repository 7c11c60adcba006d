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
