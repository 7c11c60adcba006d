"""The events store's aggregates equal what pandas computes from the full frame, per backend.

The web country page asks the database for monthly counts and the latest events instead of
loading a country's three years of events; these tests hold both answers to the frame's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from tocsin.events import (
    ANALYSIS_COLUMNS,
    content_hashes,
    count_events_by_month,
    import_events,
    load_analysis_frame,
    load_events_frame,
    parse_events,
)
from tocsin.store import Database

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _load(db: Database, events_data: Path) -> None:
    with db.session() as session:
        for name, kind in (
            ("ucdp_ged231_caf_2014.geojson", "ucdp"),
            ("acled_2022h1_slice.csv", "acled"),
        ):
            parsed = parse_events((events_data / name).read_bytes(), kind, file_name=name)
            # the files give every death count; unknown counts must sum as 0 in both paths
            parsed.frame.loc[parsed.frame.index[::7], "fatalities_best"] = pd.NA
            parsed.frame["content_sha"] = content_hashes(parsed.frame)
            import_events(session, parsed, now=NOW)


def _by_month_in_pandas(frame: pd.DataFrame) -> list[tuple[str, int, int]]:
    grouped = (
        pd.DataFrame(
            {
                "month": frame["start_date"].dt.strftime("%Y-%m"),
                "deaths": frame["fatalities_best"].fillna(0).astype("int64"),
            }
        )
        .groupby("month", sort=True)
        .agg(n=("deaths", "size"), deaths=("deaths", "sum"))
    )
    return [(str(m), int(r.n), int(r.deaths)) for m, r in grouped.iterrows()]


def test_monthly_counts_equal_grouping_the_frame(db: Database, events_data: Path) -> None:
    _load(db, events_data)
    with db.session() as session:
        frame = load_events_frame(session)
        assert frame["fatalities_best"].isna().sum() > 50
        checks = [
            {},
            {"iso3": "CAF"},
            {"iso3": "UGA"},
            {"since": date(2014, 6, 1), "until": date(2022, 3, 31)},
            {"datasets": ["acled"]},
        ]
        for filters in checks:
            sql = [
                (c.month, c.n_events, c.fatalities)
                for c in count_events_by_month(session, **filters)  # type: ignore[arg-type]
            ]
            expected = _by_month_in_pandas(load_events_frame(session, **filters))  # type: ignore[arg-type]
            assert sql == expected, filters
            assert sql, f"the fixture files hold events for {filters}"
        assert sum(c.n_events for c in count_events_by_month(session)) == len(frame)
        assert count_events_by_month(session, iso3="ZZZ") == []


def test_the_latest_events_equal_the_frames_tail(db: Database, events_data: Path) -> None:
    _load(db, events_data)
    with db.session() as session:
        full = load_events_frame(session, iso3="CAF")
        latest = load_events_frame(session, iso3="CAF", newest_first=True, limit=25)
    assert len(full) > 25
    expected = full.tail(25).iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(latest.reset_index(drop=True), expected)


def test_analysis_frame_equals_the_full_frame_on_its_columns(
    db: Database, events_data: Path
) -> None:
    _load(db, events_data)
    with db.session() as session:
        full = load_events_frame(session)
        fast = load_analysis_frame(session)
    assert list(fast.columns) == list(ANALYSIS_COLUMNS)
    assert len(fast) == len(full) > 500
    assert fast["fatalities_best"].isna().sum() > 50  # unknown counts stay unknown
    ordered = fast.sort_values(["start_date", "uid"]).reset_index(drop=True)
    # text comes as Python objects (the ORM path lets pandas make string arrays)
    text = [c for c in ANALYSIS_COLUMNS if fast[c].dtype == object]
    assert text == ["uid", "dataset", "incident_id", "iso3", "admin1", "event_type"] + [
        "target_kind",
        "perpetrator",
    ]
    full = full.astype(dict.fromkeys(text, object))
    for column in text:  # missing text is None in one and NaN in the other
        full[column] = full[column].where(full[column].notna(), None)
    pd.testing.assert_frame_equal(ordered, full[list(ANALYSIS_COLUMNS)].reset_index(drop=True))
