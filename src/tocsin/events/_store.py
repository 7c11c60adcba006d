"""Events: tables and repository (canonical events, their earlier versions, imports).

Imports are atomic and idempotent. A file already imported (same kind, same SHA-256) adds
nothing. A record already stored with the same content is left alone; one whose content
changed is updated, and its earlier content is kept in ``event_versions``. A file with bad
rows is refused whole unless the caller accepts skipping them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    extract,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.events._model import EVENT_COLUMNS, Event, events_to_frame, row_to_event
from tocsin.events._model import content_hashes as _content_hashes
from tocsin.events._parse import ParsedEvents
from tocsin.store import Base, ImportRow, UTCDateTime, hold_import_lock

_CHUNK = 5000
_ANALYZE_AFTER = 10_000  # rows stored by one COPY on PostgreSQL


class EventRow(Base):
    """One event record of one data set, at its latest version."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_country_date", "iso3", "start_date"),
        Index("ix_events_dataset_source_id", "dataset", "source_event_id", unique=True),
    )

    uid: Mapped[str] = mapped_column(String(160), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(40))
    source_event_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str | None] = mapped_column(String(40))
    content_sha: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(10))
    iso3: Mapped[str | None] = mapped_column(String(3))
    admin1: Mapped[str | None] = mapped_column(String(200))
    admin2: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[str] = mapped_column(String(10))
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    source_type: Mapped[str | None] = mapped_column(Text)
    perpetrator: Mapped[str | None] = mapped_column(Text)
    perpetrator_kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str | None] = mapped_column(Text)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_group: Mapped[str | None] = mapped_column(Text)
    fatalities_low: Mapped[int | None] = mapped_column(Integer)
    fatalities_best: Mapped[int | None] = mapped_column(Integer)
    fatalities_high: Mapped[int | None] = mapped_column(Integer)
    civilian_deaths: Mapped[int | None] = mapped_column(Integer)
    source_names: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    extra_acts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), index=True)
    import_line: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[str | None] = mapped_column(String(160), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EventVersionRow(Base):
    """An earlier content of an event record, kept when a newer version replaced it."""

    __tablename__ = "event_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(ForeignKey("events.uid", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    import_line: Mapped[int | None] = mapped_column(Integer)
    superseded_at: Mapped[datetime] = mapped_column(UTCDateTime())


_STORED = [c for c in EVENT_COLUMNS if c != "import_line"] + ["content_sha"]


@dataclass(frozen=True)
class EventImportSummary:
    """What one import did; ``already_imported`` means the same file was imported before."""

    import_id: int
    file_name: str
    format: str
    sha256: str
    n_rows: int
    n_added: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_rejected: int = 0
    already_imported: bool = False
    details: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _columns(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[Any]]:
    """Columns as lists of plain Python values (dates, ints, ``None`` for missing)."""
    data: dict[str, list[Any]] = {}
    for column in columns:
        values = frame[column]
        if column in ("start_date", "end_date"):
            # numpy turns day precision into datetime.date objects in C
            data[column] = values.to_numpy().astype("datetime64[D]").tolist()
        elif str(values.dtype) == "Int64":
            array = values.to_numpy(dtype="float64", na_value=np.nan)
            data[column] = [None if np.isnan(v) else int(v) for v in array]
        elif values.dtype == "float64":
            data[column] = [None if np.isnan(v) else float(v) for v in values.to_numpy()]
        else:
            data[column] = values.tolist()
    return data


def _records(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (dates, ints, ``None`` for missing)."""
    data = _columns(frame, columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*data.values(), strict=True)]


def _bulk_insert_events(session: Session, frame: pd.DataFrame, fixed: dict[str, Any]) -> None:
    """Insert new event rows fast, in the session's transaction.

    The ORM's per-row bookkeeping costs far more than the database work, so rows go
    straight to the driver on the session's own connection (so the import stays one
    transaction): PostgreSQL's ``COPY … FROM STDIN`` through psycopg, SQLite's
    ``executemany`` of one prepared statement. Values pass through the columns' own
    SQLAlchemy bind processors, so they are stored exactly as the ORM would store them.
    """
    connection = session.connection()
    dialect = connection.dialect
    table = EventRow.__table__
    table_name = EventRow.__tablename__
    names = [*_STORED, "import_line", *fixed]
    data = _columns(frame, [*_STORED, "import_line"])
    n = len(frame)
    for name, value in fixed.items():
        data[name] = [value] * n
    if dialect.name == "postgresql":
        # psycopg adapts dates, numbers and aware datetimes itself; JSON goes as its text.
        data["extra_acts"] = [None if v is None else json.dumps(v) for v in data["extra_acts"]]
    else:
        for name in names:
            processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                data[name] = [processor(v) for v in data[name]]
    rows = zip(*(data[name] for name in names), strict=True)
    raw = connection.connection.dbapi_connection
    if raw is None:  # pragma: no cover - a checked-out connection always has one
        raise RuntimeError("no database connection")
    cursor = raw.cursor()
    try:
        if dialect.name == "postgresql":
            columns = ", ".join(f'"{name}"' for name in names)
            with cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if len(frame) >= _ANALYZE_AFTER:
                # Without fresh statistics the planner takes a table just filled by COPY
                # for empty, and the next import's look-up of existing ids (5,000 per
                # query) ran for minutes instead of milliseconds (seen with 100,000 rows).
                cursor.execute(f"ANALYZE {table_name}")
        else:
            if dialect.name == "sqlite":
                # A bigger page cache for this connection while the import's pages are hot.
                cursor.execute("PRAGMA cache_size=-65536")
            marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in names)
            cursor.executemany(
                f"INSERT INTO {table_name} ({', '.join(names)}) VALUES ({marks})", list(rows)
            )
    finally:
        cursor.close()


def import_events(
    session: Session,
    parsed: ParsedEvents,
    *,
    now: datetime,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> EventImportSummary:
    """Store the valid rows of ``parsed`` as one import, in the caller's transaction.

    Raises :class:`~tocsin.errors.DataFileError` (nothing stored) if any row was refused
    and ``skip_invalid`` is false. ``progress`` is called with the number of rows done.
    """
    if parsed.problems and not skip_invalid:
        parsed.raise_if_invalid()
    kind = f"events:{parsed.format}"
    common: dict[str, Any] = {
        "file_name": parsed.file_name,
        "format": parsed.format,
        "sha256": parsed.sha256,
        "n_rows": parsed.n_rows,
    }
    hold_import_lock(session, kind, parsed.sha256)  # the same file at once: wait, not fail
    previous = session.scalar(
        select(ImportRow).where(ImportRow.kind == kind, ImportRow.sha256 == parsed.sha256)
    )
    if previous is not None:
        if progress:
            progress(parsed.n_rows)
        return EventImportSummary(
            import_id=previous.id, already_imported=True, n_unchanged=len(parsed.frame), **common
        )
    record = ImportRow(
        kind=kind,
        file_name=parsed.file_name,
        sha256=parsed.sha256,
        n_rows=parsed.n_rows,
        started_at=now,
        details={},
    )
    session.add(record)
    session.flush()
    frame = parsed.frame
    existing = _existing(session, frame["uid"].tolist())
    known = frame["uid"].map(lambda u: existing.get(u, (None, 0))[0])
    new = frame[known.isna()]
    changed = frame[known.notna() & (known != frame["content_sha"])]
    n_unchanged = len(frame) - len(new) - len(changed)
    done = n_unchanged
    base = {"import_id": record.id, "updated_at": now, "incident_id": None, "revision": 1}
    bulk = _CHUNK * 10
    for start in range(0, len(new), bulk):
        chunk = new.iloc[start : start + bulk]
        _bulk_insert_events(session, chunk, base)
        done += len(chunk)
        if progress:
            progress(done)
    if len(changed):
        _replace(session, changed, existing, record.id, now)
    done += len(changed)
    if progress:
        progress(done)
    details = dict(parsed.details)
    summary = EventImportSummary(
        import_id=record.id,
        n_added=len(new),
        n_updated=len(changed),
        n_unchanged=n_unchanged,
        n_rejected=len(parsed.rejected) if parsed.problems else 0,
        details=details,
        **common,
    )
    record.finished_at = now
    record.details = {k: v for k, v in summary.to_dict().items() if k not in common}
    session.flush()
    return summary


def _existing(session: Session, uids: list[str]) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for start in range(0, len(uids), _CHUNK):
        query = select(EventRow.uid, EventRow.content_sha, EventRow.revision).where(
            EventRow.uid.in_(uids[start : start + _CHUNK])
        )
        found.update({uid: (sha, revision) for uid, sha, revision in session.execute(query)})
    return found


def _replace(
    session: Session,
    changed: pd.DataFrame,
    existing: dict[str, tuple[str, int]],
    import_id: int,
    now: datetime,
) -> None:
    """Keep the stored content of each changed record as a version, then update it."""
    uids = changed["uid"].tolist()
    for start in range(0, len(uids), _CHUNK):
        part = uids[start : start + _CHUNK]
        old_rows = session.scalars(select(EventRow).where(EventRow.uid.in_(part))).all()
        session.execute(
            insert(EventVersionRow),
            [
                {
                    "uid": row.uid,
                    "revision": row.revision,
                    "content": _content(row),
                    "import_id": row.import_id,
                    "import_line": row.import_line,
                    "superseded_at": now,
                }
                for row in old_rows
            ],
        )
    updates = _records(changed, [*_STORED, "import_line"])
    for row in updates:
        row |= {
            "import_id": import_id,
            "updated_at": now,
            "revision": existing[row["uid"]][1] + 1,
        }
    session.execute(update(EventRow), updates)
    session.expire_all()


def _content(row: EventRow) -> dict[str, Any]:
    values = {c: getattr(row, c) for c in _STORED}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def record_field_events(
    session: Session, events: Iterable[Event], *, now: datetime, reporter: str
) -> EventImportSummary:
    """Store field incident reports given through the Python API, as one import.

    Re-sending the same reports adds nothing; a changed report becomes a new version.
    """
    batch = list(events)
    frame = events_to_frame(batch)
    frame["content_sha"] = _content_hashes(frame)
    digest = hashlib.sha256(
        ("\n".join(sorted(frame["uid"] + "=" + frame["content_sha"]))).encode()
    ).hexdigest()
    parsed = ParsedEvents(
        frame=frame,
        problems=[],
        rejected=pd.DataFrame(),
        n_rows=len(frame),
        file_name=f"field reports from {reporter}",
        format="field",
        sha256=digest,
    )
    return import_events(session, parsed, now=now)


def _filtered(
    query: Any,
    iso3: str | None,
    datasets: Sequence[str] | None,
    since: date | None,
    until: date | None,
    hidden: Collection[str] = (),
) -> Any:
    if hidden:
        query = query.where(EventRow.uid.not_in(sorted(hidden)))
    if iso3:
        query = query.where(EventRow.iso3 == iso3)
    if datasets:
        query = query.where(EventRow.dataset.in_(list(datasets)))
    if since:
        query = query.where(EventRow.start_date >= since)
    if until:
        query = query.where(EventRow.start_date <= until)
    return query


def _frame_query(
    iso3: str | None,
    datasets: Sequence[str] | None,
    since: date | None,
    until: date | None,
    *,
    newest_first: bool = False,
    hidden: Collection[str] = (),
) -> Any:
    order = (
        (EventRow.start_date.desc(), EventRow.uid.desc())
        if newest_first
        else (EventRow.start_date, EventRow.uid)
    )
    return _filtered(select(EventRow).order_by(*order), iso3, datasets, since, until, hidden)


def load_events_frame(
    session: Session,
    *,
    iso3: str | None = None,
    datasets: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    without: Sequence[str] = (),
    hidden: Collection[str] = (),
) -> pd.DataFrame:
    """Stored events as a canonical frame (plus ``incident_id`` and ``import_id``).

    Oldest first (by start date, then uid), or newest first; ``limit`` keeps the first
    rows of that order, so a page can read the latest few without loading them all.
    ``without`` leaves columns out (e.g. :data:`TEXT_COLUMNS` for the escalation
    analysis, which reads none of them: the notes alone are most of the bytes).
    ``hidden`` are uids of events the caller may not see (those of incident reports they
    may not read: :func:`tocsin.incidents.hidden_report_events`), left out.
    """
    columns = [c for c in (*EVENT_COLUMNS, "incident_id", "import_id") if c not in without]
    query = _frame_query(iso3, datasets, since, until, newest_first=newest_first, hidden=hidden)
    query = query.with_only_columns(*[getattr(EventRow, c) for c in columns])
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=columns)
    for column, dtype in EVENT_COLUMNS.items():
        if dtype != "object" and column in frame:
            frame[column] = frame[column].astype(pd.api.types.pandas_dtype(dtype))
    return frame


#: The free-text columns of an event, which no analysis reads (only pages and exports).
TEXT_COLUMNS = ("notes", "source_url", "source_names", "extra_acts")

#: The columns the monitoring pass reads: the escalation panel and the trigger-event Signals.
ANALYSIS_COLUMNS = (
    "uid",
    "dataset",
    "incident_id",
    "start_date",
    "iso3",
    "admin1",
    "latitude",
    "longitude",
    "event_type",
    "target_kind",
    "perpetrator",
    "fatalities_best",
    "civilian_deaths",
)

_READ_CHUNK = 100_000  # rows fetched from the driver at a time by load_analysis_frame


def _chunk_frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """Driver rows to a frame with the canonical dtypes, column by column (no row objects)."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    out: dict[str, Any] = {}
    for column, column_values in zip(columns, values, strict=True):
        dtype = EVENT_COLUMNS.get(column, "object")
        array = pd.Series(np.array(column_values, dtype=object), dtype=object)
        if dtype.startswith("datetime64"):
            # SQLite keeps dates as ISO text; other drivers give date objects
            text = len(array) > 0 and isinstance(array.iloc[0], str)
            parsed = pd.to_datetime(array, format="%Y-%m-%d") if text else pd.to_datetime(array)
            out[column] = parsed.astype(pd.api.types.pandas_dtype(dtype))
        elif dtype in ("float64", "Int64"):
            out[column] = pd.to_numeric(array).astype(pd.api.types.pandas_dtype(dtype))
        else:
            out[column] = array
    return pd.DataFrame(out)


def load_analysis_frame(
    session: Session, *, columns: Sequence[str] = ANALYSIS_COLUMNS
) -> pd.DataFrame:
    """Every stored event, only ``columns``, with the canonical dtypes, in no set order.

    The monitoring pass's read of the whole store: one plain ``SELECT`` of the columns it
    needs, fetched from the driver in chunks of :data:`_READ_CHUNK` rows and turned into
    columns at once, without the ORM's per-row objects or per-value type conversion (dates
    are parsed vectorised). The same values as :func:`load_events_frame` gives for those
    columns (a test holds this), at a fraction of the time on a million events.
    """
    table = EventRow.__table__
    selected = [
        type_coerce(table.c[c], String) if c in ("start_date", "end_date") else table.c[c]
        for c in columns
    ]
    connection = session.connection()
    sql = str(select(*selected).compile(dialect=connection.dialect))
    raw = connection.connection.dbapi_connection
    if raw is None:  # pragma: no cover - a checked-out connection always has one
        raise RuntimeError("no database connection")
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        parts = []
        while rows := cursor.fetchmany(_READ_CHUNK):
            parts.append(_chunk_frame(rows, columns))
    finally:
        cursor.close()
    if not parts:
        parts.append(_chunk_frame([], columns))
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class EventMonthCount:
    """Events and deaths (best estimate, unknown counted as 0) of one calendar month."""

    month: str  # "YYYY-MM", by start date
    n_events: int
    fatalities: int


def count_events_by_month(
    session: Session,
    *,
    iso3: str | None = None,
    datasets: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    hidden: Collection[str] = (),
) -> list[EventMonthCount]:
    """Events and deaths per month of start date, oldest month first, counted by the database.

    The same figures as grouping :func:`load_events_frame` by month, without moving every
    row out of the database: a country with 100,000 events answers in one indexed query.
    Months without events are left out.
    """
    year = extract("year", EventRow.start_date)
    month = extract("month", EventRow.start_date)
    query = _filtered(
        select(
            year,
            month,
            func.count(),
            func.coalesce(func.sum(func.coalesce(EventRow.fatalities_best, 0)), 0),
        ),
        iso3,
        datasets,
        since,
        until,
        hidden,
    ).group_by(year, month)
    # extract() is an integer on SQLite and a numeric on PostgreSQL: int() both
    counts = [
        EventMonthCount(f"{int(y):04d}-{int(m):02d}", int(n), int(deaths))
        for y, m, n, deaths in session.execute(query)
    ]
    return sorted(counts, key=lambda c: c.month)


def list_events(
    session: Session,
    *,
    iso3: str | None = None,
    datasets: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    hidden: Collection[str] = (),
) -> list[Event]:
    """Stored events as :class:`~tocsin.events.Event` objects, oldest first (less ``hidden``
    uids, as :func:`load_events_frame`)."""
    query = _frame_query(iso3, datasets, since, until, hidden=hidden)
    if limit:
        query = query.limit(limit)
    return [
        row_to_event({c: getattr(row, c) for c in EVENT_COLUMNS}) for row in session.scalars(query)
    ]


def event_history(session: Session, uid: str) -> list[dict[str, Any]]:
    """Earlier versions of one record, oldest first (each with its revision and import)."""
    rows = session.scalars(
        select(EventVersionRow).where(EventVersionRow.uid == uid).order_by(EventVersionRow.revision)
    )
    return [{"revision": r.revision, "import_id": r.import_id, "content": r.content} for r in rows]


def events_version(session: Session) -> int:
    """A number that changes whenever the stored events change, read from an index.

    The newest import that added or changed an event (0 when there are none): every
    write of an event goes through an import and stamps the row with it, and events are
    never deleted. Caches of aggregates key on it to know when to recompute.
    """
    return int(session.scalar(select(func.max(EventRow.import_id))) or 0)


def count_events(session: Session, *, dataset: str | None = None) -> int:
    query = select(func.count()).select_from(EventRow)
    if dataset:
        query = query.where(EventRow.dataset == dataset)
    return int(session.scalar(query) or 0)


def set_incident_links(session: Session, links: dict[str, str]) -> int:
    """Set the incident of each event (``uid -> incident id``); return how many changed."""
    rows = [{"uid": uid, "incident_id": incident} for uid, incident in links.items()]
    for start in range(0, len(rows), _CHUNK):
        session.execute(update(EventRow), rows[start : start + _CHUNK])
    return len(rows)
