"""The capability's entry points: build the frame, backtest a named model, forecast now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tocsin.forecast._backtest import BacktestResult, run_backtest
from tocsin.forecast._features import build_features
from tocsin.forecast._model import TOCSIN_FEATURES, TocsinModel
from tocsin.forecast._panel import (
    EWP_PREDICTORS,
    TARGETS,
    PanelError,
    check_panel,
    complete_cases,
    load_events,
    onset_series,
    with_target,
)
from tocsin.forecast._protocol import forecast_years
from tocsin.forecast._replica import EWPReplica

__all__ = ["MODELS", "ModelSpec", "Watchlist", "backtest", "build_frame", "current_forecast"]


@dataclass(frozen=True)
class ModelSpec:
    """A named model: its class, the columns it reads and the columns it cannot miss."""

    name: str
    factory: type[Any]
    predictors: tuple[str, ...]
    required: tuple[str, ...]
    version: str


MODELS: dict[str, ModelSpec] = {
    "ewp-replica": ModelSpec(
        "ewp-replica", EWPReplica, EWP_PREDICTORS, EWP_PREDICTORS, "ewp-replica-2025.1"
    ),
    "tocsin": ModelSpec("tocsin", TocsinModel, TOCSIN_FEATURES, EWP_PREDICTORS, "tocsin-0.2"),
}


def _spec(model: str) -> ModelSpec:
    if model not in MODELS:
        raise PanelError(f"unknown model {model!r}", fix=f"use one of {', '.join(MODELS)}")
    return MODELS[model]


def build_frame(
    sources: Mapping[str, pd.DataFrame], *, target: str = "any", horizon: int = 2
) -> pd.DataFrame:
    """Panel, Tocsin's features and the target, from ``tocsin.datasets`` frames.

    ``sources`` maps ``ewp_panel``, ``mass_killing``, ``pts``, ``freedom_house`` and
    ``vdem`` to the frames :func:`tocsin.datasets.load` returns.
    """
    if target not in TARGETS:
        raise PanelError(f"unknown target {target!r}", fix=f"use one of {', '.join(TARGETS)}")
    panel = sources["ewp_panel"]
    check_panel(panel, EWP_PREDICTORS)
    frame = build_features(panel, sources["pts"], sources["freedom_house"], sources["vdem"])
    onsets = onset_series(sources["mass_killing"], load_events(), target)
    return with_target(frame, onsets, horizon)


def backtest(
    frame: pd.DataFrame,
    *,
    model: str = "ewp-replica",
    target: str = "any",
    horizon: int = 2,
    n_jobs: int = 1,
    refits: int | None = None,
) -> BacktestResult:
    """The backtest protocol for a named model (see :func:`run_backtest`).

    ``refits`` keeps only the protocol's last that many refits (a quick check: the
    metrics then cover only the onsets those forecasts reach).
    """
    spec = _spec(model)
    schedule = list(forecast_years(horizon))
    if refits is not None:
        if refits < 1:
            raise PanelError(f"refits must be at least 1, got {refits}")
        schedule = schedule[-refits:]
    return run_backtest(
        frame,
        spec.factory,
        spec.predictors,
        required=spec.required,
        horizon=horizon,
        model_name=model,
        target_name=target,
        n_jobs=n_jobs,
        schedule=schedule,
    )


@dataclass
class Watchlist:
    """Current forecasts for every country, highest risk first, with the fitted model."""

    model: str
    version: str
    data_year: int
    target: str
    horizon: int
    forecasts: pd.DataFrame
    fitted: Any
    missing: dict[str, int]


def current_forecast(
    frame: pd.DataFrame,
    *,
    model: str = "tocsin",
    target: str = "any",
    horizon: int = 2,
    data_year: int | None = None,
    train_until: int | None = None,
) -> Watchlist:
    """Fit on every row whose target is known and forecast ``data_year`` (default: last).

    ``train_until`` restricts training to years up to it (the real-time check fits on
    data to 2021 when forecasting from 2023, as the targets of 2022–2023 are unknown).
    """
    spec = _spec(model)
    year = int(frame["year"].max()) if data_year is None else data_year
    train = frame[frame["target"].notna() & (frame["year"] < year)]
    if train_until is not None:
        train = train[train["year"] <= train_until]
    train, _ = complete_cases(train, spec.required)
    test, report = complete_cases(frame[frame["year"] == year], spec.required)
    fitted = spec.factory().fit(train[list(spec.predictors)], train["target"].astype(int))
    risk = fitted.predict_proba(test[list(spec.predictors)])[:, 1]
    forecasts = test[["iso3", "ccode", "year"]].assign(risk=risk)
    if "ewp_name" in test:
        forecasts["name"] = test["ewp_name"].to_numpy()
    forecasts["rank"] = forecasts["risk"].rank(ascending=False, method="min").astype(int)
    forecasts = forecasts.sort_values("rank", ignore_index=True)
    return Watchlist(
        model=model,
        version=spec.version,
        data_year=year,
        target=target,
        horizon=horizon,
        forecasts=forecasts,
        fitted=fitted,
        missing=report.missing_by_column,
    )
