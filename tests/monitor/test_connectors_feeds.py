"""The ACLED, GDELT and ReliefWeb connectors against a real local server."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.monitor.servers import (
    DATA,
    NOW,
    Reply,
    SourceServer,
    acled_api,
    fetch,
    gdelt_site,
    load_countries,
    open_client,
    reliefweb_api,
    serving,
    zipped,
)
from tocsin.errors import TocsinError
from tocsin.events import count_events, list_events
from tocsin.monitor import get_sync_state, sync_source, sync_sources
from tocsin.settings import MonitorSettings, Settings
from tocsin.speech import count_speech_items, list_speech_items
from tocsin.store import Database

KEY = "acled-KEY-7f3a9-never-logged"
EMAIL = "analyst@example.org"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with open_client() as shared:
        yield shared


def settings_for(tmp_path: Path, **monitor: Any) -> Settings:
    values: dict[str, Any] = {"min_request_interval_seconds": 0.0, "retries": 1} | monitor
    return Settings(home=tmp_path, monitor=MonitorSettings.model_validate(values))


def no_sleep(_seconds: float) -> None:
    return None


# --- ACLED -------------------------------------------------------------------------------


def acled_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / "acled_events.json").read_text())
    return rows


def acled_settings(tmp_path: Path, server: SourceServer) -> Settings:
    return settings_for(
        tmp_path,
        acled_url=server.url("/api/acled/read"),
        acled_key=KEY,
        acled_email=EMAIL,
        acled_page_size=2,
        countries=["CAF"],
        first_sync_days=60,  # from 2026-10-05
    )


def test_acled_pages_by_country_and_date_then_asks_from_the_data_end(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        server.route("/api/acled/read", acled_api(acled_rows(), KEY, EMAIL))
        settings = acled_settings(tmp_path, server)
        first = sync_source(db, "acled", settings, now=NOW, client=client)
        n_first = len(server.seen)
        again = sync_source(db, "acled", settings, now=NOW + timedelta(days=1), client=client)
        asked = server.seen
    assert first.ok, first.error
    assert [s.param("page") for s in asked[:n_first]] == ["1", "2", "3"]  # 4 events, 2 a page
    assert {s.param("iso") for s in asked} == {"140"}  # CAF's ISO number
    assert asked[0].param("event_date") == "2026-10-05"
    assert asked[0].param("limit") == "2"
    assert first.n_new_events == 4 and first.data_end == date(2026, 11, 19)
    # ACLED adds events to a published day later: the next sync asks from that day on
    assert [s.param("event_date") for s in asked[n_first:]] == ["2026-11-19"]
    assert again.ok and again.n_new_events == 0
    with db.session() as session:
        assert count_events(session, dataset="acled") == 4
        state = get_sync_state(session, "acled")
        kinds = {e.source_event_id: e.event_type.value for e in list_events(session)}
    assert kinds["CEN9001"] == "killing" and kinds["CEN9004"] == "enforced_disappearance"
    assert state is not None and state.data_end == date(2026, 11, 19) and state.n_items == 4


def test_acled_failures_never_show_the_key_or_email(
    db: Database, tmp_path: Path, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    load_countries(db)
    with serving() as server:
        server.route("/api/acled/read", [Reply(500, b"upstream down")])
        settings = acled_settings(tmp_path, server)
        result = sync_source(db, "acled", settings, now=NOW, sleep=no_sleep, client=client)
        assert server.seen[0].param("key") == KEY  # it was sent
    assert result.error is not None and "HTTP 500" in result.error
    assert "key=[redacted]" in result.error
    with db.session() as session:
        state = get_sync_state(session, "acled")
    assert state is not None and state.last_error == result.error
    for text in (result.error, caplog.text, state.last_error or ""):
        assert KEY not in text and EMAIL not in text


def test_acled_without_credentials_says_what_to_set(tmp_path: Path, client: httpx.Client) -> None:
    with pytest.raises(TocsinError, match="TOCSIN_MONITOR_ACLED_KEY"):
        fetch("acled", settings_for(tmp_path), None, client=client)


# --- GDELT -------------------------------------------------------------------------------


def gdelt_settings(tmp_path: Path, server: SourceServer, **more: Any) -> Settings:
    return settings_for(
        tmp_path, gdelt_lastupdate_url=server.url("/gdeltv2/lastupdate.txt"), **more
    )


def test_gdelt_fetches_the_slots_after_the_cursor_at_most_the_bound(
    tmp_path: Path, client: httpx.Client
) -> None:
    stamps = ["20261204170000", "20261204171500", "20261204173000"]
    with serving() as server:
        gdelt_site(server, stamps, newest="20261204173000")
        settings = gdelt_settings(tmp_path, server, gdelt_max_files=2)
        first = fetch("gdelt", settings, None, client=client)
        behind = fetch("gdelt", settings, {"timestamp": "20261204164500"}, client=client)
        caught_up = fetch("gdelt", settings, dict(behind.cursor), client=client)
        current = fetch("gdelt", settings, dict(caught_up.cursor), client=client)
    assert [f.name for f in first.files] == ["20261204173000.export.CSV"]  # the newest only
    assert [f.name for f in behind.files] == [
        "20261204170000.export.CSV",
        "20261204171500.export.CSV",
    ]
    assert behind.cursor == {"timestamp": "20261204171500"}
    assert [f.name for f in caught_up.files] == ["20261204173000.export.CSV"]
    assert current.files == () and current.cursor == {"timestamp": "20261204173000"}
    assert caught_up.data_end == date(2026, 12, 4)
    export = (DATA / "gdelt" / "20261204170000.export.CSV").read_bytes()
    assert behind.files[0].data == export  # unzipped, as the importer reads it


def test_gdelt_a_slot_gdelt_left_empty_is_passed_over(tmp_path: Path, client: httpx.Client) -> None:
    with serving() as server:
        gdelt_site(server, ["20261204173000"], newest="20261204173000")  # 17:15 missing
        settings = gdelt_settings(tmp_path, server)
        batch = fetch("gdelt", settings, {"timestamp": "20261204170000"}, client=client)
    assert [f.name for f in batch.files] == ["20261204173000.export.CSV"]
    assert batch.notes == ("20261204171500.export.CSV.zip: not published by GDELT, passed over",)
    assert batch.cursor == {"timestamp": "20261204173000"}


def test_gdelt_syncs_store_each_file_once_and_keep_the_countries_asked(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        gdelt_site(server, ["20261204170000"], newest="20261204170000")
        settings = gdelt_settings(tmp_path, server, countries=["CAF"])
        first = sync_source(db, "gdelt", settings, now=NOW, client=client)
        stamps = ["20261204170000", "20261204171500", "20261204173000"]
        gdelt_site(server, stamps, newest="20261204173000")
        n_before = len(server.seen)
        second = sync_source(db, "gdelt", settings, now=NOW + timedelta(minutes=30), client=client)
        third = sync_source(db, "gdelt", settings, now=NOW + timedelta(minutes=45), client=client)
        later = [s.path.rsplit("/", 1)[-1] for s in server.seen[n_before:]]
    assert first.files == ["20261204170000.export.CSV"] and first.n_new_events == 2
    assert second.n_new_events == 2 and len(second.files) == 2
    assert third.ok and third.files == [] and third.n_new_events == 0
    assert later == [
        "lastupdate.txt",
        "20261204171500.export.CSV.zip",
        "20261204173000.export.CSV.zip",
        "lastupdate.txt",  # and nothing more: the cursor is at the newest file
    ]
    with db.session() as session:
        iso3s = {e.iso3 for e in list_events(session)}  # Sudan's rows were left out
        state = get_sync_state(session, "gdelt")
        assert count_events(session, dataset="gdelt2") == 4
    assert iso3s == {"CAF"}
    assert state is not None and state.cursor == {"timestamp": "20261204173000"}
    assert state.data_end == date(2026, 12, 4) and state.n_items == 4


@pytest.mark.parametrize("corruption", ["md5", "zip"])
def test_gdelt_a_corrupt_download_changes_nothing(
    db: Database, tmp_path: Path, client: httpx.Client, corruption: str
) -> None:
    load_countries(db)
    with serving() as server:
        zips = gdelt_site(server, ["20261204170000"], newest="20261204170000")
        good = zips["20261204170000"]
        if corruption == "md5":  # the file differs from what lastupdate.txt says
            bad = zipped("20261204170000.export.CSV", b"changed\n")
        else:  # cut short, and listed so: only the zip's own checks can tell
            bad = good[:-40]
            md5 = hashlib.md5(bad).hexdigest()
            url = server.url("/gdeltv2/20261204170000.export.CSV.zip")
            server.route(
                "/gdeltv2/lastupdate.txt", [Reply(200, f"{len(bad)} {md5} {url}\n".encode())]
            )
        server.route("/gdeltv2/20261204170000.export.CSV.zip", [Reply(200, bad)])
        result = sync_source(db, "gdelt", gdelt_settings(tmp_path, server), now=NOW, client=client)
    expected = "MD5 differs" if corruption == "md5" else "not a readable zip"
    assert result.error is not None and expected in result.error
    assert "20261204170000.export.CSV.zip" in result.error
    with db.session() as session:
        assert count_events(session) == 0
        state = get_sync_state(session, "gdelt")
    assert state is not None and state.cursor is None and state.n_items == 0
    assert state.last_error == result.error and state.last_success_at is None


# --- ReliefWeb ---------------------------------------------------------------------------


def reports() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads((DATA / "reliefweb_reports.json").read_text())
    return found


def reliefweb_settings(tmp_path: Path, server: SourceServer, **more: Any) -> Settings:
    return settings_for(
        tmp_path,
        reliefweb_url=server.url("/v2/reports"),
        reliefweb_appname="tocsin-test",
        reliefweb_page_size=2,
        first_sync_days=30,  # from 2026-11-04
        **more,
    )


def test_reliefweb_reports_become_speech_items_once(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        server.route("/v2/reports", reliefweb_api(reports(), "tocsin-test"))
        settings = reliefweb_settings(tmp_path, server)
        first = sync_source(db, "reliefweb", settings, now=NOW, client=client)
        n_first = len(server.seen)
        again = sync_source(db, "reliefweb", settings, now=NOW + timedelta(hours=6), client=client)
        queries = [s.json() for s in server.seen]
        appnames = {s.param("appname") for s in server.seen}
    assert first.ok, first.error
    assert appnames == {"tocsin-test"}
    assert [q["offset"] for q in queries[:n_first]] == [0, 2]  # 4 reports, 2 a page
    conditions = queries[0]["filter"]["conditions"]
    assert conditions == [{"field": "date.created", "value": {"from": "2026-11-04T00:00:00+00:00"}}]
    assert first.n_new_speech_items == 4 and first.data_end == date(2026, 12, 1)
    since = queries[n_first]["filter"]["conditions"][0]["value"]["from"]
    assert since == "2026-12-01T09:00:00+00:00"  # the newest report's creation
    assert again.ok and again.n_new_speech_items == 0  # that report again, stored once
    with db.session() as session:
        assert count_speech_items(session) == 4
        items = {s.item.external_id: s.item for s in list_speech_items(session)}
        state = get_sync_state(session, "reliefweb")
    assert items["4400002"].iso3 == "SDN" and items["4400002"].outlet == "UN RC/HC"
    assert items["4400001"].text.startswith("Central African Republic: Flash update")
    assert items["4400001"].published_date == date(2026, 11, 28)
    assert items["4400004"].iso3 is None  # ReliefWeb's "wld" (World) is no country
    assert state is not None and state.n_items == 4 and state.data_end == date(2026, 12, 1)


def test_reliefweb_asks_for_the_countries_given(tmp_path: Path, client: httpx.Client) -> None:
    with serving() as server:
        server.route("/v2/reports", reliefweb_api(reports(), "tocsin-test"))
        settings = reliefweb_settings(tmp_path, server, countries=["SDN"])
        batch = fetch("reliefweb", settings, None, client=client)
        query = server.seen[0].json()
    assert {"field": "country.iso3", "value": ["sdn"], "operator": "OR"} in (
        query["filter"]["conditions"]
    )
    assert query["sort"] == ["date.created:asc", "id:asc"]
    assert [len(f.data.splitlines()) for f in batch.files] == [1]
    assert batch.cursor == {"created": "2026-11-29T10:40:00+00:00"}


def test_reliefweb_an_answer_that_is_not_json_changes_nothing(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        server.route("/v2/reports", [Reply(200, b'{"totalCount": 4, "data": [{"id": "44')])
        result = sync_source(
            db, "reliefweb", reliefweb_settings(tmp_path, server), now=NOW, client=client
        )
    assert result.error is not None and "not JSON" in result.error
    with db.session() as session:
        assert count_speech_items(session) == 0
        state = get_sync_state(session, "reliefweb")
    assert state is not None and state.cursor is None


# --- several sources ---------------------------------------------------------------------


def test_one_source_failing_does_not_stop_the_others(
    db: Database, tmp_path: Path, client: httpx.Client
) -> None:
    load_countries(db)
    with serving() as server:
        server.route("/v2/reports", [Reply(503)])
        gdelt_site(server, ["20261204170000"], newest="20261204170000")
        settings = reliefweb_settings(
            tmp_path, server, gdelt_lastupdate_url=server.url("/gdeltv2/lastupdate.txt")
        )
        settings.monitor.sources = ["reliefweb", "gdelt"]
        results = sync_sources(db, settings, now=NOW, sleep=no_sleep, client=client)
    assert [r.source for r in results] == ["reliefweb", "gdelt"]
    assert results[0].error is not None and "HTTP 503" in results[0].error
    assert results[1].ok and results[1].n_new_events == 3


def _gdelt_rows(n_good: int, n_bad: int) -> bytes:
    """An export of ``n_good`` copies of a real-layout row (new ids) and ``n_bad`` rows whose
    date no importer can read."""
    template = (DATA / "gdelt" / "20261204170000.export.CSV").read_text().splitlines()[0]
    fields = template.split("\t")
    rows = []
    for n in range(n_good + n_bad):
        row = list(fields)
        row[0] = str(1290100000 + n)
        if n >= n_good:
            row[1] = "2026XX04"
        rows.append("\t".join(row))
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize(("n_good", "n_bad", "stored"), [(40, 1, True), (1, 1, False)])
def test_gdelt_a_few_unreadable_rows_are_skipped_but_many_refuse_the_file(
    db: Database, tmp_path: Path, client: httpx.Client, n_good: int, n_bad: int, stored: bool
) -> None:
    load_countries(db)
    stamp = "20261204170000"
    data = zipped(f"{stamp}.export.CSV", _gdelt_rows(n_good, n_bad))
    with serving() as server:
        url = server.url(f"/gdeltv2/{stamp}.export.CSV.zip")
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        server.route(f"/gdeltv2/{stamp}.export.CSV.zip", [Reply(200, data)])
        server.route("/gdeltv2/lastupdate.txt", [Reply(200, f"{len(data)} {md5} {url}\n".encode())])
        result = sync_source(db, "gdelt", gdelt_settings(tmp_path, server), now=NOW, client=client)
    with db.session() as session:
        n_stored = count_events(session, dataset="gdelt2")
        state = get_sync_state(session, "gdelt")
    assert state is not None
    if stored:  # one bad row in 41: the feed goes on, and says what it skipped
        assert result.ok and n_stored == n_good and state.cursor == {"timestamp": stamp}
        assert result.notes == [f"{stamp}.export.CSV: 1 of 41 rows refused, skipped"]
    else:  # half the file unreadable: taken for corrupt, nothing stored, cursor kept
        assert result.error is not None and "CSV:2: field 'sqldate'" in result.error
        assert n_stored == 0 and state.cursor is None
