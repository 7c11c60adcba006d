"""Benchmark: the full backtest (31 refits) of the EWP replica and of Tocsin's model.

Run: ``uv run python bench/forecast_backtest.py [--jobs 2] [--out results.json]``.
Prints, per model, the seconds taken and every metric for the overall, validation and
test periods (the same numbers ``tocsin forecast backtest --json`` gives), with the
one-minute load average before and after each model's run: wall seconds mean little
without it on a shared machine, CPU seconds much less depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from tocsin.datasets import load
from tocsin.forecast import backtest, build_frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--models", default="ewp-replica,tocsin")
    parser.add_argument("--target", default="any")
    parser.add_argument("--horizon", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    started = time.perf_counter()
    names = ("ewp_panel", "mass_killing", "pts", "freedom_house", "vdem")
    frame = build_frame(
        {name: load(name) for name in names}, target=args.target, horizon=args.horizon
    )
    models: dict[str, dict[str, Any]] = {}
    results: dict[str, Any] = {
        "load_seconds": round(time.perf_counter() - started, 2),
        "load_average": os.getloadavg()[0],
        "models": models,
    }
    for model in args.models.split(","):
        load_before = os.getloadavg()[0]
        result = backtest(
            frame, model=model, target=args.target, horizon=args.horizon, n_jobs=args.jobs
        )
        models[model] = {
            **result.as_dict(),
            "jobs": args.jobs,
            "load_average_before": load_before,
            "load_average_after": os.getloadavg()[0],
        }
        summary = {
            name: (m["n_onsets"], round(m["top30_share_pooled"], 3), round(m["roc_auc"], 3))
            for name, m in result.as_dict()["periods"].items()
        }
        sys.stderr.write(f"{model}: {result.seconds:.1f} s {summary}\n")
    text = json.dumps(results, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
