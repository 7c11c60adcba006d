"""ReliefWeb: the reports API, as speech items (what officials and agencies publish).

Reports are asked for by country and creation date, oldest first, paged with
``offset``/``limit``; each becomes a :class:`tocsin.speech.SpeechItem` (title and body as
its text, the primary country, the first source as its outlet, ReliefWeb's id as its
external id, so a report fetched twice is stored once). The API wants an ``appname``
ReliefWeb approved (https://apidoc.reliefweb.int/).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tocsin.countries import get_crosswalk
from tocsin.errors import TocsinError
from tocsin.monitor._connector_base import (
    SPEECH_FORMAT,
    Batch,
    FetchedFile,
    SourceDataError,
    first_sync_date,
    iso_date,
    json_of,
)
from tocsin.monitor._http import SourceClient, redact_url
from tocsin.monitor._sync import EXPECTED_UPDATE_INTERVALS
from tocsin.settings import MonitorSettings
from tocsin.speech import SpeechItem

__all__ = ["REPORT_FIELDS", "ReliefWebConnector", "report_item"]

#: The fields asked of each report.
REPORT_FIELDS = [
    "title",
    "body",
    "url",
    "date.created",
    "date.original",
    "primary_country.iso3",
    "country.iso3",
    "source.name",
    "language.code",
]
MAX_PAGES = 25  # per sync; a larger backlog continues next time (oldest first)
MAX_TEXT = 50_000  # characters of a report kept: the classifier reads far less


class ReliefWebConnector:
    """ReliefWeb reports; the cursor is the newest ``date.created`` stored.

    The next sync asks for reports created at or after it (the API's date ranges include
    their start): the report at the cursor's second comes again and is not stored twice.
    """

    name = "reliefweb"
    expected_update_interval = EXPECTED_UPDATE_INTERVALS["reliefweb"]

    def secrets(self, settings: MonitorSettings) -> list[str]:
        return []

    def fetch(
        self,
        http: SourceClient,
        cursor: Mapping[str, Any] | None,
        *,
        settings: MonitorSettings,
        now: datetime,
    ) -> Batch:
        if not settings.reliefweb_appname:
            raise TocsinError(
                "reliefweb: no appname",
                fix="ask ReliefWeb for one and set TOCSIN_MONITOR_RELIEFWEB_APPNAME",
            )
        if cursor and cursor.get("created"):
            since = str(cursor["created"])
        else:
            since = f"{first_sync_date(settings, now).isoformat()}T00:00:00+00:00"
        conditions: list[dict[str, Any]] = [{"field": "date.created", "value": {"from": since}}]
        if settings.countries:
            codes = [c.lower() for c in settings.countries]
            conditions.append({"field": "country.iso3", "value": codes, "operator": "OR"})
        reports: list[dict[str, Any]] = []
        total: int | None = None
        for _ in range(MAX_PAGES):
            body = {
                "offset": len(reports),
                "limit": settings.reliefweb_page_size,
                "fields": {"include": REPORT_FIELDS},
                "filter": {"operator": "AND", "conditions": conditions},
                "sort": ["date.created:asc", "id:asc"],
            }
            response = http.request(
                "POST",
                settings.reliefweb_url,
                params={"appname": settings.reliefweb_appname},
                json=body,
            )
            assert response is not None  # missing_ok is off: a 404 raised
            document = json_of(self.name, response)
            data = document.get("data") if isinstance(document, dict) else None
            if not isinstance(data, list):
                shown = redact_url(response.request.url)
                raise SourceDataError(self.name, shown, "no data list in the answer")
            reports += [r for r in data if isinstance(r, dict)]
            total = int(document.get("totalCount") or 0)
            if not data or len(reports) >= total:
                break
        items = [item for item in (report_item(r) for r in reports) if item is not None]
        created = [str(_fields(r).get("date", {}).get("created") or "") for r in reports]
        newest = max((c for c in created if c), default=None)
        cursor_out = {"created": newest or since}
        if not items:
            return Batch(files=(), cursor=cursor_out, data_end=None)
        ends = [d for d in (iso_date(c) for c in created) if d is not None]
        lines = b"".join(item.model_dump_json().encode() + b"\n" for item in items)
        stamp = (newest or since)[:19].replace(":", "")
        file = FetchedFile(name=f"reliefweb-to-{stamp}.jsonl", data=lines, fmt=SPEECH_FORMAT)
        return Batch(files=(file,), cursor=cursor_out, data_end=max(ends) if ends else None)


def _fields(report: Mapping[str, Any]) -> dict[str, Any]:
    fields = report.get("fields")
    return fields if isinstance(fields, dict) else {}


def _first(value: Any, key: str) -> str | None:
    """``value[key]``, or its first element's when ReliefWeb gives a list."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    if isinstance(value, dict) and value.get(key):
        return str(value[key])
    return None


def report_item(report: Mapping[str, Any]) -> SpeechItem | None:
    """The speech item of one ReliefWeb report (None if it has no text).

    >>> report = {"id": "42", "fields": {"title": "Flash update", "body": "Clashes in …",
    ...     "primary_country": {"iso3": "sdn"}, "source": [{"name": "OCHA"}],
    ...     "date": {"created": "2026-11-30T08:00:00+00:00"}}}
    >>> item = report_item(report)
    >>> item.iso3, item.outlet, item.external_id, str(item.published_date)
    ('SDN', 'OCHA', '42', '2026-11-30')
    """
    fields = _fields(report)
    title = str(fields.get("title") or "").strip()
    body = str(fields.get("body") or "").strip()
    text = "\n\n".join(part for part in (title, body) if part)[:MAX_TEXT]
    if not text:
        return None
    dates: dict[str, Any] = fields["date"] if isinstance(fields.get("date"), dict) else {}
    published = iso_date(dates.get("original")) or iso_date(dates.get("created"))
    iso3 = _first(fields.get("primary_country"), "iso3") or _first(fields.get("country"), "iso3")
    known = iso3 is not None and get_crosswalk().to_iso3(iso3.upper(), "iso3") is not None
    outlet = _first(fields.get("source"), "name")
    language = _first(fields.get("language"), "code")
    return SpeechItem(
        text=text,
        language=language[:12] if language else None,
        published_date=published,
        iso3=iso3.upper() if known and iso3 else None,
        outlet=outlet[:300] if outlet else None,
        platform="ReliefWeb",
        url=str(fields["url"]) if fields.get("url") else None,
        external_id=str(report.get("id")) if report.get("id") is not None else None,
    )
