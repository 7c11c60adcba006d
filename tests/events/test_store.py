"""Importing into the store, on SQLite and PostgreSQL: atomic, idempotent, versioned."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tocsin.errors import DataFileError
from tocsin.events import (
    Act,
    Actor,
    Event,
    EventType,
    Fatalities,
    count_events,
    event_history,
    import_events,
    list_events,
    load_events_frame,
    parse_events,
    record_field_events,
)
from tocsin.store import Database

NOW = datetime(2025, 1, 1, tzinfo=UTC)
LATER = datetime(2025, 2, 1, tzinfo=UTC)


def _acled(events_data: Path) -> bytes:
    return (events_data / "acled_2022h1_slice.csv").read_bytes()


def test_same_file_twice_adds_nothing(db: Database, events_data: Path) -> None:
    data = (events_data / "ucdp_ged231_caf_2014.geojson").read_bytes()
    with db.session() as session:
        first = import_events(session, parse_events(data, "ucdp", file_name="g"), now=NOW)
    with db.session() as session:
        second = import_events(session, parse_events(data, "ucdp", file_name="g"), now=LATER)
        assert count_events(session) == 200
    assert (first.n_added, first.already_imported) == (200, False)
    assert (second.n_added, second.already_imported, second.import_id) == (
        0,
        True,
        first.import_id,
    )


def test_overlapping_file_adds_only_new_records(db: Database, events_data: Path) -> None:
    with db.session() as session:
        csv = (events_data / "ucdp_ged231_caf_2014.csv").read_bytes()
        import_events(session, parse_events(csv, "ucdp", file_name="c"), now=NOW)
    with db.session() as session:
        geo = (events_data / "ucdp_ged231_caf_2014.geojson").read_bytes()
        summary = import_events(session, parse_events(geo, "ucdp", file_name="g"), now=LATER)
        assert count_events(session) == 200
    assert (summary.n_added, summary.n_updated, summary.n_unchanged) == (80, 0, 120)


def test_newer_version_updates_and_keeps_history(db: Database, events_data: Path) -> None:
    data = _acled(events_data)
    with db.session() as session:
        import_events(session, parse_events(data, "acled", file_name="a"), now=NOW)
    text = data.decode()
    # ACLED revises a record: more fatalities, a new timestamp.
    old_line = next(line for line in text.splitlines() if line.startswith("UGA7752,"))
    new_line = old_line.replace(",1,,1646077433", ",3,,1650000000")
    assert new_line != old_line
    revised = text.replace(old_line, new_line).encode()
    with db.session() as session:
        summary = import_events(session, parse_events(revised, "acled", file_name="a2"), now=LATER)
    assert (summary.n_added, summary.n_updated, summary.n_unchanged) == (0, 1, 309)
    with db.session() as session:
        [event] = [e for e in list_events(session, iso3="UGA") if e.source_event_id == "UGA7752"]
        assert event.acts[0].fatalities.best == 3 and event.version == "1650000000"
        [old] = event_history(session, "acled:UGA7752")
        assert old["revision"] == 1 and old["content"]["fatalities_best"] == 1
        frame = load_events_frame(session, iso3="UGA")
        assert frame.loc[frame["uid"] == "acled:UGA7752", "import_id"].item() == summary.import_id


def test_bad_file_is_refused_and_the_store_unchanged(db: Database, events_data: Path) -> None:
    text = _acled(events_data).decode().splitlines()
    text[2] = text[2].replace("Peaceful protest", "Picnic")
    text[9] = text[9].replace(",2022-", ",20x2-", 1)
    parsed = parse_events(("\n".join(text) + "\n").encode(), "acled", file_name="bad.csv")
    with pytest.raises(DataFileError) as error, db.session() as session:
        import_events(session, parsed, now=NOW)
    assert [p.line for p in error.value.problems] == [3, 10]
    with db.session() as session:
        assert count_events(session) == 0
    with db.session() as session:
        summary = import_events(session, parsed, now=NOW, skip_invalid=True)
        assert count_events(session) == 308
    assert summary.n_rejected == 2


def test_a_failure_midway_rolls_back_everything(db: Database, events_data: Path) -> None:
    parsed = parse_events(_acled(events_data), "acled", file_name="a")

    def fail(done: int) -> None:
        if done >= 300:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError), db.session() as session:
        import_events(session, parsed, now=NOW, progress=fail)
    with db.session() as session:
        assert count_events(session) == 0
    with db.session() as session:
        assert import_events(session, parsed, now=NOW).n_added == 310


def test_field_reports_through_the_python_api(db: Database) -> None:
    report = Event(
        dataset="field",
        source_event_id="CAF-2024-0007",
        start_date=date(2024, 3, 2),
        iso3="CAF",
        admin1="Ouaka",
        acts=[
            Act(
                type=EventType.KILLING,
                perpetrator=Actor(name="armed group", kind="militia"),
                victim=Actor(kind="civilians", group="Fulani"),
                fatalities=Fatalities(best=4, civilians=4),
            ),
            Act(type=EventType.FORCED_DISPLACEMENT, victim=Actor(kind="civilians")),
        ],
    )
    with db.session() as session:
        first = record_field_events(session, [report], now=NOW, reporter="monitor-7")
    with db.session() as session:
        again = record_field_events(session, [report], now=LATER, reporter="monitor-7")
        [stored] = list_events(session, datasets=["field"])
    assert (first.n_added, again.already_imported) == (1, True)
    assert [a.type for a in stored.acts] == ["killing", "forced_displacement"]
    assert stored.acts[0].victim.group == "Fulani"
