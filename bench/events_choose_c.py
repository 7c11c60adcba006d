"""Choose the escalation detector's penalty C by validation inside the training period.

Usage: uv run python bench/events_choose_c.py [../shared] [--test]

Uses only the CAR GED events before 2010 (the training period of the CAR evaluation):
a rolling-origin evaluation over them (test years from the first with 10 earlier surges)
for each C of a set fixed in advance. With --test it then scores the evaluation's test
period (2010-2022) once with the C chosen. See docs/methodology/escalation.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from tocsin.events import evaluate_escalation, parse_events

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = (0.01, 0.1, 1.0)


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    shared = Path(arguments[0]) if arguments else ROOT.parent / "shared"
    path = shared / "data/events/ucdp/ged231_central_african_republic.geojson"
    frame = parse_events(path.read_bytes(), "ucdp", file_name=path.name).frame
    training = frame[frame["start_date"] < pd.Timestamp("2010-01-01")]
    results = {}
    for C in CANDIDATES:  # noqa: N806 - scikit-learn's name
        evaluation = evaluate_escalation(training, detector="refit", min_train_surges=10, C=C)
        pr_auc = {m.name: round(m.pr_auc, 4) for m in evaluation.metrics}
        results[C] = pr_auc["detector"]
        print(  # noqa: T201
            f"validation C={C}: from {evaluation.cutoff_week}, {evaluation.n_test_surges} surge "
            f"weeks; PR AUC {pr_auc}"
        )
    chosen = max(results, key=lambda c: results[c])
    print(f"chosen C={chosen}")  # noqa: T201
    if "--test" in sys.argv:
        evaluation = evaluate_escalation(frame, detector="refit", C=chosen)
        pr_auc = {m.name: round(m.pr_auc, 4) for m in evaluation.metrics}
        ratio = evaluation.ratio_to_best_baseline()
        print(f"test from {evaluation.cutoff_week}: PR AUC {pr_auc}, ratio {ratio:.3f}")  # noqa: T201


if __name__ == "__main__":
    main()
