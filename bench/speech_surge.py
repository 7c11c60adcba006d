"""False-alarm and detection rates of the speech surge detector on simulated daily counts.

Usage: uv run python bench/speech_surge.py

No corpus we hold has dated, geolocated items, so the rates are measured on series built
to look like monitoring data: a year of daily flagged counts per series, Poisson (steady)
or negative binomial (bursty, variance = mean + mean²/k), at several base rates. False
alarms: surges found in series with no surge, per 1,000 series-days. Detection: share of
injected 3-day surges (×2, ×3, ×5 the base rate) whose days overlap a detected surge.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tocsin.speech import detect_surges

N_SERIES = 100
N_DAYS = 365
START = date(2024, 1, 1)


def _frame(counts: np.ndarray) -> pd.DataFrame:
    days = [START + timedelta(days=i) for i in range(counts.shape[1])]
    return pd.DataFrame(
        {
            "iso3": np.repeat([f"S{i:02d}" for i in range(counts.shape[0])], counts.shape[1]),
            "target_group": "all",
            "day": days * counts.shape[0],
            "n_flagged": counts.ravel(),
            "n_items": 0,
        }
    )


def _simulate(rng: np.random.Generator, rate: float, k: float | None) -> np.ndarray:
    if k is None:
        return rng.poisson(rate, size=(N_SERIES, N_DAYS))
    return rng.negative_binomial(k, k / (k + rate), size=(N_SERIES, N_DAYS))


def main() -> None:
    rng = np.random.default_rng(42)
    rows = []
    for model, k in (("poisson", None), ("negbin_k5", 5.0), ("negbin_k2", 2.0)):
        for rate in (1.0, 3.0, 10.0):
            null = _simulate(rng, rate, k)
            surges = detect_surges(_frame(null))
            alarm_days = int(sum((s.end_date - s.start_date).days + 1 for s in surges.itertuples()))
            usable_days = N_SERIES * (N_DAYS - 28)
            row = {
                "model": model,
                "base_rate": rate,
                "false_surges_per_1000_series_days": round(1000 * len(surges) / usable_days, 3),
                "false_alarm_day_share": round(alarm_days / usable_days, 5),
            }
            for factor in (2, 3, 5):
                injected = _simulate(rng, rate, k)
                onset = 200
                injected[:, onset : onset + 3] = _simulate(rng, rate * factor, k)[:, :3]
                found = detect_surges(_frame(injected))
                window = {START + timedelta(days=onset + d) for d in range(3)}
                hit = {
                    s.iso3
                    for s in found.itertuples()
                    if any(s.start_date <= d <= s.end_date for d in window)
                }
                row[f"detected_x{factor}"] = round(len(hit) / N_SERIES, 3)
            rows.append(row)
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
