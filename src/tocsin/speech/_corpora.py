"""The training corpora: Davidson et al. 2017 and GermEval 2026 (violence), read into frames.

These files live in the developers' shared data folder, never on users' machines; only
``tocsin speech train``, ``tocsin speech evaluate`` and the benchmarks read them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tocsin.errors import DataFileError, RowProblem

__all__ = [
    "DAVIDSON_FILE",
    "GERMEVAL_FILE",
    "HATEXPLAIN_FILES",
    "MLMA_FILES",
    "davidson_holdout",
    "file_sha256",
    "read_davidson",
    "read_germeval",
    "read_hatexplain",
    "read_mlma",
    "three_way_split",
]

DAVIDSON_FILE = "davidson2017_labeled_data.csv"
GERMEVAL_FILE = "germeval2026_vio_train.csv"
DAVIDSON_LABELS = {0: "hateful", 1: "offensive", 2: "neither"}
GERMEVAL_VIOLENT = {"call2violence", "support", "glorification", "prospensity", "other"}
GERMEVAL_LABELS = GERMEVAL_VIOLENT | {"nothing"}


def file_sha256(path: Path) -> str:
    """Checksum of a file, recorded in the model card."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_davidson(path: Path) -> pd.DataFrame:
    """Columns ``text``, ``label`` (hateful/offensive/neither), ``n_coders``, ``class_code``.

    ``class_code`` is the file's own 0/1/2, kept so the hold-out split stratifies exactly as
    the published baseline did.
    """
    frame = pd.read_csv(path)
    missing = {"tweet", "class", "count"} - set(frame.columns)
    if missing:
        raise DataFileError(path, [RowProblem(1, c, "column missing") for c in sorted(missing)])
    bad = frame.index[~frame["class"].isin(list(DAVIDSON_LABELS))]
    if len(bad):
        raise DataFileError(
            path,
            [
                RowProblem(None, "class", "not 0, 1 or 2", str(frame.loc[i, "class"]))
                for i in bad[:20]
            ],
        )
    return pd.DataFrame(
        {
            "text": frame["tweet"].astype(str),
            "label": frame["class"].map(DAVIDSON_LABELS),
            "n_coders": frame["count"].astype(int),
            "class_code": frame["class"].astype(int),
        }
    )


def read_germeval(path: Path) -> pd.DataFrame:
    """Columns ``text``, ``fine_label`` (as in the file) and ``label`` (violence/none).

    Every label but ``nothing`` counts as violence, as in the data set's binary baseline.
    """
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    missing = {"description", "vio"} - set(frame.columns)
    if missing:
        raise DataFileError(path, [RowProblem(1, c, "column missing") for c in sorted(missing)])
    bad = frame.index[~frame["vio"].isin(list(GERMEVAL_LABELS))]
    if len(bad):
        raise DataFileError(
            path,
            [RowProblem(None, "vio", "unknown label", str(frame.loc[i, "vio"])) for i in bad[:20]],
        )
    return pd.DataFrame(
        {
            "text": frame["description"],
            "fine_label": frame["vio"],
            "label": np.where(frame["vio"] == "nothing", "none", "violence"),
        }
    )


def davidson_holdout(
    class_codes: pd.Series, *, random_state: int = 42, test_size: float = 0.1
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row positions of the stratified train and hold-out parts (the paper's 10 % hold-out).

    The same call as the data set's documented baseline:
    ``train_test_split(test_size=0.1, random_state=42, stratify=class)``.
    """
    from sklearn.model_selection import train_test_split

    positions = np.arange(len(class_codes))
    train, test = train_test_split(
        positions, test_size=test_size, random_state=random_state, stratify=class_codes.to_numpy()
    )
    return np.sort(train), np.sort(test)


HATEXPLAIN_FILES = {
    "train": "hatexplain_train_hf.csv",
    "validation": "hatexplain_validation_hf.jsonl",
    "test": "hatexplain_test_hf.jsonl",
}
MLMA_FILES = {"fr": "mlma_fr_dataset.csv", "ar": "mlma_ar_dataset.csv"}
_HATEXPLAIN_LABELS = {0: "hateful", 1: "neither", 2: "offensive"}  # Hugging Face codes


def _detokenise(tokens: list[str]) -> str:
    return " ".join(tokens).replace(" .", ".").replace(" ,", ",")


def read_hatexplain(folder: Path) -> pd.DataFrame:
    """Columns ``text``, ``label``, ``split`` (official train/validation/test), ``targets``.

    ``targets`` is the union of the annotators' target communities joined by ``;`` ("" for
    none). The train file is read with ``keep_default_na=False`` so the literal target
    ``None`` stays a string (SOURCES.md).
    """
    import json

    frames = []
    train = pd.read_csv(folder / HATEXPLAIN_FILES["train"], keep_default_na=False)
    frames.append(
        pd.DataFrame(
            {
                "text": train["text"].astype(str),
                "label": train["majority_label"].astype(int).map(_HATEXPLAIN_LABELS),
                "split": "train",
                "targets": [
                    ";".join(sorted({t.strip() for t in v.split(",")} - {"None", ""}))
                    for v in train["targets"].astype(str)
                ],
            }
        )
    )
    for split in ("validation", "test"):
        rows = []
        path = folder / HATEXPLAIN_FILES[split]
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            codes = record["annotators"]["label"]
            majority = max(set(codes), key=codes.count)
            targets = {t for group in record["annotators"]["target"] for t in group} - {"None"}
            rows.append(
                {
                    "text": _detokenise(record["post_tokens"]),
                    "label": _HATEXPLAIN_LABELS[int(majority)],
                    "split": split,
                    "targets": ";".join(sorted(targets)),
                }
            )
        frames.append(pd.DataFrame(rows))
    return pd.concat(frames, ignore_index=True)


def _mlma_label(sentiment: str) -> str | None:
    """hateful if any annotator pair said hateful; neither if only normal; else offensive.

    Rows that mix ``normal`` with a hostile label are ambiguous and dropped (None).
    """
    parts = set(sentiment.split("_"))
    if "hateful" in parts:
        return "hateful"
    if parts == {"normal"}:
        return "neither"
    if "normal" in parts:
        return None
    return "offensive"


def read_mlma(path: Path) -> pd.DataFrame:
    """Columns ``text``, ``label`` (hateful/offensive/neither), ``target``, ``group``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    labels = frame["sentiment"].map(_mlma_label)
    keep = labels.notna()
    return pd.DataFrame(
        {
            "text": frame.loc[keep, "tweet"],
            "label": labels[keep],
            "target": frame.loc[keep, "target"],
            "group": frame.loc[keep, "group"],
        }
    ).reset_index(drop=True)


def three_way_split(
    labels: NDArray[Any] | pd.Series,
    *,
    validation: float,
    test: float,
    random_state: int = 42,
) -> NDArray[np.str_]:
    """``train`` / ``validation`` / ``test`` for each row, stratified on ``labels``."""
    from sklearn.model_selection import train_test_split

    values = np.asarray(labels)
    positions = np.arange(len(values))
    split = np.full(len(values), "train", dtype=object)
    rest, test_rows = (
        train_test_split(positions, test_size=test, random_state=random_state, stratify=values)
        if test > 0
        else (positions, positions[:0])
    )
    split[test_rows] = "test"
    _, validation_rows = train_test_split(
        rest,
        test_size=validation / (1 - test),
        random_state=random_state,
        stratify=values[rest],
    )
    split[validation_rows] = "validation"
    return split.astype(str)
