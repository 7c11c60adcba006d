"""Turn monitoring results into Signals: surges ahead, trigger events, new §25 acts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pandas as pd

from tocsin.domain import Provenance, Sensitivity, Signal, SignalKind
from tocsin.events._aggregate import area_keys, one_per_incident
from tocsin.events._escalation import (
    FEATURE_HISTORY_WEEKS,
    HORIZON,
    EscalationDetector,
    area_week_panel,
    escalation_features,
)
from tocsin.events._taxonomy import ATROCITY_ACT_TYPES, EVENT_TYPES, TRIGGER_TYPES, EventType

PRODUCER = "tocsin.events.monitor@1"


def escalation_risks(
    frame: pd.DataFrame,
    detector: EscalationDetector,
    *,
    last_week: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The surge risk of every area for the weeks after the last week with events.

    Returns one row per area: ``area``, ``iso3``, ``admin1``, ``week`` (the last week
    observed, or ``last_week``), ``risk`` (0–1) and the recent one-sided deaths, highest
    risk first. Works on any partition of the events that holds whole countries, given
    the ``last_week`` of all of them (see :func:`~tocsin.events.risks_over_partitions`).
    """
    panel = area_week_panel(frame, last_week=last_week)
    if panel.empty:
        return pd.DataFrame(columns=["area", "iso3", "admin1", "week", "risk", "osv_deaths_4"])
    # every feature looks back at most 52 weeks (FEATURE_HISTORY_WEEKS), so the last
    # week's features need only the last 52 weeks of the panel: a tenth of a long one
    newest = panel["week"].max()
    panel = panel[panel["week"] > newest - pd.Timedelta(weeks=FEATURE_HISTORY_WEEKS)]
    features = escalation_features(panel)
    last = panel["week"] == newest
    latest = panel[last]
    risk = detector.surge_risk(features[last].to_numpy())
    out = pd.DataFrame(
        {
            "area": latest["area"].to_numpy(),
            "iso3": latest["iso3"].to_numpy(),
            "admin1": latest["area"].str.split("/", n=1).str[1].to_numpy(),
            "week": latest["week"].to_numpy(),
            "risk": risk,
            "osv_deaths_4": features.loc[last, "osv_deaths_4"].to_numpy(),
        }
    )
    return out.sort_values("risk", ascending=False).reset_index(drop=True)


#: Data older than this when a Signal is raised is called stale in its summary.
STALE_AFTER = timedelta(days=30)


def data_end_note(data_end: date, raised: date) -> str:
    """What a Signal raised on ``raised`` says of data that ended on ``data_end``: nothing
    when the data are recent, "data end 2022-12-30, … days before this Signal" when they
    ended more than :data:`STALE_AFTER` before."""
    if raised - data_end <= STALE_AFTER:
        return ""
    days = (raised - data_end).days
    return f"; data end {data_end.isoformat()}, {days:,} days before this Signal"


def escalation_signals(
    risks: pd.DataFrame,
    *,
    min_risk: float = 0.5,
    data_end: date | None = None,
    raised: date | None = None,
) -> list[Signal]:
    """An ``escalation`` Signal for each area whose surge risk is at least ``min_risk``.

    ``data_end`` is the last day of the events the risks were computed on (default: the
    Sunday of the last week in ``risks``); every Signal carries it in its provenance, and
    one raised (``raised``, default today) more than 30 days after it says so in its
    summary, which the alert and the country page show.
    """
    signals = []
    if data_end is None and not risks.empty:
        data_end = (pd.Timestamp(risks["week"].max()) + pd.Timedelta(days=6)).date()
    raised = raised or date.today()
    note = data_end_note(data_end, raised) if data_end is not None else ""
    records = cast(list[dict[str, Any]], risks[risks["risk"] >= min_risk].to_dict("records"))
    for record in records:
        row = SimpleNamespace(**record)
        start = pd.Timestamp(row.week).date() + timedelta(days=7)
        end = start + timedelta(days=7 * HORIZON - 1)
        signals.append(
            Signal(
                iso3=str(row.iso3),
                area=None if row.admin1 == "(unknown)" else str(row.admin1),
                kind=SignalKind.ESCALATION,
                start_date=start,
                end_date=end,
                framework_codes=["RF11", "11.3", "11.1"],
                strength=round(float(row.risk), 3),
                summary=(
                    f"{float(row.risk):.0%} risk of a surge in killings of civilians in "
                    f"{row.admin1} within 4 weeks ({int(row.osv_deaths_4)} civilian deaths "
                    f"in one-sided violence in the last 4 weeks){note}"
                )[:500],
                provenance=Provenance(
                    capability="events",
                    producer=PRODUCER,
                    details={
                        "area": str(row.area),
                        "rule": "surge = >=25 deaths and >=2x trailing mean in weeks t+1..t+4",
                        "data_end": data_end.isoformat() if data_end else None,
                    },
                ),
            )
        )
    return signals


def event_signals(
    frame: pd.DataFrame, *, since: date, internal_uids: Collection[str] = ()
) -> list[Signal]:
    """``trigger_event`` Signals for §27 trigger events since ``since``, and for §25 acts
    new to their area (never recorded there before in the events given).

    One Signal per area, week and event type, tagged with the type's framework codes. A
    Signal resting on any of ``internal_uids`` (events of internal incident reports) is
    internal: its area, week, type and deaths are the report's.
    """
    internal = set(internal_uids)
    events = one_per_incident(frame)
    events = events[events["iso3"].notna()]
    if events.empty:
        return []
    events = events.assign(
        area=area_keys(events), week=events["start_date"].dt.to_period("W-SUN").dt.start_time
    )
    recent = events[events["start_date"] >= pd.Timestamp(since)]
    signals = []
    first_seen = events.groupby(["area", "event_type"])["start_date"].min()
    for key, part in recent.groupby(["area", "week", "event_type"]):
        area, week, event_type = cast(tuple[str, pd.Timestamp, str], key)
        info = EVENT_TYPES[EventType(event_type)]
        is_trigger = event_type in TRIGGER_TYPES
        earlier = first_seen.get((area, event_type))
        is_new_act = (
            event_type in ATROCITY_ACT_TYPES
            and earlier is not None
            and earlier >= pd.Timestamp(week)
        )
        if not (is_trigger or is_new_act) or not info.framework_codes:
            continue
        iso3, admin1 = str(area).split("/", 1)
        deaths = int(part["fatalities_best"].astype("Float64").fillna(0).sum())
        what = f"trigger {info.trigger}" if is_trigger else "first such act recorded there"
        private = bool(internal) and bool(part["uid"].isin(internal).any())
        signals.append(
            Signal(
                sensitivity=Sensitivity.INTERNAL if private else Sensitivity.PUBLIC,
                iso3=iso3,
                area=None if admin1 == "(unknown)" else admin1,
                kind=SignalKind.TRIGGER_EVENT,
                start_date=pd.Timestamp(week).date(),
                end_date=pd.Timestamp(week).date() + timedelta(days=6),
                framework_codes=list(info.framework_codes),
                strength=float(np.clip(0.3 + 0.1 * len(part) + 0.01 * deaths, 0, 1)),
                summary=f"{len(part)} × {info.label.lower()} in {admin1} ({what}; {deaths} dead)"[
                    :500
                ],
                provenance=Provenance(
                    capability="events",
                    producer=PRODUCER,
                    details={
                        # the first 20 by date then uid, whatever order the events came in
                        "uids": part.sort_values(["start_date", "uid"])["uid"].head(20).tolist(),
                        "event_type": event_type,
                    },
                ),
            )
        )
    return signals
