"""Paths to the event-data slices (tests/data/events/, see its SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "events"


@pytest.fixture(scope="session")
def events_data() -> Path:
    return DATA
