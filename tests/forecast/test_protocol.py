"""The protocol code reproduces the Early Warning Project's own backtest figures.

EWP's FOOS file holds their out-of-sample forecasts; running our combination and
metric code on the underlying forecasts must give the numbers EWP report (0.692 pooled
top-30 share, 0.825 AUC for the 2025 edition) — this validates the protocol code.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tocsin.forecast import (
    PERIODS,
    REFERENCE_PERIOD,
    combine_forecasts,
    evaluate,
    forecast_years,
    rank_within_year,
)


def _underlying(foos: pd.DataFrame) -> pd.DataFrame:
    """The one forecast per country and data year that the FOOS file spreads over two rows."""
    parts = []
    for year, risk, rank in (
        ("prev_year", "risk_prev", "rank_prev"),
        ("two_years_prior", "risk_two_years_prior", "rank_two_years_prior"),
    ):
        part = foos[["ccode", year, risk, rank]].dropna()
        parts.append(part.set_axis(["iso3", "year", "risk", "rank"], axis=1))
    return pd.concat(parts).drop_duplicates(["iso3", "year"])


@pytest.mark.parametrize(
    ("edition", "top30", "auc"),
    [
        ("sra2025_FOOSforecasts_3Sep2025.csv", 0.692, 0.825),
        ("sra2024_FOOSforecasts_11Oct2024.csv", 0.684, 0.820),
        ("sra2023_FOOSforecasts_9Nov_hackregion.csv", 0.611, 0.794),
    ],
)
def test_reproduces_ewp_foos_figures(
    shared_dir: Path, edition: str, top30: float, auc: float
) -> None:
    foos = pd.read_csv(shared_dir / "data" / "ewp" / edition)
    forecasts = _underlying(foos)
    onsets = foos[["ccode", "year", "mk_onset"]].set_axis(["iso3", "year", "onset"], axis=1)
    combined = combine_forecasts(forecasts, onsets, 2, 1994, int(foos["year"].max()))
    ordered = foos.sort_values(["year", "ccode"], ignore_index=True)
    assert combined["maxrisk"].fillna(-1).tolist() == ordered["maxrisk2"].fillna(-1).tolist()
    scored = forecasts.assign(target=float("nan"), horizon_end=forecasts["year"] + 2)
    reference = REFERENCE_PERIOD.__class__("all", 1994, int(foos["year"].max()))
    metrics = evaluate(combined, scored, [reference])["all"]
    assert round(metrics.top30_share_pooled, 3) == top30
    assert round(metrics.roc_auc, 3) == auc


def test_2025_periods_match_the_issue_reference(shared_dir: Path) -> None:
    foos = pd.read_csv(shared_dir / "data" / "ewp" / "sra2025_FOOSforecasts_3Sep2025.csv")
    forecasts = _underlying(foos)
    onsets = foos[["ccode", "year", "mk_onset"]].set_axis(["iso3", "year", "onset"], axis=1)
    combined = combine_forecasts(forecasts, onsets, 2)
    scored = forecasts.assign(target=float("nan"), horizon_end=forecasts["year"] + 2)
    metrics = evaluate(combined, scored, PERIODS)
    assert (metrics["validation"].n_onsets, metrics["test"].n_onsets) == (19, 20)
    assert round(metrics["validation"].top30_share_pooled, 3) == 0.632
    assert round(metrics["validation"].roc_auc, 3) == 0.852
    assert round(metrics["test"].top30_share_pooled, 3) == 0.750
    assert round(metrics["test"].roc_auc, 3) == 0.823
    assert round(metrics["overall"].share_risk_ge_4pct, 3) == 0.667


def test_forecast_years_cover_every_onset_year_twice() -> None:
    pairs = list(forecast_years(2))
    data_years = {year for _, year in pairs}
    for onset_year in range(1994, 2024):
        assert {onset_year - 1, onset_year - 2} & data_years
    assert all(year - last == 2 for last, year in pairs)


def test_combination_takes_max_risk_and_min_rank_over_lags() -> None:
    forecasts = pd.DataFrame(
        {"iso3": ["A", "A", "B"], "year": [2000, 2001, 2001], "risk": [0.5, 0.2, 0.3]}
    )
    forecasts["rank"] = rank_within_year(forecasts["risk"], forecasts["year"])
    onsets = pd.DataFrame({"iso3": ["A", "B"], "year": [2002, 2002], "onset": [1, 0]})
    combined = combine_forecasts(forecasts, onsets, 2, 2002, 2002)
    row = combined.set_index("iso3").loc["A"]
    assert (row["maxrisk"], row["minrank"]) == (0.5, 1)
    assert (
        combined.set_index("iso3").loc["B", "risk_lag2"]
        != combined.set_index("iso3").loc["B", "risk_lag2"]
    )  # B has no forecast two years before: NaN


def test_ranks_share_the_best_rank_on_ties() -> None:
    ranks = rank_within_year(pd.Series([0.1, 0.3, 0.3]), pd.Series([1, 1, 1]))
    assert ranks.tolist() == [3, 1, 1]
