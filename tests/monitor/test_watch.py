"""The watch: one cycle at a time across watches (on SQLite and PostgreSQL), fetch → import →
detect → alert through the capabilities, a source that is down or late, and the state shown
by `tocsin monitor status`, the data page and /health. Real HTTP servers, real databases."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.alerts.conftest import seed
from tocsin.alerts import (
    RecipientCreate,
    add_recipient,
    in_user_inbox,
    list_alerts,
    list_rules,
)
from tocsin.cli import build_app
from tocsin.monitor import (
    ensure_stale_data_rule,
    hold_watch_lock,
    monitor_status,
    run_watch_cycle,
)
from tocsin.settings import MonitorSettings, Settings
from tocsin.store import Database

DATA = Path(__file__).resolve().parents[1] / "data" / "monitor"
CANDIDATE_FILES = {f"/{p.name}": p.read_bytes() for p in sorted(DATA.glob("GEDEvent_v26_0_*.csv"))}
# the recorded Candidate files are September and October 2026: a watch on 4 December finds
# both, and November's not yet out
NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
LEASE = timedelta(minutes=15)


class Server:
    """A local HTTP server of files, which can be made to fail or to hold requests."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.status: int | None = None  # answer every request with this status
        self.gate: threading.Event | None = None  # hold requests until set
        self.entered = threading.Event()
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.paths.append(self.path)
                server.entered.set()
                if server.gate is not None:
                    server.gate.wait(20)
                body = server.files.get(self.path.split("?", 1)[0])
                status = server.status or (200 if body is not None else 404)
                payload = body if status == 200 and body is not None else b"no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def candidate_server() -> Iterator[Server]:
    server = Server(dict(CANDIDATE_FILES))
    yield server
    server.close()


def settings_for(tmp_path: Path, db: Database, server: Server, **monitor: Any) -> Settings:
    values: dict[str, Any] = {
        "sources": ["ucdp_candidate"],
        "countries": ["CAF"],
        "ucdp_candidate_url": server.url + "/GEDEvent_v{yy}_0_{month}.csv",
        "retries": 0,
        "backoff_base_seconds": 0.01,
        "min_request_interval_seconds": 0.0,
        "first_sync_days": 120,
        **monitor,
    }
    return Settings(home=tmp_path, database_url=str(db.url), monitor=MonitorSettings(**values))


def clock_at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
def seeded(db: Database) -> Database:
    return seed(db)


def test_one_watch_holds_the_lock_until_it_lets_go_or_its_lease_runs_out(db: Database) -> None:
    db.upgrade()
    with hold_watch_lock(db, "a", lease=LEASE, now=NOW) as first:
        assert first is not None
        with hold_watch_lock(db, "b", lease=LEASE, now=NOW + LEASE / 2) as second:
            assert second is None  # a is still within its lease
        assert first.renew(NOW + LEASE / 2)  # a renews: its lease now ends at 1.5 leases
        late = NOW + LEASE + timedelta(minutes=1)
        with hold_watch_lock(db, "b", lease=LEASE, now=late) as second:
            assert second is None  # renewed, so not yet free
        crashed = NOW + 2 * LEASE
        with hold_watch_lock(db, "b", lease=LEASE, now=crashed) as second:
            assert second is not None  # a stopped renewing: b takes over
            assert not first.renew(crashed)  # and a learns it lost the lock
    with hold_watch_lock(db, "c", lease=LEASE, now=NOW) as third:
        assert third is not None  # b let go on leaving


