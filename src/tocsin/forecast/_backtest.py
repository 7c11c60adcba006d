"""Run the backtest protocol for any model with ``fit``/``predict_proba``."""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tocsin.forecast._protocol import (
    PERIODS,
    Period,
    PeriodMetrics,
    combine_forecasts,
    evaluate,
    forecast_years,
    rank_within_year,
)

__all__ = ["BacktestResult", "REFERENCE_PERIOD", "run_backtest"]

REFERENCE_PERIOD = Period("ewp_reference", 1994, 2024)
"""EWP's own calculation in its FOOS file runs to 2024 (no onsets that year)."""


@dataclass
class BacktestResult:
    """Out-of-sample forecasts, their onset-year combination, metrics and timing."""

    model: str
    target: str
    horizon: int
    forecasts: pd.DataFrame
    combined: pd.DataFrame
    metrics: dict[str, PeriodMetrics]
    seconds: float
    n_refits: int
    cpu_seconds: float = float("nan")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (what ``tocsin forecast backtest --json`` prints)."""
        return {
            "model": self.model,
            "target": self.target,
            "horizon": self.horizon,
            "n_refits": self.n_refits,
            "seconds": round(self.seconds, 2),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "periods": {name: m.as_dict() for name, m in self.metrics.items()},
        }


ModelFactory = Callable[[], Any]
_WORKER: dict[str, Any] = {}


def _set_worker_state(
    frame: pd.DataFrame,
    make_model: ModelFactory,
    predictors: Sequence[str],
    required: Sequence[str],
) -> None:
    """Give a worker process the frame once, rather than with every refit."""
    _WORKER.update(frame=frame, make_model=make_model, predictors=predictors, required=required)


def _worker_refit(last_train_year: int, data_year: int) -> pd.DataFrame:
    state = _WORKER
    return _one_refit(
        state["frame"],
        state["make_model"],
        state["predictors"],
        state["required"],
        last_train_year,
        data_year,
    )


def _cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _one_refit(
    frame: pd.DataFrame,
    make_model: ModelFactory,
    predictors: Sequence[str],
    required: Sequence[str],
    last_train_year: int,
    data_year: int,
) -> pd.DataFrame:
    columns = list(predictors)
    train = frame[(frame["year"] <= last_train_year) & frame["target"].notna()]
    train = train.dropna(subset=list(required))
    test = frame[frame["year"] == data_year].dropna(subset=list(required))
    model = make_model().fit(train[columns].astype(float), train["target"].astype(int))
    risk = model.predict_proba(test[columns].astype(float))[:, 1]
    return pd.DataFrame(
        {
            "iso3": test["iso3"].to_numpy(),
            "ccode": test["ccode"].to_numpy() if "ccode" in test else test["iso3"].to_numpy(),
            "year": data_year,
            "risk": risk,
            "target": test["target"].to_numpy(dtype=float),
            "last_train_year": last_train_year,
        }
    )


def run_backtest(
    frame: pd.DataFrame,
    make_model: ModelFactory,
    predictors: Sequence[str],
    *,
    horizon: int = 2,
    model_name: str = "model",
    target_name: str = "any",
    periods: Sequence[Period] = (*PERIODS, REFERENCE_PERIOD),
    required: Sequence[str] | None = None,
    n_jobs: int = 1,
    schedule: Sequence[tuple[int, int]] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> BacktestResult:
    """Refit for every last training year, forecast, combine and score.

    ``frame`` holds ``iso3``, ``year``, the predictors, ``onset`` (0/1 in year t) and
    ``target`` (onset in t+1 … t+horizon, missing when unknown). Rows missing any of
    the ``required`` columns (default: all predictors) are left out of training and
    forecasting (complete cases); other gaps are left to the model. ``schedule``
    replaces the protocol's (last training year, data year) pairs, e.g. for a quick run.
    """
    needed = list(predictors if required is None else required)
    started = clock()
    cpu_started = _cpu_seconds()
    pairs = list(forecast_years(horizon) if schedule is None else schedule)

    if n_jobs > 1:
        # each worker receives the frame once; largest refits first keeps both cores busy
        context = multiprocessing.get_context("fork")
        ordered = sorted(pairs, key=lambda pair: -pair[0])
        with ProcessPoolExecutor(
            max_workers=n_jobs,
            mp_context=context,
            initializer=_set_worker_state,
            initargs=(frame, make_model, list(predictors), needed),
        ) as pool:
            futures = {pair: pool.submit(_worker_refit, *pair) for pair in ordered}
            parts = [futures[pair].result() for pair in pairs]
    else:
        parts = [_one_refit(frame, make_model, predictors, needed, *pair) for pair in pairs]
    forecasts = pd.concat(parts, ignore_index=True)
    forecasts["rank"] = rank_within_year(forecasts["risk"], forecasts["year"])
    forecasts["horizon_end"] = forecasts["year"] + horizon
    onsets = frame[["iso3", "year", "onset"]].assign(
        ccode=frame["ccode"] if "ccode" in frame else frame["iso3"]
    )
    combined = combine_forecasts(forecasts, onsets, horizon, 1994, 2024, key="ccode")
    metrics = evaluate(combined, forecasts, periods)
    return BacktestResult(
        model=model_name,
        target=target_name,
        horizon=horizon,
        forecasts=forecasts,
        combined=combined,
        metrics=metrics,
        seconds=clock() - started,
        n_refits=len(pairs),
        cpu_seconds=_cpu_seconds() - cpu_started,
    )
