"""The long-lived loop: passes on schedule, a health endpoint, JSON logs, failures
reported rather than fatal; and `tocsin monitor watch` end to end for one pass."""

from __future__ import annotations

import io
import json
import signal
import threading
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tocsin.alerts import Health, JsonLog, health_server, list_alerts, parse_duration, watch_loop
from tocsin.cli import build_app
from tocsin.domain import SignalKind
from tocsin.store import Database, list_signals, record_signals

from .conftest import NOW
from .conftest import signal as make_signal


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def watch(home: Path, *options: str) -> Any:
    """`tocsin monitor watch` in this process, its signal handlers put back afterwards."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return CliRunner().invoke(
            build_app(), ["--data-dir", str(home), "monitor", "watch", "--health-port", "0",
                          *options],
        )  # fmt: skip
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


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
    result = watch(home, "--every", "1h", "--max-passes", "1")
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
    result = watch(home, "--every", "100ms", "--max-passes", "2", "--events", str(events),
                   "--format", "ucdp")  # fmt: skip
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


def _speech_burst_csv(path: Path) -> Path:
    """Sixty quiet days of posts in Sudan, with one hateful post every few days, then a
    day on which twenty hateful posts appear."""
    rows = ["post_id,body,day"]
    start = date(2024, 1, 1)
    hateful = "Immigrants are vermin and must be killed."
    for offset in range(60):
        day = (start + timedelta(days=offset)).isoformat()
        rows.append(f"q{offset},The market reopens on Monday after the rains.,{day}")
        if offset % 7 == 0:
            rows.append(f"h{offset},{hateful},{day}")
    burst = (start + timedelta(days=60)).isoformat()
    rows += [f"b{n},{hateful} ({n}),{burst}" for n in range(20)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_monitor_watch_records_speech_surges_through_the_use_case(
    home: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(home)]
    items = _speech_burst_csv(tmp_path / "posts.csv")
    imported = runner.invoke(build_app(), [*args, "speech", "import", str(items), "-m",
                                           "text=body", "-m", "external_id=post_id", "-m",
                                           "published_date=day", "-d", "country=SDN"])  # fmt: skip
    assert imported.exit_code == 0, imported.output
    scored = runner.invoke(build_app(), [*args, "speech", "classify", "--fast", "--json"])
    assert scored.exit_code == 0, scored.output
    result = watch(home, "--every", "1h", "--max-passes", "1")
    assert result.exit_code == 0, (result.output, result.exception)
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    passes = [r for r in records if r["event"] == "pass_done"]
    assert len(passes) == 1 and passes[0]["n_speech_surge_signals"] >= 1
    # the watch loop's surges are the ones `speech surges` finds, and they are stored
    found = runner.invoke(build_app(), [*args, "speech", "surges", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["n_surges"] == passes[0]["n_speech_surge_signals"]
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    with db.session() as session:
        stored = list_signals(session, kinds=[SignalKind.SPEECH_SURGE])
    db.dispose()
    assert {s.iso3 for s in stored} == {"SDN"}
    assert {s.start_date for s in stored} == {date(2024, 3, 1)}


def test_monitor_watch_without_speech_items_skips_the_surge_pass(home: Path) -> None:
    result = watch(home, "--every", "1h", "--max-passes", "1")
    assert result.exit_code == 0, (result.output, result.exception)
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    passes = [r for r in records if r["event"] == "pass_done"]
    assert len(passes) == 1 and passes[0]["n_speech_surge_signals"] is None
