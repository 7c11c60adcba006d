"""Scale real event data up, for benchmarks: resample real events in time and space.

Each synthetic event is a copy of a real row of the source file (chosen uniformly, with
replacement) whose dates are moved by a whole number of days (at most ``max_shift_days``
either way, the same shift for start and end so the span is kept), whose coordinates are
moved by a small Gaussian step (``jitter_degrees``), and which gets a new id. Everything
else (type, actors, admin-1 area, fatalities, sources) is the real row's, so the mix of
types, areas and death counts of the output is the real one. The output keeps the source's
own layout (GED CSV or ACLED export), so the ordinary importers read it.

All of it is columnar (numpy and pyarrow); a million rows take a few seconds.
"""

from __future__ import annotations

import io
import json
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from tocsin.errors import DataFileError, RowProblem, TocsinError
from tocsin.events._parse import read_text_table

ScalableFormat = Literal["ucdp", "acled"]

# Per layout: the id column, the date columns, the coordinates and the year column.
_LAYOUT: dict[str, dict[str, object]] = {
    "ucdp": {
        "id": "id",
        "dates": ("date_start", "date_end"),
        "year": "year",
        "lat": "latitude",
        "lon": "longitude",
    },
    "acled": {
        "id": "event_id_cnty",
        "dates": ("event_date",),
        "year": "year",
        "lat": "latitude",
        "lon": "longitude",
    },
}


def source_table(data: bytes, fmt: ScalableFormat, *, file_name: str) -> pd.DataFrame:
    """The rows of a real event file as text columns in its CSV layout.

    UCDP GED GeoJSON is flattened to the GED CSV layout (properties plus ``latitude`` and
    ``longitude``); CSV files are read as they are.
    """
    if fmt not in _LAYOUT:
        raise TocsinError(f"cannot scale format {fmt!r}", fix="use ucdp or acled")
    if fmt == "ucdp" and data.lstrip()[:1] == b"{":
        try:
            features = json.loads(data)["features"]
        except (ValueError, KeyError, TypeError) as error:
            raise DataFileError(
                file_name, [RowProblem(None, None, f"not GeoJSON: {error}")]
            ) from error
        table = pd.DataFrame.from_records([f.get("properties") or {} for f in features])
        points = [(f.get("geometry") or {}).get("coordinates") or [None, None] for f in features]
        table["longitude"] = [p[0] for p in points]
        table["latitude"] = [p[1] for p in points]
        table = table.astype("string").astype("object")
        return table.where(table.notna(), None)
    return read_text_table(data).drop(columns="__line__")


def resample_events(
    table: pd.DataFrame,
    fmt: ScalableFormat,
    n: int,
    *,
    seed: int = 0,
    max_shift_days: int = 730,
    jitter_degrees: float = 0.05,
) -> pd.DataFrame:
    """``n`` synthetic events resampled from the real rows of ``table`` (see module doc).

    ``table`` is what :func:`source_table` returns. Ids are ``<real id>-s<seed>-<i>``,
    unique within one seed. The same seed gives the same rows.

    Examples
    --------
    >>> real = pd.DataFrame({"event_id_cnty": ["A1"], "event_date": ["2022-03-01"],
    ...                      "year": ["2022"], "latitude": ["7.1"], "longitude": ["15.9"]})
    >>> out = resample_events(real, "acled", 3, seed=1)
    >>> out["event_id_cnty"].tolist()
    ['A1-s1-0', 'A1-s1-1', 'A1-s1-2']
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if table.empty:
        raise ValueError("no real events to resample")
    layout = _LAYOUT[fmt]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(table), size=n)
    out = table.iloc[picks].reset_index(drop=True)
    id_column = str(layout["id"])
    numbers = pd.Series(np.arange(n).astype(str), dtype="object")
    out[id_column] = out[id_column].astype(str) + f"-s{seed}-" + numbers
    shift = pd.to_timedelta(rng.integers(-max_shift_days, max_shift_days + 1, size=n), unit="D")
    dates = tuple(str(c) for c in layout["dates"])  # type: ignore[attr-defined]
    first = None
    for column in dates:
        if column not in out:
            continue
        # Only the date part is moved; GED's "YYYY-MM-DD 00:00:00.000" is cut to the day.
        parsed = pd.to_datetime(out[column].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        moved = parsed + shift
        out[column] = moved.dt.strftime("%Y-%m-%d").where(moved.notna(), None)
        first = moved if first is None else first
    year = str(layout["year"])
    if first is not None and year in out:
        out[year] = first.dt.year.astype("Int64").astype("string").astype("object")
    for column, limit in ((str(layout["lat"]), 90.0), (str(layout["lon"]), 180.0)):
        if column in out:
            values = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
            moved_values = np.clip(values + rng.normal(0.0, jitter_degrees, size=n), -limit, limit)
            text = pd.Series(np.round(moved_values, 4)).astype(str)
            out[column] = text.where(~np.isnan(moved_values), None)
    return out


def write_csv(table: pd.DataFrame) -> bytes:
    """``table`` (text columns) as CSV bytes with a header, written by pyarrow."""
    arrow = pa.Table.from_pandas(
        table.astype("object"),
        schema=pa.schema([(str(c), pa.string()) for c in table.columns]),
        preserve_index=False,
    )
    sink = io.BytesIO()
    pacsv.write_csv(arrow, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue()


def scale_event_file(
    data: bytes, fmt: ScalableFormat, n: int, *, file_name: str, seed: int = 0
) -> bytes:
    """The CSV of ``n`` events resampled from the real event file ``data``."""
    return write_csv(
        resample_events(source_table(data, fmt, file_name=file_name), fmt, n, seed=seed)
    )
