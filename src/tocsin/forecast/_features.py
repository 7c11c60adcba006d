"""Tocsin's features: EWP's predictors plus repression, freedom and conflict dynamics.

Every feature of year ``t`` uses only values of years ``<= t`` of the same country, so
the backtest stays out of sample. Sources: the Political Terror Scale, Freedom House and
V-Dem (through :mod:`tocsin.datasets`) and the battle-death series of EWP's panel.
A source value missing in year ``t`` is taken from ``t - 1`` (one year at most): the
sources publish a year later than EWP's panel, so the current forecast uses the latest
release.
"""

from __future__ import annotations

import pandas as pd

from tocsin.forecast._panel import EWP_PREDICTORS

__all__ = ["TOCSIN_EXTRA_FEATURES", "VDEM_FEATURES", "build_features"]

VDEM_FEATURES = (
    "v2x_clphy", "v2x_civlib", "v2x_rule", "v2xcs_ccsi", "v2x_freexp_altinf",
    "v2clkill", "v2cltort", "v2csreprss", "v2pepwrsoc", "v2xeg_eqprotec", "v2x_polyarchy",
    "v2cldiscm", "v2x_jucon",
)  # fmt: skip
_VDEM_CHANGES = ("v2x_clphy", "v2x_civlib", "v2x_polyarchy", "v2xcs_ccsi", "v2clkill")

TOCSIN_EXTRA_FEATURES: tuple[str, ...] = (
    "pts_max", "pts_change1", "pts_max3",
    "fh_total", "fh_change1",
    *VDEM_FEATURES,
    *(f"{name}_change1" for name in _VDEM_CHANGES),
    *(f"{name}_change3" for name in _VDEM_CHANGES),
    "battledeaths_change1", "battledeaths_max3", "battledeaths_change3",
    "coup_change1",
)  # fmt: skip
"""Features Tocsin adds to EWP's 39 predictors (levels and changes)."""


def _by_country_year(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    clean = frame.dropna(subset=["iso3"])[["iso3", "year", *columns]]
    return clean.groupby(["iso3", "year"], as_index=False)[columns].max()


def _lag(frame: pd.DataFrame, column: str, years: int, key: str) -> pd.Series:
    lagged = frame[[key, "year", column]].assign(year=frame["year"] + years)
    merged = frame[[key, "year"]].merge(lagged, on=[key, "year"], how="left")
    return merged[column].set_axis(frame.index)


def _carry_one_year(frame: pd.DataFrame, columns: list[str], key: str) -> pd.DataFrame:
    for column in columns:
        previous = _lag(frame, column, 1, key)
        frame[column] = frame[column].fillna(previous)
    return frame


def build_features(
    panel: pd.DataFrame, pts: pd.DataFrame, freedom_house: pd.DataFrame, vdem: pd.DataFrame
) -> pd.DataFrame:
    """The panel with :data:`TOCSIN_EXTRA_FEATURES` added (missing where a source is silent).

    ``panel`` is EWP's layout keyed on ``iso3``, ``ccode`` and ``year``; the other frames
    are the tidy outputs of ``tocsin.datasets.load`` for ``pts``, ``freedom_house`` and
    ``vdem``.
    """
    key = "ccode" if "ccode" in panel.columns else "iso3"
    frame = panel.copy()
    terror = _by_country_year(pts, ["pts_amnesty", "pts_hrw", "pts_state"])
    terror["pts_max"] = terror[["pts_amnesty", "pts_hrw", "pts_state"]].max(axis=1)
    fh = _by_country_year(freedom_house, ["political_rights", "civil_liberties"])
    fh["fh_total"] = fh["political_rights"] + fh["civil_liberties"]
    vd = _by_country_year(vdem, list(VDEM_FEATURES))
    for source, columns in (
        (terror, ["pts_max"]),
        (fh, ["fh_total"]),
        (vd, list(VDEM_FEATURES)),
    ):
        frame = frame.merge(source[["iso3", "year", *columns]], on=["iso3", "year"], how="left")
        frame = _carry_one_year(frame, columns, key)
    frame["pts_change1"] = frame["pts_max"] - _lag(frame, "pts_max", 1, key)
    frame["pts_max3"] = pd.concat(
        [frame["pts_max"], *(_lag(frame, "pts_max", k, key) for k in (1, 2))], axis=1
    ).max(axis=1)
    frame["fh_total"] = frame["fh_total"].astype(float)
    frame["fh_change1"] = frame["fh_total"] - _lag(frame, "fh_total", 1, key)
    for name in _VDEM_CHANGES:
        frame[f"{name}_change1"] = frame[name] - _lag(frame, name, 1, key)
        frame[f"{name}_change3"] = frame[name] - _lag(frame, name, 3, key)
    deaths = "battledeaths.log2"
    frame["battledeaths_change1"] = frame[deaths] - _lag(frame, deaths, 1, key)
    frame["battledeaths_change3"] = frame[deaths] - _lag(frame, deaths, 3, key)
    frame["battledeaths_max3"] = pd.concat(
        [frame[deaths], *(_lag(frame, deaths, k, key) for k in (1, 2))], axis=1
    ).max(axis=1)
    frame["coup_change1"] = frame["coup.try.5yr"] - _lag(frame, "coup.try.5yr", 1, key)
    numeric = [*EWP_PREDICTORS, *TOCSIN_EXTRA_FEATURES]
    frame[numeric] = frame[numeric].astype(float)
    return frame
