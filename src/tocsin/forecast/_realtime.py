"""Real-time check: refit on EWP's 2024 data vintage and compare with what happened.

EWP's 2024 edition fitted its model on the panel it had in October 2024 (data to 2023,
training rows to 2021 whose two-year outcome was known) and published risks for
2024–25. :func:`realtime_check` refits both models on that same vintage (bundled in
``data/ewp_panel_2024.csv.gz``), forecasts from 2023, and sets the result beside EWP's
published 2024–25 forecast (``data/ewp_forecasts_2024.csv.gz``) and the onsets that the
2025 episode list records for 2024. A second, pseudo-real-time line forecasts from 2021
on the same vintage (training to 2019) against the onsets of 2022–2023.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from tocsin.countries import get_crosswalk
from tocsin.forecast._api import current_forecast
from tocsin.forecast._features import build_features
from tocsin.forecast._panel import (
    EWP_PREDICTORS,
    check_panel,
    load_events,
    onset_series,
    with_target,
)

__all__ = ["RealtimeCheck", "load_vintage_2024", "realtime_check"]

_PUBLISHED = "risk.2024and2025.from2023"


def _read(name: str) -> pd.DataFrame:
    source = resources.files("tocsin.forecast").joinpath(f"data/{name}")
    with resources.as_file(source) as path:
        frame = pd.read_csv(path, na_values=["NA"], compression="gzip")
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])
    frame["iso3"] = get_crosswalk().to_iso3_series(frame["ccode"], "ewp_ccode", years=frame["year"])
    return frame


def load_vintage_2024() -> tuple[pd.DataFrame, pd.DataFrame]:
    """EWP's 2024 modelling panel (1960–2023) and its published 2024–25 forecasts.

    Examples
    --------
    >>> panel, published = load_vintage_2024()
    >>> int(panel["year"].max()), len(published)
    (2023, 168)
    """
    panel = _read("ewp_panel_2024.csv.gz")
    check_panel(panel, EWP_PREDICTORS)
    return panel, _read("ewp_forecasts_2024.csv.gz")


@dataclass
class RealtimeCheck:
    """Per-country forecasts of each model on the 2024 vintage, and a summary."""

    table: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def _top(series: pd.Series, n: int = 30) -> set[Any]:
    return set(series.nlargest(n).index)


def realtime_check(
    sources: Mapping[str, pd.DataFrame], models: tuple[str, ...] = ("ewp-replica", "tocsin")
) -> RealtimeCheck:
    """Refit every model on the 2024 vintage and compare with EWP's published forecast.

    ``sources`` holds the ``tocsin.datasets`` frames ``mass_killing`` (the 2025 list of
    onsets: the outcome), ``pts``, ``freedom_house`` and ``vdem`` (Tocsin's extra
    features; their current releases, so Tocsin's inputs are not strictly of 2024).
    """
    panel, published = load_vintage_2024()
    vintage_onsets = panel[["ccode", "year", "mk_onset"]].rename(columns={"mk_onset": "onset"})
    featured = build_features(panel, sources["pts"], sources["freedom_house"], sources["vdem"])
    frame = with_target(featured, vintage_onsets.fillna({"onset": 0}), 2)
    later = onset_series(sources["mass_killing"], load_events(), "any")
    happened = later[later["onset"].eq(1)].groupby("ccode")["year"].apply(list)

    table = published[["ccode", "iso3", "ewp_name", _PUBLISHED]].rename(
        columns={_PUBLISHED: "published"}
    )
    summary: dict[str, Any] = {}
    lines = (("2023", 2023, 2021, (2024,)), ("2021", 2021, 2019, (2022, 2023)))
    for label, data_year, train_until, years in lines:
        onset_codes = {c for c, ys in happened.items() if set(ys) & set(years)}
        part: dict[str, Any] = {
            "data_year": data_year,
            "trained_to": train_until,
            "onset_years": list(years),
            "onsets": sorted(str(i) for i in table.loc[table["ccode"].isin(onset_codes), "iso3"]),
        }
        for model in models:
            watch = current_forecast(
                frame, model=model, data_year=data_year, train_until=train_until
            )
            risk = watch.forecasts.set_index("ccode")["risk"]
            column = f"{model}_{label}"
            table[column] = table["ccode"].map(risk)
            ranks = table[column].rank(ascending=False, method="min")
            part[model] = {
                "onset_ranks": {
                    str(iso3): int(rank)
                    for iso3, rank, code in zip(table["iso3"], ranks, table["ccode"], strict=True)
                    if code in onset_codes and not np.isnan(rank)
                },
            }
            if label == "2023":
                both = table[["published", column]].dropna()
                part[model]["correlation_with_published"] = float(
                    np.corrcoef(both["published"], both[column])[0, 1]
                )
                part[model]["top30_shared_with_published"] = len(
                    _top(both["published"]) & _top(both[column])
                )
                part[model]["max_abs_difference"] = float(
                    (both["published"] - both[column]).abs().max()
                )
        if label == "2023":
            published_ranks = table["published"].rank(ascending=False, method="min")
            part["published"] = {
                "onset_ranks": {
                    str(iso3): int(rank)
                    for iso3, rank, code in zip(
                        table["iso3"], published_ranks, table["ccode"], strict=True
                    )
                    if code in onset_codes
                }
            }
        summary[f"from_{label}"] = part
    table = table.sort_values("published", ascending=False, ignore_index=True)
    return RealtimeCheck(table=table, summary=summary)
