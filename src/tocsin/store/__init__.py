"""The store: SQLite by default, PostgreSQL for multi-user deployments.

Everything here is I/O at the edge: other capabilities hand it domain objects
(:mod:`tocsin.domain`) and get domain objects back; no one else touches the tables.
"""

from tocsin.store._database import Database, DatabaseError, create_engine_for
from tocsin.store._repository import (
    AuditEntry,
    DatasetVersion,
    FrameworkCode,
    StoredSignal,
    UnknownReferenceError,
    audit,
    count_rows,
    get_country,
    get_source,
    list_audit,
    list_countries,
    list_dataset_versions,
    list_signals,
    list_sources,
    record_dataset_version,
    record_signals,
    signal_identity,
    sync_framework_codes,
    upsert_countries,
    upsert_source,
)

__all__ = [
    "AuditEntry",
    "Database",
    "DatabaseError",
    "DatasetVersion",
    "FrameworkCode",
    "StoredSignal",
    "UnknownReferenceError",
    "audit",
    "count_rows",
    "create_engine_for",
    "get_country",
    "get_source",
    "list_audit",
    "list_countries",
    "list_dataset_versions",
    "list_signals",
    "list_sources",
    "record_dataset_version",
    "record_signals",
    "signal_identity",
    "sync_framework_codes",
    "upsert_countries",
    "upsert_source",
]
