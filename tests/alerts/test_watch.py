"""The long-lived loop: passes on schedule, a health endpoint, JSON logs, failures
reported rather than fatal; and `tocsin monitor watch` end to end for one pass."""

from __future__ import annotations

import io
import json
import signal
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tocsin.alerts import Health, JsonLog, health_server, list_alerts, parse_duration, watch_loop
from tocsin.cli import build_app
from tocsin.domain import SignalKind
from tocsin.store import Database, record_signals

from .conftest import NOW
from .conftest import signal as make_signal


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_watch_loop_health_and_logs() -> None:
    stream = io.StringIO()
    log = JsonLog(stream, component="test")
    health = Health(timedelta(seconds=60))
    calls: list[int] = []
    between: list[int] = []

    def step() -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the event source is down")
        return {"n_alerts_created": len(calls)}

    with health_server(health, 0) as port:
        fast = {"every": timedelta(milliseconds=50), "poll": timedelta(milliseconds=10)}
        watch_loop(step, stop=threading.Event(), health=health, log=log, max_passes=3,
                   between=lambda: between.append(len(calls)), **fast)  # fmt: skip
        status, body = get(f"http://127.0.0.1:{port}/health")
    assert len(calls) == 3
    assert between[-1] == 3  # deliveries run after the last pass too
    assert status == 200 and body["status"] == "ok" and body["n_passes"] == 3
    assert body["last_error"] is None and body["n_alerts_created"] == 3
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["event"] for r in records] == ["pass_done", "pass_failed", "pass_done"]
    assert records[1]["error"] == "RuntimeError: the event source is down"
    assert all(r["component"] == "test" and r["at"] for r in records)


def test_health_is_stale_when_no_pass_finishes_in_time() -> None:
    health = Health(timedelta(seconds=-60))  # every pass would be overdue
    with health_server(health, 0) as port:
        status, body = get(f"http://127.0.0.1:{port}/health")
    assert status == 503 and body["status"] == "stale"


def test_monitor_watch_runs_a_pass(home: Path) -> None:
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    with db.session() as session:
        record_signals(session, [make_signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
    runner = CliRunner()
    args = ["--data-dir", str(home)]
    added = runner.invoke(build_app(), [*args, "alerts", "rules", "add", "--name", "s",
                                        "--when", "speech_surge"])  # fmt: skip
    assert added.exit_code == 0, added.output
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = runner.invoke(
            build_app(),
            [*args, "monitor", "watch", "--every", "1h", "--health-port", "0", "--max-passes", "1"],
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert result.exit_code == 0, (result.output, result.exception)
    events = [
        json.loads(line)["event"] for line in result.stderr.splitlines() if line.startswith("{")
    ]
    assert events[0] == "watch_started" and "pass_done" in events and events[-1] == "watch_stopped"
    with db.session() as session:
        assert [a.iso3 for a in list_alerts(session)] == ["MMR"]
    db.dispose()
    assert parse_duration("15m") == timedelta(minutes=15)


def test_monitor_watch_ingests_and_detects_through_the_use_cases(home: Path) -> None:
    events = Path(__file__).parents[1] / "data" / "events" / "ucdp_ged231_caf_2014.csv"
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = CliRunner().invoke(
            build_app(),
            ["--data-dir", str(home), "monitor", "watch", "--every", "100ms", "--health-port",
             "0", "--max-passes", "2", "--events", str(events), "--format", "ucdp"],
        )  # fmt: skip
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert result.exit_code == 0, (result.output, result.exception)
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    ingests = [r["summary"] for r in records if r["event"] == "ingest"]
    # the first pass stores the file, the second finds it already imported
    assert len(ingests) == 2 and ingests[0]["n_added"] > 0 and ingests[1]["already_imported"]
    passes = [r for r in records if r["event"] == "pass_done"]
    assert len(passes) == 2 and all(p["data_end"].startswith("2014-") for p in passes)
    # the watch loop's pass is the one `monitor run` makes: the same Signals, the same data
    run = CliRunner().invoke(build_app(), ["--data-dir", str(home), "monitor", "run", "--json"])
    assert run.exit_code == 0, run.output
    figures = json.loads(run.stdout)
    assert passes[-1]["n_detection_signals"] == figures["n_signals"]
    assert passes[-1]["data_end"] == figures["data_end"]
