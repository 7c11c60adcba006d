"""Searching assessments on SQLite and PostgreSQL, by the capability's own access rule:
drafts and comments found only by those who may read drafts, only the latest version
searched, and the index filled for versions stored before it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tocsin.assess import Assessment, create_assessment, save_assessment, search_assessments
from tocsin.store import Database
from tocsin.web import SearchQuery

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def content(
    title: str, rationale: str, *, status: str = "draft", comment: str = ""
) -> dict[str, Any]:
    assessment = Assessment.model_validate(
        {
            "iso3": "CAF",
            "title": title,
            "period_start": date(2024, 1, 1),
            "period_end": date(2024, 12, 31),
            "status": status,
            "indicators": [{"code": "9.3", "rationale": rationale}],
            "comments": (
                [
                    {
                        "target": "9.3",
                        "author": "reviewer",
                        "text": comment,
                        "version": 1,
                        "created_at": NOW,
                    }
                ]
                if comment
                else []
            ),
        }
    )
    return assessment.model_dump(mode="json")


def found(db: Database, q: str, *, drafts: bool) -> list[str]:
    with db.session() as session:
        rows = search_assessments(session, SearchQuery.parse(q), with_drafts=drafts)
        return [row.title for row, _, _ in rows]


def test_drafts_and_comments_are_found_only_by_those_who_read_drafts(seeded: Database) -> None:
    db = seeded
    # a version stored before the index existed is found once the migration made it
    db.downgrade("0007_create_assess_tables")
    with db.session() as session:
        create_assessment(
            session,
            content("Old one", "Stored before search", status="approved", comment="hidden remark"),
            author="a",
            now=NOW,
        )
    db.upgrade()
    assert found(db, "stored before", drafts=False) == ["Old one"]
    assert found(db, "remark", drafts=False) == [] and found(db, "remark", drafts=True) == [
        "Old one"
    ]
    with db.session() as session:
        create_assessment(
            session,
            content(
                "Approved CAR",
                "Hate speech on Radio Ndeke",
                status="approved",
                comment="Check the Ndeke transcript",
            ),
            author="a",
            now=NOW,
        )
        draft_id = create_assessment(
            session, content("Draft CAR", "Militias near Birao"), author="a", now=NOW
        )
    assert found(db, "ndeke", drafts=False) == ["Approved CAR"]
    assert found(db, "transcript", drafts=False) == []  # a comment: the team's only
    assert found(db, "transcript", drafts=True) == ["Approved CAR"]
    assert found(db, "birao", drafts=False) == []  # a draft
    assert found(db, "birao", drafts=True) == ["Draft CAR"]
    assert found(db, "draft car", drafts=True) == ["Draft CAR"]  # the title
    for q in ('"', "NEAR(birao", "birao*", "birao OR", "-birao", "body : birao", "{comments}:x"):
        assert found(db, q, drafts=False) == [], q
    # only the latest version is searched
    with db.session() as session:
        save_assessment(
            session, draft_id, content("Draft CAR", "Militias in Ndele"), author="a", now=NOW
        )
    assert found(db, "birao", drafts=True) == [] and found(db, "ndele", drafts=True) == [
        "Draft CAR"
    ]
    with db.session() as session:
        save_assessment(
            session,
            draft_id,
            content("Draft CAR", "Militias in Ndele", status="approved"),
            author="a",
            now=NOW,
        )
    assert found(db, "ndele", drafts=False) == ["Draft CAR"]
    with db.session() as session:  # reopened: the approved words leave the public's search
        save_assessment(
            session, draft_id, content("Draft CAR", "Militias in Kabo"), author="a", now=NOW
        )
    assert found(db, "ndele", drafts=False) == [] and found(db, "kabo", drafts=False) == []
