"""`update`: fetch a newer release, check it, and install it without ever breaking the old one.

A release is downloaded into a hidden folder beside the installed ones, converted to the
bundled layout, validated and loaded once; only then is the folder renamed into
``releases/<version>`` and ``current.json`` switched to it, each with ``os.replace``. Any
failure leaves the release in force untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import httpx

from tocsin import __version__
from tocsin.datasets._registry import get_dataset
from tocsin.datasets._releases import (
    MANIFEST,
    POINTER,
    RELEASES,
    DatasetError,
    Release,
    current_release,
    sha256_of,
)
from tocsin.datasets._spec import DataFile, DatasetSpec
from tocsin.datasets._validate import check_file
from tocsin.errors import DataFileError
from tocsin.settings import Settings

__all__ = ["DownloadError", "ProgressCallback", "UpdateResult", "update"]

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as ``(file_name, bytes_so_far, total_bytes_or_None)`` while downloading."""

KEEP_RELEASES = 3
TIMEOUT = httpx.Timeout(30.0, read=120.0)


class DownloadError(DatasetError):
    """A release could not be fetched (HTTP error, timeout, cut-off transfer)."""


@dataclass(frozen=True)
class UpdateResult:
    """What ``update`` did.

    Attributes
    ----------
    name : str
        Data set name.
    status : {"installed", "unchanged"}
        A new release was installed, or the download matched the release in force.
    message : str
        One line for the user.
    release : Release
        The release in force afterwards.
    previous : Release
        The release in force before.
    """

    name: str
    status: Literal["installed", "unchanged"]
    message: str
    release: Release
    previous: Release


def _sources(spec: DatasetSpec, url: str | None) -> dict[str, str]:
    """File name -> address for every file that is downloaded (the rest is carried over)."""
    wanted = [f for f in spec.files if f.update_url] or [spec.files[0]]
    if url is not None:
        if len(wanted) == 1:
            return {wanted[0].name: url}
        return {f.name: f"{url.rstrip('/')}/{f.name}" for f in wanted}
    sources = {f.name: f.update_url for f in wanted if f.update_url}
    if len(sources) < len(wanted):
        raise DatasetError(
            f"{spec.name!r} has no official download address: {spec.update_note.rstrip('.')}",
            fix=f"download the file yourself and run `tocsin data update {spec.name} --url PATH`",
        )
    return sources


