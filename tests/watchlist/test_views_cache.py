"""What makes the watchlist and country pages cheap under load, and keeps them safe.

- the world's geometry is one cacheable file the watchlist refers to;
- checked sessions are remembered for a few seconds, but a sign-out or a role change ends
  them at once, in this process and in another process on the same machine;
- page data is refreshed without making readers wait;
- a country's events are recomputed when an import changes them, not before.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.fixtures import PASSWORD, new_user, serving, sign_in
from tocsin.events import ParsedEvents, conform, content_hashes, import_events
from tocsin.settings import Settings
from tocsin.web import WebSettings, create_app, delete_web_sessions, get_user_by_username
from tocsin.web._security import digest


def _app(settings: Settings, home: Path, **options: float) -> FastAPI:
    web = WebSettings(identity_keys=None, identity_key_file=home / "identity-keys.json", **options)
    return create_app(settings, web)


@pytest.fixture
def two_processes(settings: Settings, home: Path) -> Iterator[tuple[FastAPI, FastAPI]]:
    """Two applications on one database and home, as two `tocsin serve` workers are."""
    first = _app(settings, home, session_cache_seconds=600, page_cache_seconds=0)
    second = _app(settings, home, session_cache_seconds=600, page_cache_seconds=0)
    yield first, second
    first.state.tocsin.db.dispose()
    second.state.tocsin.db.dispose()


def _with_cookie(app: FastAPI, cookie: str) -> TestClient:
    """A client that sends this session cookie whatever the server answers."""
    return TestClient(
        app,
        base_url="https://testserver",
        headers={"Cookie": f"tocsin_session={cookie}"},
        follow_redirects=False,
    )


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/account").text)
    assert match
    return match.group(1)


def test_the_world_geometry_is_one_cacheable_file(clients: dict[str, TestClient]) -> None:
    page = clients["viewer"].get("/watchlist").text
    referred = set(re.findall(r'<use href="/map/world.svg#(c\d+)"', page))
    assert len(referred) > 150
    anonymous = TestClient(clients["viewer"].app, base_url="https://testserver")
    geometry = anonymous.get("/map/world.svg")  # public data: no sign-in needed
    assert geometry.status_code == 200
    assert geometry.headers["content-type"].startswith("image/svg+xml")
    assert "public" in geometry.headers["cache-control"]
    assert "max-age" in geometry.headers["cache-control"]
    assert referred <= set(re.findall(r'<path id="(c\d+)" d="M', geometry.text))
    again = anonymous.get("/map/world.svg", headers={"If-None-Match": geometry.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    # the page is much smaller than the geometry it draws
    assert len(page) < len(geometry.content) / 2


def test_a_signed_out_session_stops_working_at_once_in_every_process(
    two_processes: tuple[FastAPI, FastAPI],
) -> None:
    first, second = two_processes
    username = new_user(first, "analyst")
    client = sign_in(first, username)
    cookie = client.cookies["tocsin_session"]
    on_first, on_second = _with_cookie(first, cookie), _with_cookie(second, cookie)
    # both processes have now checked the session and remember it (for 600 s)
    assert on_first.get("/watchlist").status_code == 200
    assert on_second.get("/watchlist").status_code == 200
    assert first.state.tocsin.principals.get("session:" + digest(cookie), datetime.now(UTC))
    response = client.post("/logout", data={"csrf_token": _csrf(client)}, follow_redirects=False)
    assert response.status_code == 303
    for stale in (on_first, on_second):
        refused = stale.get("/watchlist")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
        assert stale.get("/api/v1/watchlist").status_code == 401


def test_a_role_change_applies_at_once(
    two_processes: tuple[FastAPI, FastAPI], clients: dict[str, TestClient]
) -> None:
    first, second = two_processes
    username = new_user(first, "analyst")
    cookie = sign_in(first, username).cookies["tocsin_session"]
    on_second = _with_cookie(second, cookie)
    assert "Kaga-Bandoro" in on_second.get("/api/v1/countries/CAF").text  # restricted: analyst
    admin = sign_in(first, "admin")
    with first.state.tocsin.db.session() as session:
        user = get_user_by_username(session, username)
        assert user is not None
    changed = admin.post(
        f"/admin/users/{user.id}",
        data={"role": "viewer", "csrf_token": _csrf(admin)},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    # the session ended with the role change; nothing restricted leaks from a cache
    answer = on_second.get("/api/v1/countries/CAF")
    assert answer.status_code == 401 and "Kaga-Bandoro" not in answer.text
    viewer = sign_in(second, username, PASSWORD)
    assert "Kaga-Bandoro" not in viewer.get("/api/v1/countries/CAF").text


def test_changes_made_outside_the_web_app_apply_within_the_session_cache_time(
    settings: Settings, home: Path
) -> None:
    app = _app(settings, home, session_cache_seconds=0.5, page_cache_seconds=0)
    username = new_user(app, "viewer")
    cookie = sign_in(app, username).cookies["tocsin_session"]
    client = _with_cookie(app, cookie)
    assert client.get("/watchlist").status_code == 200
    with app.state.tocsin.db.session() as session:  # e.g. another machine signs it out
        assert delete_web_sessions(session, token_sha=digest(cookie)) == 1
    deadline = time.monotonic() + 0.5
    while True:
        # when the request began, not when it ended: a slow page on a busy machine must
        # not count as the session outliving the cache
        began = time.monotonic()
        if client.get("/watchlist").status_code != 200:
            break
        assert began < deadline + 0.5, "still served after the cache time"
        time.sleep(0.05)
    assert client.get("/watchlist").status_code == 303
    app.state.tocsin.db.dispose()


def test_a_refresh_does_not_make_readers_wait(settings: Settings, home: Path) -> None:
    app = _app(settings, home, page_cache_seconds=0.2)
    context = app.state.tocsin
    assert context.memo("key", lambda: "old") == "old"
    time.sleep(0.3)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(10)
        return "new"

    refresher = threading.Thread(target=context.memo, args=("key", slow))
    refresher.start()
    assert started.wait(10)
    began = time.monotonic()
    assert context.memo("key", lambda: "unexpected") == "old"  # stale, served at once
    assert time.monotonic() - began < 0.1
    release.set()
    refresher.join(10)
    assert context.memo("key", lambda: "unexpected") == "new"
    context.db.dispose()


def _events(iso3: str, n: int, tag: str) -> ParsedEvents:
    today = pd.Timestamp(datetime.now(UTC).date())
    start = pd.Series([today - timedelta(days=10 + i) for i in range(n)])
    frame = conform(
        pd.DataFrame(
            {
                "dataset": "cachetest",
                "source_event_id": [f"{tag}-{i}" for i in range(n)],
                "start_date": start,
                "end_date": start,
                "date_precision": "day",
                "iso3": iso3,
                "admin1": "Ouaka",
                "geo_precision": "admin1",
                "event_type": "killing",
                "perpetrator_kind": "unknown",
                "target_kind": "civilians",
                "fatalities_best": pd.array([2] * n, dtype="Int64"),
            }
        )
    )
    frame["uid"] = "cachetest:" + frame["source_event_id"]
    frame["content_sha"] = content_hashes(frame)
    return ParsedEvents(
        frame=frame,
        problems=[],
        rejected=pd.DataFrame(),
        n_rows=n,
        file_name=tag,
        format="test",
        sha256=uuid.uuid4().hex,
    )


def test_country_events_are_recomputed_when_an_import_changes_them(
    settings: Settings, home: Path
) -> None:
    app = _app(settings, home, page_cache_seconds=0)
    client = sign_in(app, "viewer")
    before = client.get("/countries/MMR.json").json()["events"]
    with app.state.tocsin.db.session() as session:
        import_events(session, _events("MMR", 7, uuid.uuid4().hex), now=datetime.now(UTC))
    after = client.get("/countries/MMR.json").json()["events"]
    assert after["n_events"] == before["n_events"] + 7
    assert sum(m["fatalities"] for m in after["by_month"]) == (
        sum(m["fatalities"] for m in before["by_month"]) + 14
    )
    assert [e["admin1"] for e in after["recent"][:7]] == ["Ouaka"] * 7
    # the same answer again comes from the cache, and is equal
    assert client.get("/countries/MMR.json").json()["events"] == after
    app.state.tocsin.db.dispose()


def test_resilience_found_in_one_pass_equals_filtering_each_country(tmp_path: Path) -> None:
    from tocsin.datasets import load
    from tocsin.watchlist import RESILIENCE, resilience

    settings = Settings(home=tmp_path)
    frames = {name: load(name, settings_or_dir=settings) for name in RESILIENCE}
    iso3s = sorted(set().union(*(set(frame["iso3"].dropna()) for frame in frames.values())))
    assert len(iso3s) > 150
    for iso3 in iso3s:
        expected = []
        for name, indicators in RESILIENCE.items():
            rows = frames[name][frames[name]["iso3"] == iso3]
            for column in indicators:
                known = rows[rows[column].notna()]
                if not known.empty:
                    last = known.sort_values("year", kind="stable").iloc[-1]
                    expected.append((name, column, int(last["year"]), last[column]))
        found = [(v.dataset, v.indicator, v.year, v.value) for v in resilience(frames, iso3)]
        assert found == [
            (n, c, y, v if isinstance(v, str) else float(v)) for n, c, y, v in expected
        ]


def test_warming_computes_the_top_countries_events_ahead_of_visitors(
    settings: Settings, home: Path
) -> None:
    from tocsin.watchlist import warm_events

    app = _app(settings, home, page_cache_seconds=0)
    context = app.state.tocsin
    assert warm_events(context.db, context.forever) == 4  # the fixture's forecast: 4 countries
    warmed = {key[1] for key in context._forever if key[0] == "events"}
    assert warmed == {"CAF", "SDN", "COD", "MMR"}
    client = sign_in(app, "viewer")
    computed: list[object] = []
    original = context.forever

    def spy(key: object, compute: object) -> object:
        computed.append(key)
        return original(key, lambda: (_ for _ in ()).throw(AssertionError("recomputed")))

    context.forever = spy  # type: ignore[method-assign]
    assert client.get("/countries/CAF.json").status_code == 200
    assert computed  # the page asked the cache, which already held CAF's events
    context.db.dispose()


def test_clients_that_leave_mid_request_give_their_database_connections_back(
    settings: Settings, home: Path
) -> None:
    import socket

    import httpx

    app = _app(settings, home, page_cache_seconds=0, session_cache_seconds=0)
    cookie = sign_in(app, "viewer").cookies["tocsin_session"]
    try:
        with serving(app, log_level="error") as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            request = (
                f"GET /countries/CAF HTTP/1.1\r\nHost: t\r\nCookie: tocsin_session={cookie}\r\n\r\n"
            ).encode()
            for _ in range(60):  # more than the pool holds (5 + 10 overflow)
                with socket.create_connection(("127.0.0.1", port)) as leaving:
                    leaving.sendall(request)
            pool = app.state.tocsin.db.engine.pool
            deadline = time.monotonic() + 20
            while pool.checkedout() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert pool.checkedout() == 0
            page = httpx.get(
                f"{base_url}/countries/CAF",
                headers={"Cookie": f"tocsin_session={cookie}"},
                timeout=10,
            )
            assert page.status_code == 200
    finally:
        app.state.tocsin.db.dispose()
