"""Counts and fatalities per place and period, one incident counted once.

Functions here take and return frames and work on any partition of the events (a country,
a year) the same way, so they can be mapped over Dask partitions unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.events._linking import DATASET_PREFERENCE
from tocsin.events._taxonomy import ONE_SIDED_TYPES, EventType

UNKNOWN_AREA = "(unknown)"


def is_one_sided(frame: pd.DataFrame) -> pd.Series:
    """Violence by an armed actor against civilians (UCDP's one-sided violence).

    The §25 acts against civilians, plus explosions and remote violence whose target
    is recorded as civilians.
    """
    remote = (frame["event_type"] == EventType.REMOTE_VIOLENCE.value) & (
        frame["target_kind"] == "civilians"
    )
    return frame["event_type"].isin(ONE_SIDED_TYPES) | remote


def one_per_incident(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one report per linked incident (UCDP's first, then ACLED's, …, GDELT last)."""
    if "incident_id" not in frame or frame["incident_id"].isna().all():
        return frame
    rank = frame["dataset"].map(DATASET_PREFERENCE).fillna(5)
    incident = frame["incident_id"].fillna(frame["uid"])
    order = np.lexsort((frame["uid"].to_numpy(), rank.to_numpy()))
    ordered = frame.iloc[order]
    kept = ~incident.iloc[order].duplicated()
    return ordered[kept.to_numpy()].sort_index()


def civilian_deaths_of(frame: pd.DataFrame) -> pd.Series:
    """Civilian deaths of each event: the civilian count, else the best total if the
    event is one-sided violence (its victims are civilians by definition)."""
    civilians = frame["civilian_deaths"].astype("Float64")
    best = frame["fatalities_best"].astype("Float64")
    fallback = best.where(is_one_sided(frame), 0)
    return civilians.fillna(fallback).fillna(0).astype("float64")


def area_keys(frame: pd.DataFrame) -> pd.Series:
    """``ISO3/admin-1`` for each event (``ISO3/(unknown)`` when admin-1 is missing)."""
    admin1 = frame["admin1"].fillna(UNKNOWN_AREA).astype(str)
    return frame["iso3"].fillna("???").astype(str) + "/" + admin1


def aggregate_events(
    frame: pd.DataFrame,
    *,
    freq: str = "W",
    by: tuple[str, ...] = ("iso3", "admin1"),
    split: str | None = "event_type",
) -> pd.DataFrame:
    """Events, fatalities and civilian deaths per place, period and (optionally) type.

    Parameters
    ----------
    frame : DataFrame
        Canonical events (with ``incident_id`` if linked: each incident counts once).
    freq : {"W", "M"}
        Weeks (starting Monday) or calendar months.
    by : tuple of str
        Place columns, e.g. ``("iso3",)`` or ``("iso3", "admin1")``.
    split : str, optional
        A further column to split by: ``event_type``, ``target_kind``, ``target_group``.

    Returns
    -------
    DataFrame
        One row per group: ``period_start``, the ``by`` and ``split`` columns,
        ``n_events``, ``fatalities``, ``civilian_deaths``, ``one_sided_civilian_deaths``.
    """
    events = one_per_incident(frame)
    period = events["start_date"].dt.to_period("W-SUN" if freq == "W" else "M").dt.start_time
    one_sided = is_one_sided(events)
    civilians = civilian_deaths_of(events)
    work = pd.DataFrame(
        {
            "period_start": period,
            "n_events": 1,
            "fatalities": events["fatalities_best"].astype("Float64").fillna(0).astype(float),
            "civilian_deaths": civilians,
            "one_sided_civilian_deaths": civilians.where(one_sided, 0.0),
        }
    )
    keys = ["period_start"]
    for column in [*by, *([split] if split else [])]:
        work[column] = events[column].fillna(UNKNOWN_AREA if column == "admin1" else "unknown")
        keys.append(column)
    grouped = work.groupby(keys, sort=True, observed=True).sum().reset_index()
    return grouped


def summarise_events(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Per country: events, incidents, fatalities, civilian deaths, span and types."""
    if frame.empty:
        return []
    events = one_per_incident(frame)
    civilians = civilian_deaths_of(events)
    one_sided = is_one_sided(events)
    rows = []
    for iso3, part in events.groupby(events["iso3"].fillna("???"), sort=True):
        index = part.index
        rows.append(
            {
                "iso3": iso3,
                "n_reports": int((frame["iso3"].fillna("???") == iso3).sum()),
                "n_incidents": len(part),
                "first_date": part["start_date"].min().date().isoformat(),
                "last_date": part["start_date"].max().date().isoformat(),
                "fatalities": int(part["fatalities_best"].astype("Float64").fillna(0).sum()),
                "civilian_deaths": int(civilians[index].sum()),
                "one_sided_civilian_deaths": int(civilians[index][one_sided[index]].sum()),
                "by_type": {str(k): int(v) for k, v in part["event_type"].value_counts().items()},
                "datasets": sorted(part["dataset"].unique().tolist()),
            }
        )
    return rows
