"""Pictures of events: a country's timeline by type, and a map of escalation risk per area.

Each function draws on its own :class:`matplotlib.figure.Figure` (no pyplot state, no
display) and writes the file named by ``path``: ``.svg`` or ``.png`` by its suffix, SVG
byte-identical for the same inputs, so reports and the web app can reuse the files.

The map draws the country's outline (Natural Earth 1:110m, from
:func:`tocsin.forecast.world_outlines`), every event as a small dot, and each admin-1 area
as a circle at the **mean of its events' coordinates**: admin-1 boundaries are not
bundled with Tocsin, so areas are centroids of their events, not polygons. A circle's
colour is the area's escalation risk, its size the civilian deaths of the last 4 weeks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from tocsin.events._aggregate import UNKNOWN_AREA, aggregate_events
from tocsin.events._gazetteer import assign_areas
from tocsin.events._taxonomy import ATROCITY_ACT_TYPES, TRIGGER_TYPES, EventType

__all__ = ["EVENT_FAMILIES", "event_family", "plot_escalation_map", "plot_event_timeline"]

#: Families of event types drawn in the timeline, in drawing order, with their colours.
EVENT_FAMILIES: dict[str, str] = {
    "killings and attacks on civilians": "#b2182b",
    "other §25 acts": "#ef8a62",
    "battles": "#4c72b0",
    "remote violence": "#8172b2",
    "protests and riots": "#55a868",
    "§27 triggers": "#ccb974",
    "other": "#b0b0b0",
}
_PROTEST = {EventType.PROTEST, EventType.RIOT, EventType.PROTEST_REPRESSION, EventType.ARREST}


def event_family(event_type: str) -> str:
    """The family (a key of :data:`EVENT_FAMILIES`) of a Tocsin event type.

    >>> event_family("killing"), event_family("coup"), event_family("riot")
    ('killings and attacks on civilians', '§27 triggers', 'protests and riots')
    """
    kind = EventType(event_type)
    if kind in (EventType.KILLING, EventType.ATTACK_ON_CIVILIANS):
        return "killings and attacks on civilians"
    if kind in ATROCITY_ACT_TYPES:
        return "other §25 acts"
    if kind is EventType.BATTLE:
        return "battles"
    if kind is EventType.REMOTE_VIOLENCE:
        return "remote violence"
    if kind in _PROTEST:
        return "protests and riots"
    if kind in TRIGGER_TYPES:
        return "§27 triggers"
    return "other"


def _save(figure: Figure, path: str | Path) -> Path:
    from tocsin.forecast import save_picture  # one reproducible writer for every picture

    return save_picture(figure, path)


def _country(frame: pd.DataFrame, iso3: str) -> pd.DataFrame:
    events = frame[frame["iso3"] == iso3]
    if events.empty:
        raise ValueError(f"no events for {iso3}")
    return events


def plot_event_timeline(
    frame: pd.DataFrame, iso3: str, path: str | Path, *, title: str | None = None
) -> Path:
    """Events and fatalities per month in ``iso3``, stacked by family of event type.

    Linked reports of one incident count once. The lower panel shows all fatalities
    (best estimates) by family; the line marks civilian deaths in one-sided violence.
    """
    events = _country(frame, iso3)
    monthly = aggregate_events(events, freq="M", by=("iso3",), split="event_type")
    monthly["family"] = monthly["event_type"].map(event_family)
    months = pd.period_range(
        monthly["period_start"].min(), monthly["period_start"].max(), freq="M"
    ).start_time
    table = monthly.pivot_table(
        index="period_start",
        columns="family",
        values=["n_events", "fatalities"],
        aggfunc="sum",
        fill_value=0,
    ).reindex(months, fill_value=0)
    one_sided = monthly.groupby("period_start")["one_sided_civilian_deaths"].sum()
    one_sided = one_sided.reindex(months, fill_value=0)
    figure = Figure(figsize=(9, 5.2))
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[1, 1])
    # matplotlib's date numbers (days), so bar widths are in days
    x = mdates.date2num(months.to_pydatetime())  # type: ignore[no-untyped-call]
    width = 24.0
    for axes, measure, label in ((top, "n_events", "events"), (bottom, "fatalities", "deaths")):
        base = np.zeros(len(months))
        for family, colour in EVENT_FAMILIES.items():
            if (measure, family) not in table.columns:
                continue
            values = table[(measure, family)].to_numpy(dtype=float)
            axes.bar(x, values, width=width, bottom=base, color=colour, label=family, lw=0)
            base += values
        axes.set_ylabel(f"{label} per month")
        axes.spines[["top", "right"]].set_visible(False)
    (line,) = bottom.plot(
        x, one_sided.to_numpy(), color="#000000", lw=0.7, label="civilians killed (one-sided)"
    )
    bottom.xaxis_date()
    top.legend(loc="upper left", fontsize=7, frameon=False, ncols=2)
    bottom.legend(handles=[line], loc="upper left", fontsize=7, frameon=False)
    first, last = events["start_date"].min().date(), events["start_date"].max().date()
    datasets = ", ".join(sorted(events["dataset"].unique()))
    top.set_title(title or f"{iso3}: events and deaths by type, {first} to {last} ({datasets})")
    return _save(figure, path)


def plot_escalation_map(
    frame: pd.DataFrame,
    risks: pd.DataFrame,
    iso3: str,
    path: str | Path,
    *,
    title: str | None = None,
    label_top: int = 8,
) -> Path:
    """Events and the escalation risk per admin-1 area of ``iso3`` (see module doc).

    ``risks`` is what :func:`~tocsin.events.escalation_risks` returns (``area``,
    ``admin1``, ``risk``, ``osv_deaths_4``, ``week``). Areas whose events have no
    coordinates, or whose admin-1 is unknown, are listed under the map instead.
    """
    from tocsin.forecast import world_outlines  # the bundled country outlines

    events = _country(frame, iso3)
    located = events[events["latitude"].notna() & events["longitude"].notna()]
    centres = (
        located.assign(area=assign_areas(located).to_numpy())
        .groupby("area")[["longitude", "latitude"]]
        .mean()
    )
    areas = risks[risks["iso3"] == iso3].set_index("area")
    drawn = areas.join(centres, how="inner")
    drawn = drawn[drawn["admin1"] != UNKNOWN_AREA]
    figure = Figure(figsize=(8, 6.2))
    axes = figure.subplots()
    for ring in world_outlines().get(iso3, []):
        axes.add_patch(Polygon(ring, closed=True, facecolor="#f4f4f4", edgecolor="#666666", lw=0.8))
    axes.scatter(
        located["longitude"],
        located["latitude"],
        s=2,
        color="#999999",
        alpha=0.35,
        lw=0,
        label=f"events ({len(located):,})",
    )
    norm = Normalize(0.0, 1.0)
    sizes = 40 + 6 * np.sqrt(drawn["osv_deaths_4"].to_numpy(dtype=float)) * 10
    points = axes.scatter(
        drawn["longitude"],
        drawn["latitude"],
        s=sizes,
        c=drawn["risk"],
        cmap="YlOrRd",
        norm=norm,
        edgecolors="#333333",
        linewidths=0.6,
        zorder=3,
    )
    for _, row in drawn.sort_values("risk", ascending=False).head(label_top).iterrows():
        axes.annotate(
            f"{row['admin1']} {row['risk']:.0%}",
            (row["longitude"], row["latitude"]),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize=7,
            zorder=4,
        )
    bar = figure.colorbar(points, ax=axes, shrink=0.7)
    bar.set_label("risk of a surge in killings of civilians within 4 weeks")
    axes.set_aspect("equal")
    axes.set_xlabel("longitude")
    axes.set_ylabel("latitude")
    axes.legend(loc="lower left", fontsize=7, frameon=False)
    week = pd.Timestamp(areas["week"].max()).date() if len(areas) else "?"
    axes.set_title(title or f"{iso3}: escalation risk per admin-1 area after the week of {week}")
    missing = sorted(set(areas.index) - set(drawn.index))
    note = "Circles: admin-1 areas at the mean of their events' coordinates (no boundaries "
    note += "bundled); size = civilian deaths in one-sided violence, last 4 weeks."
    if missing:
        listed = ", ".join(f"{a.split('/', 1)[1]} {areas.loc[a, 'risk']:.0%}" for a in missing[:6])
        note += f"\nNot placed: {listed}" + (" …" if len(missing) > 6 else "")
    figure.text(0.02, 0.06, note, fontsize=6.5, va="top")
    return _save(figure, path)
