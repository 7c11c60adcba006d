"""Check a data set's country column against the crosswalk: what does not match, and why."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tocsin.countries._crosswalk import Crosswalk, get_crosswalk
from tocsin.countries._records import CodeScheme

__all__ = ["CrosswalkReport", "crosswalk_report"]


@dataclass(frozen=True)
class CrosswalkReport:
    """How well one column of country codes or names maps to ``iso3``.

    Attributes
    ----------
    scheme : CodeScheme
        How the column was read.
    n_rows : int
        Rows with a value (missing values are not counted).
    n_matched : int
        Of those, rows that mapped to an iso3.
    n_values, n_values_matched : int
        Distinct values, and how many of them mapped.
    unmatched : pandas.DataFrame
        One row per distinct unmatched value: ``value``, ``n_rows``,
        ``first_year``, ``last_year``, ``reason``.
    """

    scheme: CodeScheme
    n_rows: int
    n_matched: int
    n_values: int
    n_values_matched: int
    unmatched: pd.DataFrame

    @property
    def unmatched_values(self) -> set[str]:
        """The unmatched values as strings, for comparing with an allowlist."""
        return {str(v) for v in self.unmatched["value"]}


def _reason(crosswalk: Crosswalk, value: str, scheme: CodeScheme, years: pd.Series) -> str:
    refused = crosswalk.not_carried_reason(value, scheme)
    if refused is not None:
        return f"not carried: {refused}"
    if crosswalk.to_iso3(value, scheme) is not None:
        first = years.min() if len(years) else None
        return f"a former state's code or name used after the state ended (from {first})"
    if scheme == "name":
        several = crosswalk.regex_matches(value)
        if len(several) > 1:
            return f"ambiguous name: matches {', '.join(several)}"
    near = crosswalk.close_matches(value, scheme)
    suffix = f"; close: {'; '.join(near)}" if near else ""
    return f"no country with this {scheme}{suffix}"


def crosswalk_report(
    frame: pd.DataFrame,
    column: str,
    scheme: CodeScheme,
    *,
    year_column: str | None = None,
    list_separator: str | None = None,
    crosswalk: Crosswalk | None = None,
) -> CrosswalkReport:
    """Map ``frame[column]`` to iso3 and report every value that did not map.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data set (or the part holding its country identifiers).
    column : str
        Column of codes or names.
    scheme : CodeScheme
        How to read the column.
    year_column : str, optional
        Column with the year of each row, for codes whose meaning changed.
    list_separator : str, optional
        Split cells holding several codes (UCDP's ``"625, 626"``) on this.
    crosswalk : Crosswalk, optional
        Defaults to :func:`get_crosswalk`.

    Returns
    -------
    CrosswalkReport

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"country": ["Ivory Coast", "World", "Burma"],
    ...                       "year": [2001, 2001, 2002]})
    >>> report = crosswalk_report(frame, "country", "name", year_column="year")
    >>> report.n_rows, report.n_matched, sorted(report.unmatched_values)
    (3, 2, ['World'])
    """
    cw = crosswalk if crosswalk is not None else get_crosswalk()
    values = frame[column]
    years = frame[year_column] if year_column is not None else None
    data = pd.DataFrame({"value": values.to_numpy(), "year": pd.NA}, index=frame.index)
    if years is not None:
        data["year"] = years.to_numpy()
    data = data[data["value"].notna()]
    if list_separator is not None:
        data = data.assign(value=data["value"].astype(str).str.split(list_separator))
        data = data.explode("value")
        data["value"] = data["value"].str.strip()
        data = data[data["value"] != ""]
    data = data.reset_index(drop=True)
    mapped = cw.to_iso3_series(data["value"], scheme, years=None if years is None else data["year"])
    missed = data[mapped.isna().to_numpy()]
    keyed = missed.assign(key=missed["value"].astype(str))
    rows = []
    for key, group in keyed.groupby("key", sort=True):
        year_values = pd.to_numeric(group["year"], errors="coerce").dropna()
        rows.append(
            {
                "value": key,
                "n_rows": len(group),
                "first_year": int(year_values.min()) if len(year_values) else None,
                "last_year": int(year_values.max()) if len(year_values) else None,
                "reason": _reason(cw, str(key), scheme, year_values),
            }
        )
    unmatched = pd.DataFrame(rows, columns=["value", "n_rows", "first_year", "last_year", "reason"])
    distinct = data["value"].astype(str)
    matched_distinct = distinct[mapped.notna().to_numpy()].nunique()
    return CrosswalkReport(
        scheme=scheme,
        n_rows=len(data),
        n_matched=int(mapped.notna().sum()),
        n_values=int(distinct.nunique()),
        n_values_matched=int(matched_distinct),
        unmatched=unmatched,
    )
