"""ACLED: the API's events, by country and from a date on, as an ACLED export.

ACLED's terms of use allow its data to be used but not redistributed: what this connector
fetches is stored only in this installation's database, for the analysts who use it, and
is never exported in Tocsin's public feeds or files (the events keep ``dataset = acled``,
by which any export can leave them out). Register for an access key and read the terms at
https://acleddata.com/.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tocsin.countries import get_crosswalk
from tocsin.errors import TocsinError
from tocsin.monitor._connector_base import (
    Batch,
    FetchedFile,
    SourceDataError,
    first_sync_date,
    iso_date,
    json_of,
    rows_to_csv,
)
from tocsin.monitor._http import SourceClient, redact_url, scrub
from tocsin.monitor._sync import EXPECTED_UPDATE_INTERVALS
from tocsin.settings import MonitorSettings

__all__ = ["ACLED_COLUMNS", "AcledConnector"]

#: The columns of an ACLED export, in its order.
ACLED_COLUMNS = (
    "event_id_cnty event_date year time_precision disorder_type event_type sub_event_type "
    "actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting "
    "iso region country admin1 admin2 admin3 location latitude longitude geo_precision "
    "source source_scale notes fatalities tags timestamp"
).split()
MAX_PAGES = 200  # per country and sync; a larger backlog continues next time


class AcledConnector:
    """The ACLED API (``key`` and ``email`` in the query), paged with ``limit``/``page``.

    The cursor holds the newest event date stored; the next sync asks for events on or
    after it (``event_date_where=>=``), because ACLED adds events to a day after first
    publishing it: the day's events already stored are recognised and not stored twice.
    """

    name = "acled"
    expected_update_interval = EXPECTED_UPDATE_INTERVALS["acled"]

    def secrets(self, settings: MonitorSettings) -> list[str]:
        found = [settings.acled_key.get_secret_value()] if settings.acled_key else []
        return found + ([settings.acled_email] if settings.acled_email else [])

    def fetch(
        self,
        http: SourceClient,
        cursor: Mapping[str, Any] | None,
        *,
        settings: MonitorSettings,
        now: datetime,
    ) -> Batch:
        if not settings.acled_key or not settings.acled_email:
            raise TocsinError(
                "acled: no ACLED access key or e-mail",
                fix="set TOCSIN_MONITOR_ACLED_KEY and TOCSIN_MONITOR_ACLED_EMAIL",
            )
        if cursor and cursor.get("event_date"):
            start = date.fromisoformat(str(cursor["event_date"]))
        else:
            start = first_sync_date(settings, now)
        crosswalk = get_crosswalk()
        numbers = [crosswalk.country(code).isonum for code in settings.countries]
        countries: list[int | None] = [n for n in numbers if n is not None]
        if settings.countries and not countries:  # no filter would ask for every country
            raise TocsinError(
                f"acled: none of {settings.countries} has an ISO 3166 number",
                fix="check TOCSIN_MONITOR_COUNTRIES",
            )
        countries = countries or [None]
        rows: list[dict[str, Any]] = []
        for number in countries:
            rows += self._country_rows(http, settings, start, number)
        ends = [d for d in (iso_date(r.get("event_date")) for r in rows) if d is not None]
        data_end = max(ends) if ends else None
        cursor_out = {"event_date": (data_end or start).isoformat()}
        if not rows:
            return Batch(files=(), cursor=cursor_out, data_end=None)
        name = f"acled-from-{start.isoformat()}.csv"
        file = FetchedFile(name=name, data=rows_to_csv(rows, ACLED_COLUMNS), fmt="acled")
        return Batch(files=(file,), cursor=cursor_out, data_end=data_end)

    def _country_rows(
        self, http: SourceClient, settings: MonitorSettings, start: date, isonum: int | None
    ) -> list[dict[str, Any]]:
        assert settings.acled_key is not None and settings.acled_email is not None
        secrets = self.secrets(settings)
        rows: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            params: dict[str, str | int] = {
                "key": settings.acled_key.get_secret_value(),
                "email": settings.acled_email,
                "event_date": start.isoformat(),
                "event_date_where": ">=",
                "limit": settings.acled_page_size,
                "page": page,
            }
            if isonum is not None:
                params["iso"] = isonum
            response = http.get(settings.acled_url, params=params)
            assert response is not None  # missing_ok is off: a 404 raised
            document = json_of(self.name, response, secrets)
            shown = redact_url(response.request.url, secrets)
            if not isinstance(document, dict):
                raise SourceDataError(self.name, shown, "the answer is not a JSON object")
            if document.get("success") is False or "error" in document:
                problem = scrub(str(document.get("error") or document.get("messages")), secrets)
                raise SourceDataError(self.name, shown, f"ACLED refused the request: {problem}")
            data = document.get("data")
            if not isinstance(data, list):
                raise SourceDataError(self.name, shown, "no data list in the answer")
            rows += [row for row in data if isinstance(row, dict)]
            if len(data) < settings.acled_page_size:
                break
        return rows
