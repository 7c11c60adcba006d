"""Reading speech items from CSV, JSON Lines and RSS/Atom feeds.

Parsers take text or bytes already read and return :class:`SpeechItem` objects; every bad
value in a file is collected into one :class:`~tocsin.errors.DataFileError`, so nothing is
stored from a file with problems. Only :func:`fetch_feed` touches the network.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from time import struct_time
from typing import Any, TextIO

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tocsin.countries import get_crosswalk
from tocsin.errors import DataFileError, RowProblem, TocsinError
from tocsin.speech._items import SpeakerRole, SpeechItem
from tocsin.store import user_text

__all__ = [
    "ColumnMapping",
    "FeedError",
    "fetch_feed",
    "parse_feed",
    "read_csv_items",
    "read_jsonl_items",
]

ITEM_FIELDS = (
    "text",
    "language",
    "published_date",
    "country",
    "outlet",
    "platform",
    "speaker",
    "speaker_role",
    "reach",
    "url",
    "external_id",
)


class FeedError(TocsinError):
    """A feed could not be fetched or read."""


class ColumnMapping(BaseModel):
    """Which column (CSV) or key (JSON Lines) holds each field of a speech item.

    ``defaults`` fill fields the file lacks (e.g. every row is from one outlet);
    ``country_scheme`` says how the country column is written (``iso3``, ``iso2``, ``name``…).

    Examples
    --------
    >>> ColumnMapping(columns={"text": "body", "country": "cc"}, country_scheme="iso2").columns
    {'text': 'body', 'country': 'cc'}
    """

    model_config = ConfigDict(frozen=True)

    columns: dict[str, str] = Field(default_factory=lambda: {f: f for f in ITEM_FIELDS})
    defaults: dict[str, str] = Field(default_factory=dict)
    country_scheme: str = "iso3"

    def check(self, path: str) -> None:
        """Refuse a mapping that names unknown fields or has no text column."""
        unknown = sorted((set(self.columns) | set(self.defaults)) - set(ITEM_FIELDS))
        if unknown:
            raise TocsinError(
                f"{path}: unknown speech item field(s) {unknown} in the column mapping",
                fix=f"map only these fields: {', '.join(ITEM_FIELDS)}",
            )
        if "text" not in self.columns:
            raise TocsinError(
                f"{path}: the column mapping has no 'text' column", fix="add text=COL"
            )


def _parse_date(value: str) -> date:
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return date.fromisoformat(text[:10])


def _to_item(
    raw: Mapping[str, Any], mapping: ColumnMapping, line: int, problems: list[RowProblem]
) -> SpeechItem | None:
    values: dict[str, Any] = dict(mapping.defaults)
    for item_field, column in mapping.columns.items():
        value = raw.get(column)
        if value is not None and str(value).strip() != "":
            values[item_field] = value
    before = len(problems)
    if "country" in values:
        country = str(values.pop("country"))
        iso3 = get_crosswalk().to_iso3(country, mapping.country_scheme)  # type: ignore[arg-type]
        if iso3 is None:
            problems.append(
                RowProblem(line, mapping.columns.get("country"), "unknown country", country)
            )
        values["iso3"] = iso3
    if "published_date" in values:
        try:
            values["published_date"] = _parse_date(str(values["published_date"]))
        except ValueError:
            problems.append(
                RowProblem(
                    line,
                    mapping.columns.get("published_date"),
                    "not a date (use YYYY-MM-DD)",
                    values["published_date"],
                )
            )
    if "speaker_role" in values:
        role = str(values["speaker_role"]).strip().lower().replace(" ", "_")
        if role not in {r.value for r in SpeakerRole}:
            accepted = ", ".join(r.value for r in SpeakerRole)
            where = mapping.columns.get("speaker_role")
            problems.append(RowProblem(line, where, f"speaker role not one of {accepted}", role))
        values["speaker_role"] = role
    if "reach" in values:
        try:
            values["reach"] = int(float(str(values["reach"])))
        except ValueError:
            problems.append(
                RowProblem(line, mapping.columns.get("reach"), "not a number", values["reach"])
            )
    if len(problems) > before:
        return None
    try:
        if "external_id" in values:
            values["external_id"] = str(values["external_id"])
        return SpeechItem(**values)
    except ValidationError as error:
        for detail in error.errors():
            name = str(detail["loc"][0]) if detail["loc"] else None
            problems.append(RowProblem(line, mapping.columns.get(name or "", name), detail["msg"]))
        return None


def _collect(
    rows: Iterable[tuple[int, Mapping[str, Any]]], mapping: ColumnMapping, path: str
) -> list[SpeechItem]:
    problems: list[RowProblem] = []
    items: list[SpeechItem] = []
    for line, raw in rows:
        item = _to_item(raw, mapping, line, problems)
        if item is not None:
            items.append(item)
    if problems:
        raise DataFileError(path, problems)
    return items


def read_csv_items(
    stream: TextIO, mapping: ColumnMapping, *, path: str = "-", delimiter: str = ","
) -> list[SpeechItem]:
    """Read speech items from CSV text with a header row.

    Examples
    --------
    >>> import io
    >>> data = io.StringIO("body,day\\nfirst,2024-05-01\\nsecond,2024-05-02\\n")
    >>> mapping = ColumnMapping(columns={"text": "body", "published_date": "day"})
    >>> [str(i.published_date) for i in read_csv_items(data, mapping)]
    ['2024-05-01', '2024-05-02']
    """
    mapping.check(path)
    reader = csv.DictReader(stream, delimiter=delimiter, strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise DataFileError(path, [RowProblem(1, None, f"header not readable: {error}")]) from error
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise DataFileError(
            path,
            [RowProblem(1, c, "column name repeated") for c in repeated],
            fix_hint="give each column its own name in the header line",
        )
    missing = sorted(set(mapping.columns.values()) - set(header))
    if missing:
        raise DataFileError(
            path,
            [
                RowProblem(1, column, "column named in the mapping is not in the header")
                for column in missing
            ],
        )
    return _collect(_csv_rows(reader, len(header), path), mapping, path)


def _csv_rows(
    reader: csv.DictReader[str], width: int, path: str
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """The rows of ``reader`` with the line each starts on; a row with too many or too few
    fields (a file cut off mid-row) or a quote never closed is refused, with its line."""
    problems: list[RowProblem] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            # DictReader puts surplus fields under the key None, and None for missing ones
            surplus = row.get(None) or ()
            n_fields = width + len(surplus) - sum(v is None for v in row.values())
            if n_fields != width:
                problems.append(
                    RowProblem(start, None, f"expected {width} fields, found {n_fields}")
                )
            else:
                yield start, row
            start = reader.line_num + 1
    except csv.Error as error:
        reason = str(error)
        if "unexpected end of data" in reason:
            reason = "a quoted value starts here and is never closed"
        problems.append(RowProblem(start, None, reason))
    if problems:
        raise DataFileError(
            path, problems, fix_hint="correct the rows listed (or export the file again)"
        )


def read_jsonl_items(
    stream: TextIO, mapping: ColumnMapping, *, path: str = "-"
) -> list[SpeechItem]:
    """Read speech items from JSON Lines (one object per line; blank lines skipped).

    Examples
    --------
    >>> import io
    >>> data = io.StringIO('{"t": "hello", "cc": "KE"}\\n')
    >>> mapping = ColumnMapping(columns={"text": "t", "country": "cc"}, country_scheme="iso2")
    >>> read_jsonl_items(data, mapping)[0].iso3
    'KEN'
    """
    mapping.check(path)
    rows: list[tuple[int, Mapping[str, Any]]] = []
    problems: list[RowProblem] = []
    for line_number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(RowProblem(line_number, None, f"not JSON: {error.msg}"))
            continue
        if not isinstance(value, dict):
            problems.append(RowProblem(line_number, None, "not a JSON object"))
            continue
        rows.append((line_number, value))
    if problems:
        raise DataFileError(path, problems)
    return _collect(rows, mapping, path)


def _struct_date(value: struct_time | None) -> date | None:
    return date(value.tm_year, value.tm_mon, value.tm_mday) if value else None


def parse_feed(
    content: bytes, *, url: str, defaults: Mapping[str, str] | None = None
) -> list[SpeechItem]:
    """Read the entries of an RSS or Atom feed as speech items (title and summary as text).

    ``defaults`` set fields the feed does not carry, e.g. ``{"country": "KEN"}`` (an iso3)
    or ``{"speaker_role": "media"}``; the outlet defaults to the feed's title.
    """
    import feedparser  # type: ignore[import-untyped]  # only feed imports need it

    if content[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or content[:2] in (
        b"\xff\xfe",
        b"\xfe\xff",
    ):
        # a byte-order mark says UTF-16 or UTF-32 whatever the XML declaration says (a
        # feed saved by an editor): read it as the mark says, as UTF-8 for feedparser
        text = user_text(content, url)
        text = re.sub(r"^(<\?xml[^>]*?encoding=)([\"'])[^\"']*\2", r"\1\2utf-8\2", text)
        content = text.encode("utf-8")
    parsed = feedparser.parse(content)
    if parsed.get("bozo") and not parsed.entries:
        raise FeedError(
            f"{url}: not an RSS or Atom feed ({parsed.get('bozo_exception')})",
            fix="check the URL points at the feed itself, not a web page",
        )
    closed = content.rstrip().endswith((b"</rss>", b"</feed>", b"</rdf:RDF>"))
    if parsed.get("bozo") and not closed:
        # feedparser reads what it can of a feed cut off: its last entry would be stored
        # cut short, and the entries after it never
        raise FeedError(
            f"{url}: the feed ends before its closing tag (cut off?): "
            f"{parsed.get('bozo_exception')}",
            fix="fetch or export the whole feed again",
        )
    base: dict[str, Any] = dict(defaults or {})
    if "country" in base:
        base["iso3"] = base.pop("country")
    base.setdefault("outlet", parsed.feed.get("title") or url)
    base.setdefault("platform", "feed")
    items: list[SpeechItem] = []
    for entry in parsed.entries:
        parts = [entry.get("title", ""), _strip_tags(entry.get("summary", ""))]
        text = "\n".join(p.strip() for p in parts if p and p.strip())
        if not text:
            continue
        published = _struct_date(entry.get("published_parsed") or entry.get("updated_parsed"))
        speaker = entry.get("author")
        items.append(
            SpeechItem(
                **base,
                text=text,
                published_date=published,
                speaker=speaker,
                url=entry.get("link"),
                external_id=entry.get("id") or entry.get("link"),
            )
        )
    return items


def _strip_tags(html: str) -> str:
    from html.parser import HTMLParser

    chunks: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            chunks.append(data)

    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(chunks).split())


def fetch_feed(url: str, *, client: httpx.Client | None = None, timeout: float = 20.0) -> bytes:
    """GET a feed's bytes; errors become a :class:`FeedError` naming the URL."""
    owned = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        response = http.get(url)
        response.raise_for_status()
        return response.content
    except httpx.HTTPError as error:
        raise FeedError(f"{url}: {error}", fix="check the URL and that the server is up") from error
    finally:
        if owned:
            http.close()
