"""Pictures of the forecasts: catch curve, calibration, a country's history, a world map.

Every function draws on its own :class:`matplotlib.figure.Figure` (no global pyplot
state, no display needed) and writes the file named by ``path``; the suffix chooses the
format (``.svg`` or ``.png``), so the reports and the web app can reuse the files.
The world map uses Natural Earth's 1:110m country outlines, bundled in
``data/world_countries_110m.geojson`` (public domain; see data/SOURCES.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from tocsin.forecast._backtest import BacktestResult
from tocsin.forecast._metrics import calibration_table, catch_curve

__all__ = [
    "RISK_BANDS",
    "plot_calibration",
    "plot_catch_curve",
    "plot_risk_history",
    "plot_world_map",
    "world_outlines",
]

RISK_BANDS = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16, 1.0)
"""Colour bands of the map (risk of onset); 4 % is EWP's attention threshold."""

_COLOURS = ("#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
_MODEL_STYLE = {"ewp-replica": ("#4c72b0", "--"), "tocsin": ("#c44e52", "-")}
_SUFFIXES = (".png", ".svg")


def _new_figure(size: tuple[float, float]) -> Figure:
    # matplotlib is imported when a picture is drawn, not when the forecast package
    # is imported: `tocsin forecast backtest` draws nothing and starts faster
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def save_picture(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` as PNG or SVG (by the suffix); the same inputs give the same bytes."""
    target = Path(path)
    if target.suffix.lower() not in _SUFFIXES:
        raise ValueError(f"picture format must be one of {', '.join(_SUFFIXES)}: {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # fixed metadata: the same inputs give byte-identical SVG files
    metadata: dict[str, Any] = {"Date": None} if target.suffix.lower() == ".svg" else {}
    from matplotlib import rc_context

    with rc_context({"svg.hashsalt": "tocsin"}):
        figure.savefig(target, dpi=150, bbox_inches="tight", metadata=metadata)
    return target


def _style(model: str) -> tuple[str, str]:
    return _MODEL_STYLE.get(model, ("#555555", ":"))


def plot_catch_curve(
    results: Mapping[str, BacktestResult],
    path: str | Path,
    *,
    period: tuple[int, int] = (1994, 2023),
    max_rank: int = 60,
) -> Path:
    """Share of onsets whose best rank is at most k, against k, one line per model.

    ``results`` maps a label to a backtest; an onset counts at rank k when the better of
    its two covering forecasts ranks k or better (missed onsets never count).
    """
    figure = _new_figure((6.4, 4.2))
    axes = figure.subplots()
    cutoffs = np.arange(1, max_rank + 1)
    for label, result in results.items():
        combined = result.combined
        rows = combined[combined["year"].between(*period) & combined["onset"].eq(1)]
        ranks = rows["minrank"].fillna(np.inf).to_numpy(dtype=float)
        curve = catch_curve(ranks, max_rank=max_rank)
        colour, line = _style(result.model)
        axes.step(cutoffs, curve, where="post", color=colour, linestyle=line, label=label)
    axes.axvline(30, color="#999999", linewidth=0.8)
    axes.set_xlabel("rank cut-off (countries watched)")
    axes.set_ylabel("share of onsets caught")
    axes.set_ylim(0, 1)
    axes.set_xlim(1, max_rank)
    axes.set_title(f"Onsets caught by rank, {period[0]}–{period[1]}")
    axes.legend(loc="lower right")
    return save_picture(figure, path)


def plot_calibration(
    results: Mapping[str, BacktestResult],
    path: str | Path,
    *,
    period: tuple[int, int] = (1994, 2023),
) -> Path:
    """Observed onset rate against mean forecast per risk bin (log scales), per model.

    Each out-of-sample forecast is scored against its own known target; marker area
    grows with the number of forecasts in the bin.
    """
    figure = _new_figure((5.2, 5.0))
    axes = figure.subplots()
    floor = 1e-3
    for label, result in results.items():
        scored = result.forecasts
        scored = scored[scored["horizon_end"].between(*period) & scored["target"].notna()]
        table = calibration_table(scored["target"].to_numpy(float), scored["risk"].to_numpy())
        x = np.array([b.mean_forecast for b in table])
        y = np.maximum([b.observed_rate for b in table], floor)
        sizes = np.array([b.n for b in table], dtype=float)
        colour, line = _style(result.model)
        axes.plot(x, y, color=colour, linestyle=line, label=label)
        axes.scatter(x, y, s=10 + 120 * sizes / sizes.max(), color=colour, alpha=0.7)
    axes.plot([floor, 1], [floor, 1], color="#999999", linewidth=0.8)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(floor, 1)
    axes.set_ylim(floor, 1)
    axes.set_xlabel("mean forecast in bin")
    axes.set_ylabel(f"observed onset rate (shown at least {floor:g})")
    axes.set_title(f"Calibration of the forecasts, {period[0]}–{period[1]}")
    axes.legend(loc="upper left")
    return save_picture(figure, path)


def plot_risk_history(
    history: pd.DataFrame,
    path: str | Path,
    *,
    title: str,
    onset_years: list[int] | None = None,
) -> Path:
    """A country's forecasts over the years: ``history`` has ``year``, ``risk``, ``model``.

    ``year`` is the data year (the forecast covers the next one or two years); onsets
    are marked as vertical lines at their year.
    """
    figure = _new_figure((6.4, 3.6))
    axes = figure.subplots()
    for model, rows in history.sort_values("year").groupby("model", sort=False):
        colour, line = _style(str(model))
        axes.plot(rows["year"], rows["risk"], color=colour, linestyle=line, label=str(model))
    for year in onset_years or []:
        axes.axvline(year, color="#333333", linewidth=1.0, alpha=0.6)
    axes.axhline(0.04, color="#999999", linewidth=0.8, linestyle=":")
    axes.set_xlabel("data year (vertical lines: onsets)")
    axes.set_ylabel("risk of onset")
    axes.set_ylim(bottom=0)
    axes.set_title(title)
    axes.legend(loc="upper left")
    return save_picture(figure, path)


@cache
def world_outlines() -> dict[str, list[np.ndarray]]:
    """Country outlines (lists of exterior rings, lon/lat) keyed by ISO3."""
    source = resources.files("tocsin.forecast").joinpath("data/world_countries_110m.geojson")
    data = json.loads(source.read_text(encoding="utf-8"))
    outlines: dict[str, list[np.ndarray]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings = [np.asarray(polygon[0], dtype=float) for polygon in polygons]
        outlines.setdefault(feature["properties"]["iso3"], []).extend(rings)
    return outlines


def plot_world_map(
    forecasts: pd.DataFrame,
    path: str | Path,
    *,
    title: str,
) -> Path:
    """Countries coloured by risk band (``forecasts`` has ``iso3`` and ``risk``).

    Countries without a forecast are grey. Small states absent from the 1:110m
    outlines (e.g. Bahrain, Malta, Singapore) are listed under the map instead.
    """
    outlines = world_outlines()
    risk = forecasts.set_index("iso3")["risk"]
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Polygon

    colours = ListedColormap(list(_COLOURS))
    norm = BoundaryNorm(list(RISK_BANDS), colours.N)
    figure = _new_figure((10, 4.6))
    axes = figure.subplots()
    patches, values, blank = [], [], []
    for iso3, rings in outlines.items():
        if iso3 == "ATA":
            continue
        for ring in rings:
            if iso3 in risk.index:
                patches.append(Polygon(ring, closed=True))
                values.append(float(risk[iso3]))
            else:
                blank.append(Polygon(ring, closed=True))
    axes.add_collection(PatchCollection(blank, facecolor="#dddddd", edgecolor="white", lw=0.3))
    coloured = PatchCollection(patches, cmap=colours, norm=norm, edgecolor="#666666", lw=0.3)
    coloured.set_array(np.asarray(values))
    axes.add_collection(coloured)
    axes.set_xlim(-170, 190)
    axes.set_ylim(-58, 84)
    axes.set_aspect(1.2)
    axes.axis("off")
    axes.set_title(title)
    bar = figure.colorbar(coloured, ax=axes, shrink=0.6, ticks=list(RISK_BANDS[:-1]))
    bar.ax.set_yticklabels([f"{b:.0%}" for b in RISK_BANDS[:-1]])
    bar.set_label("risk of onset")
    unmapped = sorted(set(risk.index) - set(outlines))
    if unmapped:
        listed = ", ".join(f"{iso3} {risk[iso3]:.1%}" for iso3 in unmapped)
        figure.text(0.02, 0.02, f"Not drawn at this scale: {listed}", fontsize=7)
    return save_picture(figure, path)
