"""Concurrent requests against a running server, on SQLite and PostgreSQL: one report per
idempotency key however many copies arrive at once, many reports and sign-ins at once
without a 500, and a server that keeps answering throughout.

Each burst is sent by more threads than the server has worker threads
(``TOCSIN_WEB_THREADS``, 8), which is what once starved the server: every worker thread
waited on a lock held by a transaction whose commit was itself waiting for a thread.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tests.web.fixtures import log_in, new_user, serving, sign_in_over_http
from tocsin.incidents import IncidentReportRow
from tocsin.settings import Settings
from tocsin.web import WebSettings, create_app

BURST = 20


@pytest.fixture(scope="module")
def served(settings: Settings, home: Path) -> Iterator[tuple[str, FastAPI]]:
    """The app served by uvicorn on a free port (plain HTTP, so cookies are not Secure)."""
    web = WebSettings(
        identity_keys=None,
        identity_key_file=home / "identity-keys.json",
        cookie_secure=False,
        page_cache_seconds=0,
        session_cache_seconds=0,  # every request checks its session in the database
    )
    app = create_app(settings, web)
    with serving(app) as base_url:
        yield base_url, app
    app.state.tocsin.db.dispose()


def _signed_in(base_url: str, username: str) -> tuple[httpx.Cookies, str]:
    """The session cookie and CSRF token of ``username``, signed in over HTTP."""
    http, csrf = sign_in_over_http(base_url, username, timeout=60)
    http.close()
    return http.cookies, csrf


def _report(narrative: str) -> dict[str, Any]:
    return {
        "iso3": "CAF",
        "start_date": "2025-01-10",
        "event_type": "killing",
        "fatalities_best": 3,
        "narrative": narrative,
        "sensitivity": "internal",
        "identities": {"witnesses": ["Someone who must stay unnamed"]},
    }


class Probe:
    """Asks for /login every few tenths of a second while a burst runs, to show the server
    never stops answering; records every status and the slowest answer."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.statuses: list[int | str] = []
        self.slowest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            while not self._stop.is_set():
                began = time.monotonic()
                try:
                    self.statuses.append(http.get("/login").status_code)
                except httpx.HTTPError as error:
                    self.statuses.append(type(error).__name__)
                self.slowest = max(self.slowest, time.monotonic() - began)
                self._stop.wait(0.2)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def _post_report(
    base_url: str, cookies: httpx.Cookies, csrf: str, key: str, body: dict[str, Any]
) -> httpx.Response:
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=60) as http:
        return http.post(
            "/api/v1/reports",
            json=body,
            headers={"Idempotency-Key": key, "X-CSRF-Token": csrf},
        )


def _stored(app: FastAPI, key_prefix: str) -> int:
    with app.state.tocsin.db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(IncidentReportRow)
                .where(IncidentReportRow.idempotency_key.startswith(key_prefix))
            )
            or 0
        )


def _assert_answering(base_url: str, probe: Probe) -> None:
    assert probe.statuses and set(probe.statuses) == {200}, probe.statuses
    assert probe.slowest < 20, probe.slowest
    assert httpx.get(f"{base_url}/login", timeout=10).status_code == 200


