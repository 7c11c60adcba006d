"""Events on Dask (issue 17): 10 million GDELT-shaped events into the lake, area-weeks out.

Usage:
    uv run python bench/events_dask.py [--events 10000000] [--chunk 1000000]
        [--workers 1,2] [--months 12] [--ingest parse|canonical] [--detect]
        [--shared ../shared] [--lake DIR] [--skip-ingest] [--json FILE]

1. Generates ``--events`` GDELT 1.0 rows, ``--chunk`` at a time, by resampling the real
   GDELT sample (``data/events/gdelt/gdelt1_events_sample.tsv``: actors, CAMEO codes,
   places, tone, mentions and sources of a real row), with a new event id, a date drawn
   uniformly over ``--months`` months ending 2024-12 (GDELT is a stream of recent events)
   and the action's coordinates moved by a small Gaussian step. Columnar (pyarrow): no
   Python loop per row.
2. Parses each chunk with the ordinary importer (``parse_events(..., "gdelt")``) and
   writes it to a new event lake as one import (one file per country and month).
   With ``--ingest canonical`` the real sample is parsed once and its canonical rows are
   resampled the same way instead (new id, date and coordinates; content hashes
   computed again), which leaves out the text parse (measured on its own by
   ``bench/events_scale.py``) and times the lake alone.
3. Aggregates the lake to area-weeks (per country, admin-1 area, week and event type)
   on a ``dask.distributed`` LocalCluster of each ``--workers`` count (worker processes,
   one thread each, over TCP), checks that every count gives the same rows, and with
   ``--detect`` scores escalation risk for every area the same way.

Cluster start and the workers' first imports are timed apart from the work. Every stage
reports wall seconds and events per second; the load average is printed before and
after, since on a shared machine wall time measures the neighbours too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from distributed import Client, LocalCluster

from tocsin.events import (
    EscalationDetector,
    EventLake,
    aggregate_lake,
    content_hashes,
    gdelt_columns,
    lake_escalation_risks,
    parse_events,
)
from tocsin.events._parse import read_text_table

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "data/events/gdelt/gdelt1_events_sample.tsv"
LAST_DAY = pd.Timestamp("2024-12-31")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def _timed(results: dict[str, Any], stage: str, n: int) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu()
    yield
    seconds = time.perf_counter() - wall
    row = {
        "events": n,
        "wall_s": round(seconds, 2),
        "cpu_s_this_process": round(_cpu() - cpu, 2),
        "events_per_s": round(n / seconds) if n else None,
    }
    results[stage] = row
    rate = f"{row['events_per_s']:>11,} events/s" if n else ""
    print(f"{stage:<34} {n:>11,} events  wall {row['wall_s']:>7.2f} s  {rate}", flush=True)  # noqa: T201


def _source_table(path: Path) -> pa.Table:
    names = gdelt_columns(1)
    # backfile rows (before April 2013) have no SOURCEURL field: give them an empty one
    lines = path.read_bytes().rstrip(b"\n").split(b"\n")
    lines = [line + b"\t" if line.count(b"\t") == len(names) - 2 else line for line in lines]
    frame = read_text_table(
        b"\n".join(lines) + b"\n", delimiter="\t", names=names, quoting=False
    ).drop(columns="__line__")
    return pa.Table.from_pandas(frame.astype(object), preserve_index=False).cast(
        pa.schema([(c, pa.string()) for c in frame.columns])
    )


def _resampled_tsv(source: pa.Table, n: int, *, first_id: int, days: int, seed: int) -> bytes:
    """``n`` GDELT 1.0 rows resampled from ``source`` (see the module doc), as TSV bytes."""
    rng = np.random.default_rng(seed)
    table = source.take(pa.array(rng.integers(0, source.num_rows, size=n)))
    day = LAST_DAY - pd.to_timedelta(rng.integers(0, days, size=n), unit="D")
    dates = pd.DatetimeIndex(day)
    columns: dict[str, pa.Array] = {
        "globaleventid": pa.array((first_id + np.arange(n)).astype(str)),
        "sqldate": pa.array(dates.strftime("%Y%m%d").to_numpy(dtype=str)),
        "monthyear": pa.array(dates.strftime("%Y%m").to_numpy(dtype=str)),
        "year": pa.array(dates.year.astype(str).to_numpy(dtype=str)),
        "fractiondate": pa.array(
            np.char.mod("%.4f", dates.year + (dates.day_of_year - 1) / 365.0).astype(str)
        ),
        "dateadded": pa.array(dates.strftime("%Y%m%d").to_numpy(dtype=str)),
    }
    for name, limit in (("actiongeo_lat", 90.0), ("actiongeo_long", 180.0)):
        values = pc.cast(pc.if_else(pc.equal(table[name], ""), None, table[name]), pa.float64())
        moved = np.clip(
            values.to_numpy(zero_copy_only=False) + rng.normal(0, 0.05, size=n), -limit, limit
        )
        text = pa.array(np.char.mod("%.4f", moved).astype(str))
        columns[name] = pc.if_else(pc.is_null(values), "", text)
    fields = [pc.fill_null(columns.get(name, table[name]), "") for name in table.column_names]
    lines = pc.binary_join_element_wise(*fields, "\t")
    return ("\n".join(lines.to_pylist()) + "\n").encode()


def _resampled_canonical(
    source: pd.DataFrame, n: int, *, first_id: int, days: int, seed: int
) -> pd.DataFrame:
    """``n`` canonical events resampled from the parsed real ``source`` (see the doc)."""
    rng = np.random.default_rng(seed)
    out = source.iloc[rng.integers(0, len(source), size=n)].reset_index(drop=True)
    day = (LAST_DAY - pd.to_timedelta(rng.integers(0, days, size=n), unit="D")).astype(
        "datetime64[ns]"
    )
    out["start_date"] = day
    out["end_date"] = day
    ids = pd.Series((first_id + np.arange(n)).astype(str), dtype=object)
    out["source_event_id"] = ids
    out["uid"] = out["dataset"].astype(str) + ":" + ids.astype(str)
    for column, limit in (("latitude", 90.0), ("longitude", 180.0)):
        moved = out[column].to_numpy(dtype=float) + rng.normal(0, 0.05, size=n)
        out[column] = np.clip(np.round(moved, 4), -limit, limit)
    out["import_line"] = pd.array(np.arange(1, n + 1), dtype="Int64")
    out["content_sha"] = content_hashes(out)
    return out


def _worker_cpu() -> float:
    return _cpu()


def _workers_cpu(client: Client) -> float:
    return float(sum(client.run(_worker_cpu).values()))


def _save(results: dict[str, Any], out: Path) -> None:
    # after every stage, so that a run cut short still leaves its figures
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def _cluster_stage(
    lake: EventLake, n_workers: int, n_events: int, results: dict[str, Any], detect: bool
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    label = f"{n_workers} worker{'s' if n_workers > 1 else ''}"
    with _timed(results, f"start cluster ({label})", 0):
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            protocol="tcp",
            dashboard_address=None,
            memory_limit=0,
        )
        client = Client(cluster, set_as_default=False)
        # the workers' first import of the analysis code is start-up, not aggregation
        client.run(__import__, "tocsin.events._distributed")
    risks = None
    try:
        n_tasks = max(4 * n_workers, 8)
        before = _workers_cpu(client)
        with _timed(results, f"aggregate area-weeks ({label})", n_events):
            weekly = aggregate_lake(lake, scheduler=client, n_tasks=n_tasks)
        results[f"aggregate area-weeks ({label})"] |= {
            "rows": len(weekly),
            "n_tasks": n_tasks,
            "cpu_s_workers": round(_workers_cpu(client) - before, 2),
        }
        if detect:
            before = _workers_cpu(client)
            with _timed(results, f"escalation risks ({label})", n_events):
                risks = lake_escalation_risks(
                    lake, EscalationDetector.default(), scheduler=client, n_tasks=n_tasks
                )
            results[f"escalation risks ({label})"] |= {
                "areas": len(risks),
                "cpu_s_workers": round(_workers_cpu(client) - before, 2),
            }
    finally:
        client.close()
        cluster.close()
    return weekly, risks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--detect", action="store_true")
    parser.add_argument("--ingest", choices=("parse", "canonical"), default="parse")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--lake", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--skip-ingest", action="store_true", help="use the events already in --lake"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "events": args.events,
        "chunk": args.chunk,
        "months": args.months,
        "ingest_path": args.ingest,
        "load_before": os.getloadavg(),
    }
    print(f"{results['machine']}, load average before {results['load_before']}")  # noqa: T201
    out = args.json or ROOT / "bench" / "results" / f"events_dask_{datetime.now(UTC):%Y-%m-%d}.json"
    source = _source_table(args.shared / SOURCE)
    real = parse_events(
        (args.shared / SOURCE).read_bytes(), "gdelt", file_name=SOURCE.rsplit("/", 1)[-1]
    ).frame
    days = round(args.months * 30.44)
    with tempfile.TemporaryDirectory(prefix="tocsin-events-dask-") as folder:
        lake = EventLake(args.lake or Path(folder) / "lake")
        totals = {"generate": 0.0, "parse": 0.0, "write": 0.0}
        n_stored, n_files = 0, 0
        wall = time.perf_counter()
        chunks = [] if args.skip_ingest else range(0, args.events, args.chunk)
        for index, start in enumerate(chunks):
            n = min(args.chunk, args.events - start)
            t0 = time.perf_counter()
            seed, first_id = args.seed + index, 10**9 + start
            if args.ingest == "canonical":
                frame = _resampled_canonical(real, n, first_id=first_id, days=days, seed=seed)
                t1 = t2 = time.perf_counter()
                written = lake.write(frame, import_key=f"synthetic-{args.seed}-{index:03d}")
                n_problems = 0
            else:
                data = _resampled_tsv(source, n, first_id=first_id, days=days, seed=seed)
                t1 = time.perf_counter()
                parsed = parse_events(data, "gdelt", file_name=f"synthetic_{index:03d}.tsv")
                del data
                t2 = time.perf_counter()
                written = lake.write(parsed)
                n_problems = len(parsed.problems)
                del parsed
            t3 = time.perf_counter()
            totals["generate"] += t1 - t0
            totals["parse"] += t2 - t1
            totals["write"] += t3 - t2
            n_stored += written.n_rows
            n_files += written.n_files
            print(  # noqa: T201
                f"chunk {index}: {n:,} rows, {n_problems} problems, "
                f"{written.n_files:,} files; generate {t1 - t0:.1f} s, parse {t2 - t1:.1f} s, "
                f"write {t3 - t2:.1f} s",
                flush=True,
            )
        if args.skip_ingest:
            n_stored = sum(int(str(r["n_rows"])) for r in lake.imports())
            results["events"] = n_stored
        ingest = time.perf_counter() - wall
        results["ingest"] = {
            "events": args.events,
            "events_stored": n_stored,
            "files": n_files,
            "lake_mib": round(sum(f.stat().st_size for f in lake.files()) / 2**20, 1),
            "countries": len(lake.countries()),
            "wall_s": round(ingest, 2),
            "events_per_s": None if args.skip_ingest else round(args.events / ingest),
            **{f"{k}_s": round(v, 2) for k, v in totals.items()},
            "parse_events_per_s": round(args.events / totals["parse"]) if totals["parse"] else None,
            "write_events_per_s": round(args.events / totals["write"]) if totals["write"] else None,
        }
        print(json.dumps(results["ingest"]), flush=True)  # noqa: T201
        _save(results, out)
        outcomes = {}
        for n_workers in [int(w) for w in args.workers.split(",")]:
            outcomes[n_workers] = _cluster_stage(lake, n_workers, n_stored, results, args.detect)
            _save(results, out)
        first_weekly, first_risks = next(iter(outcomes.values()))
        for weekly, risks in outcomes.values():
            pd.testing.assert_frame_equal(weekly, first_weekly)
            if risks is not None and first_risks is not None:
                pd.testing.assert_frame_equal(risks, first_risks)
        results["same_results_for_every_worker_count"] = True
    results["load_after"] = os.getloadavg()
    print(f"load average after {results['load_after']}")  # noqa: T201
    _save(results, out)
    print(f"results in {out}")  # noqa: T201


if __name__ == "__main__":
    main()
