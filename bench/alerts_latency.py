"""Benchmark: from a Signal stored to the alert emails accepted by a local SMTP server.

Run: ``uv run python bench/alerts_latency.py [--rules 1000] [--recipients 100]
[--signals 40] [--backend sqlite|postgresql] [--out results.json]``.

Sets up a fresh database (every country and the catalogue's codes, one forecast's worth
of FORECAST Signals for history), ``--rules`` random rules of every kind (scoped to a
country, a sub-region, a region or the world) and ``--recipients`` email recipients
(global, by sub-region, by country), and an aiosmtpd server on 127.0.0.1. Then, for each
of ``--signals`` new SPEECH_SURGE Signals in random countries, it does what `tocsin
monitor run` and the delivery worker do: store the Signal, run the alert pass, drain the
outbox. The latency of a Signal is the time from its commit to the moment the SMTP
server accepted the last email it caused (and, separately, each email). Prints p50, p95,
max and the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from tocsin.alerts import (
    AlertSettings,
    JsonLog,
    RecipientCreate,
    RuleCreate,
    add_alert_rule,
    add_recipient,
    drain_outbox,
    evaluate_alerts,
)
from tocsin.bootstrap import country_from_record, framework_codes
from tocsin.countries import get_crosswalk
from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.store import (
    Database,
    list_countries,
    record_signals,
    sync_framework_codes,
    upsert_countries,
)


class Recorder:
    def __init__(self) -> None:
        self.accepted: list[tuple[int, float]] = []  # (alert id, wall time)
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        header = str(message_from_bytes(envelope.content, policy=default)["X-Tocsin-Alert"])
        now = time.time()
        with self.lock:
            self.accepted.extend((int(i), now) for i in "".join(header.split()).split(","))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def random_rule(rng: random.Random, countries: list[Any], i: int) -> dict[str, Any]:
    kind = rng.choices(
        ["speech", "escalation", "trigger", "forecast", "top_n", "convergence", "assessment"],
        weights=[40, 20, 10, 15, 5, 5, 5],
    )[0]
    condition: dict[str, Any] = {
        "speech": lambda: {"type": "speech_surge", "min_strength": rng.uniform(0.3, 0.95)},
        "escalation": lambda: {"type": "escalation_risk", "min_risk": rng.uniform(0.3, 0.9)},
        "trigger": lambda: {"type": "trigger_event", "min_strength": rng.uniform(0.0, 0.8)},
        "forecast": lambda: {"type": "forecast_risk", "max_rank": rng.randint(1, 30)},
        "top_n": lambda: {"type": "forecast_top_n", "n": rng.randint(5, 30)},
        "convergence": lambda: {"type": "convergence", "min_kinds": 2, "window_days": 30},
        "assessment": lambda: {"type": "assessment_raised", "min_increase": 0.1},
    }[kind]()
    where = rng.random()
    scope: dict[str, Any] = {}
    if where < 0.6:
        scope["countries"] = [rng.choice(countries).iso3]
    elif where < 0.9:
        scope["regions"] = [rng.choice([c for c in countries if c.un_subregion]).un_subregion]
    elif where < 0.98:
        scope["regions"] = [rng.choice([c for c in countries if c.un_region]).un_region]
    rule = RuleCreate.model_validate(
        {"name": f"bench rule {i} ({kind})", "condition": condition, "scope": scope}
    )
    return rule.model_dump(mode="json")


def random_recipient(rng: random.Random, countries: list[Any], i: int) -> RecipientCreate:
    where = rng.random()
    kwargs: dict[str, Any] = {}
    if where < 0.4:
        kwargs["regions"] = [rng.choice([c for c in countries if c.un_subregion]).un_subregion]
    elif where < 0.8:
        kwargs["countries"] = [c.iso3 for c in rng.sample(countries, rng.randint(1, 5))]
    return RecipientCreate(
        name=f"recipient {i}", email=f"r{i}@example.org", channels=["inbox", "email"], **kwargs
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--recipients", type=int, default=100)
    parser.add_argument("--signals", type=int, default=40)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="tocsin-bench-alerts-"))
    if args.backend == "sqlite":
        url = f"sqlite:///{folder / 'tocsin.db'}"
    else:  # a private schema in the test database, dropped at the end
        base = os.environ.get(
            "TOCSIN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        schema = f"tocsin_bench_alerts_{os.getpid()}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}?options=-csearch_path%3D{schema}"
    db = Database(url)
    db.upgrade()
    catalogue = load_catalogue()
    now = datetime.now(UTC)
    with db.session() as session:
        sync_framework_codes(session, framework_codes(catalogue), catalogue.version)
        records = get_crosswalk().records()
        upsert_countries(session, ((country_from_record(r), r.variants) for r in records))
    with db.session() as session:
        countries = [c for c in list_countries(session, include_historical=False) if c.un_region]
        history = [
            Signal(
                iso3=c.iso3,
                kind=SignalKind.FORECAST,
                start_date=date(2025, 1, 1),
                end_date=date(2026, 12, 31),
                framework_codes=["RF1"],
                strength=rng.uniform(0.0, 0.1),
                summary="bench forecast",
                provenance=Provenance(capability="forecast", producer="bench-forecast"),
            )
            for c in countries
        ]
        record_signals(session, history, now=now)
        for i in range(args.rules):
            add_alert_rule(session, random_rule(rng, countries, i), now=now)
        for i in range(args.recipients):
            add_recipient(session, random_recipient(rng, countries, i), now=now)
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings = AlertSettings(smtp_port=port)
    config = settings.delivery_config()
    log = JsonLog(open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    # The forecast history fires its rules once (not measured): the steady state follows.
    evaluate_alerts(db, now=datetime.now(UTC), base_url=settings.base_url)
    drain_outbox(db, config, worker="bench", log=log)
    warm = len(recorder.accepted)
    per_signal: list[float] = []
    per_email: list[float] = []
    pass_seconds: list[float] = []
    n_alerts = 0
    n_emails = 0
    for i in range(args.signals):
        country = rng.choice(countries)
        signal = Signal(
            iso3=country.iso3,
            kind=SignalKind.SPEECH_SURGE,
            start_date=date(2026, 11, 1),
            end_date=date(2026, 11, 7),
            framework_codes=["RF9", "9.3"],
            strength=0.9,
            summary=f"bench surge {i}",
            provenance=Provenance(capability="speech", producer=f"bench-speech-{i}"),
        )
        with db.session() as session:
            record_signals(session, [signal], now=datetime.now(UTC))
        stored = time.time()
        started = time.perf_counter()
        report = evaluate_alerts(db, now=datetime.now(UTC), base_url=settings.base_url)
        pass_seconds.append(time.perf_counter() - started)
        n_emails += drain_outbox(db, config, worker="bench", log=log)
        created = set(report.created)
        n_alerts += len(created)
        with recorder.lock:
            times = [t - stored for a, t in recorder.accepted if a in created]
        if times:
            per_signal.append(max(times))
            per_email.extend(times)
    controller.stop()
    result = {
        "backend": args.backend,
        "n_rules": args.rules,
        "n_recipients": args.recipients,
        "n_signals": args.signals,
        "n_signals_with_email": len(per_signal),
        "n_alerts": n_alerts,
        "n_alert_notices_by_email": len(per_email),
        "n_emails_sent": n_emails,
        "n_emails_warm_up": warm,
        "alert_pass_seconds_median": round(statistics.median(pass_seconds), 3),
        "last_email_seconds": {
            "p50": round(percentile(per_signal, 0.5), 3),
            "p95": round(percentile(per_signal, 0.95), 3),
            "max": round(max(per_signal), 3),
        },
        "each_alert_notice_seconds": {
            "p50": round(percentile(per_email, 0.5), 3),
            "p95": round(percentile(per_email, 0.95), 3),
        },
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2))  # noqa: T201 - a benchmark prints its figures
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    db.dispose()
    if args.backend == "postgresql":
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
