"""Cross-source linking on real slices, scored against hand labels (tests/data/events/)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tocsin.events import LinkRule, link_events, parse_events, score_links

FILES = [
    ("ucdp_ged231_caf_2022h1.geojson", "ucdp"),
    ("acled_2022h1_slice.csv", "acled"),
    ("gdelt1_events_sample.tsv", "gdelt"),
]


def _frame(events_data: Path) -> pd.DataFrame:
    parts = [
        parse_events((events_data / name).read_bytes(), fmt, file_name=name).frame
        for name, fmt in FILES
    ]
    return pd.concat(parts, ignore_index=True)


def test_links_on_the_labelled_sample(events_data: Path) -> None:
    frame = _frame(events_data)
    incidents, links = link_events(frame)
    scores = score_links(links, pd.read_csv(events_data / "linking_labels.csv"))
    # The sample is small and was labelled while the rule was written: a sanity check of
    # the rule (see docs/methodology/events.md), not an estimate of its accuracy.
    assert scores["precision"] >= 0.8 and scores["recall"] >= 0.6
    # The linked UCDP/ACLED incident is represented by UCDP's report.
    by_uid = dict(zip(frame["uid"], incidents, strict=True))
    assert by_uid["acled:CEN48963"] == by_uid["ucdp_ged:438770"] == "ucdp_ged:438770"
    assert links["reason"].str.len().gt(0).all()


def test_curated_records_of_one_data_set_are_never_merged(events_data: Path) -> None:
    frame = _frame(events_data)
    _, links = link_events(frame, LinkRule(radius_km=500, coarse_radius_km=500, day_tolerance=7))
    dataset_a = links["uid_a"].str.split(":").str[0]
    dataset_b = links["uid_b"].str.split(":").str[0]
    same = links[dataset_a == dataset_b]
    assert set(dataset_a[same.index]) <= {"gdelt1"}


def test_a_wider_rule_links_more(events_data: Path) -> None:
    frame = _frame(events_data)
    _, strict = link_events(frame, LinkRule(radius_km=5, coarse_radius_km=5, day_tolerance=0))
    _, default = link_events(frame)
    assert len(strict) < len(default)
