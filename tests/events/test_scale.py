"""Scaling real event data up, and the pipeline over partitions (pandas and Dask)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from tocsin.events import (
    AGGREGATE_SUMS,
    EscalationDetector,
    aggregate_events,
    aggregate_keys,
    aggregate_over_partitions,
    count_events,
    escalation_risks,
    import_events,
    last_week_of,
    parse_events,
    resample_events,
    risks_over_partitions,
    scale_event_file,
    source_table,
)
from tocsin.store import Database

UCDP = "ucdp_ged231_caf_2014.geojson"
ACLED = "acled_2022h1_slice.csv"


def _scaled(events_data: Path, fmt: str, name: str, n: int, seed: int = 0) -> bytes:
    data = (events_data / name).read_bytes()
    return scale_event_file(data, fmt, n, file_name=name, seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fmt", "name"), [("ucdp", UCDP), ("acled", ACLED)])
def test_scaled_file_is_real_events_resampled_and_imports_cleanly(
    events_data: Path, fmt: str, name: str
) -> None:
    real = parse_events((events_data / name).read_bytes(), fmt, file_name=name).frame
    data = _scaled(events_data, fmt, name, 3000, seed=7)
    scaled = parse_events(data, fmt, file_name=f"scaled_{name}.csv")
    assert scaled.problems == []
    frame = scaled.frame
    assert len(frame) == 3000
    assert frame["uid"].is_unique
    # every synthetic event is a real one moved: its type, area and deaths are a real
    # combination, its date within two years and its place within a fraction of a degree
    real_keys = set(zip(real["event_type"], real["admin1"], real["fatalities_best"], strict=True))
    keys = set(zip(frame["event_type"], frame["admin1"], frame["fatalities_best"], strict=True))
    assert keys <= real_keys
    source_ids = frame["source_event_id"].str.rsplit("-s7-", n=1).str[0]
    origin = real.set_index("source_event_id").loc[source_ids.to_numpy()]
    shift = (frame["start_date"].to_numpy() - origin["start_date"].to_numpy()) / np.timedelta64(
        1, "D"
    )
    assert np.abs(shift).max() <= 730
    assert np.abs(shift).std() > 100  # moved in time, not copied
    moved = np.abs(frame["latitude"].to_numpy() - origin["latitude"].to_numpy())
    assert np.nanmax(moved) < 0.5 and np.nanmean(moved) > 0.001
    # the mix of types is the real one, up to sampling noise
    real_share = real["event_type"].value_counts(normalize=True)
    share = frame["event_type"].value_counts(normalize=True).reindex(real_share.index).fillna(0)
    assert (share - real_share).abs().max() < 0.05


def test_same_seed_same_file_other_seed_other_events(events_data: Path) -> None:
    one = _scaled(events_data, "acled", ACLED, 500, seed=1)
    assert one == _scaled(events_data, "acled", ACLED, 500, seed=1)
    two = _scaled(events_data, "acled", ACLED, 500, seed=2)
    assert one != two


def test_resampling_refuses_nothing_to_resample(events_data: Path) -> None:
    table = source_table((events_data / ACLED).read_bytes(), "acled", file_name=ACLED)
    with pytest.raises(ValueError, match="no real events"):
        resample_events(table.iloc[:0], "acled", 10)
    with pytest.raises(ValueError, match="at least 1"):
        resample_events(table, "acled", 0)


def test_scaled_events_store_atomically_and_idempotently(db: Database, events_data: Path) -> None:
    data = _scaled(events_data, "ucdp", UCDP, 12_000, seed=3)
    parsed = parse_events(data, "ucdp", file_name="scaled.csv")
    now = datetime.now(UTC)
    with db.session() as session:
        first = import_events(session, parsed, now=now)
    assert first.n_added == 12_000
    with db.session() as session:
        assert count_events(session) == 12_000
        again = import_events(session, parsed, now=now)
    assert again.already_imported and again.n_added == 0
    with db.session() as session:
        stored = count_events(session)
    assert stored == 12_000


def _real_events(events_data: Path) -> pd.DataFrame:
    frames = [
        parse_events((events_data / UCDP).read_bytes(), "ucdp", file_name=UCDP).frame,
        parse_events((events_data / ACLED).read_bytes(), "acled", file_name=ACLED).frame,
        parse_events(
            _scaled(events_data, "ucdp", UCDP, 4000, seed=5), "ucdp", file_name="s.csv"
        ).frame,
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(("freq", "split"), [("W", "event_type"), ("M", "target_kind")])
def test_aggregation_over_dask_partitions_equals_the_in_memory_run(
    events_data: Path, freq: str, split: str
) -> None:
    frame = _real_events(events_data)
    whole = aggregate_events(frame, freq=freq, split=split)
    ddf = dd.from_pandas(frame, npartitions=5)
    assert ddf.npartitions > 1
    meta = aggregate_events(frame.iloc[:0], freq=freq, split=split)
    partial = ddf.map_partitions(aggregate_events, freq=freq, split=split, meta=meta)
    keys = aggregate_keys(meta)
    on_dask = partial.groupby(keys)[AGGREGATE_SUMS].sum().compute(scheduler="threads")
    on_dask = on_dask.reset_index().sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(on_dask, whole[on_dask.columns], check_dtype=False)
    # the same without Dask: any split of the rows gives the same aggregate
    parts = np.array_split(np.random.default_rng(0).permutation(len(frame)), 3)
    plain = aggregate_over_partitions([frame.iloc[p] for p in parts], freq=freq, split=split)
    pd.testing.assert_frame_equal(plain, whole[plain.columns], check_dtype=False)


def test_escalation_risks_over_dask_country_partitions_equal_the_in_memory_run(
    events_data: Path,
) -> None:
    frame = _real_events(events_data)
    detector = EscalationDetector.default()
    whole = escalation_risks(frame, detector).sort_values("area").reset_index(drop=True)
    last = last_week_of(frame)
    ddf = dd.from_pandas(frame, npartitions=4).shuffle(on="iso3")
    meta = escalation_risks(frame.iloc[:0], detector)
    risks = ddf.map_partitions(escalation_risks, detector, last_week=last, meta=meta)
    on_dask = risks.compute(scheduler="threads").sort_values("area").reset_index(drop=True)
    assert len(on_dask) == len(whole) > 100
    pd.testing.assert_frame_equal(on_dask, whole, check_dtype=False)
    by_country = [part for _, part in frame.groupby("iso3")]
    plain = risks_over_partitions(by_country, detector, last_week=last)
    plain = plain.sort_values("area").reset_index(drop=True)
    pd.testing.assert_frame_equal(plain, whole, check_dtype=False)
