"""The kernel's table definitions, base, naming convention and column types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL
# (SQLite batch mode needs names to drop or alter constraints).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: The SQL list of sensitivities, for the check constraints of every slice's tables.
SENSITIVITIES = "('public', 'internal', 'restricted')"


@dataclass(frozen=True)
class EncryptedValue:
    """One value encrypted at rest, as a slice lists it for re-encryption under a new key.

    ``table`` is the slice's own name for where it lives; ``record`` names the record
    (a report's public id, a user's id, an attachment's public id) for the audit log.
    """

    table: str
    row_id: int
    record: str
    key_id: str
    ciphertext: str


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type and returns naive values; without this, code would
    compare naive and aware datetimes depending on the backend.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class CountryRow(Base):
    __tablename__ = "countries"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    iso2: Mapped[str | None] = mapped_column(String(2))
    isonum: Mapped[int | None] = mapped_column(Integer)
    un_region: Mapped[str | None] = mapped_column(String(100))
    un_subregion: Mapped[str | None] = mapped_column(String(100))
    gw: Mapped[int | None] = mapped_column(Integer)
    cow: Mapped[int | None] = mapped_column(Integer)
    fips: Mapped[str | None] = mapped_column(String(4))
    is_historical: Mapped[bool] = mapped_column(Boolean, default=False)
    variants: Mapped[list[str]] = mapped_column(default=list)


class FrameworkCodeRow(Base):
    """Every risk factor and indicator code of the loaded catalogue, so Signals can cite them."""

    __tablename__ = "framework_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # risk_factor | indicator
    title: Mapped[str] = mapped_column(Text)
    factor_code: Mapped[str] = mapped_column(String(10))
    catalogue_version: Mapped[str] = mapped_column(String(40))


class SourceRow(Base):
    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint(f"sensitivity IN {SENSITIVITIES}", name="sensitivity"),
        CheckConstraint("reliability IN ('A','B','C','D','E','F')", name="reliability"),
        CheckConstraint("credibility IN ('1','2','3','4','5','6')", name="credibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(40))
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    credibility: Mapped[str] = mapped_column(String(1), default="6")
    url: Mapped[str | None] = mapped_column(Text)
    sensitivity: Mapped[str] = mapped_column(String(20), default="public")
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ImportRow(Base):
    """One import of one file: what, from where, its checksum, and how it ended."""

    __tablename__ = "imports"
    __table_args__ = (UniqueConstraint("kind", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DatasetVersionRow(Base):
    """Which release of a named public data set the database was loaded from."""

    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("name", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(20))  # bundled | updated
    vintage: Mapped[str | None] = mapped_column(String(60))
    n_rows: Mapped[int] = mapped_column(Integer)
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class SignalRow(Base):
    __tablename__ = "signals"
    __table_args__ = (
        CheckConstraint("strength >= 0 AND strength <= 1", name="strength_range"),
        CheckConstraint("end_date >= start_date", name="span_ordered"),
        CheckConstraint(f"sensitivity IN {SENSITIVITIES}", name="sensitivity"),
        CheckConstraint("direction IN ('risk', 'resilience')", name="direction"),
        Index("ix_signals_country_span", "iso3", "start_date", "end_date"),
        # A producer re-emitting the same evidence must not create a second Signal.
        UniqueConstraint("dedup_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64))
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"))
    area: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    direction: Mapped[str] = mapped_column(String(20), default="risk")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    strength: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(String(500))
    capability: Mapped[str] = mapped_column(String(40))
    producer: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sensitivity: Mapped[str] = mapped_column(String(20), default="public")
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    codes: Mapped[list[SignalCodeRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SignalCodeRow.position"
    )
    source: Mapped[SourceRow | None] = relationship(lazy="joined")


class SignalCodeRow(Base):
    __tablename__ = "signal_framework_codes"

    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(ForeignKey("framework_codes.code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class AuditRow(Base):
    """Who did what to which record. Never holds secrets or identities in clear.

    Append-only: triggers of revision ``0002`` refuse UPDATE and DELETE on both backends
    (a batch migration that rebuilds this table on SQLite must create them again), and
    each row's ``row_hash`` covers its content and the previous row's hash, so that a row
    changed, removed or slipped in past the triggers breaks the chain
    (``verify_audit_chain``).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
