"""A real Tocsin database per backend (SQLite file, PostgreSQL schema) with users of every
role, a small forecast history, Signals of each sensitivity, and signed-in test clients.

The database is built once per test module and backend; tests add their own reports, so
they do not depend on each other's rows.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import httpx
import pytest
import uvicorn
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

if TYPE_CHECKING:
    import httpx2  # what Starlette's TestClient answers with

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
#: A client of either kind: httpx's, over real HTTP, or Starlette's TestClient, in process.
Client = httpx.Client | TestClient


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


def populated_home(home: Path) -> Path:
    """``home`` as a data folder whose SQLite database (``tocsin.db``) is populated."""
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    populate(db)
    db.dispose()
    return home


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


@overload
def log_in(client: TestClient, username: str, password: str = PASSWORD) -> httpx2.Response: ...
@overload
def log_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response: ...
def log_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    """The login form sent as a browser sends it: GET /login for the pre-session CSRF cookie,
    then POST the name, the password and that token; the answer, its redirect not followed."""
    client.get("/login")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": client.cookies.get("tocsin_csrf"),
        },
        follow_redirects=False,
    )


def sign_in(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, base_url="https://testserver")
    response = log_in(client, username, password)
    assert response.status_code == 303, response.text
    return client


def sign_in_over_http(
    base_url: str, username: str, password: str = PASSWORD, *, timeout: float = 30
) -> tuple[httpx.Client, str]:
    """A client signed in over real HTTP to the server at ``base_url`` (see ``serving``) and
    the CSRF token its pages embed; the caller closes the client."""
    client = httpx.Client(base_url=base_url, timeout=timeout)
    response = log_in(client, username, password)
    assert response.status_code == 303, response.text
    return client, csrf_of(client)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: FastAPI, *, log_level: str = "warning") -> Iterator[str]:
    """``app`` served by uvicorn, in a thread, on a free port of 127.0.0.1 for the length of
    the block: its base URL. Fails the test if the server has not started within 10 s."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start on 127.0.0.1:{port} within 10 s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> dict[str, TestClient]:
    """A signed-in client per test user."""
    return {username: sign_in(app, username) for username in USERS}


def csrf_of(client: Client) -> str:
    """The CSRF token of a signed-in client, as pages embed it."""
    page = client.get("/account").text
    found = re.search(r'name="csrf-token" content="([^"]*)"', page)
    assert found, page
    return found.group(1)


@pytest.fixture(scope="module")
def post_form(clients: dict[str, TestClient]) -> Callable[..., object]:
    tokens: dict[str, str] = {}

    def post(username: str, path: str, data: dict[str, object], **kwargs: object) -> object:
        client = clients[username]
        if username not in tokens:
            tokens[username] = csrf_of(client)
        return client.post(path, data=data | {"csrf_token": tokens[username]}, **kwargs)

    return post


def post_bare_report(post_form: Any, username: str, sensitivity: str, location: str) -> None:
    """Send, through the report form, a report with nothing but what the form requires
    and a place: no admin1, no coordinates, no deaths."""
    response = post_form(
        username,
        "/reports",
        {
            "iso3": "CAF",
            "start_date": "2025-01-12",
            "event_type": "killing",
            "location": location,
            "sensitivity": sensitivity,
            "idempotency_key": uuid.uuid4().hex,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
