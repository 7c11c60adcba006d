"""Fit the packaged default escalation detector on UCDP GED for the CAR, 1991-2022.

Usage: uv run python bench/events_fit_default_detector.py [../shared]
Writes src/tocsin/events/data/escalation_default.json. The detector is fitted on every
labelled area-week of the CAR file; `monitor evaluate` uses it only on files too short to
learn from (e.g. the ACLED sample), where it is a test on unseen data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tocsin.events import (
    EscalationDetector,
    area_week_panel,
    escalation_features,
    parse_events,
    surge_labels,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
    path = shared / "data/events/ucdp/ged231_central_african_republic.geojson"
    frame = parse_events(path.read_bytes(), "ucdp", file_name=path.name).frame
    panel = area_week_panel(frame)
    labels = surge_labels(panel)
    known = labels["surge"].notna()
    X = escalation_features(panel)[known].to_numpy()
    y = labels.loc[known, "surge"].to_numpy()
    detector = EscalationDetector().fit(X, y)
    state = detector.to_dict() | {
        "fitted_on": f"{path.name}: {int(known.sum())} area-weeks, {int(y.sum())} surges"
    }
    out = ROOT / "src/tocsin/events/data/escalation_default.json"
    out.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({state['fitted_on']})")  # noqa: T201


if __name__ == "__main__":
    main()
