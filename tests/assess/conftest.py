"""Shared fixtures: the catalogue, the shipped example, a seeded database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tocsin.assess import Assessment, blank_assessment, example_assessment
from tocsin.bootstrap import framework_codes
from tocsin.domain import Country
from tocsin.framework import Catalogue, load_catalogue
from tocsin.store import Database, sync_framework_codes, upsert_countries

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def example() -> Assessment:
    return example_assessment()


@pytest.fixture
def blank(catalogue: Catalogue) -> Assessment:
    return blank_assessment(
        catalogue,
        iso3="CAF",
        title="Test assessment",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )


@pytest.fixture
def seeded(db: Database, catalogue: Catalogue) -> Database:
    """A migrated database with two countries and the real catalogue's codes."""
    with db.session() as session:
        upsert_countries(
            session,
            [
                (Country(iso3="CAF", name="Central African Republic"), []),
                (Country(iso3="NOR", name="Norway"), []),
            ],
        )
        sync_framework_codes(session, framework_codes(catalogue), version="test")
    return db
