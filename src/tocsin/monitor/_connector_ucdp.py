"""UCDP: the GED API (yearly releases) and the monthly Candidate events files.

Both give files in the GED CSV layout that ``tocsin.events`` imports as ``ucdp``; an event
keeps its uid (``ucdp_ged:<id>``) from the Candidate release to the final one, so the
final release revises the candidate events instead of adding them twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
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
from tocsin.monitor._http import SourceClient, redact_url
from tocsin.monitor._sync import EXPECTED_UPDATE_INTERVALS
from tocsin.settings import MonitorSettings

__all__ = ["GED_COLUMNS", "UcdpCandidateConnector", "UcdpGedConnector"]

#: The columns of a GED CSV release, in its order (the API's JSON rows have the same keys).
GED_COLUMNS = (
    "id relid year active_year code_status type_of_violence conflict_dset_id "
    "conflict_new_id conflict_name dyad_dset_id dyad_new_id dyad_name side_a_dset_id "
    "side_a_new_id side_a side_b_dset_id side_b_new_id side_b number_of_sources "
    "source_article source_office source_date source_headline source_original where_prec "
    "where_coordinates where_description adm_1 adm_2 latitude longitude geom_wkt "
    "priogrid_gid country country_id region event_clarity date_prec date_start date_end "
    "deaths_a deaths_b deaths_civilians deaths_unknown best high low gwnoa gwnob"
).split()
_DATE_COLUMNS = ("date_start", "date_end", "source_date")
# The API serves at most this many pages in one sync; a larger backlog continues next time.
MAX_PAGES = 500


def gw_codes(iso3s: list[str]) -> list[int]:
    """The Gleditsch-Ward numbers of ``iso3s`` (those that have one).

    >>> gw_codes(["CAF", "SDN"])
    [482, 625]
    """
    crosswalk = get_crosswalk()
    codes = [crosswalk.country(code).gw for code in iso3s]
    return [c for c in codes if c is not None]


class UcdpGedConnector:
    """The UCDP GED API: the events of one release, from a start date on, page by page.

    The cursor holds the release read and the next start date; a new release
    (``ucdp_version``) is read from the first-sync date again, revising what the old one
    brought. The access token goes in the ``x-ucdp-access-token`` header.
    """

    name = "ucdp_ged"
    expected_update_interval = EXPECTED_UPDATE_INTERVALS["ucdp_ged"]

    def secrets(self, settings: MonitorSettings) -> list[str]:
        return [settings.ucdp_token.get_secret_value()] if settings.ucdp_token else []

    def fetch(
        self,
        http: SourceClient,
        cursor: Mapping[str, Any] | None,
        *,
        settings: MonitorSettings,
        now: datetime,
    ) -> Batch:
        version = settings.ucdp_version
        if cursor and cursor.get("version") == version and cursor.get("start_date"):
            start = date.fromisoformat(str(cursor["start_date"]))
        else:
            start = first_sync_date(settings, now)
        params: dict[str, str | int] = {
            "pagesize": settings.ucdp_page_size,
            "page": 0,
            "StartDate": start.isoformat(),
        }
        if settings.countries:
            codes = gw_codes(settings.countries)
            if not codes:  # an empty filter would ask for every country
                raise TocsinError(
                    f"ucdp_ged: none of {settings.countries} has a Gleditsch-Ward number",
                    fix="check TOCSIN_MONITOR_COUNTRIES",
                )
            params["Country"] = ",".join(str(c) for c in codes)
        headers = {"x-ucdp-access-token": self.secrets(settings)[0]} if settings.ucdp_token else {}
        url: str | None = settings.ucdp_ged_url.format(version=version)
        rows: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            # a NextPageUrl carries its own query: params would replace it
            response = http.get(url, params=params or None, headers=headers)
            assert response is not None  # missing_ok is off: a 404 raised
            page = json_of(self.name, response, self.secrets(settings))
            shown = redact_url(response.request.url, self.secrets(settings))
            if not isinstance(page, dict) or not isinstance(page.get("Result"), list):
                raise SourceDataError(self.name, shown, "no Result list in the answer")
            rows += [_dated(row) for row in page["Result"] if isinstance(row, dict)]
            following = str(page.get("NextPageUrl") or "")
            url, params = (following, {}) if following else (None, {})
        ends = [d for d in (iso_date(r.get("date_start")) for r in rows) if d is not None]
        data_end = max(ends) if ends else None
        next_start = data_end + timedelta(days=1) if data_end else start
        cursor_out = {"version": version, "start_date": next_start.isoformat()}
        if not rows:
            return Batch(files=(), cursor=cursor_out, data_end=None)
        name = f"ucdp-ged-{version}-from-{start.isoformat()}.csv"
        file = FetchedFile(name=name, data=rows_to_csv(rows, GED_COLUMNS), fmt="ucdp")
        return Batch(files=(file,), cursor=cursor_out, data_end=data_end)


def _dated(row: Mapping[str, Any]) -> dict[str, Any]:
    """The API gives dates as timestamps (``2024-01-05T00:00:00``): the CSV has dates."""
    out = {str(k).lower(): v for k, v in row.items()}
    for column in _DATE_COLUMNS:
        day = iso_date(out.get(column))
        if day is not None and column != "source_date":
            out[column] = day.isoformat()
    return out


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


class UcdpCandidateConnector:
    """The UCDP Candidate events: one CSV a month (``GEDEvent_v<yy>_0_<month>.csv``).

    The cursor holds the last month fetched; each sync probes the months after it, up to
    the current one. A 404 for a recent month means "not released yet" and ends the sync
    without error; a month missing although long past (more than 90 days) is skipped.
    """

    name = "ucdp_candidate"
    expected_update_interval = EXPECTED_UPDATE_INTERVALS["ucdp_candidate"]
    max_months = 24  # the most files one sync fetches

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
        if cursor and cursor.get("year") and cursor.get("month"):
            year, month = _next_month(int(cursor["year"]), int(cursor["month"]))
        else:
            first = first_sync_date(settings, now)
            year, month = first.year, first.month
        done: tuple[int, int] | None = None
        files: list[FetchedFile] = []
        notes: list[str] = []
        ends: list[date] = []
        for _ in range(self.max_months):
            if (year, month) > (now.year, now.month):
                break
            url = settings.ucdp_candidate_url.format(yy=f"{year % 100:02d}", month=month)
            response = http.get(url, missing_ok=True)
            file_name = url.rsplit("/", 1)[-1]
            if response is None:
                month_end = _next_month(year, month)
                if now.date() - date(*month_end, 1) <= timedelta(days=90):
                    notes.append(f"{file_name} is not released yet")
                    break
                notes.append(f"{file_name} was never released: skipped")
            else:
                data = response.content
                ends += _csv_dates(data, self.name, redact_url(response.request.url))
                if _n_rows(data) > 0:
                    files.append(FetchedFile(name=file_name, data=data, fmt="ucdp"))
            done = (year, month)
            year, month = _next_month(year, month)
        if done is None:
            kept = dict(cursor) if cursor else {}
            return Batch(files=(), cursor=kept, data_end=None, notes=tuple(notes))
        return Batch(
            files=tuple(files),
            cursor={"year": done[0], "month": done[1]},
            data_end=max(ends) if ends else None,
            notes=tuple(notes),
        )


def _n_rows(data: bytes) -> int:
    return max(0, data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1))


def _csv_dates(data: bytes, source: str, url: str) -> list[date]:
    """The start dates in a GED CSV file (for the data end); the importer checks the rest."""
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        found = [iso_date(row.get("date_start")) for row in reader]
    except (UnicodeDecodeError, csv.Error) as error:
        raise SourceDataError(source, url, f"not a readable CSV file ({error})") from error
    return [d for d in found if d is not None]
