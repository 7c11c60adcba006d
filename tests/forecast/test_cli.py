"""`tocsin forecast`: run stores forecasts and Signals; explain gives factor reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.domain import SignalKind
from tocsin.store import Database, latest_forecast_run, list_signals


@pytest.fixture
def home(tmp_path: Path) -> Path:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "up"])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_run_stores_the_watchlist_and_emits_signals(home: Path) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(home), "forecast", "run", "--model", "ewp-replica", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["data_year"] == 2024 and len(data["forecasts"]) == 30
    assert [row["rank"] for row in data["forecasts"]][:3] == [1, 2, 3]
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    with db.session() as session:
        run = latest_forecast_run(session, model="ewp-replica")
        assert run is not None and len(run.values) >= 160
        assert all(code.startswith("RF") for code in run.values[0].factors)
        signals = list_signals(session, kinds=[SignalKind.FORECAST])
    assert len(signals) == len(run.values)
    # re-running replaces rather than duplicates
    assert runner.invoke(app, args).exit_code == 0
    with db.session() as session:
        assert len(list_signals(session, kinds=[SignalKind.FORECAST])) == len(signals)


def test_explain_groups_reasons_by_factor(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(tmp_path), "forecast", "explain", "SDN", "--model", "ewp-replica",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["iso3"] == "SDN" and 0 < data["risk"] < 1
    assert {row["factor"] for row in data["factors"]} <= {f"RF{i}" for i in range(1, 15)}
    assert data["previous_risk"] is not None


def test_unknown_model_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path), "forecast", "explain", "SDN", "--model", "x"]
    )
    assert result.exit_code == 1
