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
from tocsin.events._parse import ParsedEvents, header_names
from tocsin.events._ucdp import parse_ucdp_csv, parse_ucdp_geojson
from tocsin.store import UserFileError, utf8_bytes

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
    text = utf8_bytes(data, file_name)
    _check_format(text, fmt, file_name)
    parsed = parser(text, file_name, mapping)
    if parsed.n_rows == 0:
        raise UserFileError(
            f"{file_name} has no events: a header alone, or no features",
            fix="give a file with rows (was it exported completely?)",
        )
    parsed.sha256 = fingerprint(data)
    return parsed


#: What each header format's first line must name, and what a file that has them is.
_SIGNATURES: dict[str, tuple[str, frozenset[str]]] = {
    "ucdp": ("a UCDP GED file", frozenset({"id", "type_of_violence", "date_start", "best"})),
    "acled": (
        "an ACLED export",
        frozenset({"event_id_cnty", "event_date", "sub_event_type", "fatalities"}),
    ),
}
_GDELT_FIELDS = (57, 58, 61)


def _looks_like(first: bytes) -> str | None:
    """The format whose first line ``first`` is, of those a first line tells."""
    if first.lstrip()[:1] == b"{":
        return "ucdp"  # GeoJSON: of the formats, only UCDP GED comes as one
    if first.count(b"\t") + 1 in _GDELT_FIELDS:
        return "gdelt"
    names = set(header_names(first))
    return next((fmt for fmt, (_, need) in _SIGNATURES.items() if need <= names), None)


def _check_format(data: bytes, fmt: str, file_name: str) -> None:
    """Refuse, in one sentence, a file of another format than ``fmt`` says (an ACLED export
    given as UCDP), instead of a problem for every row of it."""
    if fmt == "csv":
        return
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    seen = _looks_like(first)
    if seen == fmt:
        return
    if fmt == "gdelt":
        n_fields = first.count(b"\t") + 1
        wrong = f"the first line has {n_fields} tab-separated fields, not GDELT's 57, 58 or 61"
    else:
        label, need = _SIGNATURES[fmt]
        missing = sorted(need - set(header_names(first.rstrip(b"\r"))))
        wrong = f"columns {', '.join(missing)} missing: this is not {label}"
    if seen is None:
        raise UserFileError(
            f"{file_name}: {wrong}",
            fix=f"check the file's format (one of {', '.join(EVENT_FORMATS)}; csv needs a "
            "column mapping)",
        )
    what = "UCDP GED GeoJSON" if first.lstrip()[:1] == b"{" else _label(seen)
    raise UserFileError(
        f"{file_name}: {wrong}; it looks like {what}",
        fix=f"import it as {seen} (--format {seen})",
    )


def _label(fmt: str) -> str:
    return "a GDELT event file" if fmt == "gdelt" else _SIGNATURES[fmt][0]
