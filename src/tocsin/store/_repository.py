"""Reading and writing the shared domain model. Callers pass a session and ``now``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session

from tocsin.domain import (
    Country,
    Direction,
    Provenance,
    Sensitivity,
    Signal,
    SignalKind,
    Source,
    SourceGrade,
)
from tocsin.errors import TocsinError
from tocsin.store._tables import (
    AuditRow,
    CountryRow,
    DatasetVersionRow,
    FrameworkCodeRow,
    SignalCodeRow,
    SignalRow,
    SourceRow,
)


class UnknownReferenceError(TocsinError):
    """A record points at a country, source or framework code the database does not hold."""


# --- countries -----------------------------------------------------------------------------


def upsert_countries(session: Session, countries: Iterable[tuple[Country, Sequence[str]]]) -> int:
    """Insert or update countries (each with its name variants); return how many changed."""
    existing = {row.iso3: row for row in session.scalars(select(CountryRow))}
    changed = 0
    for country, variants in countries:
        values = country.model_dump() | {"variants": list(variants)}
        row = existing.get(country.iso3)
        if row is None:
            session.add(CountryRow(**values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    session.flush()
    return changed


def _country(row: CountryRow) -> Country:
    return Country.model_validate(row, from_attributes=True)


def list_countries(session: Session, *, include_historical: bool = True) -> list[Country]:
    query = select(CountryRow).order_by(CountryRow.name)
    if not include_historical:
        query = query.where(CountryRow.is_historical.is_(False))
    return [_country(row) for row in session.scalars(query)]


def get_country(session: Session, iso3: str) -> Country | None:
    row = session.get(CountryRow, iso3)
    return _country(row) if row else None


# --- framework codes -----------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkCode:
    """A risk-factor or indicator code as the store keeps it, for Signals to cite."""

    code: str
    kind: str  # "risk_factor" or "indicator"
    title: str
    factor_code: str


def sync_framework_codes(session: Session, codes: Iterable[FrameworkCode], version: str) -> int:
    """Make the stored codes match the catalogue; codes cited by Signals are never deleted."""
    wanted = {c.code: c for c in codes}
    existing = {row.code: row for row in session.scalars(select(FrameworkCodeRow))}
    changed = 0
    for code, item in wanted.items():
        row = existing.get(code)
        values = {
            "kind": item.kind,
            "title": item.title,
            "factor_code": item.factor_code,
            "catalogue_version": version,
        }
        if row is None:
            session.add(FrameworkCodeRow(code=code, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed += 1
    cited = set(session.scalars(select(SignalCodeRow.code).distinct()))
    stale = set(existing) - set(wanted) - cited
    if stale:
        session.execute(delete(FrameworkCodeRow).where(FrameworkCodeRow.code.in_(stale)))
        changed += len(stale)
    session.flush()
    return changed


# --- sources -------------------------------------------------------------------------------


def upsert_source(session: Session, source: Source, *, now: datetime) -> int:
    """Insert or update a source by its key; return its id."""
    row = session.scalar(select(SourceRow).where(SourceRow.key == source.key))
    values: dict[str, Any] = {
        "name": source.name,
        "kind": source.kind.value,
        "reliability": source.grade.reliability.value,
        "credibility": source.grade.credibility.value,
        "url": source.url,
        "sensitivity": source.sensitivity.value,
        "notes": source.notes,
    }
    if row is None:
        row = SourceRow(key=source.key, created_at=now, updated_at=now, **values)
        session.add(row)
    elif any(getattr(row, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now
    session.flush()
    return row.id


def _source(row: SourceRow) -> Source:
    return Source.model_validate(
        {
            "key": row.key,
            "name": row.name,
            "kind": row.kind,
            "grade": SourceGrade.parse(row.reliability + row.credibility),
            "url": row.url,
            "sensitivity": row.sensitivity,
            "notes": row.notes,
        }
    )


def get_source(session: Session, key: str) -> Source | None:
    row = session.scalar(select(SourceRow).where(SourceRow.key == key))
    return _source(row) if row else None


def list_sources(session: Session) -> list[Source]:
    return [_source(row) for row in session.scalars(select(SourceRow).order_by(SourceRow.key))]


# --- signals -------------------------------------------------------------------------------


class StoredSignal(Signal):
    """A Signal as read back from the store, with its id and storage time."""

    id: int
    stored_at: datetime


def signal_identity(signal: Signal) -> str:
    """What makes two Signals the same evidence: who produced it, about what, for when.

    Strength and wording are left out, so a producer that re-runs updates its Signal.

    >>> from tocsin.domain import Provenance, SignalKind
    >>> a = Signal(iso3="CAF", kind=SignalKind.FORECAST, start_date=date(2025, 1, 1),
    ...            end_date=date(2026, 12, 31), framework_codes=["RF1"], strength=0.1,
    ...            summary="x", provenance=Provenance(capability="forecast", producer="m"))
    >>> signal_identity(a) == signal_identity(a.model_copy(update={"strength": 0.3}))
    True
    """
    key = [
        signal.iso3,
        signal.area,
        signal.kind.value,
        signal.direction.value,
        signal.start_date.isoformat(),
        signal.end_date.isoformat(),
        sorted(signal.framework_codes),
        signal.provenance.capability,
        signal.provenance.producer,
    ]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()


def _check_references(session: Session, signals: Sequence[Signal]) -> dict[str, int]:
    countries = {s.iso3 for s in signals}
    known_countries = set(
        session.scalars(select(CountryRow.iso3).where(CountryRow.iso3.in_(countries)))
    )
    codes = {c for s in signals for c in s.framework_codes}
    known_codes = set(
        session.scalars(select(FrameworkCodeRow.code).where(FrameworkCodeRow.code.in_(codes)))
    )
    source_keys = {s.provenance.source_key for s in signals if s.provenance.source_key}
    source_rows = session.execute(
        select(SourceRow.key, SourceRow.id).where(SourceRow.key.in_(source_keys))
    )
    source_ids: dict[str, int] = {row.key: row.id for row in source_rows}
    problems = []
    if missing := sorted(countries - known_countries):
        problems.append(f"unknown countries {missing}")
    if missing := sorted(codes - known_codes):
        problems.append(f"framework codes not in the catalogue {missing}")
    if missing := sorted(source_keys - set(source_ids)):
        problems.append(f"unknown sources {missing}")
    if problems:
        raise UnknownReferenceError(
            "Signals refer to " + "; ".join(problems),
            fix="run `tocsin up` to load countries and the catalogue, or register the source first",
        )
    return source_ids


def record_signals(session: Session, signals: Iterable[Signal], *, now: datetime) -> list[int]:
    """Store Signals, updating any already stored from the same producer; return their ids.

    All or nothing: an unknown country, code or source refuses the whole batch.
    """
    batch = list(signals)
    source_ids = _check_references(session, batch)
    ids = []
    for signal in batch:
        identity = signal_identity(signal)
        row = session.scalar(select(SignalRow).where(SignalRow.dedup_key == identity))
        values: dict[str, Any] = {
            "iso3": signal.iso3,
            "area": signal.area,
            "kind": signal.kind.value,
            "direction": signal.direction.value,
            "start_date": signal.start_date,
            "end_date": signal.end_date,
            "strength": signal.strength,
            "summary": signal.summary,
            "capability": signal.provenance.capability,
            "producer": signal.provenance.producer,
            "source_id": source_ids.get(signal.provenance.source_key or ""),
            "import_id": signal.provenance.import_id,
            "details": signal.provenance.details,
            "sensitivity": signal.sensitivity.value,
            "observed_at": signal.observed_at or now,
        }
        if row is None:
            row = SignalRow(dedup_key=identity, stored_at=now, **values)
            row.codes = [
                SignalCodeRow(code=code, position=i)
                for i, code in enumerate(signal.framework_codes)
            ]
            session.add(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
        session.flush()
        ids.append(row.id)
    return ids


def stored_signal(row: SignalRow) -> StoredSignal:
    return StoredSignal(
        id=row.id,
        stored_at=row.stored_at,
        iso3=row.iso3,
        area=row.area,
        kind=SignalKind(row.kind),
        direction=Direction(row.direction),
        start_date=row.start_date,
        end_date=row.end_date,
        framework_codes=[c.code for c in row.codes],
        strength=row.strength,
        summary=row.summary,
        provenance=Provenance(
            capability=row.capability,
            producer=row.producer,
            source_key=row.source.key if row.source else None,
            import_id=row.import_id,
            details=row.details,
        ),
        sensitivity=Sensitivity(row.sensitivity),
        observed_at=row.observed_at,
    )


def list_signals(
    session: Session,
    *,
    iso3: str | None = None,
    kinds: Sequence[SignalKind] | None = None,
    codes: Sequence[str] | None = None,
    overlapping: tuple[date, date] | None = None,
    stored_since: datetime | None = None,
    limit: int | None = None,
) -> list[StoredSignal]:
    """Signals matching every filter given, newest first.

    ``codes`` matches a Signal tagged with any of them; a risk factor code (``RF9``) also
    matches Signals tagged with its indicators (``9.1``, ``9.2``, …).
    """
    query = select(SignalRow).order_by(SignalRow.end_date.desc(), SignalRow.id.desc())
    if iso3:
        query = query.where(SignalRow.iso3 == iso3)
    if kinds:
        query = query.where(SignalRow.kind.in_([k.value for k in kinds]))
    if overlapping:
        start, end = overlapping
        query = query.where(SignalRow.start_date <= end, SignalRow.end_date >= start)
    if stored_since:
        query = query.where(SignalRow.stored_at >= stored_since)
    if codes:
        factor_codes = [c for c in codes if c.startswith("RF")]
        matching_codes = select(FrameworkCodeRow.code).where(
            FrameworkCodeRow.code.in_(codes) | FrameworkCodeRow.factor_code.in_(factor_codes)
        )
        tagged = select(SignalCodeRow.signal_id).where(SignalCodeRow.code.in_(matching_codes))
        query = query.where(SignalRow.id.in_(tagged))
    if limit:
        query = query.limit(limit)
    return [stored_signal(row) for row in session.scalars(query)]


# --- dataset versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetVersion:
    """One release of a named data set that the database was loaded from."""

    name: str
    sha256: str
    origin: str
    vintage: str | None
    n_rows: int
    first_year: int | None
    last_year: int | None
    loaded_at: datetime | None = None


def record_dataset_version(session: Session, version: DatasetVersion, *, now: datetime) -> bool:
    """Mark ``version`` as the current release of its data set; False if it already was."""
    rows = session.scalars(select(DatasetVersionRow).where(DatasetVersionRow.name == version.name))
    same = None
    for row in rows:
        if row.sha256 == version.sha256:
            same = row
        elif row.is_current:
            row.is_current = False
    if same is not None and same.is_current:
        return False
    if same is None:
        values = {k: v for k, v in vars(version).items() if k != "loaded_at"}
        session.add(DatasetVersionRow(**values, loaded_at=now, is_current=True))
    else:
        same.is_current = True
        same.loaded_at = now
    session.flush()
    return True


def list_dataset_versions(session: Session, *, current_only: bool = True) -> list[DatasetVersion]:
    query = select(DatasetVersionRow).order_by(DatasetVersionRow.name, DatasetVersionRow.id)
    if current_only:
        query = query.where(DatasetVersionRow.is_current.is_(True))
    return [
        DatasetVersion(
            name=r.name,
            sha256=r.sha256,
            origin=r.origin,
            vintage=r.vintage,
            n_rows=r.n_rows,
            first_year=r.first_year,
            last_year=r.last_year,
            loaded_at=r.loaded_at,
        )
        for r in session.scalars(query)
    ]


# --- audit ---------------------------------------------------------------------------------

_SECRET_MARKERS = ("password", "secret", "token", "key_material", "identity", "otp")


def _redact(details: dict[str, Any]) -> dict[str, Any]:
    """Drop values whose key suggests a secret or a protected identity."""
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if any(marker in key.lower() for marker in _SECRET_MARKERS):
            clean[key] = "[redacted]"
        elif isinstance(value, dict):
            clean[key] = _redact(value)
        else:
            clean[key] = value
    return clean


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the audit log; values under secret-looking keys are stored as '[redacted]'.

    The row is written when the session commits (nothing if it rolls back), or when the
    session first reads the log, linked to the last row by its hash (``verify_audit_chain``).
    """
    # Hashed as it will read back: JSON turns tuples into lists and keys into strings.
    clean = json.loads(json.dumps(_redact(details or {})))
    pending: list[dict[str, Any]] = session.info.setdefault(_PENDING_AUDIT, [])
    pending.append(
        {"at": now, "actor": actor, "action": action, "target": target, "details": clean}
    )


