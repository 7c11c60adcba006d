"""Batch scoring on Dask, here and on a real two-worker cluster over TCP, gives exactly
what scoring the whole frame at once gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import LocalCluster

from tocsin.speech import (
    load_default_classifier,
    load_suite,
    score_meta,
    score_on_dask,
    score_partition,
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # worker threads of this process (no interpreters to start), talking over TCP
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    suite = load_suite()
    texts = suite["text"].iloc[::150].head(40).tolist()
    languages = suite["language"].iloc[::150].head(40).tolist() if "language" in suite else None
    data = {"id": range(len(texts)), "text": texts}
    if languages is not None:
        data["language"] = languages
    return pd.DataFrame(data, index=range(500, 500 + len(texts)))


def test_scores_are_the_same_here_and_on_the_cluster(
    frame: pd.DataFrame, cluster: LocalCluster
) -> None:
    classifier = load_default_classifier()
    expected = score_partition(frame, classifier, route="fast")
    assert expected["is_flagged"].any() and not expected["is_flagged"].all()
    here = score_on_dask(frame, classifier, route="fast", chunk_size=7)
    pd.testing.assert_frame_equal(here, expected)
    there = score_on_dask(
        frame, classifier, scheduler=cluster.scheduler_address, route="fast", chunk_size=9
    )
    pd.testing.assert_frame_equal(there, expected)
    # without a classifier each worker loads the packaged one itself
    packaged = score_on_dask(frame, scheduler=cluster.scheduler_address, route="fast")
    pd.testing.assert_frame_equal(packaged, expected)


def test_text_kept_on_request_and_an_empty_frame(frame: pd.DataFrame) -> None:
    kept = score_on_dask(frame.head(3), route="fast", keep_text=True, scheduler="sync")
    assert kept["text"].tolist() == frame["text"].head(3).tolist()
    empty = score_on_dask(frame.iloc[:0], route="fast")
    assert empty.empty and list(empty.columns) == list(score_meta(frame).columns)
    with pytest.raises(ValueError, match="chunk_size"):
        score_on_dask(frame, chunk_size=0)


def test_the_command_line_scores_on_the_cluster_as_here(
    tmp_path: Path, frame: pd.DataFrame, cluster: LocalCluster
) -> None:
    from typer.testing import CliRunner

    from tocsin.cli import app

    posts = tmp_path / "posts.csv"
    frame[["id", "text"]].to_csv(posts, index=False)
    runner = CliRunner()
    outputs = []
    for extra in ([], ["--scheduler", cluster.scheduler_address]):
        out = tmp_path / f"scores{len(extra)}.csv"
        args = ["speech", "score", str(posts), "--fast", "--chunk-size", "8", "-o", str(out)]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == len(frame) + 1
