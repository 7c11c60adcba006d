"""Speech items, scores and Rabat worksheets in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tocsin.speech import (
    RABAT_PARTS,
    ColumnMapping,
    RabatDecision,
    RabatPart,
    RabatRating,
    RabatWorksheet,
    SpeechItem,
    count_speech_items,
    import_speech_items,
    list_rabat_assessments,
    list_speech_items,
    list_speech_scores,
    read_csv_items,
    record_speech_scores,
    save_rabat_assessment,
)
from tocsin.store import Database, UnknownReferenceError

NOW = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
MAPPING = ColumnMapping(
    columns={"external_id": "post_id", "text": "body", "country": "cc", "url": "link"},
    country_scheme="iso2",
)


def _import(db: Database, path: Path) -> tuple[int, int, bool]:
    content = path.read_bytes()
    with path.open(newline="") as stream:
        items = read_csv_items(stream, MAPPING, path=path.name)
    with db.session() as session:
        result = import_speech_items(
            session,
            items,
            kind="speech_csv",
            file_name=path.name,
            sha256=hashlib.sha256(content).hexdigest(),
            now=NOW,
        )
    return result.n_new, result.n_existing, result.already_imported


def test_import_is_idempotent(loaded: Database, speech_data: Path, tmp_path: Path) -> None:
    assert _import(loaded, speech_data / "items.csv") == (3, 0, False)
    assert _import(loaded, speech_data / "items.csv") == (0, 3, True)
    # The same posts in another file (one more row): only the new one is added.
    bigger = tmp_path / "more.csv"
    extra = "p9,A new announcement.,2024-03-03,KE,,,,https://example.org/p9\n"
    bigger.write_text((speech_data / "items.csv").read_text() + extra)
    assert _import(loaded, bigger) == (1, 3, False)
    with loaded.session() as session:
        assert count_speech_items(session) == 4
        stored = list_speech_items(session, iso3="KEN")
    assert [s.item.external_id for s in stored] == ["p1", "p2", "p9"]
    assert all(s.item.import_id is not None for s in stored)


def test_unknown_country_refuses_the_whole_import(loaded: Database) -> None:
    with pytest.raises(UnknownReferenceError), loaded.session() as session:
        import_speech_items(
            session,
            [SpeechItem(text="a", iso3="KEN"), SpeechItem(text="b", iso3="ZZZ")],
            kind="speech_csv",
            file_name="x.csv",
            sha256="0" * 64,
            now=NOW,
        )
    with loaded.session() as session:
        assert count_speech_items(session) == 0


def test_scores_are_replaced_per_model_version(loaded: Database, speech_data: Path) -> None:
    _import(loaded, speech_data / "items.csv")
    with loaded.session() as session:
        ids = [s.id for s in list_speech_items(session)]
        rows = [(i, {"hateful": 0.1}, [], False, 0.1) for i in ids]
        record_speech_scores(session, rows, model_version="m1", now=NOW)
        record_speech_scores(
            session,
            [(ids[0], {"hateful": 0.9}, ["religion"], True, 0.9)],
            model_version="m1",
            now=NOW,
        )
        assert len(list_speech_items(session, unscored_for="m1")) == 0
        assert len(list_speech_items(session, unscored_for="m2")) == 3
        flagged = list_speech_scores(session, model_version="m1", flagged_only=True)
    assert [(f.item_id, f.iso3, f.target_groups) for f in flagged] == [
        (ids[0], "KEN", ["religion"])
    ]
    assert flagged[0].scores == {"hateful": 0.9}


def test_rabat_worksheet_versions_are_kept(loaded: Database, speech_data: Path) -> None:
    _import(loaded, speech_data / "items.csv")
    with loaded.session() as session:
        item_id = list_speech_items(session)[0].id
    high = RabatPart(rating=RabatRating.HIGH, evidence="analyst note")
    draft = RabatWorksheet(item_id=item_id, content_form=high)
    decided = RabatWorksheet(
        item_id=item_id,
        **dict.fromkeys(RABAT_PARTS, high),
    ).decide(RabatDecision.INCITEMENT, reasons="explicit call to attack, wide reach")
    with loaded.session() as session:
        assert save_rabat_assessment(session, draft, analyst="ana", now=NOW) == 1
        assert save_rabat_assessment(session, decided, analyst="ana", now=NOW) == 2
    with loaded.session() as session:
        versions = list_rabat_assessments(session, item_id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].worksheet.decision is None
    assert versions[1].worksheet == decided
    assert "8.7" in versions[1].worksheet.framework_codes


def test_worksheet_with_unknown_code_or_item_is_refused(loaded: Database) -> None:
    with pytest.raises(UnknownReferenceError, match="no speech item"), loaded.session() as s:
        save_rabat_assessment(s, RabatWorksheet(item_id=999), analyst="ana", now=NOW)


def test_a_decision_needs_reasons_and_all_six_parts() -> None:
    with pytest.raises(ValidationError, match="rate every part"):
        RabatWorksheet(item_id=1).decide(RabatDecision.HATE_SPEECH, reasons="slur")
