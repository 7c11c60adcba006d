"""Modelling panel: predictor checks, missing-value rule and onset targets.

The panel is one row per country-year (``iso3``, ``ccode``, ``year``) with predictors
measured in year ``t``. Targets look forward: ``target`` is 1 when an onset begins in
``t + 1`` … ``t + horizon``, and is missing when any of those years is not observed
(never the false 0 the EWP file carries in its last two data years).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from tocsin.errors import TocsinError
from tocsin.forecast._names import TARGETS

__all__ = [
    "EWP_PREDICTORS",
    "LEAKING_COLUMNS",
    "TARGETS",
    "MissingReport",
    "PanelError",
    "check_panel",
    "complete_cases",
    "load_events",
    "onset_series",
    "with_target",
]

EWP_PREDICTORS: tuple[str, ...] = (
    "widetargeting", "narrowtargeting", "v2csgender_binary", "v2mecenefm_binary",
    "partyban.new.0", "partyban.new.1", "partyban.new.2", "minorityrule", "judicialreform",
    "religiousfreedom", "pol_killing_approved", "freediscussion", "social_inequality",
    "even_civilrights", "repress_civilsoc", "social_power_dist", "ses_power_dist",
    "popsize.log2", "gdppcgrowth", "un_imr_sqrt", "efindex", "discrimpop", "reg.na",
    "reg.eap", "reg.sca", "reg.mna", "reg.eur", "ios.iccpr1", "battledeaths.log2",
    "coup.try.5yr", "mk_ongoing_count_log2", "mean_mk_onset_interaction",
    "mk_onset_prev_year", "newcountry", "mk_ever", "year_sq", "year",
    "countryage.new.log2", "includesnonstate",
)  # fmt: skip
"""The 39 predictors of the Early Warning Project's 2025 model, in their order."""

LEAKING_COLUMNS = frozenset(
    {"mk_onset_1", "mk_onset_2", "mk_onset_1or2", "target", "onset_next", "mk_offset_1"}
)
"""Columns that hold the future: never allowed among the predictors."""

"""``any``: any new mass killing (EWP's target); ``state_led``: state-led episodes only."""


class PanelError(TocsinError):
    """The panel cannot be used as given; the message names the column."""


