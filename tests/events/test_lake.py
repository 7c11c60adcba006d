"""The event lake: Parquet by country and month, atomic and idempotent per import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from tocsin.errors import TocsinError
from tocsin.events import (
    EVENT_COLUMNS,
    EventLake,
    ParsedEvents,
    default_lake_path,
    parse_events,
)
from tocsin.settings import Settings


def _parsed(events_data: Path, name: str, fmt: str) -> ParsedEvents:
    path = events_data / name
    parsed = parse_events(path.read_bytes(), fmt, file_name=path.name)
    assert not parsed.problems
    return parsed


@pytest.fixture(scope="module")
def parsed_files(events_data: Path) -> list[ParsedEvents]:
    return [
        _parsed(events_data, "ucdp_ged231_caf_2014.csv", "ucdp"),
        _parsed(events_data, "gdelt1_events_sample.tsv", "gdelt"),
    ]


def _by_uid(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.sort_values("uid").reset_index(drop=True)[columns]


def test_round_trip_keeps_every_value_and_dtype(
    tmp_path: Path, parsed_files: list[ParsedEvents]
) -> None:
    lake = EventLake(tmp_path / "lake")
    for parsed in parsed_files:
        written = lake.write(parsed)
        assert written.import_key == parsed.sha256 and not written.already_written
        assert written.n_rows == len(parsed.frame)
    whole = pd.concat([p.frame for p in parsed_files], ignore_index=True)
    back = lake.read(columns=None)
    columns = [*EVENT_COLUMNS, "content_sha"]
    pd.testing.assert_frame_equal(_by_uid(back, columns), _by_uid(whole, columns))
    # one folder per country and month of the events' start dates
    months = whole["start_date"].dt.strftime("%Y-%m")
    countries = whole["iso3"].fillna("__HIVE_DEFAULT_PARTITION__")
    expected = {f"iso3={c}/month={m}" for c, m in zip(countries, months, strict=True)}
    found = {f.parent.relative_to(lake.root).as_posix() for f in lake.files()}
    assert found == expected
    assert lake.countries()[-1] == "__HIVE_DEFAULT_PARTITION__"
    assert lake.read_country("__HIVE_DEFAULT_PARTITION__")["iso3"].isna().all()
    caf = lake.read_country("CAF")
    assert set(caf["uid"]) == set(whole.loc[whole["iso3"] == "CAF", "uid"])
    assert list(caf.columns)[:3] == ["uid", "dataset", "incident_id"]
    assert lake.last_event_date() == whole["start_date"].max()


def test_a_second_import_of_the_same_file_adds_nothing(
    tmp_path: Path, parsed_files: list[ParsedEvents]
) -> None:
    lake = EventLake(tmp_path / "lake")
    first = lake.write(parsed_files[0])
    files = sorted(lake.root.rglob("*.parquet"))
    again = lake.write(parsed_files[0])
    assert again.already_written and again.n_files == 0
    assert sorted(lake.root.rglob("*.parquet")) == files
    assert len(lake.read()) == first.n_rows == len(parsed_files[0].frame)
    assert [r["import_key"] for r in lake.imports()] == [first.import_key]
    # nothing of the staging folders is left behind
    assert not any((lake.root / "_staging").iterdir())


def test_an_interrupted_import_is_invisible_and_the_retry_completes(
    tmp_path: Path, parsed_files: list[ParsedEvents]
) -> None:
    done = EventLake(tmp_path / "done")
    done.write(parsed_files[0])
    # the state a crash between moving the files and writing the commit record leaves
    crashed = EventLake(tmp_path / "crashed")
    for path in done.files():
        target = crashed.root / path.relative_to(done.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    assert crashed.countries() == [] and crashed.files() == []
    assert crashed.read().empty
    written = crashed.write(parsed_files[0])
    assert not written.already_written
    assert len(crashed.read()) == len(parsed_files[0].frame)
    assert len(list(crashed.root.rglob("*.parquet"))) == written.n_files


def test_a_newer_import_of_an_event_wins(tmp_path: Path, parsed_files: list[ParsedEvents]) -> None:
    lake = EventLake(tmp_path / "lake")
    original = parsed_files[0].frame
    lake.write(original, import_key="first")
    changed = original.head(3).copy()
    changed["fatalities_best"] = changed["fatalities_best"] + 100
    # a new version moved a month later must still replace the old one
    changed["start_date"] = changed["start_date"] + pd.Timedelta(days=40)
    lake.write(changed, import_key="second")
    back = lake.read().set_index("uid")
    assert len(back) == len(original)
    for _, row in changed.iterrows():
        assert back.loc[row["uid"], "fatalities_best"] == row["fatalities_best"]
        assert back.loc[row["uid"], "start_date"] == row["start_date"]


def test_other_tools_read_the_lake_as_hive_partitions(
    tmp_path: Path, parsed_files: list[ParsedEvents]
) -> None:
    lake = EventLake(tmp_path / "lake")
    lake.write(parsed_files[0])
    table = ds.dataset(lake.root, format="parquet", partitioning="hive").to_table()
    frame = parsed_files[0].frame
    assert table.num_rows == len(frame)
    read = table.to_pandas()
    assert read["iso3"].value_counts().to_dict() == frame["iso3"].value_counts().to_dict()
    months = read["month"].astype(str).value_counts().to_dict()
    assert months == frame["start_date"].dt.strftime("%Y-%m").value_counts().to_dict()


def test_bad_keys_and_columns_are_refused(tmp_path: Path, parsed_files: list[ParsedEvents]) -> None:
    lake = EventLake(tmp_path / "lake")
    with pytest.raises(TocsinError, match="import key"):
        lake.write(parsed_files[0].frame)
    with pytest.raises(TocsinError, match="import key"):
        lake.write(parsed_files[0].frame, import_key="../escape")
    with pytest.raises(TocsinError, match="no column 'colour'"):
        lake.read(columns=["uid", "colour"])
    assert not lake.files()


def test_the_default_lake_is_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert default_lake_path(settings.home) == tmp_path / "events-lake"
