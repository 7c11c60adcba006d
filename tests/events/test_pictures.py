"""Pictures from real imported events: a country's timeline and the escalation-risk map."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.events import (
    EVENT_FAMILIES,
    EVENT_TYPES,
    EscalationDetector,
    escalation_risks,
    event_family,
    import_events,
    load_events_frame,
    parse_events,
    plot_escalation_map,
    plot_event_timeline,
)
from tocsin.store import Database

PNG = b"\x89PNG\r\n\x1a\n"


def _imported(db: Database, events_data: Path) -> pd.DataFrame:
    now = datetime.now(UTC)
    for name, fmt in (
        ("ucdp_ged231_caf_2014.geojson", "ucdp"),
        ("acled_2022h1_slice.csv", "acled"),
    ):
        parsed = parse_events((events_data / name).read_bytes(), fmt, file_name=name)
        with db.session() as session:
            import_events(session, parsed, now=now)
    with db.session() as session:
        return load_events_frame(session)


def test_every_event_type_has_a_family_drawn_in_the_timeline() -> None:
    assert {event_family(t.value) for t in EVENT_TYPES} <= set(EVENT_FAMILIES)


def test_timeline_of_imported_events(db: Database, events_data: Path, tmp_path: Path) -> None:
    frame = _imported(db, events_data)
    svg = plot_event_timeline(frame, "CAF", tmp_path / "caf.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text
    # the families present in CAF's events are in the legend, the others are not
    families = {event_family(t) for t in frame.loc[frame["iso3"] == "CAF", "event_type"]}
    for family in EVENT_FAMILIES:
        assert (f"<!-- {family} -->" in text) == (family in families)
    assert "<!-- civilians killed (one-sided) -->" in text
    again = plot_event_timeline(frame, "CAF", tmp_path / "again.svg")
    assert again.read_bytes() == svg.read_bytes()  # same data, same file
    png = plot_event_timeline(frame, "CAF", tmp_path / "caf.png")
    assert png.read_bytes()[:8] == PNG and png.stat().st_size > 10_000
    with pytest.raises(ValueError, match="no events for ATA"):
        plot_event_timeline(frame, "ATA", tmp_path / "ata.svg")
    with pytest.raises(ValueError, match="svg"):
        plot_event_timeline(frame, "CAF", tmp_path / "caf.pdf")


def test_risk_map_of_imported_events(db: Database, events_data: Path, tmp_path: Path) -> None:
    frame = _imported(db, events_data)
    caf = frame[frame["iso3"] == "CAF"]
    risks = escalation_risks(caf, EscalationDetector.default())
    path = plot_escalation_map(caf, risks, "CAF", tmp_path / "map.svg", label_top=3)
    text = path.read_text(encoding="utf-8")
    top = risks[risks["admin1"] != "(unknown)"].head(3)
    for _, row in top.iterrows():
        # the highest-risk areas are labelled with their risk
        label = f"{row['admin1']} {row['risk']:.0%}"
        assert f"<!-- {label} -->" in text
    assert "no boundaries" in text
    assert re.search(r"<!-- events \(\d[\d,]*\) -->", text)
    png = plot_escalation_map(caf, risks, "CAF", tmp_path / "map.png")
    assert png.read_bytes()[:8] == PNG


def test_cli_pictures(tmp_path: Path, events_data: Path) -> None:
    runner = CliRunner()
    home = ["--data-dir", str(tmp_path / "home")]
    assert runner.invoke(app, [*home, "db", "upgrade"]).exit_code == 0
    geo = str(events_data / "ucdp_ged231_caf_2014.geojson")
    imported = runner.invoke(app, [*home, "events", "import", geo, "--format", "ucdp", "--json"])
    assert json.loads(imported.output)["n_added"] == 200
    for kind, name in (("timeline", "t.svg"), ("map", "m.png")):
        out = tmp_path / name
        result = runner.invoke(
            app, [*home, "events", "picture", kind, "--country", "caf", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 5_000
    missing = runner.invoke(
        app,
        [*home, "events", "picture", "map", "--country", "NOR", "--out", str(tmp_path / "n.svg")],
    )
    assert missing.exit_code == 1 and "no events for NOR" in str(missing.exception)
    wrong = runner.invoke(
        app,
        [*home, "events", "picture", "map", "--country", "CAF", "--out", str(tmp_path / "n.gif")],
    )
    assert wrong.exit_code == 1
