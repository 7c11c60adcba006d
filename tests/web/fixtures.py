"""A real Tocsin database per backend (SQLite file, PostgreSQL schema) with users of every
role, a small forecast history, Signals of each sensitivity, and signed-in test clients.

The database is built once per test module and backend; tests add their own reports, so
they do not depend on each other's rows.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from tocsin.bootstrap import country_from_record, framework_codes
from tocsin.countries import get_crosswalk
from tocsin.domain import Provenance, Sensitivity, Signal, SignalKind
from tocsin.forecast import ForecastRunCreate, ForecastValue, record_forecast_run
from tocsin.framework import load_catalogue
from tocsin.settings import Settings
from tocsin.store import Database, record_signals, sync_framework_codes, upsert_countries
from tocsin.web import WebSettings, create_app, create_user, hash_password

PASSWORD = "a long test password 1"
NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
USERS = {
    "admin": "admin",
    "analyst": "analyst",
    "reviewer": "reviewer",
    "monitor": "monitor",
    "monitor2": "monitor",
    "viewer": "viewer",
}


@cache
def response_text(response: Any) -> str:
    """What a reader of the answer sees, to search for planted strings: a PDF's text
    (its streams are compressed, so its bytes hold none of it) with the whitespace
    removed (a line break may fall inside a string), else the body as text."""
    if response.headers.get("content-type", "").startswith("application/pdf"):
        pages = PdfReader(io.BytesIO(response.content)).pages
        return "".join("".join(page.extract_text().split()) for page in pages)
    return str(response.text)


def password_hash() -> str:
    return hash_password(PASSWORD)


def new_user(app: FastAPI, role: str) -> str:
    """A new user of ``role`` with the test password, under a fresh name."""
    username = f"u{uuid.uuid4().hex[:8]}"
    with app.state.tocsin.db.session() as session:
        create_user(
            session,
            username=username,
            display_name=username,
            role=role,
            password_hash=password_hash(),
            now=datetime.now(UTC),
        )
    return username


def _signal(iso3: str, sensitivity: Sensitivity, summary: str) -> Signal:
    return Signal(
        iso3=iso3,
        area=summary.rsplit(" ", 1)[1],
        kind=SignalKind.TRIGGER_EVENT,
        start_date=date(2025, 1, 5),
        end_date=date(2025, 1, 5),
        framework_codes=["RF1"],
        strength=0.5,
        summary=summary,
        provenance=Provenance(capability="tests", producer="web-fixture"),
        sensitivity=sensitivity,
    )


def populate(db: Database) -> None:
    db.upgrade()
    catalogue = load_catalogue()
    with db.session() as session:
        sync_framework_codes(session, framework_codes(catalogue), catalogue.version)
        upsert_countries(
            session, ((country_from_record(r), r.variants) for r in get_crosswalk().records())
        )
        for username, role in USERS.items():
            create_user(
                session,
                username=username,
                display_name=username.title(),
                role=role,
                password_hash=password_hash(),
                now=NOW,
            )
        for year, order in (
            (2022, ["SDN", "CAF", "MMR", "COD"]),
            (2023, ["CAF", "SDN", "COD", "MMR"]),
        ):
            record_forecast_run(
                session,
                ForecastRunCreate(
                    model="tocsin",
                    model_version="test-0",
                    data_vintage="test",
                    target="any",
                    horizon=2,
                    data_year=year,
                    values=[
                        ForecastValue(iso3, 0.1 / (rank + 1), rank + 1, {"RF1": 0.4, "RF9": -0.1})
                        for rank, iso3 in enumerate(order)
                    ],
                ),
                now=NOW,
            )
        record_signals(
            session,
            [
                _signal("CAF", Sensitivity.PUBLIC, "Public signal about Ouaka"),
                _signal("CAF", Sensitivity.INTERNAL, "Internal signal about Bambari"),
                _signal("CAF", Sensitivity.RESTRICTED, "Restricted signal naming Kaga-Bandoro"),
            ],
            now=NOW,
        )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def web_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A populated database URL per backend, shared by the tests of one module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'tocsin.db'}"
        admin_engine = None
        schema = ""
    else:
        base: str = request.getfixturevalue("postgres_url")
        schema = f"tocsin_web_{uuid.uuid4().hex[:10]}"
        admin_engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    db = Database(url)
    populate(db)
    db.dispose()
    yield url
    if admin_engine is not None:
        with admin_engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("webhome")


@pytest.fixture(scope="module")
def settings(web_database_url: str, home: Path) -> Settings:
    return Settings(home=home, database_url=web_database_url)


@pytest.fixture(scope="module")
def web_settings(home: Path) -> WebSettings:
    return WebSettings(
        identity_keys=None,
        identity_key_file=home / "identity-keys.json",
        page_cache_seconds=0,  # tests see their writes at once; test_pages checks the cache
    )


@pytest.fixture(scope="module")
def app(settings: Settings, web_settings: WebSettings) -> Iterator[FastAPI]:
    application = create_app(settings, web_settings)
    yield application
    application.state.tocsin.db.dispose()


def sign_in(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, base_url="https://testserver")
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": client.cookies.get("tocsin_csrf"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> dict[str, TestClient]:
    """A signed-in client per test user."""
    return {username: sign_in(app, username) for username in USERS}


def csrf_of(client: TestClient) -> str:
    """The CSRF token of a signed-in client, as pages embed it."""
    page = client.get("/account").text
    marker = 'name="csrf-token" content="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


@pytest.fixture(scope="module")
def post_form(clients: dict[str, TestClient]) -> Callable[..., object]:
    tokens: dict[str, str] = {}

    def post(username: str, path: str, data: dict[str, object], **kwargs: object) -> object:
        client = clients[username]
        if username not in tokens:
            tokens[username] = csrf_of(client)
        return client.post(path, data=data | {"csrf_token": tokens[username]}, **kwargs)

    return post
