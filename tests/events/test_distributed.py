"""Aggregation and escalation over the lake on Dask: in-process, and on a real cluster of
two worker processes over TCP, give exactly what the pure functions give on all events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from tocsin.errors import TocsinError
from tocsin.events import (
    EscalationDetector,
    EventLake,
    aggregate_events,
    aggregate_lake,
    country_batches,
    escalation_risks,
    lake_escalation_risks,
    parse_events,
)

# a handful of countries of the ACLED slice beside a year of UCDP's CAF: several tasks'
# worth of whole countries, small enough to stay fast
ACLED_COUNTRIES = ["CAF", "IND", "MEX", "MMR", "UKR"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        # worker threads of this process, so the suite does not pay for starting and
        # importing into two more interpreters; tasks and results still go over TCP
        processes=False,
        protocol="tcp",
        dashboard_address=None,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def events(events_data: Path) -> pd.DataFrame:
    ucdp = events_data / "ucdp_ged231_caf_2014.csv"
    acled = events_data / "acled_2022h1_slice.csv"
    ged = parse_events(ucdp.read_bytes(), "ucdp", file_name=ucdp.name).frame
    some = parse_events(acled.read_bytes(), "acled", file_name=acled.name).frame
    some = some[some["iso3"].isin(ACLED_COUNTRIES)]
    return pd.concat([ged, some], ignore_index=True)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, events: pd.DataFrame) -> EventLake:
    lake = EventLake(tmp_path_factory.mktemp("lake"))
    ucdp = events[events["dataset"] == "ucdp"]
    lake.write(ucdp, import_key="ucdp-caf-2014")
    lake.write(events[events["dataset"] != "ucdp"], import_key="acled-slice")
    return lake


def test_area_weeks_are_the_same_here_and_on_the_cluster(
    lake: EventLake, events: pd.DataFrame, cluster: LocalCluster
) -> None:
    expected = aggregate_events(events)
    assert len(expected) > 100
    pd.testing.assert_frame_equal(aggregate_lake(lake), expected)
    pd.testing.assert_frame_equal(aggregate_lake(lake, scheduler="sync", n_tasks=3), expected)
    on_cluster = aggregate_lake(lake, scheduler=cluster.scheduler_address, n_tasks=4)
    pd.testing.assert_frame_equal(on_cluster, expected)


def test_other_aggregates_and_a_client_given(
    lake: EventLake, events: pd.DataFrame, cluster: LocalCluster
) -> None:
    expected = aggregate_events(events, freq="M", by=("iso3",), split="target_kind")
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        found = aggregate_lake(
            lake, scheduler=client, freq="M", by=("iso3",), split="target_kind", n_tasks=4
        )
        # the client stays open for its owner
        assert client.status == "running"
    pd.testing.assert_frame_equal(found, expected)
    only = aggregate_lake(lake, countries=["MEX"])
    pd.testing.assert_frame_equal(only, aggregate_events(events[events["iso3"] == "MEX"]))


def test_escalation_risks_are_the_same_here_and_on_the_cluster(
    lake: EventLake, events: pd.DataFrame, cluster: LocalCluster
) -> None:
    detector = EscalationDetector.default()
    whole = escalation_risks(events, detector)
    expected = whole.sort_values(["risk", "area"], ascending=[False, True]).reset_index(drop=True)
    assert expected["iso3"].nunique() == len(ACLED_COUNTRIES)
    pd.testing.assert_frame_equal(lake_escalation_risks(lake, detector), expected)
    on_cluster = lake_escalation_risks(
        lake, detector, scheduler=cluster.scheduler_address, n_tasks=3
    )
    pd.testing.assert_frame_equal(on_cluster, expected)


def test_batches_hold_whole_countries_once(lake: EventLake) -> None:
    countries = lake.countries()
    assert countries == sorted(ACLED_COUNTRIES)
    for n_tasks in (1, 2, 3, 10):
        batches = country_batches(lake, n_tasks=n_tasks)
        assert len(batches) == min(n_tasks, len(countries))
        assert sorted(c for batch in batches for c in batch) == countries
    assert sorted(country_batches(lake, n_tasks=len(countries))) == [[c] for c in countries]
    # the largest country (most bytes of files) starts the first batch, the next the second
    sizes = sorted(countries, key=lambda c: -lake.size_of(c))
    first, second = country_batches(lake, n_tasks=2)
    assert {sizes[0], sizes[1]} & set(first) and {sizes[0], sizes[1]} & set(second)


def test_an_empty_lake_and_a_bad_scheduler(tmp_path: Path, lake: EventLake) -> None:
    empty = EventLake(tmp_path / "none")
    assert aggregate_lake(empty).empty
    assert list(aggregate_lake(empty).columns) == list(aggregate_events(empty.read()).columns)
    assert lake_escalation_risks(empty).empty
    with pytest.raises(TocsinError, match="not a Dask scheduler"):
        aggregate_lake(lake, scheduler="localhost:8786")


def test_the_command_line_imports_into_the_lake_and_aggregates_on_the_cluster(
    tmp_path: Path, events_data: Path, cluster: LocalCluster
) -> None:
    from typer.testing import CliRunner

    from tocsin.cli import app

    runner = CliRunner()
    home = tmp_path / "home"

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--data-dir", str(home), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("db", "upgrade")
    ucdp = events_data / "ucdp_ged231_caf_2014.csv"
    run("events", "import", str(ucdp), "--format", "ucdp", "--json")
    assert not (home / "events-lake").exists()  # only on request
    # the database has the file already; the lake gets it all the same
    imported = json.loads(
        run("events", "import", str(ucdp), "--format", "ucdp", "--lake", "--json")
    )
    assert imported["already_imported"] and imported["lake_files"] == 12  # a file a month
    out = tmp_path / "area_weeks.parquet"
    address = cluster.scheduler_address
    summary = json.loads(
        run("events", "aggregate", "--scheduler", address, "-o", str(out), "--json")
    )
    parsed = parse_events(ucdp.read_bytes(), "ucdp", file_name=ucdp.name).frame
    expected = aggregate_events(parsed)
    assert summary["n_rows"] == len(expected) and summary["n_events"] == len(parsed)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected, check_dtype=False)
    risks = json.loads(run("events", "risks", "--scheduler", address, "--top", "2", "--json"))
    best = escalation_risks(parsed, EscalationDetector.default())
    assert risks["n_areas"] == len(best)
    assert risks["top"][0]["risk"] == pytest.approx(best["risk"].max())
    refused = runner.invoke(app, ["--data-dir", str(home), "events", "aggregate", "--freq", "Y"])
    assert refused.exit_code == 1 and "--freq" in str(refused.exception)
