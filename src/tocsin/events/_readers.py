"""One entry point for every importer: bytes in, :class:`ParsedEvents` out."""

from __future__ import annotations

from tocsin.errors import TocsinError
from tocsin.events._acled import parse_acled
from tocsin.events._formats import EVENT_FORMATS
from tocsin.events._gdelt import parse_gdelt
from tocsin.events._mapping import ColumnMapping, parse_mapped_csv
from tocsin.events._model import fingerprint
from tocsin.events._parse import ParsedEvents
from tocsin.events._ucdp import parse_ucdp_csv, parse_ucdp_geojson


def parse_events(
    data: bytes, fmt: str, *, file_name: str, mapping: ColumnMapping | None = None
) -> ParsedEvents:
    """Parse the bytes of an event file in format ``fmt`` into canonical rows.

    ``ucdp`` reads GED as CSV or GeoJSON (told by the content), ``gdelt`` reads 1.0 and
    2.0 event files, ``csv`` needs a :class:`ColumnMapping`. Nothing is dropped: every
    row is either in ``frame`` or in ``rejected`` with its problems.
    """
    if fmt not in EVENT_FORMATS:
        raise TocsinError(
            f"unknown event format {fmt!r}", fix=f"use one of {', '.join(EVENT_FORMATS)}"
        )
    if fmt == "ucdp":
        is_json = data.lstrip()[:1] == b"{"
        parser = parse_ucdp_geojson if is_json else parse_ucdp_csv
        parsed = parser(data, file_name=file_name)
    elif fmt == "acled":
        parsed = parse_acled(data, file_name=file_name)
    elif fmt == "gdelt":
        parsed = parse_gdelt(data, file_name=file_name)
    else:
        if mapping is None:
            raise TocsinError(
                "the csv format needs a column mapping",
                fix="pass --mapping FILE (YAML or JSON; see docs/methodology/events.md)",
            )
        parsed = parse_mapped_csv(data, mapping, file_name=file_name)
    parsed.sha256 = fingerprint(data)
    return parsed
