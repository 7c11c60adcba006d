"""Give each row of a source table its ISO 3166 alpha-3 code, trying the source's codes in turn."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from tocsin.countries import CodeScheme, get_crosswalk

__all__ = ["map_iso3"]


def map_iso3(
    frame: pd.DataFrame,
    attempts: Sequence[tuple[str, CodeScheme]],
    *,
    year_column: str | None = None,
    value_columns: Sequence[str] = (),
    key_columns: Sequence[str] = (),
) -> pd.Series:
    """The ``iso3`` of each row of ``frame``: the first attempt that finds one wins.

    When several source rows land on the same ``iso3`` (and year), only one keeps it, so
    ``iso3`` + ``year`` stays a key: the row holding data in ``value_columns`` first, then
    the one matched by the earlier (more trusted) attempt, then the first in the file. The
    others get ``<NA>`` and show up in ``unmatched`` (e.g. PTS codes "Israel in Occupied
    Territories" beside "Israel", and keeps empty rows for states that no longer exist).

    Parameters
    ----------
    frame : pandas.DataFrame
        Source rows (columns as text or numbers).
    attempts : sequence of (column, scheme)
        Source columns and the crosswalk scheme of each (``"isonum"``, ``"cow"``,
        ``"name"``, …), in order of trust.
    year_column : str, optional
        Column of years, passed to the crosswalk so codes reused over time (COW 255,
        345, …) map to the state of that year; also part of the key.
    value_columns : sequence of str
        Measurements used to prefer a row with data over an empty placeholder.
    key_columns : sequence of str
        Further key columns besides ``iso3`` and the year (``treaty`` for treaties).

    Returns
    -------
    pandas.Series
        ``string`` dtype aligned with ``frame``; ``<NA>`` where no attempt found a code.
        Rows are never dropped.
    """
    crosswalk = get_crosswalk()
    years = frame[year_column] if year_column is not None else None
    result = pd.Series(pd.NA, index=frame.index, dtype="string")
    rank = pd.Series(len(attempts), index=frame.index, dtype="int64")
    for position, (column, scheme) in enumerate(attempts):
        missing = result.isna() & frame[column].notna()
        if not missing.any():
            continue
        found = crosswalk.to_iso3_series(
            frame.loc[missing, column],
            scheme,
            years=years[missing] if years is not None else None,
        ).astype("string")
        result.loc[missing] = found
        rank.loc[missing & result.notna()] = position
    extra = [*([year_column] if year_column is not None else []), *key_columns]
    key = ["__iso3", *extra]
    order = pd.DataFrame(
        {
            "__iso3": result,
            "__empty": ~frame[list(value_columns)].notna().any(axis=1) if value_columns else False,
            "__rank": rank,
            "__row": range(len(frame)),
        },
        index=frame.index,
    )
    for column in extra:
        order[column] = frame[column]
    order = order[order["__iso3"].notna()].sort_values(["__empty", "__rank", "__row"])
    losers = order.index[order.duplicated(key, keep="first")]
    result.loc[losers] = pd.NA
    return result
