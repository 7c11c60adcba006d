"""Load benchmark of the web application: watchlist and country pages under concurrent users.

Builds a database with the bundled data (`tocsin up --no-serve`), a real forecast
(`tocsin forecast run`) and N synthetic events spread over the countries (more where the
forecast is higher, dates over the last six years), starts `tocsin serve` in its own process,
signs in C users and has C closed-loop clients load the watchlist (half the requests) and
the pages of the 40 highest-risk countries (the other half) as fast as they can for S
seconds after a warm-up. Prints and writes latency percentiles, errors, throughput, and the
CPU seconds used by the server (all its processes) and by the load generator.

    uv run python bench/web_load.py --events 1000000 --clients 50 --seconds 60 --out web.json
    uv run python bench/web_load.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

`--reuse DIR` skips building when DIR already holds a database built by an earlier run (the
schema is brought up to date first). `--tool wrk` (the default when `wrk` is installed:
`apt-get install wrk`) drives the load with wrk, a C program that costs the shared machine
little; `--tool python` uses asyncio and httpx instead, and also reports each page's
latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import shutil
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

from tocsin.events import (
    EventType,
    ParsedEvents,
    conform,
    content_hashes,
    count_events,
    import_events,
)
from tocsin.forecast import latest_forecast_run
from tocsin.settings import Settings
from tocsin.store import Database, create_user, get_user_by_username
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


WRK_SCRIPT = """
local cookies, paths = {}, {}
for c in string.gmatch(os.getenv("BENCH_COOKIES"), "[^,]+") do cookies[#cookies + 1] = c end
for p in string.gmatch(os.getenv("BENCH_PATHS"), "[^,]+") do paths[#paths + 1] = p end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; bad = 0 end
function request()
  n = n + 1
  -- every other request a country page, the rest the watchlist; users taken in turn
  local path = "/watchlist"
  if n % 2 == 0 then path = paths[math.random(#paths)] end
  local cookie = cookies[(n + math.random(#cookies)) % #cookies + 1]
  return wrk.format("GET", path, {["Cookie"] = "tocsin_session=" .. cookie})
end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local not_ok = 0
  for _, t in ipairs(threads) do not_ok = not_ok + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "not_200": %d, "socket_errors": %d, '
    .. '"p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\\n',
    summary.requests, summary.duration / 1e6, not_ok,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def run_wrk(
    base: str, cookies: list[str], paths: list[str], clients: int, seconds: float
) -> dict[str, float]:
    """One wrk run of ``seconds`` with ``clients`` connections; its figures and CPU time."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = os.environ | {"BENCH_COOKIES": ",".join(cookies), "BENCH_PATHS": ",".join(paths)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    threads = max(1, min(2, clients))
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s"]
        + ["-s", script.name, base],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    result: dict[str, float] = json.loads(line[4:])
    result["cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
    return result


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            fields = (Path("/proc") / str(current) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument(
        "--tool",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator (default: wrk when installed)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    home = args.reuse or Path(tempfile.mkdtemp(prefix="tocsin-load-"))
    settings = Settings(home=home, database_url=args.database_url)
    if args.reuse is None:
        build(settings, args.events)
    else:  # the schema may have moved on since the database was built
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
        if args.database_url:
            env["TOCSIN_DATABASE_URL"] = args.database_url
        tocsin(home, env, "db", "upgrade")
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
        wrk: dict[str, float] = {}
        if args.tool == "wrk":

            async def sign_in_all() -> list[str]:
                async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                    return [await sign_in(client) for _ in range(args.clients)]

            cookies = asyncio.run(sign_in_all())
            run_wrk(base, cookies, paths, args.clients, args.warmup)  # warm-up, not counted
            server_cpu = process_tree_cpu(server.pid)
            wrk = run_wrk(base, cookies, paths, args.clients, args.seconds)
            server_cpu = process_tree_cpu(server.pid) - server_cpu
            generator_cpu = wrk["cpu_s"]
        else:
            start = time.perf_counter()
            warm, until = start + args.warmup, start + args.warmup + args.seconds
            cpu_at: list[float] = []

            async def run_all() -> None:
                async def mark() -> None:
                    await asyncio.sleep(max(warm - time.perf_counter(), 0))
                    cpu_at.extend([process_tree_cpu(server.pid), time.process_time()])

                await asyncio.gather(
                    mark(),
                    *(client_loop(base, paths, until, warm, samples) for _ in range(args.clients)),
                )

            asyncio.run(run_all())
            server_cpu = process_tree_cpu(server.pid) - cpu_at[0]
            generator_cpu = time.process_time() - cpu_at[1]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # the figures are taken: do not lose them
            say("the server did not stop within 30 s; killed")
            server.kill()
            server.wait(timeout=30)
    if wrk:
        results: dict[str, object] = {
            "all": {
                "requests": int(wrk["requests"]),
                "errors": int(wrk["not_200"] + wrk["socket_errors"]),
                "p50_ms": wrk["p50_ms"],
                "p95_ms": wrk["p95_ms"],
                "p99_ms": wrk["p99_ms"],
                "max_ms": wrk["max_ms"],
                "requests_per_s": round(wrk["requests"] / wrk["seconds"], 1),
            }
        }
        n_requests = int(wrk["requests"])
    else:
        results = summarise(samples, args.seconds)
        n_requests = len(samples)
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
        "tool": args.tool,
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(n_requests, 1), 2),
        "generator_cpu_s": round(generator_cpu, 2),
        "results": results,
    }
    text = json.dumps(report, indent=2)
    sys.stdout.write(text + "\n")
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