def _burst(base_url: str, n: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``n`` requests released at the same moment, each from its own thread, while a Probe
    shows the server at ``base_url`` keeps answering."""
    start = threading.Barrier(n)

    def one(i: int) -> httpx.Response:
        start.wait()
        return send(i)

    with Probe(base_url) as probe, ThreadPoolExecutor(n) as pool:
        responses = list(pool.map(one, range(n)))
    _assert_answering(base_url, probe)
    return responses


def test_one_idempotency_key_sent_twenty_times_at_once_stores_one_report(
    served: tuple[str, FastAPI],
) -> None:
    base_url, app = served
    cookies, csrf = _signed_in(base_url, new_user(app, "monitor"))
    key = f"same-{uuid.uuid4().hex}"
    body = _report("Shots at the market, all at once")
    responses = _burst(base_url, BURST, lambda _i: _post_report(base_url, cookies, csrf, key, body))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (BURST - 1) + [201], [(r.status_code, r.text) for r in responses]
    assert _stored(app, key) == 1
    # every copy, the one that stored it too, answers the one report as a later retry does
    again = _post_report(base_url, cookies, csrf, key, body)
    assert again.status_code == 200
    assert [r.json() for r in responses] == [again.json()] * BURST


def test_twenty_reports_with_their_own_keys_at_once_are_all_stored(
    served: tuple[str, FastAPI],
) -> None:
    base_url, app = served
    cookies, csrf = _signed_in(base_url, new_user(app, "monitor"))
    prefix = f"many-{uuid.uuid4().hex[:12]}-"
    responses = _burst(
        base_url,
        BURST,
        lambda i: _post_report(
            base_url, cookies, csrf, f"{prefix}{i:02d}", _report(f"Report number {i}")
        ),
    )

    assert [r.status_code for r in responses] == [201] * BURST, [
        (r.status_code, r.text) for r in responses
    ]
    assert len({r.json()["id"] for r in responses}) == BURST
    assert _stored(app, prefix) == BURST


def test_twenty_sign_ins_at_once_all_succeed(served: tuple[str, FastAPI]) -> None:
    base_url, app = served
    names = [new_user(app, "viewer") for _ in range(BURST)]

    def sign_in(i: int) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            return log_in(http, names[i])

    responses = _burst(base_url, BURST, sign_in)
    assert [r.status_code for r in responses] == [303] * BURST, [
        (r.status_code, r.text[:200]) for r in responses
    ]


def test_a_reused_key_with_another_report_is_refused_with_409(
    served: tuple[str, FastAPI],
) -> None:
    base_url, app = served
    cookies, csrf = _signed_in(base_url, new_user(app, "monitor"))
    key = f"reuse-{uuid.uuid4().hex}"
    first = _post_report(base_url, cookies, csrf, key, _report("The first report"))
    assert first.status_code == 201
    other = _post_report(base_url, cookies, csrf, key, _report("A different report"))
    assert other.status_code == 409, other.text
    assert "Idempotency-Key" in other.json()["detail"]
    assert _stored(app, key) == 1
    same = _post_report(base_url, cookies, csrf, key, _report("The first report"))
    assert same.status_code == 200 and same.json()["id"] == first.json()["id"]


def test_audited_reads_beside_submissions_at_once_all_answer(
    served: tuple[str, FastAPI],
) -> None:
    """Viewing a restricted report writes to the audit log: twenty such views and twenty
    submissions at once, each of them a writer, all answer."""
    base_url, app = served
    monitor_cookies, monitor_csrf = _signed_in(base_url, new_user(app, "monitor"))
    restricted = _report("A restricted report") | {"sensitivity": "restricted"}
    stored = _post_report(base_url, monitor_cookies, monitor_csrf, uuid.uuid4().hex, restricted)
    assert stored.status_code == 201
    analyst_cookies, _ = _signed_in(base_url, new_user(app, "analyst"))
    prefix = f"mixed-{uuid.uuid4().hex[:12]}-"

    def one(i: int) -> httpx.Response:
        if i % 2:
            return _post_report(
                base_url, monitor_cookies, monitor_csrf, f"{prefix}{i:02d}", _report(f"Mixed {i}")
            )
        with httpx.Client(base_url=base_url, cookies=analyst_cookies, timeout=60) as http:
            return http.get(f"/api/v1/reports/{stored.json()['id']}")

    responses = _burst(base_url, 2 * BURST, one)
    assert [r.status_code for r in responses] == [200 if i % 2 == 0 else 201 for i in range(40)], [
        (r.status_code, r.text[:200]) for r in responses
    ]
    assert _stored(app, prefix) == BURST
