"""`tocsin forecast`: run stores forecasts and Signals; explain gives factor reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.domain import SignalKind
from tocsin.forecast import latest_forecast_run
from tocsin.store import Database, list_signals


@pytest.fixture
def home(tmp_path: Path) -> Path:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "up", "--no-serve"])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_run_stores_the_watchlist_and_emits_signals(home: Path) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(home), "forecast", "run", "--model", "ewp-replica", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["data_year"] == 2024 and len(data["forecasts"]) == 30
    # the bundled panel's release: date and data years, short enough for the column
    assert data["data_vintage"] == "ewp_panel:bundled:2025-09-03:1960-2024"
    assert [row["rank"] for row in data["forecasts"]][:3] == [1, 2, 3]
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    with db.session() as session:
        run = latest_forecast_run(session, model="ewp-replica")
        assert run is not None and len(run.values) >= 160
        assert run.data_vintage == data["data_vintage"]
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


def test_backtest_json_on_a_short_schedule(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(tmp_path), "forecast", "backtest", "--model", "ewp-replica",
         "--refits", "3", "--jobs", "1", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "ewp-replica" and data["n_refits"] == 3
    assert data["seconds"] > 0 and data["cpu_seconds"] > 0
    periods = data["periods"]
    assert set(periods) == {"overall", "validation", "test", "ewp_reference"}
    # forecasts from 2021-2023 reach only the 2022-2024 onsets (Burkina Faso, Sudan); the
    # other onsets count as missed, and the validation period has nothing to rank
    assert periods["test"]["n_onsets"] == 20 and periods["validation"]["roc_auc"] is None
    keys = {"top30_share_pooled", "top30_share_yearly_mean", "roc_auc", "pr_auc",
            "share_risk_ge_4pct", "brier", "calibration", "n_onsets"}  # fmt: skip
    assert keys <= set(periods["test"])
    assert 0 < periods["test"]["top30_share_pooled"] <= 2 / 20
