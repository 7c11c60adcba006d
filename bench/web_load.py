"""Load benchmark of the web application: watchlist and country pages under concurrent users.

Builds a database with the bundled data (`tocsin up --no-serve`), a real forecast
(`tocsin forecast run`) and N synthetic events spread over the countries (more where the
forecast is higher, dates over the last six years), starts `tocsin serve` in its own process,
signs in C clients and has them load the watchlist and country pages as fast as they can
for S seconds. Prints and writes latency percentiles, errors and throughput.

    uv run python bench/web_load.py --events 1000000 --clients 50 --seconds 60 --out web.json
    uv run python bench/web_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

`--reuse DIR` skips building when DIR already holds a database built by an earlier run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from tocsin.events import EventType, ParsedEvents, conform, content_hashes
from tocsin.settings import Settings
from tocsin.store import (
    Database,
    count_events,
    create_user,
    get_user_by_username,
    import_events,
    latest_forecast_run,
)
from tocsin.web import hash_password

USER, PASSWORD = "loadtest", "load test password 1"
CHUNK = 100_000


def say(message: str) -> None:
    sys.stderr.write(message + "\n")


def tocsin(home: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tocsin", "--data-dir", str(home), *args],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def synthetic_events(n: int, weights: dict[str, float], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    iso3s = np.array(list(weights))
    p = np.array(list(weights.values()))
    today = date.today()
    days = rng.integers(0, 6 * 365, n)
    start = pd.to_datetime(today) - pd.to_timedelta(days, unit="D")
    frame = pd.DataFrame(
        {
            "dataset": "bench",
            "source_event_id": [f"e{i}" for i in range(n)],
            "start_date": start,
            "end_date": start,
            "date_precision": "day",
            "iso3": rng.choice(iso3s, n, p=p / p.sum()),
            "admin1": rng.choice([f"Province {k}" for k in range(12)], n),
            "geo_precision": "admin1",
            "event_type": rng.choice([t.value for t in EventType], n),
            "perpetrator_kind": "unknown",
            "target_kind": "civilians",
            "fatalities_best": pd.array(rng.poisson(2.0, n), dtype="Int64"),
        }
    )
    return conform(frame)


def build(settings: Settings, n_events: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    if settings.database_url:
        env["TOCSIN_DATABASE_URL"] = settings.database_url
    started = time.perf_counter()
    tocsin(settings.home, env, "up", "--no-serve")
    tocsin(settings.home, env, "forecast", "run", "--top", "1")
    say(f"up + forecast: {time.perf_counter() - started:.0f} s")
    db = Database.from_settings(settings)
    with db.session() as session:
        run = latest_forecast_run(session)
        assert run is not None
        weights = {v.iso3: max(v.risk, 0.002) for v in run.values}
        if get_user_by_username(session, USER) is None:
            create_user(
                session,
                username=USER,
                display_name="Load test",
                role="analyst",
                password_hash=hash_password(PASSWORD),
                now=datetime.now(UTC),
            )
        have = count_events(session, dataset="bench")
    started = time.perf_counter()
    for offset in range(have, n_events, CHUNK):
        frame = synthetic_events(min(CHUNK, n_events - offset), weights, seed=offset)
        frame["source_event_id"] = [f"e{offset + i}" for i in range(len(frame))]
        frame["uid"] = "bench:" + frame["source_event_id"]
        frame["content_sha"] = content_hashes(frame)
        parsed = ParsedEvents(
            frame=frame,
            problems=[],
            rejected=pd.DataFrame(),
            n_rows=len(frame),
            file_name=f"synthetic-{offset}",
            format="bench",
            sha256=uuid.uuid4().hex,
        )
        with db.session() as session:
            import_events(session, parsed, now=datetime.now(UTC))
        say(f"events: {offset + len(frame):,}")
    say(f"events stored in {time.perf_counter() - started:.0f} s")
    db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def sign_in(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    token = page.cookies["tocsin_csrf"]
    response = await client.post(
        "/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"tocsin_csrf={token}"},
    )
    match = re.search(r"tocsin_session=([^;]+)", response.headers.get("set-cookie", ""))
    assert response.status_code == 303 and match, response.text
    return match.group(1)


async def client_loop(
    base: str, paths: list[str], until: float, warm: float, out: list[tuple[str, float, int]]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        cookie = await sign_in(client)
        headers = {"Cookie": f"tocsin_session={cookie}"}
        rng = random.Random()
        while (now := time.perf_counter()) < until:
            path = "/watchlist" if rng.random() < 0.5 else rng.choice(paths)
            started = time.perf_counter()
            try:
                status = (await client.get(path, headers=headers)).status_code
            except httpx.HTTPError:
                status = 0
            if now >= warm:
                kind = "watchlist" if path == "/watchlist" else "country"
                out.append((kind, time.perf_counter() - started, status))


def summarise(samples: list[tuple[str, float, int]], seconds: float) -> dict[str, object]:
    result: dict[str, object] = {}
    for kind in ("all", "watchlist", "country"):
        rows = [s for s in samples if kind == "all" or s[0] == kind]
        ms = np.array([r[1] for r in rows]) * 1000
        result[kind] = {
            "requests": len(rows),
            "errors": sum(1 for r in rows if r[2] != 200),
            "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "p99_ms": round(float(np.percentile(ms, 99)), 1),
            "max_ms": round(float(ms.max()), 1),
            "requests_per_s": round(len(rows) / seconds, 1),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", type=Path, help="a home folder built by an earlier run")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    home = args.reuse or Path(tempfile.mkdtemp(prefix="tocsin-load-"))
    settings = Settings(home=home, database_url=args.database_url)
    if args.reuse is None:
        build(settings, args.events)
    db = Database.from_settings(settings)
    with db.session() as session:
        run = latest_forecast_run(session)
        assert run is not None
        n_events = count_events(session)
        paths = [f"/countries/{v.iso3}" for v in run.values[:40]]
    db.dispose()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    if args.database_url:
        env["TOCSIN_DATABASE_URL"] = args.database_url
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tocsin",
            "--data-dir",
            str(home),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        samples: list[tuple[str, float, int]] = []
        start = time.perf_counter()
        warm, until = start + args.warmup, start + args.warmup + args.seconds

        async def run_all() -> None:
            await asyncio.gather(
                *(client_loop(base, paths, until, warm, samples) for _ in range(args.clients))
            )

        asyncio.run(run_all())
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "database": Database(settings.database_url_or_default()).describe(),
        "n_events": n_events,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "warmup_seconds": args.warmup,
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "results": summarise(samples, args.seconds),
    }
    text = json.dumps(report, indent=2)
    sys.stdout.write(text + "\n")
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
