"""The forecast use case: forecast every country from the current data, store it, emit Signals.

One function (:func:`record_current_forecast`) that ``tocsin forecast run``, ``tocsin up``
(the first watchlist) and any worker call, so they all store the same thing. I/O lives
here, at the capability's edge: the data sets are read through :mod:`tocsin.datasets` and
the run goes to the store; the model is the pure part (:func:`current_forecast`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from tocsin.datasets import current_release, load
from tocsin.errors import TocsinError
from tocsin.forecast._api import MODELS, build_frame, current_forecast
from tocsin.forecast._explain import factor_contributions
from tocsin.forecast._signals import forecast_signals
from tocsin.settings import Settings

__all__ = [
    "FORECAST_SOURCES",
    "RecordedForecast",
    "forecast_frame",
    "panel_vintage",
    "record_current_forecast",
]

#: The bundled data sets a forecast is computed from.
FORECAST_SOURCES = ("ewp_panel", "mass_killing", "pts", "freedom_house", "vdem")


def forecast_frame(settings: Settings | Path, target: str, horizon: int) -> pd.DataFrame:
    """The country-year frame of every predictor and the target, from the current data sets."""
    if horizon not in (1, 2):
        raise TocsinError(f"horizon must be 1 or 2, got {horizon}", fix="use --horizon 1 or 2")
    sources = {name: load(name, settings_or_dir=settings) for name in FORECAST_SOURCES}
    return build_frame(sources, target=target, horizon=horizon)


def panel_vintage(settings: Settings | Path) -> str:
    """A short label of the panel release, e.g. ``ewp_panel:bundled:2025-09-03:1960-2024``.

    The manifest's ``vintage`` is a mapping (release date, data years); its Python repr
    was stored before, which is long (the column holds 120 characters) and hard to read.
    """
    release = current_release("ewp_panel", settings_or_dir=settings)
    vintage = release.manifest.get("vintage")
    if isinstance(vintage, dict):
        years = vintage.get("data_years") or []
        span = "-".join(str(y) for y in years)
        label = ":".join(str(part) for part in (vintage.get("release_date"), span) if part)
    else:
        label = str(vintage or "")
    label = label or str(release.manifest.get("sha256", ""))[:12]
    return f"ewp_panel:{release.origin}:{label}"[:120]


@dataclass(frozen=True)
class RecordedForecast:
    """A stored forecast run: its id, what it was computed from, and every country's risk."""

    run_id: int
    model: str
    model_version: str
    data_vintage: str
    data_year: int
    target: str
    horizon: int
    forecasts: pd.DataFrame  # iso3, name, risk, rank; highest risk first
    not_stored: list[str] = field(default_factory=list)  # countries not in the database


def record_current_forecast(
    settings: Settings,
    *,
    now: datetime,
    model: str = "tocsin",
    target: str = "any",
    horizon: int = 2,
) -> RecordedForecast:
    """Forecast every country from the latest data, store the run and its FORECAST Signals.

    Countries the database does not know (``tocsin up`` not run since the crosswalk
    changed) are forecast but not stored; :attr:`RecordedForecast.not_stored` names them.
    """
    from tocsin.forecast._store import ForecastRunCreate, ForecastValue, record_forecast_run
    from tocsin.store import Database, list_countries, record_signals

    frame = forecast_frame(settings, target, horizon)
    watch = current_forecast(frame, model=model, target=target, horizon=horizon)
    rows = frame[frame["year"] == watch.data_year].set_index("iso3")
    features = rows.loc[watch.forecasts["iso3"], list(MODELS[model].predictors)]
    contributions = pd.DataFrame(watch.fitted.contributions(features), columns=features.columns)
    factors = factor_contributions(contributions).set_axis(watch.forecasts.index)
    vintage = panel_vintage(settings)
    db = Database.from_settings(settings)
    try:
        with db.session() as session:
            known = {c.iso3 for c in list_countries(session)}
            keep = watch.forecasts["iso3"].isin(known)
            kept = watch.forecasts[keep]
            values = [
                ForecastValue(str(iso3), float(risk), int(rank), factors.loc[i].round(6).to_dict())
                for i, iso3, risk, rank in zip(
                    kept.index, kept["iso3"], kept["risk"], kept["rank"], strict=True
                )
            ]
            run_id = record_forecast_run(
                session,
                ForecastRunCreate(
                    model=model,
                    model_version=watch.version,
                    data_vintage=vintage,
                    target=target,
                    horizon=horizon,
                    data_year=watch.data_year,
                    values=values,
                    details={"missing": watch.missing},
                ),
                now=now,
            )
            signals = forecast_signals(
                kept,
                factors[keep],
                model_version=watch.version,
                data_year=watch.data_year,
                target=target,
                horizon=horizon,
                data_vintage=vintage,
            )
            record_signals(session, signals, now=now)
    finally:
        db.dispose()
    return RecordedForecast(
        run_id=run_id,
        model=model,
        model_version=watch.version,
        data_vintage=vintage,
        data_year=watch.data_year,
        target=target,
        horizon=horizon,
        forecasts=watch.forecasts,
        not_stored=[str(iso3) for iso3 in watch.forecasts.loc[~keep, "iso3"]],
    )
