"""What every connector is and gives back: a name, a fetch, and a batch of files.

A connector reads its source through a :class:`~tocsin.monitor._http.SourceClient`, from
the cursor its last successful sync left, and returns a :class:`Batch`: the files it
fetched, as bytes in a format an existing importer reads (an event format of
``tocsin.events``, or speech items as JSON Lines), the cursor to keep once they are
stored, and the date of the newest data among them. It stores nothing itself.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

import httpx

from tocsin.errors import TocsinError
from tocsin.monitor._http import SourceClient, redact_url
from tocsin.settings import MonitorSettings

__all__ = [
    "SPEECH_FORMAT",
    "Batch",
    "Connector",
    "FetchedFile",
    "SourceDataError",
    "first_sync_date",
    "iso_date",
    "json_of",
    "rows_to_csv",
]

#: The format of fetched speech items: one :class:`tocsin.speech.SpeechItem` per line.
SPEECH_FORMAT = "speech-jsonl"


class SourceDataError(TocsinError):
    """A source answered with something that is not what it publishes (truncated,
    corrupt, not JSON, a checksum that does not match); nothing from it was stored."""

    def __init__(self, source: str, url: str, problem: str) -> None:
        super().__init__(
            f"{source}: {problem} ({url}); nothing was stored",
            fix="let the next sync fetch it again; if it persists, check the source's URL",
        )
        self.source = source
        self.url = url


@dataclass(frozen=True)
class FetchedFile:
    """One file a connector fetched: its name (for the import record), bytes and format."""

    name: str
    data: bytes
    fmt: str  # "ucdp", "acled", "gdelt" (tocsin.events formats) or SPEECH_FORMAT


@dataclass(frozen=True)
class Batch:
    """What one fetch brought: files to import, then the cursor to keep."""

    files: tuple[FetchedFile, ...]
    cursor: dict[str, Any]
    data_end: date | None
    notes: tuple[str, ...] = field(default_factory=tuple)


class Connector(Protocol):
    """A source Tocsin keeps current; ``fetch`` only what is newer than ``cursor``."""

    name: str
    #: How often the source publishes; see tocsin.monitor.EXPECTED_UPDATE_INTERVALS.
    expected_update_interval: timedelta

    def secrets(self, settings: MonitorSettings) -> list[str]:
        """The values of ``settings`` this connector sends and must never show."""
        ...

    def fetch(
        self,
        http: SourceClient,
        cursor: Mapping[str, Any] | None,
        *,
        settings: MonitorSettings,
        now: datetime,
    ) -> Batch:
        """Fetch what is new since ``cursor`` (None: the first sync)."""
        ...


def first_sync_date(settings: MonitorSettings, now: datetime) -> date:
    """The first day a source's first sync asks for."""
    return now.date() - timedelta(days=settings.first_sync_days)


def json_of(source: str, response: httpx.Response, secrets: Iterable[str] = ()) -> Any:
    """The JSON document of ``response``, or :class:`SourceDataError` (cut, or not JSON)."""
    try:
        return response.json()
    except ValueError as error:
        url = redact_url(response.request.url, secrets)
        raise SourceDataError(source, url, f"the answer is not JSON ({error})") from error


def rows_to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """``rows`` (JSON objects, keys compared without case) as CSV with ``columns`` first and
    any other keys after them; None and nested values become empty and JSON text.

    >>> rows_to_csv([{"ID": 1, "name": "a,b", "extra": None}], ["id", "name"]).decode()
    'id,name,extra\\r\\n1,"a,b",\\r\\n'
    """
    lowered = [{str(k).lower(): v for k, v in row.items()} for row in rows]
    names = list(columns)
    seen = set(names)
    for row in lowered:
        for key in row:
            if key not in seen:
                seen.add(key)
                names.append(key)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for row in lowered:
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def iso_date(value: Any) -> date | None:
    """The date at the start of ``value`` (``2024-05-01``, ``2024-05-01T00:00:00Z``).

    >>> iso_date("2024-05-01T10:00:00+00:00"), iso_date("soon")
    (datetime.date(2024, 5, 1), None)
    """
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
