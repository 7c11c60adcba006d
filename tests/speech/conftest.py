"""Fixtures for the speech tests: a store with countries and the catalogue, a feed server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tocsin.bootstrap import framework_codes
from tocsin.domain import Country
from tocsin.framework import load_catalogue
from tocsin.store import Database, sync_framework_codes, upsert_countries

DATA = Path(__file__).resolve().parents[1] / "data" / "speech"
NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def speech_data() -> Path:
    return DATA


@pytest.fixture
def loaded(db: Database) -> Database:
    """A migrated store with two countries and the whole catalogue's codes."""
    with db.session() as session:
        upsert_countries(
            session,
            [
                (Country(iso3="KEN", name="Kenya", iso2="KE"), []),
                (Country(iso3="NGA", name="Nigeria", iso2="NG"), []),
            ],
        )
        sync_framework_codes(session, framework_codes(load_catalogue()), version="test")
    return db


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return


@pytest.fixture
def feed_server() -> Iterator[str]:
    """Serve tests/data/speech over HTTP on 127.0.0.1; yields the base URL."""
    handler = partial(_QuietHandler, directory=str(DATA))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