def _fetch(
    client: httpx.Client,
    url: str,
    target: Path,
    *,
    file_name: str,
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    """Stream ``url`` into ``target``; a local path or file:// URL is copied."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file") or (len(parsed.scheme) == 1 and os.name == "nt"):
        source = Path(parsed.path if parsed.scheme == "file" else url)
        if not source.is_file():
            raise DownloadError(f"no file at {source}", fix="check the path given with --url")
        shutil.copyfile(source, target)
        size = target.stat().st_size
        if progress is not None:
            progress(file_name, size, size)
        return {"last_modified": None}
    done = 0
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(
                    f"download of {url} failed: HTTP {response.status_code} "
                    f"{response.reason_phrase}",
                    fix="check the address (the publisher may have moved the file) and pass "
                    "the new one with --url",
                )
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(file_name, done, total)
            if total is not None and done < total:
                raise DownloadError(f"download of {url} was cut off: {done} of {total} bytes")
            return {"last_modified": response.headers.get("last-modified")}
    except httpx.TimeoutException as error:
        raise DownloadError(f"download of {url} timed out ({error})") from error
    except httpx.HTTPError as error:
        raise DownloadError(f"download of {url} failed: {error}") from error


def _rows_before(previous: Release, data_file: DataFile) -> int | None:
    for entry in previous.manifest.get("files", []):
        if entry.get("name") == data_file.name and entry.get("rows") is not None:
            return int(entry["rows"])
    return None


def _install(root: Path, staging: Path, version: str) -> Path:
    releases = root / RELEASES
    releases.mkdir(exist_ok=True)
    final = releases / version
    os.replace(staging, final)
    pointer_tmp = root / f".{POINTER}.tmp"
    pointer_tmp.write_text(json.dumps({"version": version}), encoding="utf-8")
    os.replace(pointer_tmp, root / POINTER)
    old = sorted(p for p in releases.iterdir() if p.is_dir() and p != final)
    for stale in old[: max(0, len(old) - (KEEP_RELEASES - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
    return final


def update(
    name: str,
    settings: Settings,
    *,
    url: str | None = None,
    client: httpx.Client | None = None,
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> UpdateResult:
    """Download, check and install the newest release of data set ``name``.

    Parameters
    ----------
    name : str
        Data set name (see :func:`list_datasets`).
    settings : Settings
        Releases go to ``settings.datasets_dir / name``.
    url : str, optional
        Address (or local path) to fetch instead of the official one; for a data set of
        several files (``treaties``), the folder holding them.
    client : httpx.Client, optional
        HTTP client to use (default: a new one with a 30 s connect / 120 s read timeout).
    progress : ProgressCallback, optional
        Told the bytes received so far for each file.
    now : datetime, optional
        Time recorded as ``fetched_at`` (default: the current UTC time).

    Returns
    -------
    UpdateResult
        ``status`` is "unchanged" when the download is identical to the release in force.

    Raises
    ------
    DownloadError
        The address answered with an error, timed out or cut the transfer.
    tocsin.errors.DataFileError
        The file is corrupt, truncated or the wrong shape; every problem is listed.
    """
    spec = get_dataset(name)
    previous = current_release(name, settings)
    sources = _sources(spec, url)
    root = settings.datasets_dir / spec.name
    root.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    http = client or httpx.Client(
        timeout=TIMEOUT, follow_redirects=True, headers={"User-Agent": f"tocsin/{__version__}"}
    )
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    try:
        headers: dict[str, dict[str, Any]] = {}
        for data_file in spec.files:
            target = staging / data_file.name
            if data_file.name not in sources:
                shutil.copyfile(previous.files[data_file.name], target)
                continue
            raw = staging / f"{data_file.name}.download"
            headers[data_file.name] = _fetch(
                http, sources[data_file.name], raw, file_name=data_file.name, progress=progress
            )
            if data_file.convert is not None:
                data_file.convert(raw, target)
            else:
                raw.replace(target)
            raw.unlink(missing_ok=True)
        entries: list[dict[str, Any]] = []
        for data_file in spec.files:
            path = staging / data_file.name
            try:
                rows = check_file(
                    path,
                    data_file,
                    previous_rows=_rows_before(previous, data_file),
                    shown_as=sources.get(data_file.name, path),
                )
            except DataFileError as error:
                raise DataFileError(
                    error.path,
                    error.problems,
                    fix_hint=f"the {previous.origin} release in force was kept; check the "
                    "address, or pass a good file with --url",
                ) from None
            entries.append(
                {
                    "name": data_file.name,
                    "url": sources.get(data_file.name),
                    "sha256": sha256_of(path),
                    "size": path.stat().st_size,
                    "rows": rows,
                    "last_modified": headers.get(data_file.name, {}).get("last_modified"),
                }
            )
        before = {f["name"]: f.get("sha256") for f in previous.manifest.get("files", [])}
        if all(before.get(e["name"]) == e["sha256"] for e in entries):
            message = f"{spec.name}: already up to date ({previous.origin} release)"
            return UpdateResult(spec.name, "unchanged", message, previous, previous)
        try:
            frame = spec.loader({e["name"]: staging / e["name"] for e in entries})
        except Exception as error:  # a file that passes the checks must still load
            raise DatasetError(
                f"{spec.name}: the downloaded release passed the checks but does not load "
                f"({type(error).__name__}: {error})",
                fix="report this; the release in force was kept",
            ) from error
        year_column = next((c for c in ("year", "ratification_year") if c in frame), None)
        years = frame[year_column].dropna() if year_column else None
        fetched_at = (now or datetime.now(UTC)).astimezone(UTC)
        digest = hashlib.sha256("".join(e["sha256"] for e in entries).encode()).hexdigest()
        version = f"{fetched_at:%Y%m%dT%H%M%S}Z-{digest[:12]}"
        manifest = {
            "dataset": spec.name,
            "origin": "updated",
            "version": version,
            "url": entries[0]["url"],
            "sha256": entries[0]["sha256"],
            "size": sum(e["size"] for e in entries),
            "fetched_at": fetched_at.isoformat(),
            "rows": len(frame),
            "vintage": {
                "data_years": [int(years.min()), int(years.max())]
                if years is not None and len(years)
                else None,
                "release_date": entries[0]["last_modified"],
            },
            "files": entries,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        final = _install(root, staging, version)
        release = Release(
            spec.name, "updated", final, {e["name"]: final / e["name"] for e in entries}, manifest
        )
        message = f"{spec.name}: installed release {version} ({len(frame)} rows)"
        return UpdateResult(spec.name, "installed", message, release, previous)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if own_client:
            http.close()
