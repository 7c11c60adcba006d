"""GDELT 2.0: the 15-minute event exports, from the one after the cursor to the newest.

``lastupdate.txt`` names the newest files (one line each: size, MD5, URL); the export
files before it are at the same address with earlier timestamps
(``YYYYMMDDHHMMSS.export.CSV.zip``, every 15 minutes). A sync fetches the slots after the
cursor's, at most ``gdelt_max_files`` of them (a backlog is caught up over later syncs); a
slot GDELT left empty (404) is passed over. The newest file's MD5 is checked against
``lastupdate.txt`` (older files' against their zip checksums: GDELT's list of every
file's MD5, ``masterfilelist.txt``, is too large to read every 15 minutes).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tocsin.countries import get_crosswalk
from tocsin.events import gdelt_columns
from tocsin.monitor._connector_base import Batch, FetchedFile, SourceDataError
from tocsin.monitor._http import SourceClient
from tocsin.monitor._sync import EXPECTED_UPDATE_INTERVALS
from tocsin.settings import MonitorSettings

__all__ = ["GdeltConnector", "parse_lastupdate"]

STEP = timedelta(minutes=15)
STAMP = "%Y%m%d%H%M%S"
EXPORT_SUFFIX = ".export.CSV.zip"


def parse_lastupdate(text: str) -> dict[str, tuple[int, str, str]]:
    """The files ``lastupdate.txt`` names, by kind: (size, md5, url).

    >>> line = "1234 0123abcd http://data.gdeltproject.org/gdeltv2/20261204184500.export.CSV.zip"
    >>> parse_lastupdate(line)["export"][2][-29:]
    '20261204184500.export.CSV.zip'
    """
    found: dict[str, tuple[int, str, str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit():
            continue
        size, md5, url = parts
        kind = url.rsplit("/", 1)[-1].split(".")[1] if url.count(".") >= 2 else ""
        found[kind] = (int(size), md5.lower(), url)
    return found


class GdeltConnector:
    """GDELT 2.0 event exports; the cursor is the timestamp of the last slot fetched."""

    name = "gdelt"
    expected_update_interval = EXPECTED_UPDATE_INTERVALS["gdelt"]

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
        response = http.get(settings.gdelt_lastupdate_url)
        assert response is not None  # missing_ok is off: a 404 raised
        listed = parse_lastupdate(response.text).get("export")
        if listed is None or not listed[2].endswith(EXPORT_SUFFIX):
            raise SourceDataError(
                self.name, settings.gdelt_lastupdate_url, "no export file in lastupdate.txt"
            )
        _, newest_md5, newest_url = listed
        base, newest_name = newest_url.rsplit("/", 1)
        newest = _stamp(newest_name, self.name, newest_url)
        last = _stamp(str(cursor["timestamp"]), self.name, "cursor") if cursor else None
        if last is None:
            slots = [newest]
        else:
            slots = []
            slot = last + STEP
            while slot <= newest and len(slots) < settings.gdelt_max_files:
                slots.append(slot)
                slot += STEP
        if not slots:
            return Batch(files=(), cursor=dict(cursor or {}), data_end=None)
        wanted = _fips_codes(settings.countries)
        files: list[FetchedFile] = []
        notes: list[str] = []
        for slot in slots:
            name = slot.strftime(STAMP) + EXPORT_SUFFIX
            url = f"{base}/{name}"
            got = http.get(url, missing_ok=True)
            if got is None:
                notes.append(f"{name}: not published by GDELT, passed over")
                continue
            md5 = newest_md5 if slot == newest else None
            data = _unzipped(got.content, md5, self.name, url)
            if wanted is not None:
                data = _only_countries(data, wanted)
            if data.strip():
                files.append(FetchedFile(name=name.removesuffix(".zip"), data=data, fmt="gdelt"))
        return Batch(
            files=tuple(files),
            cursor={"timestamp": slots[-1].strftime(STAMP)},
            data_end=slots[-1].date(),
            notes=tuple(notes),
        )


def _stamp(name: str, source: str, url: str) -> datetime:
    try:
        return datetime.strptime(name[:14], STAMP).replace(tzinfo=UTC)
    except ValueError as error:
        raise SourceDataError(source, url, f"no timestamp in {name!r}") from error


def _unzipped(data: bytes, md5: str | None, source: str, url: str) -> bytes:
    """The one CSV inside a GDELT zip, checked against ``md5`` and the zip's CRC."""
    if md5 is not None and hashlib.md5(data, usedforsecurity=False).hexdigest() != md5:
        raise SourceDataError(source, url, "the file's MD5 differs from lastupdate.txt's")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise SourceDataError(source, url, f"{len(members)} files in the zip, not 1")
            return archive.read(members[0])  # reading checks the member's CRC
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
        raise SourceDataError(source, url, f"not a readable zip file ({error})") from error


def _fips_codes(iso3s: list[str]) -> set[bytes] | None:
    if not iso3s:
        return None
    crosswalk = get_crosswalk()
    codes = (crosswalk.country(code).fips for code in iso3s)
    return {c.encode() for c in codes if c}


_ACTION_COUNTRY = gdelt_columns(2).index("actiongeo_countrycode")


def _only_countries(data: bytes, fips: set[bytes]) -> bytes:
    """The rows whose place of action is in one of the ``fips`` countries."""
    kept = []
    for line in data.splitlines(keepends=True):
        fields = line.split(b"\t")
        if len(fields) > _ACTION_COUNTRY and fields[_ACTION_COUNTRY] in fips:
            kept.append(line)
    return b"".join(kept)
