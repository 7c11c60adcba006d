"""Reasons for a forecast: contributions per predictor, grouped by framework risk factor."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

__all__ = ["Explanation", "explain", "factor_contributions", "predictor_factors"]


@cache
def predictor_factors() -> pd.DataFrame:
    """Every predictor with its UN framework risk factor (``RF1`` … ``RF14``) and label.

    Controls (regions, time trends) carry ``is_control`` and the factor they sit nearest.
    """
    path = resources.files("tocsin.forecast").joinpath("data/predictor_factors.csv")
    with resources.as_file(path) as file:
        table = pd.read_csv(file, dtype={"is_control": "string"})
    table["is_control"] = table["is_control"].eq("true")
    return table.set_index("predictor")


@dataclass(frozen=True)
class Explanation:
    """Why a country's risk is what it is, and what changed since last year."""

    iso3: str
    risk: float
    previous_risk: float | None
    by_predictor: pd.DataFrame
    by_factor: pd.DataFrame

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "iso3": self.iso3,
            "risk": self.risk,
            "previous_risk": self.previous_risk,
            "factors": self.by_factor.reset_index().to_dict(orient="records"),
            "predictors": self.by_predictor.reset_index().to_dict(orient="records"),
        }


def explain(
    iso3: str,
    risk: float,
    contributions: pd.Series,
    values: pd.Series,
    previous_contributions: pd.Series | None = None,
    previous_values: pd.Series | None = None,
    previous_risk: float | None = None,
) -> Explanation:
    """Group one country's contributions by factor, with the change since last year.

    ``contributions`` and ``values`` are indexed by predictor (this year); the previous
    ones (same model applied to last year's data) give ``change``.
    """
    table = predictor_factors()
    missing = sorted(set(contributions.index) - set(table.index))
    if missing:
        raise KeyError(f"predictors without a framework factor: {', '.join(missing)}")
    frame = pd.DataFrame({"value": values, "contribution": contributions})
    if previous_contributions is not None:
        frame["previous_value"] = previous_values
        frame["change"] = contributions - previous_contributions
    else:
        frame["previous_value"] = float("nan")
        frame["change"] = float("nan")
    frame = frame.join(table[["factor", "is_control", "label"]])
    frame.index.name = "predictor"
    by_factor = (
        frame.groupby("factor")[["contribution", "change"]]
        .sum(min_count=1)
        .sort_values("contribution", ascending=False)
    )
    order = frame["contribution"].abs().sort_values(ascending=False).index
    return Explanation(
        iso3=iso3,
        risk=float(risk),
        previous_risk=previous_risk,
        by_predictor=frame.loc[order],
        by_factor=by_factor,
    )


def factor_contributions(contributions: pd.DataFrame) -> pd.DataFrame:
    """Sum per-predictor contributions (columns) into framework factors (columns)."""
    factors = predictor_factors()["factor"]
    missing = sorted(set(contributions.columns) - set(factors.index))
    if missing:
        raise KeyError(f"predictors without a framework factor: {', '.join(missing)}")
    return contributions.T.groupby(factors.reindex(contributions.columns)).sum().T
