"""The backtest protocol: expanding-window refits, two-year best-of forecasts, metrics.

For each last training year ``L`` the model is fitted on the country-years ``year <= L``
whose target is known, and forecasts every country in year ``L + horizon``. For an onset
year ``Y`` each country then has the forecasts made from data years ``Y - 1`` …
``Y - horizon``; the protocol keeps the higher risk (``maxrisk``) and the better rank
(``minrank``), as the Early Warning Project's backtest does (``maxrisk2``/``minrank2``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from tocsin.forecast._metrics import (
    brier_score,
    calibration_table,
    pr_auc,
    roc_auc,
)

__all__ = [
    "PERIODS",
    "metrics_table",
    "PeriodMetrics",
    "Period",
    "combine_forecasts",
    "evaluate",
    "forecast_years",
    "rank_within_year",
]


@dataclass(frozen=True)
class Period:
    """A named span of onset years (inclusive)."""

    name: str
    first: int
    last: int


PERIODS = (
    Period("overall", 1994, 2023),
    Period("validation", 1994, 2008),
    Period("test", 2009, 2023),
)
"""Overall, validation (choose models here) and test (look once) periods of onset years."""


def forecast_years(
    horizon: int, first_onset_year: int = 1994, last_onset_year: int = 2023
) -> Iterator[tuple[int, int]]:
    """Pairs (last training year ``L``, forecast data year ``L + horizon``) of the protocol.

    The first forecast year is ``first_onset_year - 1`` so that every onset year has its
    one-year-old forecast; the last is ``last_onset_year`` (it serves onsets after it).

    Examples
    --------
    >>> pairs = list(forecast_years(2))
    >>> pairs[0], pairs[-1], len(pairs)
    ((1991, 1993), (2021, 2023), 31)
    >>> list(forecast_years(1))[0]
    (1992, 1993)
    """
    for data_year in range(first_onset_year - 1, last_onset_year + 1):
        yield data_year - horizon, data_year


def rank_within_year(risk: pd.Series, year: pd.Series) -> pd.Series:
    """Rank 1 = highest risk within each year; ties share the best rank (R's ``"min"``)."""
    return risk.groupby(year).rank(ascending=False, method="min").astype("Int64")


def combine_forecasts(
    forecasts: pd.DataFrame,
    onsets: pd.DataFrame,
    horizon: int,
    first_onset_year: int = 1994,
    last_onset_year: int = 2024,
    key: str = "iso3",
) -> pd.DataFrame:
    """One row per country and onset year with the best of the forecasts that cover it.

    Parameters
    ----------
    forecasts
        Out-of-sample forecasts: ``iso3``, ``year`` (the data year), ``risk``, ``rank``.
    onsets
        ``iso3``, ``year``, ``onset`` (0/1: an onset begins in that year).
    horizon
        Forecasts made from data years ``Y - 1`` … ``Y - horizon`` cover onset year ``Y``.
    key
        The country column to join on; use a code that does not change over time
        (EWP's ``ccode``: Serbia is ``SCG`` until 2005 and ``SRB`` after in ISO terms).

    Returns
    -------
    DataFrame
        ``iso3``, ``year``, ``onset``, ``maxrisk``, ``minrank`` and, per lag ``k``,
        ``risk_lag{k}`` and ``rank_lag{k}``. Countries with no covering forecast keep
        missing values (they are left out of the AUCs and count as missed onsets).

    Examples
    --------
    >>> f = pd.DataFrame({"iso3": ["A", "A"], "year": [2000, 2001],
    ...                   "risk": [0.1, 0.3], "rank": [5, 2]})
    >>> o = pd.DataFrame({"iso3": ["A"], "year": [2002], "onset": [1]})
    >>> combine_forecasts(f, o, 2, 2002, 2002)[["maxrisk", "minrank"]].values.tolist()
    [[0.3, 2.0]]
    """
    frame = onsets.loc[
        onsets["year"].between(first_onset_year, last_onset_year),
        list(dict.fromkeys([key, "iso3", "year", "onset"])),
    ].copy()
    keyed = forecasts[[key, "year", "risk", "rank"]]
    risk_columns, rank_columns = [], []
    for lag in range(1, horizon + 1):
        lagged = keyed.assign(year=keyed["year"] + lag).rename(
            columns={"risk": f"risk_lag{lag}", "rank": f"rank_lag{lag}"}
        )
        frame = frame.merge(lagged, on=[key, "year"], how="left")
        risk_columns.append(f"risk_lag{lag}")
        rank_columns.append(f"rank_lag{lag}")
    frame["maxrisk"] = frame[risk_columns].astype(float).max(axis=1, skipna=True)
    frame["minrank"] = frame[rank_columns].astype(float).min(axis=1, skipna=True)
    return frame.sort_values(["year", "iso3"], ignore_index=True)


@dataclass(frozen=True)
class PeriodMetrics:
    """Every metric of the protocol for one period of onset years."""

    period: str
    first_year: int
    last_year: int
    n_onsets: int
    n_rows: int
    top30_share_pooled: float
    top30_share_yearly_mean: float
    roc_auc: float
    pr_auc: float
    share_risk_ge_4pct: float
    brier: float
    n_forecasts_scored: int
    calibration: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready mapping (a metric that cannot be computed is ``None``)."""
        return {
            key: None if isinstance(value, float) and math.isnan(value) else value
            for key, value in asdict(self).items()
        }


def _share(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else float("nan")


def evaluate(
    combined: pd.DataFrame,
    scored: pd.DataFrame,
    periods: Sequence[Period] = PERIODS,
    top: int = 30,
    threshold: float = 0.04,
) -> dict[str, PeriodMetrics]:
    """Metrics of the protocol per period.

    Parameters
    ----------
    combined
        Output of :func:`combine_forecasts` (onset-year rows).
    scored
        The underlying forecasts with their own known outcome: ``year`` (data year),
        ``risk``, ``target`` (0/1, missing when not yet known) and ``horizon_end`` (the
        last onset year the forecast covers), used for the Brier score and calibration.
        A forecast belongs to the period holding its ``horizon_end``.
    """
    results: dict[str, PeriodMetrics] = {}
    for period in periods:
        rows = combined[combined["year"].between(period.first, period.last)]
        onset_rows = rows[rows["onset"] == 1]
        caught = onset_rows["minrank"].le(top).fillna(False).astype(bool)
        yearly = caught.groupby(onset_rows["year"]).mean()
        ranked = rows[rows["maxrisk"].notna()]
        under = scored[
            scored["horizon_end"].between(period.first, period.last) & scored["target"].notna()
        ]
        calibration = [
            {k: float(v) for k, v in asdict(b).items()}
            for b in calibration_table(under["target"].to_numpy(float), under["risk"].to_numpy())
        ]
        results[period.name] = PeriodMetrics(
            period=period.name,
            first_year=period.first,
            last_year=period.last,
            n_onsets=int(len(onset_rows)),
            n_rows=int(len(ranked)),
            top30_share_pooled=_share(caught),
            top30_share_yearly_mean=float(yearly.mean()) if len(yearly) else float("nan"),
            roc_auc=roc_auc(ranked["onset"].to_numpy(float), ranked["maxrisk"].to_numpy(float)),
            pr_auc=pr_auc(ranked["onset"].to_numpy(float), ranked["maxrisk"].to_numpy(float)),
            share_risk_ge_4pct=_share(onset_rows["maxrisk"].ge(threshold).fillna(False)),
            brier=brier_score(under["target"].to_numpy(float), under["risk"].to_numpy(float)),
            n_forecasts_scored=int(len(under)),
            calibration=calibration,
        )
    return results


ModelFactory = Callable[[], Any]
PeriodTable = Mapping[str, PeriodMetrics]


def metrics_table(results: PeriodTable) -> pd.DataFrame:
    """Periods as rows and the scalar metrics as columns (for printing and docs)."""
    rows = []
    for metrics in results.values():
        row = metrics.as_dict()
        row.pop("calibration")
        rows.append(row)
    return pd.DataFrame(rows).set_index("period")
