"""Shared helpers for the alerts tests: Signals in memory and a small seeded database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path

import pytest

from tocsin.bootstrap import framework_codes
from tocsin.domain import Country, Provenance, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import Database, StoredSignal, sync_framework_codes, upsert_countries

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
COUNTRIES = [
    Country(iso3="SDN", name="Sudan", un_region="Africa", un_subregion="Northern Africa"),
    Country(
        iso3="CAF",
        name="Central African Republic",
        un_region="Africa",
        un_subregion="Middle Africa",
    ),
    Country(iso3="MMR", name="Myanmar", un_region="Asia", un_subregion="South-eastern Asia"),
    Country(iso3="IND", name="India", un_region="Asia", un_subregion="Southern Asia"),
    Country(iso3="NOR", name="Norway", un_region="Europe", un_subregion="Northern Europe"),
]
REGIONS = {c.iso3: (c.un_region, c.un_subregion) for c in COUNTRIES}
CAPABILITY = {
    SignalKind.FORECAST: "forecast",
    SignalKind.ESCALATION: "events",
    SignalKind.TRIGGER_EVENT: "events",
    SignalKind.SPEECH_SURGE: "speech",
    SignalKind.ANALYST_JUDGEMENT: "assess",
    SignalKind.STRUCTURAL: "datasets",
}
_ids = count(1)


def signal(
    iso3: str = "SDN",
    kind: SignalKind = SignalKind.FORECAST,
    strength: float = 0.1,
    *,
    start: date = date(2025, 1, 1),
    end: date = date(2026, 12, 31),
    codes: tuple[str, ...] = ("RF1",),
    producer: str = "model@1",
    **changes: object,
) -> Signal:
    """A Signal with sensible defaults for a test."""
    values: dict[str, object] = {
        "iso3": iso3,
        "kind": kind,
        "start_date": start,
        "end_date": end,
        "framework_codes": list(codes),
        "strength": strength,
        "summary": f"{kind.value} {strength:.2f} in {iso3}",
        "provenance": Provenance(capability=CAPABILITY[kind], producer=producer),
    }
    values.update(changes)
    return Signal.model_validate(values)


def stored(*args: object, **kwargs: object) -> StoredSignal:
    """A Signal as if read back from the store, with a fresh id."""
    s = signal(*args, **kwargs)  # type: ignore[arg-type]
    return StoredSignal(**s.model_dump(), id=next(_ids), stored_at=NOW)


def seed(db: Database) -> Database:
    """Migrate ``db`` and load five countries and the real catalogue's codes."""
    db.upgrade()
    with db.session() as session:
        upsert_countries(session, [(c, []) for c in COUNTRIES])
        sync_framework_codes(session, framework_codes(load_catalogue()), version="test")
    return db


@pytest.fixture
def seeded(db: Database) -> Database:
    """A migrated database with five countries and the real catalogue's codes (both backends)."""
    return seed(db)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A data folder whose SQLite database is seeded, for CLI tests."""
    db = seed(Database(f"sqlite:///{tmp_path / 'tocsin.db'}"))
    db.dispose()
    yield tmp_path