#: The ``prev_hash`` of the first row of the audit log.
AUDIT_GENESIS_HASH = "0" * 64

_PENDING_AUDIT = "tocsin_pending_audit"


@event.listens_for(Session, "before_commit")
def _append_pending_audit(session: Session) -> None:
    # At the very end of the transaction, so that the lock on the chain is the last one it
    # takes and holds it only for its commit: taken earlier, a transaction holding it could
    # wait for a row another holds while that one waits for the chain (a deadlock). A
    # session that reads the log writes its rows first (read-your-writes), earlier.
    pending = session.info.pop(_PENDING_AUDIT, None)
    if not pending:
        return
    _lock_audit_chain(session)
    last = session.scalar(select(AuditRow.row_hash).order_by(AuditRow.id.desc()).limit(1))
    prev_hash = last or AUDIT_GENESIS_HASH
    for entry in pending:
        row_hash = audit_row_hash(prev_hash, **entry)
        session.add(AuditRow(**entry, prev_hash=prev_hash, row_hash=row_hash))
        session.flush()  # one at a time: the ids keep the chain's order
        prev_hash = row_hash


@event.listens_for(Session, "after_rollback")
def _drop_pending_audit(session: Session) -> None:
    session.info.pop(_PENDING_AUDIT, None)


def _lock_audit_chain(session: Session) -> None:
    """Hold the right to append until the transaction ends, so that two writers never link
    their rows to the same last row (a fork that verification would report as a break)."""
    backend = session.get_bind().dialect.name
    if backend == "postgresql":
        # This mode conflicts with itself and with other writes to the table, not with
        # reads; being the table's, it leaves other schemas of the database alone (an
        # advisory lock would serialise every Tocsin sharing the database).
        session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    elif backend == "sqlite":
        # The driver begins a transaction only at a write, and reads before it see the
        # latest commit: a write touching no row takes SQLite's one write lock first.
        session.execute(text("DELETE FROM audit_log WHERE 0 = 1"))


