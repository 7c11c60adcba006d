"""The events pipeline as functions over partitions, so it runs on Dask unchanged.

Every step takes a pandas frame and returns one, and none needs more than its partition:

- **parse → normalise**: :func:`~tocsin.events.parse_events` on one file (or one chunk
  of a CSV with its header) gives the canonical rows of that partition;
- **aggregate**: :func:`~tocsin.events.aggregate_events` on any partition gives partial
  sums; :func:`combine_aggregates` (or a Dask ``groupby(...).sum()``) adds them up into
  exactly the aggregate of the whole;
- **features → score**: :func:`~tocsin.events.escalation_risks` on a partition that holds
  whole countries (the features compare an area with the rest of its country), given the
  ``last_week`` of all the events (:func:`last_week_of`), gives exactly the rows of the
  whole for those countries.

One caveat: an incident reported several times (linked, ``incident_id``) counts once only
if its reports are in one partition. Links are made within a country, so partitioning by
country keeps that exact; an arbitrary split of linked events would count some twice.

Examples
--------
With Dask (``dd`` is ``dask.dataframe``; ``frame`` canonical events)::

    ddf = dd.from_pandas(frame, npartitions=8)
    meta = aggregate_events(frame.iloc[:0])
    partial = ddf.map_partitions(aggregate_events, meta=meta)
    weekly = partial.groupby(aggregate_keys(meta))[AGGREGATE_SUMS].sum().compute()

    by_country = ddf.shuffle(on="iso3")
    risks = by_country.map_partitions(
        escalation_risks, detector, last_week=last_week_of(frame),
        meta=escalation_risks(frame.iloc[:0], detector),
    ).compute()
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tocsin.events._aggregate import aggregate_events
from tocsin.events._escalation import EscalationDetector
from tocsin.events._signals import escalation_risks

#: The summed columns of :func:`~tocsin.events.aggregate_events`; the others are keys.
AGGREGATE_SUMS = ["n_events", "fatalities", "civilian_deaths", "one_sided_civilian_deaths"]


def aggregate_keys(aggregate: pd.DataFrame) -> list[str]:
    """The key columns (period, place, split) of an aggregate frame."""
    return [c for c in aggregate.columns if c not in AGGREGATE_SUMS]


def combine_aggregates(parts: pd.DataFrame) -> pd.DataFrame:
    """Add up partial aggregates (of partitions, concatenated) into the whole's aggregate.

    Rows come out sorted by their keys, as :func:`~tocsin.events.aggregate_events` gives.
    """
    keys = aggregate_keys(parts)
    summed = parts.groupby(keys, sort=True, observed=True)[AGGREGATE_SUMS].sum()
    return summed.reset_index()


def aggregate_over_partitions(
    partitions: Iterable[pd.DataFrame],
    *,
    freq: str = "W",
    by: tuple[str, ...] = ("iso3", "admin1"),
    split: str | None = "event_type",
) -> pd.DataFrame:
    """:func:`~tocsin.events.aggregate_events` over partitions, combined (no Dask needed)."""
    parts = [aggregate_events(p, freq=freq, by=by, split=split) for p in partitions]
    return combine_aggregates(pd.concat(parts, ignore_index=True))


def last_week_of(frame: pd.DataFrame) -> pd.Timestamp:
    """The Monday of the week of the latest event (what partitions must share)."""
    latest = pd.Timestamp(frame["start_date"].max())
    return latest.to_period("W-SUN").start_time


def risks_over_partitions(
    partitions: Iterable[pd.DataFrame],
    detector: EscalationDetector,
    *,
    last_week: pd.Timestamp,
) -> pd.DataFrame:
    """:func:`~tocsin.events.escalation_risks` over partitions holding whole countries."""
    parts = [escalation_risks(p, detector, last_week=last_week) for p in partitions]
    found = [p for p in parts if not p.empty]
    if not found:
        return parts[0] if parts else pd.DataFrame()
    risks = pd.concat(found, ignore_index=True)
    return risks.sort_values(["risk", "area"], ascending=[False, True]).reset_index(drop=True)
