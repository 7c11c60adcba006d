"""Turn a watchlist into FORECAST Signals for the store."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tocsin.domain import Provenance, Signal, SignalKind

__all__ = ["forecast_signals"]

TARGET_WORDS = {"any": "a new mass killing", "state_led": "a new state-led mass killing"}


def forecast_signals(
    forecasts: pd.DataFrame,
    factors: pd.DataFrame,
    *,
    model_version: str,
    data_year: int,
    target: str,
    horizon: int,
    data_vintage: str,
    top_factors: int = 3,
) -> list[Signal]:
    """One Signal per country: strength = risk, codes = the factors pushing risk up most.

    ``forecasts`` has ``iso3``, ``risk``, ``rank``; ``factors`` is indexed like it, with
    one column per framework factor (contributions to the risk). A country whose
    contributions are all negative is tagged with its largest one.
    """
    first, last = data_year + 1, data_year + horizon
    span = f"{first}" if first == last else f"{first}–{last}"
    n = len(forecasts)
    signals = []
    for position, (_, row) in enumerate(forecasts.iterrows()):
        contributions = factors.iloc[position].sort_values(ascending=False)
        codes = [str(c) for c, v in contributions.items() if v > 0][:top_factors]
        if not codes:
            codes = [str(contributions.index[0])]
        signals.append(
            Signal(
                iso3=str(row["iso3"]),
                kind=SignalKind.FORECAST,
                start_date=date(first, 1, 1),
                end_date=date(last, 12, 31),
                framework_codes=codes,
                strength=float(min(max(row["risk"], 0.0), 1.0)),
                summary=(
                    f"{row['risk']:.1%} risk of {TARGET_WORDS.get(target, target)} beginning "
                    f"in {span} (rank {int(row['rank'])} of {n}; {model_version})"
                ),
                provenance=Provenance(
                    capability="forecast",
                    producer=model_version,
                    details={"data_vintage": data_vintage, "data_year": data_year},
                ),
            )
        )
    return signals
