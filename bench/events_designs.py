"""Validate and test the escalation detector's designs (docs/methodology/escalation.md).

Usage: uv run python bench/events_designs.py validate|test [../shared] [DESIGN ...]

With DESIGN names (or their first letters and words, e.g. "H decay") only the designs
whose name starts with one of them are run.

``validate`` prints V1 (CAR GED before 2010, rolling origin, validation years 2006-2009)
and V2 (fitted on the CAR GED before 2010, scored on the ACLED 2022 H1 sample) for every
design of the split plan. ``test`` scores the test periods once: the CAR GED 2010-2022
(rolling origin), the CAR scored by a detector fitted on the ACLED sample alone, and each
ACLED country with a surge scored by a detector fitted on the CAR and the other countries.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tocsin.events import EscalationDetector, evaluate_escalation, parse_events
from tocsin.events._escalation import (
    HAWKES_FEATURES,
    LEGACY_FEATURES,
    RELATIVE_FEATURES,
    TRANSFER_FEATURES,
    TWO_PART_FEATURES,
    CalibratedTwoPartDetector,
    LogisticSurgeDetector,
    TwoPartEscalationDetector,
)
from tocsin.events._evaluate import (
    EscalationEvaluation,
    _lead_times,
    fit_detector,
    label_window_end,
    labelled_area_weeks,
    score_test,
    surge_scores,
)

ROOT = Path(__file__).resolve().parents[1]
DESIGNS: dict[str, tuple[list[str], Callable[[], Any]]] = {
    "L logistic (C=0.01)": (LEGACY_FEATURES, partial(LogisticSurgeDetector, C=0.01)),
    "T logistic (C=0.01)": (TRANSFER_FEATURES, partial(LogisticSurgeDetector, C=0.01)),
    "T logistic (C=0.1)": (TRANSFER_FEATURES, partial(LogisticSurgeDetector, C=0.1)),
    "T logistic (C=1)": (TRANSFER_FEATURES, partial(LogisticSurgeDetector, C=1.0)),
    "O count (alpha=0.1)": (TRANSFER_FEATURES, partial(EscalationDetector, alpha=0.1)),
    "O count (alpha=1)": (TRANSFER_FEATURES, partial(EscalationDetector, alpha=1.0)),
    "O count (alpha=10)": (TRANSFER_FEATURES, partial(EscalationDetector, alpha=10.0)),
    "O count (alpha=100)": (TRANSFER_FEATURES, partial(EscalationDetector, alpha=100.0)),
    # third pass (2026-12-03), fixed in docs/methodology/escalation.md before fitting
    **{
        f"H decay (alpha={a:g})": (HAWKES_FEATURES, partial(EscalationDetector, alpha=a))
        for a in (1.0, 10.0, 100.0)
    },
    **{
        f"R relative (alpha={a:g})": (RELATIVE_FEATURES, partial(EscalationDetector, alpha=a))
        for a in (1.0, 10.0, 100.0)
    },
    **{
        f"N two-part (alpha={a:g})": (
            TWO_PART_FEATURES,
            partial(TwoPartEscalationDetector, alpha=a),
        )
        for a in (1.0, 10.0, 100.0)
    },
    # fourth pass (2026-12-03), fixed in docs/methodology/escalation.md before fitting
    **{
        f"C calibrated two-part (alpha={a:g})": (
            TWO_PART_FEATURES,
            partial(CalibratedTwoPartDetector, alpha=a),
        )
        for a in (1.0, 10.0)
    },
}


def _read(path: Path, fmt: str) -> pd.DataFrame:
    return parse_events(path.read_bytes(), fmt, file_name=path.name).frame


def _fit(
    frames: list[pd.DataFrame],
    columns: list[str],
    make: Callable[[], Any],
    before: str | None = None,
) -> Any:
    parts = []
    for frame in frames:
        data, x = labelled_area_weeks(frame, columns=columns)
        if before is not None:
            data = data[label_window_end(data["week"]) <= pd.Timestamp(before)]
        parts.append(data)
    data = pd.concat(parts, ignore_index=True)
    return fit_detector(make(), data, x)


def _row(label: str, evaluation: EscalationEvaluation) -> dict[str, object]:
    m = {x.name: x for x in evaluation.metrics}
    best = max(m["persistence"].pr_auc, m["trailing_mean"].pr_auc)
    d = m["detector"]
    return {
        "what": label,
        "n_test": evaluation.n_test,
        "surges": evaluation.n_test_surges,
        "new_area_surges": evaluation.n_test_new_area_surges,
        "new_area_episodes": evaluation.n_test_new_area_episodes,
        "pr_auc": round(d.pr_auc, 3),
        "persistence": round(m["persistence"].pr_auc, 3),
        "trailing": round(m["trailing_mean"].pr_auc, 3),
        "ratio": round(d.pr_auc / best, 2) if best > 0 else None,
        "roc_auc": round(d.roc_auc, 3),
        "recall": round(d.recall_at_1_false_alarm_per_area_year, 3),
        "recall_persistence": round(m["persistence"].recall_at_1_false_alarm_per_area_year, 3),
        "new_area_recall": round(d.new_area_recall, 3),
        "new_area_early": d.new_area_episodes_detected_early,
        "new_area_lead": d.new_area_median_lead_weeks,
        "lead": d.median_lead_weeks,
    }


def main() -> None:
    mode = sys.argv[1]
    shared = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    car = _read(shared / "data/events/ucdp/ged231_central_african_republic.geojson", "ucdp")
    acled = _read(shared / "data/events/acled/acled_sample_2022h1_global.csv", "acled")
    wanted = sys.argv[3:]
    rows = []
    for name, (columns, make) in DESIGNS.items():
        if wanted and not any(name.startswith(w) for w in wanted):
            continue
        start = time.perf_counter()
        if mode == "validate":
            early = car[car["start_date"] < pd.Timestamp("2010-01-01")]
            v1 = evaluate_escalation(
                early, detector="refit", min_train_surges=1, make_detector=make, columns=columns
            )
            rows.append({"design": name} | _row("V1 CAR 2006-2009", v1))
            fitted = _fit([car], columns, make, before="2010-01-01")
            v2 = evaluate_escalation(acled, detector=fitted, columns=columns)
            rows.append({"design": name} | _row("V2 CAR<2010 -> ACLED", v2))
        else:
            test = evaluate_escalation(car, detector="refit", make_detector=make, columns=columns)
            rows.append({"design": name} | _row("T-a CAR 2010-2022 rolling", test))
            from_acled = _fit([acled], columns, make)
            # score only 2010-2022 so (a) and (b) cover the same weeks
            data, x = labelled_area_weeks(car, columns=columns)
            data = data[data["week"].dt.year >= 2010]
            scores = surge_scores(from_acled, data, x)
            metrics = score_test(data, scores)
            rows.append({"design": name} | _row("T-b ACLED -> CAR 2010-2022", _wrap(data, metrics)))
            acled_data, x = labelled_area_weeks(acled, columns=columns)
            pooled_scores = np.full(len(acled_data), np.nan)
            for iso3 in sorted(acled_data.loc[acled_data["surge"] == 1, "iso3"].unique()):
                others = acled[acled["iso3"] != iso3]
                fitted = _fit([car, others], columns, make)
                rows_c = (acled_data["iso3"] == iso3).to_numpy()
                pooled_scores[rows_c] = surge_scores(fitted, acled_data[rows_c], x)
            held = ~np.isnan(pooled_scores)
            metrics = score_test(acled_data[held], pooled_scores[held])
            rows.append({"design": name} | _row("T-c ACLED LOCO", _wrap(acled_data[held], metrics)))
        print(name, f"{time.perf_counter() - start:.1f}s", file=sys.stderr)  # noqa: T201
    print(json.dumps(rows, indent=1))  # noqa: T201


def _wrap(data: pd.DataFrame, metrics: list[Any]) -> EscalationEvaluation:
    n_new, _, _ = _lead_times(data, np.zeros(len(data), dtype=bool), new_area_only=True)
    return EscalationEvaluation(
        cutoff_week="",
        n_areas=int(data["area"].nunique()),
        n_train=0,
        n_train_surges=0,
        n_test=len(data),
        n_test_surges=int(data["surge"].sum()),
        n_test_episodes=0,
        n_test_new_area_surges=int((data["new_area"] & (data["surge"] == 1)).sum()),
        n_test_new_area_episodes=n_new,
        area_years=len(data) / 52,
        detector_source="",
        metrics=metrics,
    )


if __name__ == "__main__":
    main()
