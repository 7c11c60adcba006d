"""Events at scale (issue 5): parse, store, aggregate and detect over scaled-up real data.

Usage:
    uv run python bench/events_scale.py [--events 1000000] [--store-events 200000]
        [--shared ../shared] [--postgres URL] [--json FILE]

1. Generates ``--events`` events by resampling real ones (tocsin.events.scale_event_file):
   half from UCDP GED for the Central African Republic 1989-2023 (GeoJSON), half from the
   ACLED global sample (Jan-Jun 2022), written as CSV in each source's own layout.
2. Parses and normalises both CSV files with the ordinary importers (``parse_events``).
3. Stores the first ``--store-events`` events of each file into a new SQLite file and a
   new schema of the PostgreSQL server (``--postgres``, default the test server; skipped
   if it does not answer), one import per file, each one transaction as in the CLI.
4. Aggregates (weekly and monthly, per admin-1 and type) and runs the escalation detector
   (panel, features, packaged detector) over all the events.

Every stage reports wall seconds, CPU seconds of this process (all threads) and events
per second of wall time; the 1-minute load average is printed before and after, since on
a shared machine wall time measures the neighbours too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tocsin.events import (
    EscalationDetector,
    ParsedEvents,
    aggregate_events,
    count_events,
    escalation_risks,
    import_events,
    parse_events,
    scale_event_file,
)
from tocsin.store import Database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES = os.environ.get(
    "TOCSIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SOURCES = {
    "ucdp": "data/events/ucdp/ged231_central_african_republic.geojson",
    "acled": "data/events/acled/acled_sample_2022h1_global.csv",
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def _timed(results: dict[str, Any], stage: str, n: int) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu()
    yield
    seconds = time.perf_counter() - wall
    results[stage] = {
        "events": n,
        "wall_s": round(seconds, 2),
        "cpu_s": round(_cpu() - cpu, 2),
        "events_per_s": round(n / seconds),
    }
    row = results[stage]
    print(  # noqa: T201
        f"{stage:<28} {n:>9,} events  wall {row['wall_s']:>6.2f} s  cpu {row['cpu_s']:>6.2f} s"
        f"  {row['events_per_s']:>9,} events/s"
    )


def _digest(label: str) -> str:
    # a different file identity, so the store compares records instead of skipping the file
    return hashlib.sha256(label.encode()).hexdigest()


def _head(parsed: ParsedEvents, n: int) -> ParsedEvents:
    frame = parsed.frame.iloc[:n].reset_index(drop=True)
    return replace(parsed, frame=frame, n_rows=len(frame), sha256=_digest(f"{parsed.sha256}:{n}"))


def _store(url: str, parts: list[ParsedEvents], label: str, results: dict[str, Any]) -> None:
    db = Database(url)
    db.upgrade()
    n = sum(len(p.frame) for p in parts)
    now = datetime.now(UTC)
    with _timed(results, f"store {label}", n):
        for part in parts:
            with db.session() as session:
                import_events(session, part, now=now)
    with _timed(results, f"re-import {label} (no-op)", n):
        for part in parts:
            with db.session() as session:
                summary = import_events(
                    session, replace(part, sha256=_digest(part.sha256 + "+")), now=now
                )
                assert summary.n_added == 0 and summary.n_updated == 0, summary
    with db.session() as session:
        stored = count_events(session)
    assert stored == n, (stored, n)


def _postgres_schema(url: str) -> tuple[str, Callable[[], None]] | None:
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        schema = f"tocsin_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as error:
        print(f"PostgreSQL skipped: {str(error.orig).splitlines()[0]}")  # noqa: T201
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--store-events", type=int, default=200_000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results: dict[str, Any] = {"cores": os.cpu_count(), "load_before": os.getloadavg()}
    print(f"cores {os.cpu_count()}, load average before {results['load_before']}")  # noqa: T201
    half = args.events // 2
    counts = {"ucdp": half, "acled": args.events - half}
    with tempfile.TemporaryDirectory(prefix="tocsin-events-scale-") as folder:
        files: dict[str, bytes] = {}
        for fmt, relative in SOURCES.items():
            source = args.shared / relative
            with _timed(results, f"generate {fmt}", counts[fmt]):
                files[fmt] = scale_event_file(
                    source.read_bytes(),
                    fmt,  # type: ignore[arg-type]
                    counts[fmt],
                    file_name=source.name,
                    seed=args.seed,
                )
            (Path(folder) / f"scaled_{fmt}.csv").write_bytes(files[fmt])
        parsed: dict[str, ParsedEvents] = {}
        for fmt, data in files.items():
            with _timed(results, f"parse+normalise {fmt} CSV", counts[fmt]):
                parsed[fmt] = parse_events(data, fmt, file_name=f"scaled_{fmt}.csv")
            assert not parsed[fmt].problems, parsed[fmt].problems[:3]
        results["parse+normalise all"] = {
            "events": args.events,
            "wall_s": round(sum(results[f"parse+normalise {f} CSV"]["wall_s"] for f in files), 2),
            "cpu_s": round(sum(results[f"parse+normalise {f} CSV"]["cpu_s"] for f in files), 2),
        }
        all_wall = results["parse+normalise all"]["wall_s"]
        results["parse+normalise all"]["events_per_s"] = round(args.events / all_wall)
        files.clear()
        per_file = args.store_events // 2
        parts = [_head(p, per_file) for p in parsed.values()]
        _store(f"sqlite:///{folder}/bench.db", parts, "SQLite", results)
        postgres = _postgres_schema(args.postgres)
        if postgres is not None:
            url, drop = postgres
            try:
                _store(url, parts, "PostgreSQL", results)
            finally:
                drop()
        frame = pd.concat([p.frame for p in parsed.values()], ignore_index=True)
        parsed.clear()
        detector = EscalationDetector.default()
        with _timed(results, "aggregate + detect", len(frame)):
            weekly = aggregate_events(frame, freq="W")
            monthly = aggregate_events(frame, freq="M", split="target_kind")
            risks = escalation_risks(frame, detector)
        results["aggregate + detect"] |= {
            "weekly_rows": len(weekly),
            "monthly_rows": len(monthly),
            "areas": len(risks),
        }
    results["load_after"] = os.getloadavg()
    print(f"load average after {results['load_after']}")  # noqa: T201
    print(  # noqa: T201
        f"{len(weekly):,} weekly rows, {len(monthly):,} monthly rows, {len(risks):,} areas scored"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
