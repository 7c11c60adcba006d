"""Searching events: notes, actors and places found on SQLite and PostgreSQL, the index kept
current by every write, filled for events stored before it existed, and field reports'
events left to the incident reports' search."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from tocsin.events import (
    Act,
    Actor,
    ActorKind,
    Event,
    EventType,
    record_field_events,
    search_events,
)
from tocsin.store import Database
from tocsin.web import SearchQuery

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def event(dataset: str, ident: str, notes: str, *, location: str = "Bambari") -> Event:
    return Event(
        dataset=dataset,
        source_event_id=ident,
        start_date=date(2024, 5, 1),
        iso3="CAF",
        location=location,
        acts=[
            Act(
                type=EventType.KILLING,
                perpetrator=Actor(name="Kodro militia", kind=ActorKind.MILITIA),
                victim=Actor(kind=ActorKind.CIVILIANS, group="Peuhl herders"),
            )
        ],
        notes=notes,
    )


def found(db: Database, q: str) -> list[str]:
    with db.session() as session:
        return [row.source_event_id for row, _ in search_events(session, SearchQuery.parse(q))]


def test_words_are_found_best_first_and_the_index_follows_changes(db: Database) -> None:
    # an event stored before the index existed is found once the migration made it
    db.downgrade("events_0001_create_tables")
    with db.session() as session:
        record_field_events(
            session, [event("acled", "b1", "Before the index")], now=NOW, reporter="t"
        )
    db.upgrade()
    assert found(db, "before index") == ["b1"]
    with db.session() as session:
        record_field_events(
            session,
            [
                event("acled", "a1", "Attack on the Ngakobo market; Ngakobo burned."),
                event("acled", "a2", "Clashes on the road at night.", location="Ngakobo"),
                event("ucdp", "u1", "Élections à Bangassou", location="Bangassou"),
                event("field", "f1", "Ngakobo market, internal field report"),
            ],
            now=NOW,
            reporter="test",
        )
    assert found(db, "ngakobo") == ["a1", "a2"]  # twice in the notes: first
    assert found(db, "Ngakobo market") == ["a1"]  # every word required
    assert set(found(db, "kodro herders")) == {"a1", "a2", "u1", "b1"}  # actors: all
    assert found(db, "élections") == ["u1"]
    assert found(db, "nowhere") == []
    for q in ('"', "NEAR(", "*", "OR ngakobo", "ngakobo OR", "-ngakobo"):
        assert set(found(db, q)) <= {"a1", "a2"}, q  # never an error, never wider
    assert found(db, "ngakobo OR nowhere") == []
    # kept current by updates and deletions
    with db.session() as session:
        record_field_events(session, [event("acled", "x1", "Old wording")], now=NOW, reporter="t")
    assert found(db, "old wording") == ["x1"]
    with db.session() as session:
        record_field_events(
            session, [event("acled", "x1", "New wording")], now=NOW, reporter="t2"
        )  # a changed record: the import updates it
    assert found(db, "old") == [] and found(db, "new wording") == ["x1"]
    with db.session() as session:
        session.execute(text("DELETE FROM events WHERE source_event_id = 'x1'"))
    assert found(db, "wording") == []
