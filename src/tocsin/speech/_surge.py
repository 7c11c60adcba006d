"""Surges in flagged speech: daily volume per country and target group, and a detector.

The detector compares each day's count of flagged items with the previous ``window_days``
days of the same series (country × target group, plus an ``all`` series per country). The
baseline rate is their mean, floored at ``min_rate`` so that a quiet series does not alarm on
its first few items. Where the window's variance exceeds its mean (bursty series), the tail
probability comes from a negative binomial with that mean and variance, else from a Poisson.
A day is a surge day when its count is at least ``min_count`` and that probability is below
``alpha``. Consecutive surge days form one surge, which becomes one ``speech_surge`` Signal.
``bench/speech_surge.py`` measures false-alarm and detection rates on simulated Poisson and
negative-binomial series; docs/benchmarks.md records them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from tocsin.domain import Provenance, Signal, SignalKind

__all__ = ["SURGE_CODES", "daily_flag_counts", "detect_surges", "surge_signals"]

# 7.14: more inflammatory rhetoric, propaganda or hate speech aimed at protected groups;
# 8.7: incitement or hate propaganda aimed at particular groups (a trigger).
SURGE_CODES = ("RF7", "7.14", "RF8", "8.7")
ALL_GROUPS = "all"


def daily_flag_counts(scores: pd.DataFrame) -> pd.DataFrame:
    """Flagged and total items per country, target group and day.

    ``scores`` needs ``iso3``, ``published_date``, ``is_flagged`` and ``target_groups``
    (";"-separated, may be empty). Items without country or date are left out. Each item
    counts in its country's ``all`` series and in the series of every group it names.

    Examples
    --------
    >>> from datetime import date
    >>> frame = pd.DataFrame({"iso3": ["KEN", "KEN"], "published_date": [date(2024, 1, 1)] * 2,
    ...                       "is_flagged": [True, False], "target_groups": ["religion", ""]})
    >>> daily_flag_counts(frame)[["target_group", "n_flagged", "n_items"]].values.tolist()
    [['all', 1, 2], ['religion', 1, 1]]
    """
    frame = scores.dropna(subset=["iso3", "published_date"]).copy()
    frame["day"] = pd.to_datetime(frame["published_date"]).dt.date
    frame["group_list"] = (
        frame["target_groups"]
        .fillna("")
        .map(lambda value: [ALL_GROUPS] + [g for g in str(value).split(";") if g])
    )
    exploded = frame.explode("group_list").rename(columns={"group_list": "target_group"})
    counts = (
        exploded.groupby(["iso3", "target_group", "day"], sort=True)
        .agg(n_flagged=("is_flagged", "sum"), n_items=("is_flagged", "size"))
        .reset_index()
    )
    counts["n_flagged"] = counts["n_flagged"].astype(int)
    return counts


def _tail(count: int, mean: float, variance: float) -> float:
    """P(X >= count) under a Poisson, or a negative binomial when over-dispersed."""
    from scipy.stats import nbinom, poisson  # type: ignore[import-untyped]

    if variance > mean * 1.05:
        size = mean * mean / (variance - mean)
        return float(nbinom.sf(count - 1, size, size / (size + mean)))
    return float(poisson.sf(count - 1, mean))


def detect_surges(
    counts: pd.DataFrame,
    *,
    window_days: int = 28,
    min_count: int = 5,
    min_rate: float = 0.5,
    alpha: float = 0.001,
) -> pd.DataFrame:
    """Surges in each (iso3, target_group) series of :func:`daily_flag_counts`.

    Days without items count as zero. Returns one row per surge: ``iso3``, ``target_group``,
    ``start_date``, ``end_date``, ``peak_count``, ``baseline_rate``, ``min_p_value``.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=40).date
    >>> flagged = [1] * 35 + [12, 15, 1, 1, 1]
    >>> counts = pd.DataFrame({"iso3": "KEN", "target_group": "all", "day": days,
    ...                        "n_flagged": flagged, "n_items": 50})
    >>> surges = detect_surges(counts)
    >>> surges[["start_date", "end_date", "peak_count"]].values.tolist()
    [[datetime.date(2024, 2, 5), datetime.date(2024, 2, 6), 15]]
    """
    columns = ["iso3", "target_group", "start_date", "end_date", "peak_count", "baseline_rate"]
    columns.append("min_p_value")
    rows: list[dict[str, Any]] = []
    for (iso3, group), series in counts.groupby(["iso3", "target_group"], sort=True):
        daily = series.set_index(pd.to_datetime(series["day"]))["n_flagged"].astype(float)
        full = daily.reindex(pd.date_range(daily.index.min(), daily.index.max()), fill_value=0.0)
        values = full.to_numpy()
        # Surge days enter later baselines at the baseline's mean, not at their own count,
        # so that the first day of a surge does not hide the next ones.
        clean = values.copy()
        current: dict[str, Any] | None = None
        for position, day in enumerate(pd.DatetimeIndex(full.index).date):
            count = int(values[position])
            alarm = False
            p_value = 1.0
            rate = float("nan")
            if position >= window_days:
                past = clean[position - window_days : position]
                rate = float(past.mean())
                if count >= min_count:
                    mean = max(rate, min_rate)
                    p_value = _tail(count, mean, float(past.var(ddof=1)))
                    alarm = p_value < alpha
                if alarm:
                    clean[position] = rate
            if alarm:
                if current is None:
                    current = {
                        "iso3": iso3,
                        "target_group": group,
                        "start_date": day,
                        "peak_count": count,
                        "baseline_rate": float(rate),
                        "min_p_value": p_value,
                    }
                current["end_date"] = day
                current["peak_count"] = max(current["peak_count"], count)
                current["min_p_value"] = min(current["min_p_value"], p_value)
            elif current is not None:
                rows.append(current)
                current = None
        if current is not None:
            rows.append(current)
    return pd.DataFrame(rows, columns=columns)


class _Row:
    """Attribute access to one surge record (keeps the loop below readable)."""

    def __init__(self, record: dict[Any, Any]) -> None:
        self.iso3: str = str(record["iso3"])
        self.target_group: str = str(record["target_group"])
        self.start_date: date = record["start_date"]
        self.end_date: date = record["end_date"]
        self.peak_count: int = int(record["peak_count"])
        self.baseline_rate: float = float(record["baseline_rate"])
        self.min_p_value: float = float(record["min_p_value"])


def surge_signals(surges: pd.DataFrame, *, producer: str) -> list[Signal]:
    """One ``speech_surge`` Signal per surge, tagged 7.14 and 8.7 (and their factors).

    The producer is ``"{producer}:{target_group}"``. Strength grows with how improbable the
    surge is under the baseline: ``min(1, -log10(p) / 10)``.
    """
    signals = []
    for record in surges.to_dict("records"):
        row = _Row(record)
        p_value = max(float(row.min_p_value), 1e-300)
        strength = min(1.0, -math.log10(p_value) / 10.0)
        group = "all target groups" if row.target_group == ALL_GROUPS else str(row.target_group)
        summary = (
            f"Surge in flagged speech ({group}): up to {row.peak_count} items a day "
            f"against a baseline of {row.baseline_rate:.1f}"
        )
        signals.append(
            Signal(
                iso3=str(row.iso3),
                area=None,
                kind=SignalKind.SPEECH_SURGE,
                start_date=row.start_date,
                end_date=row.end_date,
                framework_codes=list(SURGE_CODES),
                strength=round(strength, 3),
                summary=summary,
                provenance=Provenance(
                    capability="speech",
                    # The group is part of the producer so that each group's surge is its
                    # own Signal (a Signal's identity has no field for a target group).
                    producer=f"{producer}:{row.target_group}",
                    details={
                        "target_group": str(row.target_group),
                        "peak_count": int(row.peak_count),
                        "baseline_rate": round(float(row.baseline_rate), 3),
                        "p_value": p_value,
                    },
                ),
            )
        )
    return signals
