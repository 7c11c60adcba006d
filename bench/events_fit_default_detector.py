"""Fit the packaged default escalation detector on UCDP GED for the CAR, 1991-2022.

Usage: uv run python bench/events_fit_default_detector.py [../shared]
Writes src/tocsin/events/data/escalation_default.json. The detector (design R of the third
pass: the count model on FEATURES with the penalty chosen on validation, alpha = 1) is
fitted on the next 4 weeks' deaths of every labelled area-week of the CAR file; `monitor
evaluate` scores every other file with it (the "default_detector" line, a test on a
country it never saw) and falls back on it where a file is too short to refit on. It also
stores ``alarm_risk``, the risk above which the detector raised one false alarm per
area-year on those training rows: `monitor run` emits escalation Signals from it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tocsin.events import EscalationDetector, one_false_alarm_threshold, parse_events
from tocsin.events._evaluate import fit_detector, labelled_area_weeks, surge_scores

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared"
    path = shared / "data/events/ucdp/ged231_central_african_republic.geojson"
    frame = parse_events(path.read_bytes(), "ucdp", file_name=path.name).frame
    data, columns = labelled_area_weeks(frame)
    detector = fit_detector(EscalationDetector(), data, columns)
    # the Signals' level: one false alarm per area-year on the training rows (in-sample,
    # so if anything it is too high; no test row is used)
    alarm_risk = one_false_alarm_threshold(
        data["surge"].to_numpy(), surge_scores(detector, data, columns)
    )
    state = detector.to_dict() | {
        "fitted_on": f"{path.name}: {len(data)} area-weeks, {int(data['surge'].sum())} surges",
        "alarm_risk": alarm_risk,
    }
    out = ROOT / "src/tocsin/events/data/escalation_default.json"
    out.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({state['fitted_on']})")  # noqa: T201


if __name__ == "__main__":
    main()
