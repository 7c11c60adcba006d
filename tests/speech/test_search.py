"""Searching speech items on SQLite and PostgreSQL: their text, speaker and outlet found,
the index filled for items stored before it and kept current. (That only holders of
``speech:text`` are asked is tested with the search page: tests/web/test_search.py.)"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import text

from tocsin.speech import SpeechItem, import_speech_items, search_speech_items
from tocsin.store import Database
from tocsin.web import SearchQuery

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def store(db: Database, *items: SpeechItem) -> None:
    digest = hashlib.sha256(repr(items).encode()).hexdigest()
    with db.session() as session:
        import_speech_items(
            session, items, kind="speech_csv", file_name="t.csv", sha256=digest, now=NOW
        )


def found(db: Database, q: str) -> list[str]:
    with db.session() as session:
        return [row.text for row, _ in search_speech_items(session, SearchQuery.parse(q))]


def test_items_are_found_by_their_words_and_the_index_follows_changes(loaded: Database) -> None:
    db = loaded
    # an item stored before the index existed is found once the migration made it
    db.downgrade("0002_create_speech_tables")
    store(db, SpeechItem(text="Stored before the index existed", iso3="NGA"))
    db.upgrade()
    assert found(db, "before existed") == ["Stored before the index existed"]
    store(
        db,
        SpeechItem(text="Ces cafards doivent partir, cafards!", iso3="KEN", speaker="Orateur"),
        SpeechItem(text="Les cafards du marché", iso3="KEN", published_date=date(2025, 1, 2)),
        SpeechItem(text="A peaceful rally in Mombasa", iso3="KEN", outlet="Daily Mombasa"),
    )
    assert found(db, "cafards") == ["Ces cafards doivent partir, cafards!", "Les cafards du marché"]
    assert found(db, "orateur cafards") == ["Ces cafards doivent partir, cafards!"]
    assert found(db, "daily") == ["A peaceful rally in Mombasa"]  # the outlet
    assert found(db, "marche") == ["Les cafards du marché"] or db.engine.dialect.name != "sqlite"
    for q in ('"', "NEAR(cafards", "cafards*", "cafards OR", "-cafards"):
        assert set(found(db, q)) <= {
            "Ces cafards doivent partir, cafards!",
            "Les cafards du marché",
        }
    assert found(db, "cafards OR mombasa") == []
    with db.session() as session:
        session.execute(text("UPDATE speech_items SET text = 'Rewritten' WHERE outlet IS NOT NULL"))
    assert found(db, "peaceful") == [] and found(db, "rewritten") == ["Rewritten"]
    with db.session() as session:
        session.execute(text("DELETE FROM speech_items WHERE outlet IS NOT NULL"))
    assert found(db, "rewritten") == []