def check_panel(panel: pd.DataFrame, predictors: Sequence[str]) -> None:
    """Refuse a panel with a missing, non-numeric or future-leaking predictor.

    Examples
    --------
    >>> frame = pd.DataFrame({"iso3": ["FRA"], "year": [2000], "gdp": ["high"]})
    >>> check_panel(frame, ["gdp"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tocsin.forecast._panel.PanelError: predictor column 'gdp' is not numeric (dtype ..., \
e.g. 'high'). Fix: recode it as numbers
    """
    for key in ("iso3", "year"):
        if key not in panel.columns:
            raise PanelError(f"the panel has no {key!r} column", fix="key rows on iso3 and year")
    for column in predictors:
        if column in LEAKING_COLUMNS or column.startswith("mk_onset_1") or column == "mk_onset":
            raise PanelError(
                f"predictor column {column!r} holds the outcome or the future (leakage)",
                fix="drop it from the predictors; only values known in year t may predict",
            )
        if column not in panel.columns:
            raise PanelError(
                f"predictor column {column!r} is missing from the panel",
                fix="use a panel in the EWP 2025 layout or drop the predictor",
            )
        values = panel[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            example = values.dropna().iloc[0] if values.notna().any() else None
            raise PanelError(
                f"predictor column {column!r} is not numeric (dtype {values.dtype}, "
                f"e.g. {example!r})",
                fix="recode it as numbers",
            )


@dataclass(frozen=True)
class MissingReport:
    """How many rows the complete-case rule dropped, and for which columns."""

    n_rows: int
    n_complete: int
    missing_by_column: dict[str, int]

    @property
    def n_dropped(self) -> int:
        """Rows left out."""
        return self.n_rows - self.n_complete


def complete_cases(
    panel: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, MissingReport]:
    """Keep rows with every listed column present (EWP's rule), with the counts dropped.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": [1, 2, None]})
    >>> kept, report = complete_cases(frame, ["a", "b"])
    >>> len(kept), report.missing_by_column
    (1, {'a': 1, 'b': 1})
    """
    missing = panel[list(columns)].isna()
    counts = {str(c): int(n) for c, n in missing.sum().items() if n}
    keep = ~missing.any(axis=1)
    report = MissingReport(len(panel), int(keep.sum()), counts)
    return panel.loc[keep], report


def load_events() -> pd.DataFrame:
    """The EWP 2025 master list of mass-killing episodes (bundled; see data/SOURCES.md)."""
    path = resources.files("tocsin.forecast").joinpath("data/ewp_mk_events_2025.csv")
    with resources.as_file(path) as file:
        events = pd.read_csv(file)
    return events.rename(columns={"State-Led or Non-State-Led": "led_by"})


def onset_series(country_years: pd.DataFrame, events: pd.DataFrame, target: str) -> pd.DataFrame:
    """Onsets per ``ccode`` and ``year`` for a target, from the episode codes of each year.

    An episode begins in the first year its code appears among the country's ongoing
    episodes (this reproduces EWP's ``mk_onset_count`` exactly); ``state_led`` keeps the
    episodes the master list flags "State-Led".
    """
    if target not in TARGETS:
        raise PanelError(f"unknown target {target!r}", fix=f"use one of {', '.join(TARGETS)}")
    codes = (
        country_years[["ccode", "year", "mk_ongoing_code"]]
        .dropna(subset=["mk_ongoing_code"])
        .assign(code=lambda f: f["mk_ongoing_code"].astype(str).str.split(";"))
        .explode("code")
        .assign(code=lambda f: f["code"].str.strip())
    )
    codes = codes[codes["code"].str.len() > 0]
    first = codes.groupby(["ccode", "code"], as_index=False)["year"].min()
    if target == "state_led":
        state = set(events.loc[events["led_by"].eq("State-Led"), "mk_event_code"])
        first = first[first["code"].isin(state)]
    counts = first.groupby(["ccode", "year"]).size().rename("n_onsets").reset_index()
    frame = country_years[["ccode", "year"]].drop_duplicates()
    frame = frame.merge(counts, on=["ccode", "year"], how="left")
    frame["onset"] = (frame["n_onsets"].fillna(0) > 0).astype(int)
    return frame[["ccode", "year", "onset"]]


def with_target(panel: pd.DataFrame, onsets: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Add ``onset`` (in year t) and ``target`` (onset in t+1 … t+horizon, NA if unknown).

    A year counts as observed when the country has a panel row for it; so the target is
    missing at the end of each country's series, including the last ``horizon`` years.

    Examples
    --------
    >>> p = pd.DataFrame({"iso3": ["A"] * 3, "ccode": [1] * 3, "year": [2000, 2001, 2002]})
    >>> o = pd.DataFrame({"ccode": [1] * 3, "year": [2000, 2001, 2002], "onset": [0, 0, 1]})
    >>> with_target(p, o, 2)["target"].tolist()
    [1.0, nan, nan]
    """
    if horizon < 1:
        raise PanelError(f"horizon must be at least 1 year, got {horizon}")
    frame = panel.drop(columns=["onset", "target"], errors="ignore").merge(
        onsets, on=["ccode", "year"], how="left"
    )
    frame["onset"] = frame["onset"].fillna(0).astype(int)
    lookup = frame.set_index(["ccode", "year"])["onset"]
    leads = []
    for k in range(1, horizon + 1):
        index = pd.MultiIndex.from_arrays([frame["ccode"], frame["year"] + k])
        leads.append(lookup.reindex(index).to_numpy(dtype=float))
    stacked = np.vstack(leads)
    target = np.where(np.isnan(stacked).any(axis=0), np.nan, stacked.max(axis=0))
    frame["target"] = target
    return frame