def test_a_cycle_fetches_imports_detects_and_a_second_fetches_nothing_new(
    seeded: Database, candidate_server: Server, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, seeded, candidate_server)
    first = run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(NOW), speech=False)
    assert first.ran and first.errors == []
    assert first.sources["ucdp_candidate"]["n_new_events"] == first.n_new_events > 0
    assert first.n_detection_signals is not None and first.data_end is not None
    assert set(first.alerts) >= {"n_created", "n_queued"}
    asked = [p for p in candidate_server.paths if p.endswith(".csv")]
    assert "/GEDEvent_v26_0_9.csv" in asked and "/GEDEvent_v26_0_10.csv" in asked

    candidate_server.paths.clear()
    later = NOW + timedelta(hours=1)
    second = run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(later), speech=False)
    assert second.ran and second.n_new_events == 0
    assert second.n_detection_signals is None  # nothing new: no detection pass
    # incremental: September and October are not asked for again, only November onwards
    assert candidate_server.paths and all("_0_9." not in p and "_0_10." not in p
                                          for p in candidate_server.paths)  # fmt: skip

    status = monitor_status(seeded, now=later)
    assert status["watch"]["last_result"]["n_new_events"] == 0
    assert status["watch"]["running"] is False
    (source,) = status["sources"]
    assert source["source"] == "ucdp_candidate" and source["stale"] is False
    assert source["data_end"].startswith("2026-10")


def test_two_watches_at_once_run_one_cycle(
    seeded: Database, candidate_server: Server, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, seeded, candidate_server)
    candidate_server.gate = threading.Event()
    results: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: results.setdefault(
            "w1", run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(NOW), speech=False)
        )
    )
    slow.start()
    assert candidate_server.entered.wait(20)  # w1 is inside its cycle, fetching
    other = run_watch_cycle(seeded, settings, owner="w2", clock=clock_at(NOW), speech=False)
    candidate_server.gate.set()
    slow.join(30)
    assert not other.ran and other.held_by == "w1"
    assert results["w1"].ran and results["w1"].n_new_events > 0


def test_a_source_that_is_down_is_recorded_and_the_cycle_goes_on(
    seeded: Database, candidate_server: Server, tmp_path: Path
) -> None:
    candidate_server.status = 503
    settings = settings_for(tmp_path, seeded, candidate_server)
    cycle = run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(NOW), speech=False)
    assert cycle.ran and cycle.n_new_events == 0
    assert [e.split(":", 1)[0] for e in cycle.errors] == ["ucdp_candidate"]
    assert "503" in cycle.sources["ucdp_candidate"]["error"]
    assert "n_created" in cycle.alerts  # the alert step still ran
    status = monitor_status(seeded, now=NOW)
    assert "503" in status["watch"]["last_error"]
    assert "503" in status["sources"][0]["last_error"] and status["sources"][0]["stale"]


def test_a_late_source_raises_one_stale_data_alert_for_the_monitored_countries(
    seeded: Database, candidate_server: Server, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, seeded, candidate_server)
    assert ensure_stale_data_rule(seeded, now=NOW)
    assert not ensure_stale_data_rule(seeded, now=NOW)  # once only
    with seeded.session() as session:
        add_recipient(
            session,
            RecipientCreate(name="desk", channels=["inbox"], username="desk"),
            now=NOW,
        )
    fresh = run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(NOW), speech=False)
    assert fresh.n_new_events > 0 and fresh.stale_sources == []

    # Two months on, UCDP has published nothing new (every later month answers 404).
    late = NOW + timedelta(days=60)
    stale = run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(late), speech=False)
    assert stale.stale_sources == ["ucdp_candidate"] and stale.alerts["n_stale_created"] == 1
    with seeded.session() as session:
        (alert,) = [a for a in list_alerts(session) if "Stale data" in a.title]
        assert alert.iso3 == "CAF" and "ucdp_candidate" in alert.reason
        assert "no new data for 60 days" in alert.reason
        assert in_user_inbox(session, "desk", alert.id)
        (rule,) = [r for r in list_rules(session) if r.condition.type == "stale_data"]
    again = run_watch_cycle(
        seeded, settings, owner="w1", clock=clock_at(late + timedelta(hours=1)), speech=False
    )
    assert again.stale_sources == ["ucdp_candidate"] and again.alerts["n_stale_created"] == 0
    assert rule.name == "Stale data"


