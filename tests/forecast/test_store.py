"""Forecast runs round-trip through the store on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tocsin.domain import Country
from tocsin.forecast import (
    ForecastRunCreate,
    ForecastValue,
    get_country_forecasts,
    latest_forecast_run,
    record_forecast_run,
)
from tocsin.store import Database, upsert_countries

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _run(year: int, values: list[ForecastValue], model: str = "tocsin") -> ForecastRunCreate:
    return ForecastRunCreate(
        model=model,
        model_version=f"{model}-test",
        data_vintage="ewp_panel:test",
        target="any",
        horizon=2,
        data_year=year,
        values=values,
    )


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.session() as session:
        upsert_countries(
            session,
            [
                (Country(iso3="SDN", name="Sudan", iso2="SD", isonum=729), []),
                (Country(iso3="MMR", name="Myanmar", iso2="MM", isonum=104), []),
            ],
        )
    return db


def test_country_history_is_oldest_first_and_filtered_by_model(loaded: Database) -> None:
    with loaded.session() as session:
        for year, risk in ((2024, 0.08), (2022, 0.05), (2023, 0.06)):
            values = [ForecastValue("SDN", risk, 1, {"RF1": 0.02}), ForecastValue("MMR", 0.01, 2)]
            record_forecast_run(session, _run(year, values), now=NOW)
        record_forecast_run(
            session, _run(2024, [ForecastValue("SDN", 0.11, 1)], "ewp-replica"), now=NOW
        )
    with loaded.session() as session:
        history = get_country_forecasts(session, "SDN", model="tocsin")
        both = get_country_forecasts(session, "SDN")
        nothing = get_country_forecasts(session, "CAF")
        latest = latest_forecast_run(session, model="tocsin")
    assert history == [(2022, 0.05, 1), (2023, 0.06, 1), (2024, 0.08, 1)]
    assert len(both) == 4 and (2024, 0.11, 1) in both
    assert nothing == []
    assert latest is not None and latest.data_year == 2024
    assert latest.values[0].factors == {"RF1": 0.02}


def test_storing_the_same_run_again_replaces_its_values(loaded: Database) -> None:
    with loaded.session() as session:
        first = record_forecast_run(session, _run(2024, [ForecastValue("SDN", 0.1, 1)]), now=NOW)
        again = record_forecast_run(session, _run(2024, [ForecastValue("SDN", 0.2, 1)]), now=NOW)
    with loaded.session() as session:
        assert first == again
        assert get_country_forecasts(session, "SDN") == [(2024, 0.2, 1)]
