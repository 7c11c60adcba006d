"""Aggregation and escalation scoring over the event lake, on Dask.

Each task reads a group of whole countries from the lake
(:class:`~tocsin.events.EventLake`, :func:`country_batches`) and runs the pure functions
on them (:func:`~tocsin.events.aggregate_events`, :func:`~tocsin.events.escalation_risks`);
the client adds up or joins the results. Whole countries, because both need them: linked
reports of one incident (links are made within a country) count once only in one
partition, and the escalation features compare an area with the rest of its country. So
the result is the pure function's on all the events at once, wherever the tasks run.

``scheduler`` is :func:`~tocsin.events.dask_scheduler`'s: ``None`` runs the tasks in
threads of this process, an address (``tcp://host:8786``) on that ``dask.distributed``
scheduler's workers, which must all see the lake at the same path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from tocsin.events._aggregate import aggregate_events
from tocsin.events._dask import dask_scheduler, require_dask
from tocsin.events._escalation import EscalationDetector
from tocsin.events._lake import EventLake
from tocsin.events._partitions import combine_aggregates
from tocsin.events._signals import escalation_risks

if TYPE_CHECKING:
    from distributed import Client


#: Bytes of lake files one task reads, about, when the number of tasks is not given: a
#: few times that in memory once read, and small enough to spread over the workers.
TASK_BYTES = 32 * 2**20


def country_batches(
    lake: EventLake, *, n_tasks: int | None = None, countries: Sequence[str] | None = None
) -> list[list[str]]:
    """The lake's countries in ``n_tasks`` groups of about equal bytes (largest first).

    A task per country would spend more on fixed costs than on events in the many small
    countries; any group of whole countries gives the same result. Without ``n_tasks``,
    one group per :data:`TASK_BYTES` of files.
    """
    chosen = lake.countries() if countries is None else list(countries)
    sizes = {iso3: lake.size_of(iso3) for iso3 in chosen}
    if n_tasks is None:
        n_tasks = -(-sum(sizes.values()) // TASK_BYTES)
    n_groups = max(1, min(n_tasks, len(chosen)))
    groups: list[list[str]] = [[] for _ in range(n_groups)]
    loads = [0] * n_groups
    for iso3 in sorted(chosen, key=lambda c: (-sizes[c], c)):
        lightest = loads.index(min(loads))
        groups[lightest].append(iso3)
        loads[lightest] += sizes[iso3]
    return [sorted(g) for g in groups if g]


def _aggregate_countries(
    lake: EventLake, countries: list[str], freq: str, by: tuple[str, ...], split: str | None
) -> pd.DataFrame:
    return aggregate_events(lake.read(countries=countries), freq=freq, by=by, split=split)


def _risks_countries(
    lake: EventLake, countries: list[str], detector: EscalationDetector, last_week: pd.Timestamp
) -> pd.DataFrame:
    return escalation_risks(lake.read(countries=countries), detector, last_week=last_week)


def aggregate_lake(
    lake: EventLake,
    *,
    scheduler: str | Client | None = None,
    freq: str = "W",
    by: tuple[str, ...] = ("iso3", "admin1"),
    split: str | None = "event_type",
    countries: Sequence[str] | None = None,
    n_tasks: int | None = None,
) -> pd.DataFrame:
    """:func:`~tocsin.events.aggregate_events` over the lake's countries (all unless
    ``countries``), in ``n_tasks`` Dask tasks of whole countries (:func:`country_batches`).

    The default gives area-weeks (per country, admin-1 area, week and event type), the
    rows :func:`~tocsin.events.aggregate_events` gives for all the lake's events at once.

    Examples
    --------
    >>> import tempfile
    >>> lake = EventLake(tempfile.mkdtemp())
    >>> aggregate_lake(lake).columns.tolist()[:4]
    ['period_start', 'iso3', 'admin1', 'event_type']
    """
    dask = require_dask()
    batches = country_batches(lake, n_tasks=n_tasks, countries=countries)
    task = dask.delayed(_aggregate_countries, pure=True)
    with dask_scheduler(scheduler) as runner:
        parts: list[pd.DataFrame] = runner.compute(
            [task(lake, group, freq, by, split) for group in batches]
        )
    if not parts:
        return aggregate_events(lake.read(countries=[]), freq=freq, by=by, split=split)
    return combine_aggregates(pd.concat(parts, ignore_index=True))


def lake_escalation_risks(
    lake: EventLake,
    detector: EscalationDetector | None = None,
    *,
    scheduler: str | Client | None = None,
    last_week: pd.Timestamp | None = None,
    n_tasks: int | None = None,
) -> pd.DataFrame:
    """:func:`~tocsin.events.escalation_risks` of every area in the lake, in tasks of whole
    countries (:func:`country_batches`).

    The last week is that of the lake's latest event unless ``last_week`` (a Monday) is
    given; rows come highest risk first, ties by area, as
    :func:`~tocsin.events.risks_over_partitions` gives them.
    """
    dask = require_dask()
    model = EscalationDetector.default() if detector is None else detector
    latest = lake.last_event_date()
    if latest is None:
        return escalation_risks(lake.read(countries=[]), model)
    week = last_week if last_week is not None else latest.to_period("W-SUN").start_time
    task = dask.delayed(_risks_countries, pure=True)
    batches = country_batches(lake, n_tasks=n_tasks)
    with dask_scheduler(scheduler) as runner:
        shared = runner.share(model)
        parts: list[pd.DataFrame] = runner.compute(
            [task(lake, group, shared, week) for group in batches]
        )
    found = [p for p in parts if not p.empty]
    if not found:
        return parts[0]
    risks = pd.concat(found, ignore_index=True)
    return risks.sort_values(["risk", "area"], ascending=[False, True]).reset_index(drop=True)
