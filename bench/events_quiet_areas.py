"""Diagnostic: does the detector rank quiet areas at all? (docs/methodology/escalation.md)

Usage: uv run python bench/events_quiet_areas.py [../shared]

On the CAR GED test weeks (2010-2022, rolling origin, the shipped design) it keeps only the
area-weeks with no one-sided deaths in the 12 weeks up to t (where persistence is 0 and
has no order) and reports the detector's PR AUC there against the share of surges (what
a random order scores), and its recall if quiet areas had an alarm budget of their own
of one false alarm per quiet area-year. It chooses nothing: the shipped detector stays
the one validation chose.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from tocsin.events import EscalationDetector, parse_events
from tocsin.events._evaluate import (
    fit_detector,
    label_window_end,
    labelled_area_weeks,
    surge_scores,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
    path = shared / "data/events/ucdp/ged231_central_african_republic.geojson"
    frame = parse_events(path.read_bytes(), "ucdp", file_name=path.name).frame
    data, columns = labelled_area_weeks(frame)
    scores = np.full(len(data), np.nan)
    for year in range(2010, int(data["week"].dt.year.max()) + 1):
        train = data[label_window_end(data["week"]) <= pd.Timestamp(year, 1, 1)]
        rows = (data["week"].dt.year == year).to_numpy()
        model = fit_detector(EscalationDetector(), train, columns)
        scores[rows] = surge_scores(model, data[rows], columns)
    test = ~np.isnan(scores)
    quiet = test & data["new_area"].to_numpy()
    y = data.loc[quiet, "surge"].to_numpy().astype(int)
    s = scores[quiet]
    allowed = int(len(y) / 52)
    negatives = np.sort(s[y == 0])[::-1]
    threshold = negatives[allowed] if allowed < len(negatives) else -np.inf
    print(  # noqa: T201
        json.dumps(
            {
                "quiet_area_weeks": int(quiet.sum()),
                "quiet_surge_weeks": int(y.sum()),
                "share_of_surges (random PR AUC)": round(float(y.mean()), 4),
                "detector_pr_auc": round(float(average_precision_score(y, s)), 4),
                "detector_roc_auc": round(float(roc_auc_score(y, s)), 3),
                "own_budget_false_alarms": allowed,
                "recall_with_own_budget": round(float((s[y == 1] > threshold).mean()), 3),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
