"""The connectors, by name, and the use case that syncs one: fetch → import → advance.

:func:`sync_source` asks the source's connector for what is newer than the cursor its
last success left, parses every fetched file, imports them through the events and speech
capabilities' public functions and advances the cursor, all in one transaction: a
download that is corrupt, cut, or refused by the importer stores nothing and leaves the
cursor where it was, and the error is recorded in the source's sync state. A second run
asks only for what is newer, and an item fetched twice is stored once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy.orm import Session

from tocsin.errors import TocsinError
from tocsin.monitor._connector_acled import AcledConnector
from tocsin.monitor._connector_base import SPEECH_FORMAT, Batch, Connector, FetchedFile
from tocsin.monitor._connector_gdelt import GdeltConnector
from tocsin.monitor._connector_reliefweb import ReliefWebConnector
from tocsin.monitor._connector_ucdp import UcdpCandidateConnector, UcdpGedConnector
from tocsin.monitor._http import SourceClient, scrub
from tocsin.monitor._store import get_sync_state, record_sync_failure, record_sync_success
from tocsin.settings import Settings
from tocsin.store import Database

if TYPE_CHECKING:
    from tocsin.events import EventLake

__all__ = ["CONNECTORS", "SyncResult", "get_connector", "sync_source", "sync_sources"]

logger = logging.getLogger("tocsin.monitor")

#: Every connector, by source name.
CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in (
        UcdpGedConnector(),
        UcdpCandidateConnector(),
        AcledConnector(),
        GdeltConnector(),
        ReliefWebConnector(),
    )
}


def get_connector(name: str) -> Connector:
    """The connector of source ``name``, or a :class:`TocsinError` listing the names."""
    try:
        return CONNECTORS[name]
    except KeyError:
        raise TocsinError(
            f"unknown source {name!r}", fix=f"use one of {', '.join(CONNECTORS)}"
        ) from None


@dataclass(frozen=True)
class SyncResult:
    """What one sync of a source did; ``error`` set means nothing was stored."""

    source: str
    files: list[str] = field(default_factory=list)
    n_new_events: int = 0  # events added or revised
    n_new_speech_items: int = 0
    n_requests: int = 0
    cursor: dict[str, Any] | None = None  # the cursor in force after the sync
    data_end: date | None = None  # the newest data this sync fetched
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def n_items(self) -> int:
        return self.n_new_events + self.n_new_speech_items

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["data_end"] = self.data_end.isoformat() if self.data_end else None
        return out


@dataclass
class _Prepared:
    file: FetchedFile
    parsed: Any  # ParsedEvents, or a list of SpeechItems


def _prepare(file: FetchedFile) -> _Prepared:
    """Parse ``file`` before any transaction opens (pure: nothing stored yet)."""
    if file.fmt == SPEECH_FORMAT:
        from pydantic import ValidationError

        from tocsin.errors import DataFileError, RowProblem
        from tocsin.speech import SpeechItem

        items = []
        problems = []
        for number, line in enumerate(file.data.splitlines(), start=1):
            try:
                items.append(SpeechItem.model_validate_json(line))
            except ValidationError as error:
                problems.append(RowProblem(number, None, f"not a speech item: {error}"))
        if problems:
            raise DataFileError(file.name, problems)
        return _Prepared(file, items)
    from tocsin.events import parse_events

    return _Prepared(file, parse_events(file.data, file.fmt, file_name=file.name))


def sync_source(
    db: Database,
    name: str,
    settings: Settings,
    *,
    now: datetime,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> SyncResult:
    """Fetch what source ``name`` has new, store it, and only then advance its cursor.

    ``client`` is the httpx client to send with (default: one of its own, with the
    settings' timeout); ``sleep`` and ``clock`` replace ``time.sleep`` and
    ``time.monotonic`` in the rate limit and back-off. A source that fails (network,
    server, corrupt or refused data) returns a result with ``error``, recorded in its
    sync state; nothing from it is stored. An unknown ``name`` raises
    :class:`TocsinError`.
    """
    connector = get_connector(name)
    monitor = settings.monitor
    secrets = connector.secrets(monitor)
    with db.session() as session:
        state = get_sync_state(session, name)
    cursor = state.cursor if state is not None else None
    http = SourceClient(name, monitor, client=client, secrets=secrets, sleep=sleep, clock=clock)
    try:
        with http:
            batch = connector.fetch(http, cursor, settings=monitor, now=now)
        prepared = [_prepare(file) for file in batch.files]
        skipped: list[str] = []
        lake = _lake(settings)
        with db.session() as session:
            n_events, n_speech = _import(session, prepared, name, now=now, notes=skipped, lake=lake)
            record_sync_success(
                session,
                name,
                cursor=batch.cursor,
                data_end=batch.data_end,
                n_items=n_events + n_speech,
                now=now,
            )
    except TocsinError as error:
        message = scrub(str(error), secrets)
        logger.warning("sync of %s failed: %s", name, message)
        with db.session() as session:
            record_sync_failure(session, name, error=message, now=now)
        return SyncResult(source=name, n_requests=http.n_requests, cursor=cursor, error=message)
    result = _result(name, batch, n_events, n_speech, http.n_requests)
    result.notes.extend(skipped)
    return result


#: Share of a file's rows that may be refused and skipped, by format. GDELT is machine-coded,
#: 100,000 events a day, and each 15-minute file has a few rows no importer can place (a
#: country code outside FIPS 10-4, a row the coder cut): refusing the file for them would
#: stop the feed for good, since the next sync meets the same file. Up to this share is
#: skipped and counted in the result's notes; more, and the file is taken for corrupt. The
#: curated sources (UCDP, ACLED) have none: one bad row refuses the file.
BAD_ROW_TOLERANCE: dict[str, float] = {"gdelt": 0.05}


def _lake(settings: Settings) -> EventLake | None:
    """The event lake the syncs also write to, if ``TOCSIN_MONITOR_LAKE`` is on."""
    if not settings.monitor.lake:
        return None
    from tocsin.events import EventLake, default_lake_path

    return EventLake(settings.monitor.lake_dir or default_lake_path(settings.home))


def _import(
    session: Session,
    prepared: list[_Prepared],
    source: str,
    *,
    now: datetime,
    notes: list[str] | None = None,
    lake: EventLake | None = None,
) -> tuple[int, int]:
    """Import every prepared file in ``session``; (events new or revised, new speech items)."""
    from tocsin.events import import_events
    from tocsin.speech import import_speech_items

    n_events = n_speech = 0
    for item in prepared:
        if item.file.fmt == SPEECH_FORMAT:
            result = import_speech_items(
                session,
                item.parsed,
                kind=f"speech_{source}",
                file_name=item.file.name,
                sha256=hashlib.sha256(item.file.data).hexdigest(),
                now=now,
                details={"source": source},
            )
            n_speech += result.n_new
        else:
            parsed = item.parsed
            bad = len(parsed.rejected)
            tolerable = bad <= BAD_ROW_TOLERANCE.get(item.file.fmt, 0.0) * parsed.n_rows
            skip = bool(parsed.problems) and tolerable
            summary = import_events(session, parsed, now=now, skip_invalid=skip)
            if lake is not None:
                # inside the database's transaction: a lake that cannot be written undoes
                # the import and keeps the cursor, and a retry's write of a file already
                # in the lake is a no-op (keyed by the file's SHA-256)
                lake.write(parsed)
            if skip and notes is not None:
                notes.append(f"{item.file.name}: {bad} of {parsed.n_rows} rows refused, skipped")
            n_events += summary.n_added + summary.n_updated
    return n_events, n_speech


def _result(name: str, batch: Batch, n_events: int, n_speech: int, n_requests: int) -> SyncResult:
    return SyncResult(
        source=name,
        files=[f.name for f in batch.files],
        n_new_events=n_events,
        n_new_speech_items=n_speech,
        n_requests=n_requests,
        cursor=batch.cursor,
        data_end=batch.data_end,
        notes=list(batch.notes),
    )


def sync_sources(
    db: Database,
    settings: Settings,
    names: Iterable[str] | None = None,
    *,
    now: datetime,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> list[SyncResult]:
    """:func:`sync_source` for each of ``names`` (default: ``settings.monitor.sources``),
    one after the other; one source failing does not stop the others."""
    chosen = list(settings.monitor.sources if names is None else names)
    for name in chosen:
        get_connector(name)  # an unknown name is a mistake in the settings: say so first
    return [
        sync_source(db, name, settings, now=now, client=client, sleep=sleep, clock=clock)
        for name in chosen
    ]
