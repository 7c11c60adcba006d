"""One entry point for every importer: bytes in, :class:`ParsedEvents` out.

The importers are a registry (:data:`EVENT_PARSERS`), one parser per format name of
:data:`tocsin.events.EVENT_FORMATS`; :func:`parse_events` looks the format up there.
"""

from __future__ import annotations

from collections.abc import Callable

from tocsin.errors import TocsinError
from tocsin.events._acled import parse_acled
from tocsin.events._formats import EVENT_FORMATS
from tocsin.events._gdelt import parse_gdelt
from tocsin.events._mapping import ColumnMapping, parse_mapped_csv
from tocsin.events._model import fingerprint
from tocsin.events._parse import ParsedEvents
from tocsin.events._ucdp import parse_ucdp_csv, parse_ucdp_geojson

#: A format's parser: the file's bytes, its name (for errors) and a column mapping (used by
#: the formats that need one) to canonical rows.
EventParser = Callable[[bytes, str, ColumnMapping | None], ParsedEvents]


def _ucdp(data: bytes, file_name: str, _mapping: ColumnMapping | None) -> ParsedEvents:
    # GED comes as CSV or as GeoJSON: told by the content, not the file name
    if data.lstrip()[:1] == b"{":
        return parse_ucdp_geojson(data, file_name=file_name)
    return parse_ucdp_csv(data, file_name=file_name)


def _acled(data: bytes, file_name: str, _mapping: ColumnMapping | None) -> ParsedEvents:
    return parse_acled(data, file_name=file_name)


def _gdelt(data: bytes, file_name: str, _mapping: ColumnMapping | None) -> ParsedEvents:
    return parse_gdelt(data, file_name=file_name)


def _mapped_csv(data: bytes, file_name: str, mapping: ColumnMapping | None) -> ParsedEvents:
    if mapping is None:
        raise TocsinError(
            "the csv format needs a column mapping",
            fix="pass --mapping FILE (YAML or JSON; see docs/methodology/events.md)",
        )
    return parse_mapped_csv(data, mapping, file_name=file_name)


#: Every importer, by format name (the keys are :data:`EVENT_FORMATS`, in its order).
EVENT_PARSERS: dict[str, EventParser] = {
    "ucdp": _ucdp,
    "acled": _acled,
    "gdelt": _gdelt,
    "csv": _mapped_csv,
}


def parse_events(
    data: bytes, fmt: str, *, file_name: str, mapping: ColumnMapping | None = None
) -> ParsedEvents:
    """Parse the bytes of an event file in format ``fmt`` into canonical rows.

    ``ucdp`` reads GED as CSV or GeoJSON (told by the content), ``gdelt`` reads 1.0 and
    2.0 event files, ``csv`` needs a :class:`ColumnMapping`. Nothing is dropped: every
    row is either in ``frame`` or in ``rejected`` with its problems.
    """
    parser = EVENT_PARSERS.get(fmt)
    if parser is None:
        raise TocsinError(
            f"unknown event format {fmt!r}", fix=f"use one of {', '.join(EVENT_FORMATS)}"
        )
    parsed = parser(data, file_name, mapping)
    parsed.sha256 = fingerprint(data)
    return parsed