def test_monitor_watch_and_status_from_the_command_line(
    candidate_server: Server, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    seed(Database(f"sqlite:///{home / 'tocsin.db'}")).dispose()
    env = {
        "TOCSIN_MONITOR_UCDP_CANDIDATE_URL": candidate_server.url + "/GEDEvent_v{yy}_0_{month}.csv",
        "TOCSIN_MONITOR_COUNTRIES": '["CAF"]',
        "TOCSIN_MONITOR_FIRST_SYNC_DAYS": "120",
        "TOCSIN_MONITOR_MIN_REQUEST_INTERVAL_SECONDS": "0",
    }
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        watched = CliRunner().invoke(
            build_app(),
            ["--data-dir", str(home), "monitor", "watch", "--source", "ucdp_candidate",
             "--health-port", "0", "--max-passes", "1", "--no-speech"],
            env=env,
        )  # fmt: skip
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert watched.exit_code == 0, (watched.output, watched.exception)
    records = [json.loads(line) for line in watched.stderr.splitlines() if line.startswith("{")]
    events = [r["event"] for r in records]
    assert events[0] == "rule_added" and "fetched" in events and "pass_done" in events
    (done,) = [r for r in records if r["event"] == "pass_done"]
    assert done["n_new_events"] > 0 and done["sources"]["ucdp_candidate"]["error"] is None

    shown = CliRunner().invoke(build_app(), ["--data-dir", str(home), "monitor", "status",
                                             "--json"])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.stdout)
    assert status["watch"]["last_result"]["n_new_events"] == done["n_new_events"]
    assert [s["source"] for s in status["sources"]] == ["ucdp_candidate"]
    text = CliRunner().invoke(build_app(), ["--data-dir", str(home), "monitor", "status"])
    assert "ucdp_candidate: ok" in text.stdout


def test_the_data_page_shows_the_watch_and_its_sources(
    candidate_server: Server, tmp_path: Path
) -> None:
    from tests.web.fixtures import populated_home, sign_in
    from tocsin.web import create_app

    home = populated_home(tmp_path / "data")
    settings = Settings(home=home)
    app = create_app(settings)
    client: TestClient = sign_in(app, "analyst")
    before = client.get("/data", headers={"Accept": "application/json"}).json()
    assert "No watch has run" in before["sections"]["monitor"]["summary"]

    db = app.state.tocsin.db
    watch_settings = settings_for(home, db, candidate_server)
    run_watch_cycle(db, watch_settings, owner="w1", clock=clock_at(NOW), speech=False)
    section = client.get("/data", headers={"Accept": "application/json"}).json()["sections"][
        "monitor"
    ]
    assert section["summary"].startswith("The watch's last cycle ran from")
    (table,) = section["tables"]
    assert table["rows"][0][0] == "ucdp_candidate"
    page = client.get("/data")
    assert page.status_code == 200 and 'id="data-monitor"' in page.text
    assert "ucdp_candidate" in page.text
    db.dispose()


def test_with_the_lake_on_each_sync_keeps_its_events_there_too_once(
    seeded: Database, candidate_server: Server, tmp_path: Path
) -> None:
    from tocsin.events import EventLake, aggregate_lake, list_events

    lake_dir = tmp_path / "lake"
    settings = settings_for(tmp_path, seeded, candidate_server, lake=True, lake_dir=lake_dir)
    first = run_watch_cycle(seeded, settings, owner="w1", clock=clock_at(NOW), speech=False)
    again = run_watch_cycle(
        seeded, settings, owner="w1", clock=clock_at(NOW + timedelta(hours=1)), speech=False
    )
    assert first.n_new_events > 0 and again.n_new_events == 0
    lake = EventLake(lake_dir)
    assert len(lake.imports()) == 2  # the two Candidate months, each written once
    assert len(lake.read()) == first.n_new_events
    with seeded.session() as session:
        stored = {e.uid for e in list_events(session)}
    assert set(lake.read(columns=["uid"])["uid"]) == stored
    # batch work reads them (in threads here; on a cluster in tests/events/test_distributed.py)
    weekly = aggregate_lake(lake)
    assert int(weekly["n_events"].sum()) == first.n_new_events
