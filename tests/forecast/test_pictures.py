"""Pictures are written in the asked format from backtest results and forecasts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tocsin.forecast import (
    BacktestResult,
    plot_calibration,
    plot_catch_curve,
    plot_risk_history,
    plot_world_map,
    world_outlines,
)


def _result(model: str, seed: int) -> BacktestResult:
    rng = np.random.default_rng(seed)
    years = np.repeat(np.arange(2000, 2010), 20)
    risk = rng.uniform(0, 0.2, size=years.size)
    target = (rng.random(years.size) < risk).astype(float)
    forecasts = pd.DataFrame(
        {"year": years, "risk": risk, "target": target, "horizon_end": years + 2}
    )
    combined = pd.DataFrame(
        {"year": years + 2, "onset": target, "minrank": rng.integers(1, 60, years.size)}
    )
    return BacktestResult(model, "any", 2, forecasts, combined, {}, 1.0, 10)


def test_catch_curve_and_calibration_are_written(tmp_path: Path) -> None:
    results = {"ewp-replica": _result("ewp-replica", 1), "tocsin": _result("tocsin", 2)}
    svg = plot_catch_curve(results, tmp_path / "catch.svg", period=(2002, 2011))
    png = plot_calibration(results, tmp_path / "calibration.png", period=(2002, 2011))
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the same inputs give the same SVG bytes (no time stamp)
    again = plot_catch_curve(results, tmp_path / "again.svg", period=(2002, 2011))
    assert again.read_bytes() == svg.read_bytes()


def test_history_and_world_map(tmp_path: Path) -> None:
    history = pd.DataFrame(
        {"year": [2020, 2021, 2020, 2021], "risk": [0.05, 0.08, 0.04, 0.1],
         "model": ["tocsin", "tocsin", "ewp-replica", "ewp-replica"]}
    )  # fmt: skip
    path = plot_risk_history(history, tmp_path / "h.svg", title="SDN", onset_years=[2021])
    assert "SDN" in path.read_text(encoding="utf-8")
    forecasts = pd.DataFrame({"iso3": ["SDN", "MMR", "SGP"], "risk": [0.09, 0.05, 0.001]})
    world = plot_world_map(forecasts, tmp_path / "map.svg", title="risk")
    text = world.read_text(encoding="utf-8")
    assert "Not drawn at this scale: SGP 0.1%" in text


def test_outlines_cover_the_large_countries() -> None:
    outlines = world_outlines()
    assert {"SDN", "MMR", "XKX", "USA", "RUS"} <= set(outlines)
    assert all(ring.shape[1] == 2 for rings in outlines.values() for ring in rings)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="picture format"):
        plot_catch_curve({"m": _result("m", 1)}, tmp_path / "x.pdf")
