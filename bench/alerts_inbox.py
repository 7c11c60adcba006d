"""Benchmark: one page of a user's alerts inbox through the HTTP API, on SQLite.

Run: ``uv run python bench/alerts_inbox.py [--countries 150] [--repeat 20]``.

Sets up a fresh SQLite database with every country and the catalogue's codes, 20 trigger
events in each of ``--countries`` countries, two world-wide trigger-event rules (so two
alerts per country) and an analyst linked to a recipient that covers the world; then
times ``GET /api/v1/alerts/inbox`` with 20 and 50 alerts a page (each alert with its 20
Signals, policy options and history), through the real app in-process. Prints median and
95th percentile wall time, CPU time per request and the load average (wall time on a
shared machine is skewed by load; compare CPU time).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from tocsin.alerts import (
    RecipientCreate,
    RuleCreate,
    TriggerEvent,
    add_recipient,
    add_rule,
    run_alert_pass,
)
from tocsin.bootstrap import country_from_record, framework_codes
from tocsin.countries import get_crosswalk
from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.settings import Settings
from tocsin.store import (
    Database,
    create_api_token,
    create_user,
    record_signals,
    sync_framework_codes,
    upsert_countries,
)
from tocsin.web import WebSettings, create_app

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TOKEN = "bench-token"


def build(home: Path, n_countries: int) -> tuple[Database, int]:
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    db.upgrade()
    catalogue = load_catalogue()
    records = list(get_crosswalk().records())
    iso3s = [r.iso3 for r in records if not r.is_historical][:n_countries]
    signals = [
        Signal(
            iso3=iso3,
            area=f"area {day}",
            kind=SignalKind.TRIGGER_EVENT,
            start_date=date(2025, 12, day),
            end_date=date(2025, 12, day),
            framework_codes=["RF1"],
            strength=0.5,
            summary=f"event on day {day} in {iso3}",
            provenance=Provenance(capability="events", producer="bench"),
        )
        for iso3 in iso3s
        for day in range(1, 21)
    ]
    with db.session() as session:
        sync_framework_codes(session, framework_codes(catalogue), catalogue.version)
        upsert_countries(session, ((country_from_record(r), r.variants) for r in records))
        record_signals(session, signals, now=NOW)
        for name in ("Trigger A", "Trigger B"):
            add_rule(session, RuleCreate(name=name, condition=TriggerEvent()), now=NOW)
        add_recipient(session, RecipientCreate(name="Ana", username="ana"), now=NOW)
        user = create_user(session, username="ana", display_name="Ana", role="analyst",
                           password_hash="unused", now=NOW)  # fmt: skip
        create_api_token(session, user_id=user.id, name="bench", scopes=["read"], now=NOW,
                         token_sha=hashlib.sha256(TOKEN.encode()).hexdigest())  # fmt: skip
        report = run_alert_pass(
            session, now=NOW + timedelta(hours=1), catalogue=catalogue, base_url="http://t"
        )
    return db, len(report.created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp())
    db, n_alerts = build(home, args.countries)
    print(f"{n_alerts} alerts in the inbox, {20 * args.countries} Signals")  # noqa: T201
    app = create_app(
        Settings(home=home, database_url=db.url),
        WebSettings(identity_keys=None, identity_key_file=home / "keys"),
    )
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for limit in (20, 50):
        path = f"/api/v1/alerts/inbox?limit={limit}"
        client.get(path, headers=headers)  # warm up
        walls = []
        cpu_start = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            walls.append(time.perf_counter() - started)
            assert response.status_code == 200 and len(response.json()["items"]) == limit
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu_start
        p95 = sorted(walls)[max(int(0.95 * len(walls)) - 1, 0)]
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(  # noqa: T201 - a benchmark prints its figures
            f"{path}: median {statistics.median(walls) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
            f" wall; {cpu / args.repeat * 1000:.0f} ms CPU per request; load average {load}"
        )
    app.state.tocsin.db.dispose()


if __name__ == "__main__":
    main()
