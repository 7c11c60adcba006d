"""Charts for reports, drawn with matplotlib's Agg backend (no display, no browser)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from tocsin.assess import Rating, RiskProfile  # noqa: E402

__all__ = ["LEVEL_COLOURS", "profile_chart"]

LEVEL_COLOURS = {
    Rating.HIGH: "#b2182b",
    Rating.MODERATE: "#ef8a62",
    Rating.LOW: "#fddbc7",
    Rating.NOT_PRESENT: "#d1e5f0",
    Rating.UNKNOWN: "#ffffff",
}


def _figure(profile: RiskProfile, *, compact: bool) -> Figure:
    height = 3.6 if compact else 5.0
    fig, ax = plt.subplots(figsize=(7.0 if not compact else 6.0, height), dpi=150)
    factors = profile.factors
    names = [f"{f.code}  {f.title[:38] + ('…' if len(f.title) > 38 else '')}" for f in factors]
    positions = list(range(len(factors)))[::-1]
    for y, factor in zip(positions, factors, strict=True):
        level = factor.level
        width = max(level.order, 0) + 1 if level is not Rating.UNKNOWN else 4
        ax.barh(
            y,
            width,
            color=LEVEL_COLOURS[level],
            edgecolor="#444444" if level is not Rating.UNKNOWN else "#999999",
            hatch="///" if level is Rating.UNKNOWN else None,
            linewidth=0.6,
        )
        label = level.value.replace("_", " ")
        if factor.trend is not None:
            label += f", {factor.trend.value}"
        ax.text(
            width + 0.05,
            y,
            f"{label} ({factor.n_rated}/{factor.n_indicators})",
            va="center",
            fontsize=6.5 if compact else 7,
        )
    for number in (8.5, 10.5, 12.5):
        ax.axhline(len(factors) - number, color="#888888", linewidth=0.5, linestyle=":")
    ax.set_yticks(positions, names, fontsize=6.5 if compact else 7)
    ax.set_xlim(0, 6.4)
    ax.set_xticks([1, 2, 3, 4], ["not present", "low", "moderate", "high"], fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(
        f"Risk profile: overall {profile.overall.value.replace('_', ' ')}",
        fontsize=9,
        loc="left",
    )
    handles = [
        Patch(
            facecolor=LEVEL_COLOURS[r],
            edgecolor="#444444",
            hatch="///" if r is Rating.UNKNOWN else None,
            label=r.value.replace("_", " "),
        )
        for r in (Rating.HIGH, Rating.MODERATE, Rating.LOW, Rating.NOT_PRESENT, Rating.UNKNOWN)
    ]
    ax.legend(
        handles=handles,
        fontsize=6.5,
        loc="upper center",
        bbox_to_anchor=(0.35, -0.09),
        frameon=False,
        ncols=5,
    )
    fig.tight_layout()
    return fig


def profile_chart(profile: RiskProfile, *, fmt: str = "png", compact: bool = False) -> bytes:
    """The risk profile as a horizontal bar per factor (level, trend arrow, share rated).

    Bars grow with the level (not present 1 … high 4); unknown factors are hatched and
    drawn full length so that a gap is never read as low risk.
    """
    fig = _figure(profile, compact=compact)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()
