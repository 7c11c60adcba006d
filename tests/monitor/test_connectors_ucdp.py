"""The UCDP connectors against a real local server: paging, incremental sync, releases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.monitor.servers import (
    DATA,
    NOW,
    Handler,
    Reply,
    SourceServer,
    fetch,
    load_countries,
    open_client,
    serving,
    ucdp_ged_api,
)
from tocsin.errors import TocsinError
from tocsin.events import count_events, list_events
from tocsin.monitor import get_sync_state, sync_source
from tocsin.settings import MonitorSettings, Settings
from tocsin.store import Database

TOKEN = "ucdp-t0ken-not-for-logs"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with open_client() as shared:
        yield shared


def settings_for(tmp_path: Path, **monitor: Any) -> Settings:
    values: dict[str, Any] = {"min_request_interval_seconds": 0.0, "retries": 2} | monitor
    return Settings(home=tmp_path, monitor=MonitorSettings.model_validate(values))


def ged_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / "ucdp_ged_events.json").read_text())
    return rows


def ged_settings(tmp_path: Path, server: SourceServer) -> Settings:
    return settings_for(
        tmp_path,
        ucdp_ged_url=server.url("/api/gedevents/{version}"),
        ucdp_version="25.1",
        ucdp_token=TOKEN,
        ucdp_page_size=2,
        countries=["CAF"],
        first_sync_days=800,  # from 2024-09-25: the sample's events are of 2025
    )


def test_ged_pages_through_the_api_and_stores_every_event(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    rows = ged_rows()
    with serving() as server:
        server.route("/api/gedevents/25.1", ucdp_ged_api(server, rows, TOKEN))
        result = sync_source(db, "ucdp_ged", ged_settings(tmp_path, server), now=NOW, client=client)
        seen = server.requests_to("/api/gedevents/25.1")
    assert result.ok, result.error
    assert [s.param("page") for s in seen] == ["0", "1", "2"]  # 5 events, 2 a page
    assert all(s.param("Country") == "482" for s in seen)  # CAF's Gleditsch-Ward number
    assert seen[0].param("StartDate") == (NOW.date() - timedelta(days=800)).isoformat()
    assert all(s.headers["x-ucdp-access-token"] == TOKEN for s in seen)
    assert result.n_new_events == len(rows) == 5
    with db.session() as session:
        assert count_events(session, dataset="ucdp_ged") == 5
        stored = {e.source_event_id: e for e in list_events(session)}
        state = get_sync_state(session, "ucdp_ged")
    assert stored["990003"].iso3 == "CAF" and stored["990003"].start_date == date(2025, 2, 14)
    assert state is not None and state.data_end == date(2025, 3, 20)
    assert state.cursor == {"version": "25.1", "start_date": "2025-03-21"}
    assert state.n_items == 5 and state.last_success_at == NOW and state.last_error is None


def test_ged_second_sync_asks_only_after_the_data_end_and_stores_nothing_twice(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    rows = ged_rows()
    with serving() as server:
        server.route("/api/gedevents/25.1", ucdp_ged_api(server, rows, TOKEN))
        settings = ged_settings(tmp_path, server)
        sync_source(db, "ucdp_ged", settings, now=NOW, client=client)
        n_first = len(server.seen)
        again = sync_source(db, "ucdp_ged", settings, now=NOW + timedelta(hours=1), client=client)
        second = server.seen[n_first:]
        # an event UCDP adds later is fetched, and only it
        day = "2025-04-02T00:00:00"
        rows.append(dict(rows[-1], id=990006, date_start=day, date_end=day, best=2))
        third = sync_source(db, "ucdp_ged", settings, now=NOW + timedelta(hours=2), client=client)
    assert [s.param("StartDate") for s in second] == ["2025-03-21"]
    assert again.ok and again.n_new_events == 0 and again.files == []
    assert third.n_new_events == 1 and third.data_end == date(2025, 4, 2)
    with db.session() as session:
        assert count_events(session, dataset="ucdp_ged") == 6
        state = get_sync_state(session, "ucdp_ged")
    assert state is not None and state.n_items == 6 and state.data_end == date(2025, 4, 2)


def test_ged_a_new_release_is_read_from_the_start_again(
    tmp_path: Path, client: httpx.Client
) -> None:
    with serving() as server:
        server.route("/api/gedevents/26.1", ucdp_ged_api(server, ged_rows(), TOKEN))
        settings = ged_settings(tmp_path, server)
        settings.monitor.ucdp_version = "26.1"
        old = {"version": "25.1", "start_date": "2025-03-21"}  # the cursor 25.1 left
        batch = fetch("ucdp_ged", settings, old, client=client)
        first_ask = server.requests_to("/api/gedevents/26.1")[0]
    assert first_ask.param("StartDate") == (NOW.date() - timedelta(days=800)).isoformat()
    assert len(batch.files) == 1 and batch.files[0].data.count(b"\n") == 6  # header + 5
    assert batch.cursor == {"version": "26.1", "start_date": "2025-03-21"}


def test_ged_a_release_seen_again_revises_its_events(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        server.route("/api/gedevents/25.1", ucdp_ged_api(server, ged_rows(), TOKEN))
        revised = [dict(r, best=r["best"] + 1, high=r["high"] + 1) for r in ged_rows()]
        server.route("/api/gedevents/26.1", ucdp_ged_api(server, revised, TOKEN))
        settings = ged_settings(tmp_path, server)
        sync_source(db, "ucdp_ged", settings, now=NOW, client=client)
        settings.monitor.ucdp_version = "26.1"
        result = sync_source(db, "ucdp_ged", settings, now=NOW, client=client)
    assert result.ok and result.n_new_events == 5  # five revised, none added
    with db.session() as session:
        assert count_events(session, dataset="ucdp_ged") == 5
        best = {e.source_event_id: e.acts[0].fatalities.best for e in list_events(session)}
    assert best["990005"] == 8


def test_ged_without_the_token_fails_cleanly(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        server.route("/api/gedevents/25.1", ucdp_ged_api(server, ged_rows(), TOKEN))
        settings = ged_settings(tmp_path, server)
        settings.monitor.ucdp_token = None
        result = sync_source(db, "ucdp_ged", settings, now=NOW, client=client)
    assert result.error is not None and "HTTP 401" in result.error
    assert "ucdp_ged:" in result.error and "/api/gedevents/25.1" in result.error
    with db.session() as session:
        state = get_sync_state(session, "ucdp_ged")
        assert count_events(session) == 0
    assert state is not None and state.cursor is None and state.last_error == result.error
    assert state.last_attempt_at == NOW and state.last_success_at is None


def test_ged_an_answer_cut_short_changes_nothing(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        whole = ucdp_ged_api(server, ged_rows(), TOKEN)
        pages: list[Handler] = [whole, lambda seen: Reply(200, whole(seen).body[:300])]  # cut
        answers = iter(pages)
        server.route("/api/gedevents/25.1", lambda seen: next(answers)(seen))
        result = sync_source(db, "ucdp_ged", ged_settings(tmp_path, server), now=NOW, client=client)
    assert result.error is not None and "not JSON" in result.error
    with db.session() as session:
        assert count_events(session) == 0
        state = get_sync_state(session, "ucdp_ged")
    assert state is not None and state.cursor is None and state.n_items == 0


# --- the monthly Candidate files -------------------------------------------------------


def candidate_settings(tmp_path: Path, server: SourceServer) -> Settings:
    return settings_for(
        tmp_path,
        ucdp_candidate_url=server.url("/candidateged/GEDEvent_v{yy}_0_{month}.csv"),
        first_sync_days=90,  # from 2026-09-05: September 2026 is the first month asked
    )


def publish(server: SourceServer, name: str, data: bytes | None = None) -> None:
    body = data if data is not None else (DATA / name).read_bytes()
    server.route(f"/candidateged/{name}", [Reply(200, body, {"Content-Type": "text/csv"})])


def test_candidate_fetches_each_released_month_and_stops_at_the_unreleased_one(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        publish(server, "GEDEvent_v26_0_9.csv")
        publish(server, "GEDEvent_v26_0_10.csv")
        settings = candidate_settings(tmp_path, server)
        first = sync_source(db, "ucdp_candidate", settings, now=NOW, client=client)
        asked = [s.path.rsplit("/", 1)[-1] for s in server.seen]
        n_first = len(server.seen)
        second = sync_source(
            db, "ucdp_candidate", settings, now=NOW + timedelta(days=1), client=client
        )
        asked_again = [s.path.rsplit("/", 1)[-1] for s in server.seen[n_first:]]
        publish(server, "GEDEvent_v26_0_11.csv", (DATA / "GEDEvent_v26_0_10.csv").read_bytes())
        third = sync_source(
            db, "ucdp_candidate", settings, now=NOW + timedelta(days=2), client=client
        )
    assert asked == ["GEDEvent_v26_0_9.csv", "GEDEvent_v26_0_10.csv", "GEDEvent_v26_0_11.csv"]
    assert first.ok and first.n_new_events == 3 and first.data_end == date(2026, 10, 11)
    assert first.notes == ["GEDEvent_v26_0_11.csv is not released yet"]
    assert first.cursor == {"year": 2026, "month": 10}
    assert asked_again == ["GEDEvent_v26_0_11.csv"]  # only the month after the cursor
    assert second.ok and second.error is None and second.n_new_events == 0
    assert third.files == ["GEDEvent_v26_0_11.csv"] and third.cursor == {"year": 2026, "month": 11}
    assert third.n_new_events == 0  # the same events again: stored once
    with db.session() as session:
        assert count_events(session, dataset="ucdp_ged") == 3
        state = get_sync_state(session, "ucdp_candidate")
    assert state is not None and state.data_end == date(2026, 10, 11) and state.n_items == 3


def test_candidate_a_truncated_file_changes_nothing(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    whole = (DATA / "GEDEvent_v26_0_9.csv").read_bytes()
    with serving() as server:
        publish(server, "GEDEvent_v26_0_9.csv", whole[: whole.rindex(b",Africa,")])
        publish(server, "GEDEvent_v26_0_10.csv")
        result = sync_source(
            db, "ucdp_candidate", candidate_settings(tmp_path, server), now=NOW, client=client
        )
    assert result.error is not None and "GEDEvent_v26_0_9.csv" in result.error
    assert "nothing was stored" in result.error
    with db.session() as session:
        assert count_events(session) == 0  # not even October's good file
        state = get_sync_state(session, "ucdp_candidate")
    assert state is not None and state.cursor is None and state.last_error == result.error


def test_candidate_a_month_long_past_and_never_released_is_skipped(
    tmp_path: Path, client: httpx.Client
) -> None:
    with serving() as server:
        publish(server, "GEDEvent_v26_0_8.csv", (DATA / "GEDEvent_v26_0_9.csv").read_bytes())
        settings = candidate_settings(tmp_path, server)
        settings.monitor.first_sync_days = 160  # from 2026-06-27: June is the first month
        batch = fetch("ucdp_candidate", settings, None, client=client)
    assert batch.notes == (
        "GEDEvent_v26_0_6.csv was never released: skipped",
        "GEDEvent_v26_0_7.csv was never released: skipped",
        "GEDEvent_v26_0_9.csv is not released yet",
    )
    assert [f.name for f in batch.files] == ["GEDEvent_v26_0_8.csv"]
    assert batch.cursor == {"year": 2026, "month": 8}
    assert batch.data_end == date(2026, 9, 21)  # the sample's dates, served as August's


def test_ged_refuses_countries_it_cannot_filter_by(tmp_path: Path, client: httpx.Client) -> None:
    """Palestine has no Gleditsch-Ward number: an empty filter would fetch every country."""
    with serving() as server:
        settings = ged_settings(tmp_path, server)
        settings.monitor.countries = ["PSE"]
        with pytest.raises(TocsinError, match="none of \\['PSE'\\] has a Gleditsch-Ward"):
            fetch("ucdp_ged", settings, None, client=client)
        assert server.seen == []
