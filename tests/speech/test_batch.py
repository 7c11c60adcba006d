"""Batch scoring over partitions gives the same result as scoring the whole frame."""

from __future__ import annotations

import pandas as pd

from tocsin.speech import load_default_classifier, load_suite, score_meta, score_partition


def test_partitions_equal_the_whole() -> None:
    classifier = load_default_classifier()
    texts = load_suite()["text"].iloc[::400].head(12).tolist()
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts}, index=range(100, 112))
    whole = score_partition(frame, classifier, route="fast")
    parts = pd.concat(
        [score_partition(frame.iloc[i : i + 5], classifier, route="fast") for i in range(0, 12, 5)]
    )
    pd.testing.assert_frame_equal(whole, parts)
    assert "text" not in whole.columns
    assert list(whole.index) == list(frame.index)
    meta = score_meta(frame)
    assert list(meta.columns) == list(whole.columns)
    assert (
        score_partition(frame.iloc[:1], classifier, route="fast", keep_text=True)["text"].iloc[0]
        == texts[0]
    )