def audit_row_hash(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    target: str | None,
    details: dict[str, Any],
) -> str:
    """The SHA-256 of one audit row's content and the previous row's hash (hex)."""
    payload = json.dumps(
        [prev_hash, at.astimezone(UTC).isoformat(), actor, action, target, details],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditChainReport:
    """What ``verify_audit_chain`` found: ``broken_at`` is the id of the first row that does
    not match (None when the chain holds), ``head`` the last good row's hash, to note down
    elsewhere: rows removed from the end leave no break behind."""

    rows: int
    head: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_audit_chain(session: Session) -> AuditChainReport:
    """Walk the audit log in order and check every row's link and hash."""
    _append_pending_audit(session)
    query = select(
        AuditRow.id,
        AuditRow.at,
        AuditRow.actor,
        AuditRow.action,
        AuditRow.target,
        AuditRow.details,
        AuditRow.prev_hash,
        AuditRow.row_hash,
    ).order_by(AuditRow.id)
    expected = AUDIT_GENESIS_HASH
    rows = 0
    for row in session.execute(query).yield_per(1000):
        if row.prev_hash != expected:
            problem = "does not link to the row before it (a row was removed or inserted)"
            return AuditChainReport(rows, expected, row.id, problem)
        content = audit_row_hash(
            row.prev_hash, row.at, row.actor, row.action, row.target, row.details
        )
        if row.row_hash != content:
            return AuditChainReport(rows, expected, row.id, "was changed after it was written")
        expected = row.row_hash
        rows += 1
    return AuditChainReport(rows, expected)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]


def list_audit(session: Session, *, limit: int = 100) -> list[AuditEntry]:
    _append_pending_audit(session)
    rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit))
    return [AuditEntry(r.at, r.actor, r.action, r.target, r.details) for r in rows]


def count_rows(session: Session) -> dict[str, int]:
    """How many rows each core table holds (for `tocsin up` and `tocsin db status`)."""
    _append_pending_audit(session)
    tables = {
        "countries": CountryRow,
        "framework_codes": FrameworkCodeRow,
        "sources": SourceRow,
        "signals": SignalRow,
        "dataset_versions": DatasetVersionRow,
        "audit_log": AuditRow,
    }
    return {
        name: session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in tables.items()
    }
