"""Tables of the watchlist and of a country's events as CSV and XLSX downloads.

Every text cell passes through :func:`tocsin.domain.spreadsheet_safe` in both formats, so
a place or a name written as a formula (``=HYPERLINK(...)``) is shown as text, never run.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from fastapi.responses import Response
from openpyxl import Workbook

from tocsin.domain import spreadsheet_safe, spreadsheet_safe_frame
from tocsin.watchlist._models import Watchlist

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"

WATCHLIST_COLUMNS = (
    "rank",
    "iso3",
    "name",
    "region",
    "risk",
    "previous_rank",
    "rank_change",
    "drivers",
)
EVENT_COLUMNS = (
    "uid",
    "dataset",
    "start_date",
    "event_type",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "fatalities_best",
)


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA: an empty cell."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _cell(value: Any) -> Any:
    """A plain value for a cell: missing numbers (NaN, NaT) as empty, text made safe."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars, as plain numbers
        value = value.item()
    return spreadsheet_safe(value)


def watchlist_rows(data: Watchlist) -> list[list[Any]]:
    """The watchlist's rows in :data:`WATCHLIST_COLUMNS`' order; drivers as
    ``code +contribution`` joined by ``; `` in the unit the watchlist names."""
    return [
        [
            row.rank,
            row.iso3,
            row.name,
            row.region,
            row.risk,
            row.previous_rank,
            row.rank_change,
            "; ".join(f"{d.code} {d.contribution:+.4f}" for d in row.drivers),
        ]
        for row in data.rows
    ]


def event_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """The events frame's rows in :data:`EVENT_COLUMNS`' order, text made safe."""
    if frame.empty:
        return []
    safe = spreadsheet_safe_frame(frame.loc[:, list(EVENT_COLUMNS)])
    return [[_cell(v) for v in record] for record in safe.itertuples(index=False)]


def table_response(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str, filename: str
) -> Response:
    """``rows`` under ``columns`` as a CSV or XLSX attachment named ``filename.fmt``."""
    cleaned = [[_cell(v) for v in row] for row in rows]
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(filename[:31])
        sheet.append(list(columns))
        for row in cleaned:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        body: bytes | str = out.getvalue()
        media = XLSX
    else:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(columns)
        for row in cleaned:
            writer.writerow(["" if v is None else v for v in row])
        body, media = text.getvalue(), CSV
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f"attachment; filename={filename}.{fmt}"},
    )


def geojson_response(frame: pd.DataFrame, filename: str) -> Response:
    """The events as a GeoJSON FeatureCollection of points (no geometry where the place
    has no coordinates)."""
    features = []
    records = frame.loc[:, list(EVENT_COLUMNS)].to_dict("records") if len(frame) else []
    for record in records:
        props = {k: _json_value(record[k]) for k in EVENT_COLUMNS}
        lon, lat = props.pop("longitude"), props.pop("latitude")
        point = {"type": "Point", "coordinates": [lon, lat]}
        geometry = None if lon is None or lat is None else point
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return Response(
        json.dumps({"type": "FeatureCollection", "features": features}),
        media_type=GEOJSON,
        headers={"content-disposition": f"attachment; filename={filename}.geojson"},
    )


def _json_value(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
