"""Speed of `tocsin monitor evaluate` and of the `monitor run` pipeline (issue 13).

Usage: uv run python bench/events_monitor_speed.py [--events 16500] [--run-events 1000000]
    [--store-events 0] [--shared ../shared]

1. Writes a UCDP GED file of ``--events`` events resampled from the CAR GED
   (tocsin.events.scale_event_file: real rows, dates shifted by up to two years,
   coordinates jittered by up to 0.05 degrees) and times the CLI on it as a user runs it:
   ``tocsin monitor evaluate --events FILE --format ucdp --json``, in a fresh process,
   twice (the first run also writes Python's bytecode cache, as any first run does).
2. Times the analysis of ``monitor run`` on ``--run-events`` events held in memory
   (half resampled from the CAR GED, half from the ACLED sample): areas from the
   gazetteer, panel, features, packaged detector, Signals. Loading the events from the
   database is not part of it (see the events-at-scale benchmark for that).

3. With ``--store-events N``: imports N resampled events (half CAR GED, half ACLED) into
   a new SQLite database with ``tocsin events import`` and times ``tocsin monitor run
   --json`` on them, end to end (load from the database, analysis, Signals, alerts).

Wall and CPU seconds are printed with the 1-minute load average before and after: on a
shared machine wall time measures the neighbours too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from tocsin.events import (
    EscalationDetector,
    escalation_risks,
    escalation_signals,
    parse_events,
    scale_event_file,
)

ROOT = Path(__file__).resolve().parents[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _stored_run(car: bytes, acled: bytes, n: int) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    tocsin = [str(Path(sys.executable).parent / "tocsin")]
    with tempfile.TemporaryDirectory() as folder:
        home = ["--data-dir", str(Path(folder) / "home")]
        subprocess.run([*tocsin, *home, "db", "upgrade"], env=environment, check=True)
        halves = [("ucdp", car, n // 2), ("acled", acled, n - n // 2)]
        import_wall = 0.0
        for fmt, data, count in halves:
            path = Path(folder) / f"{fmt}.csv"
            path.write_bytes(scale_event_file(data, fmt, count, file_name=fmt))  # type: ignore[arg-type]
            start = time.perf_counter()
            command = [*tocsin, *home, "events", "import", str(path), "--format", fmt]
            subprocess.run(command, env=environment, check=True, capture_output=True)
            import_wall += time.perf_counter() - start
        cpu = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(
            [*tocsin, *home, "monitor", "run", "--json"],
            env=environment,
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
        run = json.loads(done.stdout)
    return {
        "events": n,
        "import_wall_s": round(import_wall, 2),
        "wall_s": round(wall, 2),
        "cpu_s": round(_children_cpu() - cpu, 2),
        "areas": run["n_areas"],
        "signals": run["n_signals"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=16_500)
    parser.add_argument("--run-events", type=int, default=1_000_000)
    parser.add_argument("--store-events", type=int, default=0)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    car_path = args.shared / "data/events/ucdp/ged231_central_african_republic.geojson"
    acled_path = args.shared / "data/events/acled/acled_sample_2022h1_global.csv"
    car = car_path.read_bytes()
    results: dict[str, object] = {"load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder:
        scaled = Path(folder) / "ucdp_scaled.csv"
        scaled.write_bytes(scale_event_file(car, "ucdp", args.events, file_name=car_path.name))
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        command = [str(Path(sys.executable).parent / "tocsin"), "monitor", "evaluate"]
        command += ["--events", str(scaled), "--format", "ucdp", "--json"]
        for attempt in ("first", "second"):
            cpu = _children_cpu()
            start = time.perf_counter()
            done = subprocess.run(command, env=environment, capture_output=True, check=True)
            wall = time.perf_counter() - start
            evaluation = json.loads(done.stdout)
            results[f"evaluate_{attempt}"] = {
                "events": args.events,
                "wall_s": round(wall, 2),
                "cpu_s": round(_children_cpu() - cpu, 2),
                "test_area_weeks": evaluation["n_test"],
            }
    half = args.run_events // 2
    frames = [
        parse_events(scale_event_file(car, "ucdp", half, file_name="car"), "ucdp", file_name="a"),
        parse_events(
            scale_event_file(
                acled_path.read_bytes(), "acled", args.run_events - half, file_name="b"
            ),
            "acled",
            file_name="b",
        ),
    ]
    frame = pd.concat([f.frame for f in frames], ignore_index=True)
    detector = EscalationDetector.default()
    cpu = _self_cpu()
    start = time.perf_counter()
    risks = escalation_risks(frame, detector)
    last = pd.Timestamp(frame["start_date"].max()).date()
    signals = escalation_signals(risks, min_risk=0.5, data_end=last, raised=date.today())
    results["run_analysis"] = {
        "events": len(frame),
        "areas": len(risks),
        "signals": len(signals),
        "wall_s": round(time.perf_counter() - start, 2),
        "cpu_s": round(_self_cpu() - cpu, 2),
    }
    if args.store_events:
        results["monitor_run"] = _stored_run(car, acled_path.read_bytes(), args.store_events)
    results["load_after"] = os.getloadavg()[0]
    print(json.dumps(results, indent=1))  # noqa: T201


if __name__ == "__main__":
    main()
