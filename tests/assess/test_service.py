"""The workflow through the store, on SQLite and PostgreSQL: every change kept as a version."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tocsin.assess import (
    EvidenceKind,
    Rating,
    Transition,
    add_comment,
    compare_versions,
    evidence_suggestions,
    example_path,
    export_stored,
    import_assessment,
    list_assessment_versions,
    list_assessments,
    load_assessment,
    monitoring_picture,
    new_assessment,
    rate,
    resolve_suggestion,
    transition,
)
from tocsin.assess._edit import AssessmentEditError
from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.errors import DataFileError
from tocsin.forecast import ForecastRunCreate, ForecastValue, record_forecast_run
from tocsin.framework import Catalogue
from tocsin.store import Database, count_rows, list_audit, list_signals, record_signals

from .conftest import NOW


def _new(session, catalogue: Catalogue, **kwargs) -> int:  # type: ignore[no-untyped-def]
    values = {
        "iso3": "CAF",
        "title": "CAR 2024",
        "period_start": date(2024, 1, 1),
        "period_end": date(2024, 12, 31),
        "author": "ana",
        "now": NOW,
    } | kwargs
    return new_assessment(session, catalogue, **values)


def test_create_rate_review_approve_and_compare(seeded: Database, catalogue: Catalogue) -> None:
    with seeded.session() as session:
        ident = _new(session, catalogue)
        rate(
            session,
            ident,
            "9.3",
            rating=Rating.MODERATE,
            rationale="old killings",
            author="ana",
            now=NOW,
        )
        rate(session, ident, "1.1", rating=Rating.HIGH, rationale="war", author="ana", now=NOW)
        transition(session, ident, Transition.SUBMIT, catalogue, author="ana", now=NOW)
        add_comment(session, ident, "9.3", "Why not high?", author="rev", now=NOW)
        transition(session, ident, Transition.RETURN, catalogue, author="rev", now=NOW)
        rate(
            session,
            ident,
            "9.3",
            rating=Rating.HIGH,
            rationale="new mass graves found",
            author="ana",
            now=NOW + timedelta(hours=1),
        )
        rate(session, ident, "1.1", rating=Rating.LOW, rationale="ceasefire", author="ana", now=NOW)
        transition(session, ident, Transition.SUBMIT, catalogue, author="ana", now=NOW)
        transition(session, ident, Transition.APPROVE, catalogue, author="rev", now=NOW)
    with seeded.session() as session:
        versions = list_assessment_versions(session, ident)
        assert [v.number for v in versions] == list(range(1, 11))
        assert [v.status for v in versions][-1] == "approved"
        assert versions[4].note == "comment on 9.3"
        # version 3 is before submission: 9.3 moderate, 1.1 high
        diff = compare_versions(session, ident, 3)
        assert [c.target for c in diff.rated_up] == ["9.3"]
        assert [c.target for c in diff.rated_down] == ["1.1"]
        up = diff.rated_up[0]
        assert (up.before, up.after, up.why) == ("moderate", "high", "new mass graves found")
        latest = load_assessment(session, ident)
        assert latest.comments[0].text == "Why not high?" and latest.comments[0].version == 5
        assert load_assessment(session, ident, version=3).indicator("9.3").rating is Rating.MODERATE
        judgements = list_signals(session, iso3="CAF", kinds=[SignalKind.ANALYST_JUDGEMENT])
        assert {tuple(s.framework_codes): s.strength for s in judgements} == {
            ("RF9",): 0.85,
            ("RF1",): 0.25,
        }
        with pytest.raises(AssessmentEditError, match="approved"):
            rate(session, ident, "1.1", rating=Rating.HIGH, rationale="x", author="a", now=NOW)


def test_new_assessment_from_last_approved(seeded: Database, catalogue: Catalogue) -> None:
    with seeded.session() as session:
        with pytest.raises(AssessmentEditError, match="no approved assessment"):
            _new(session, catalogue, from_last_approved=True)
        first = import_assessment(
            session, example_path().read_text(encoding="utf-8"), catalogue, author="a", now=NOW
        )
        second = _new(
            session,
            catalogue,
            title="CAR 2025",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            from_last_approved=True,
        )
        stored = list_assessments(session, iso3="CAF")
        assert {s.id: s.based_on_id for s in stored}[second] == first
        new = load_assessment(session, second)
        old = load_assessment(session, first)
        assert new.status.value == "draft" and new.indicators == old.indicators
        assert compare_versions(session, first, 1, other_id=second).rated_up == []


def test_export_import_round_trip_and_refusal(seeded: Database, catalogue: Catalogue) -> None:
    text = example_path().read_text(encoding="utf-8")
    with seeded.session() as session:
        ident = import_assessment(session, text, catalogue, author="a", now=NOW)
        assert export_stored(session, ident) == text
    before = _counts(seeded)
    broken = text.replace('"rating": "high"', '"rating": "very high"', 1)
    with pytest.raises(DataFileError), seeded.session() as session:
        import_assessment(session, broken, catalogue, author="a", now=NOW, path="bad.json")
    assert _counts(seeded) == before


def _counts(db: Database) -> tuple[int, dict[str, int]]:
    with db.session() as session:
        return len(list_assessments(session)), count_rows(session)


def test_suggestions_come_from_tagged_signals(seeded: Database, catalogue: Catalogue) -> None:
    def signal(codes: list[str], day: date) -> Signal:
        return Signal(
            iso3="CAF",
            kind=SignalKind.ESCALATION,
            start_date=day,
            end_date=day,
            framework_codes=codes,
            strength=0.7,
            summary=f"surge {codes}",
            provenance=Provenance(capability="events", producer="escalation@1"),
        )

    with seeded.session() as session:
        ident = _new(session, catalogue)
        inside, factor_only, _outside = record_signals(
            session,
            [
                signal(["11.3"], date(2024, 5, 1)),
                signal(["RF13"], date(2024, 6, 1)),
                signal(["11.3"], date(2019, 5, 1)),
            ],
            now=NOW,
        )
        found = evidence_suggestions(session, ident)
        assert {(s.code, s.signal_id) for s in found} == {("11.3", inside), ("RF13", factor_only)}
        resolve_suggestion(session, ident, "11.3", inside, accept=True, author="a", now=NOW)
        assert evidence_suggestions(session, ident, code="11.3") == []
        item = load_assessment(session, ident).indicator("11.3")
        assert item.rating is Rating.UNKNOWN
        assert [(e.kind, e.ref) for e in item.evidence] == [(EvidenceKind.SIGNAL, str(inside))]


def test_monitoring_picture_uses_the_stored_forecast(
    seeded: Database, catalogue: Catalogue
) -> None:
    with seeded.session() as session:
        record_forecast_run(
            session,
            ForecastRunCreate(
                model="tocsin",
                model_version="t1",
                data_vintage="test",
                target="any",
                horizon=2,
                data_year=2023,
                values=[
                    ForecastValue("CAF", 0.09, 3, {"RF1": 0.8, "RF2": 0.1}),
                    ForecastValue("NOR", 0.001, 150, {}),
                ],
            ),
            now=NOW,
        )
        ident = _new(session, catalogue)
        rate(
            session, ident, "1.1", rating=Rating.NOT_PRESENT, rationale="peace", author="a", now=NOW
        )
        profile, comparison = monitoring_picture(
            session, load_assessment(session, ident), catalogue
        )
        assert comparison.forecast is not None and comparison.forecast.rank == 3
        assert {(s.source, s.scope) for s in comparison.disagreements} == {
            ("forecast", "overall"),
            ("forecast", "RF1"),
        }


def test_every_free_text_edit_is_audited_by_field_never_by_text(
    seeded: Database, catalogue: Catalogue
) -> None:
    with seeded.session() as session:
        ident = _new(session, catalogue)
        rate(
            session,
            ident,
            "9.3",
            rating=Rating.MODERATE,
            rationale="Witness A.B. said",
            author="ana",
            now=NOW,
        )
        rate(session, ident, "9.3", rationale="Witness C.D. said", author="ana", now=NOW)
        add_comment(session, ident, "general", "Ask the Bambari office", author="rev", now=NOW)
    with seeded.session() as session:
        saves = [
            e for e in reversed(list_audit(session, limit=1000)) if e.action == "assessment.save"
        ]
    assert [e.target for e in saves] == [f"assessment:{ident}"] * 3
    first, second, comment = (e.details["changed"] for e in saves)
    assert {"indicators[9.3].rating", "indicators[9.3].rationale"} <= set(first)
    assert "indicators[9.3].rationale" in second and "indicators[9.3].rating" not in second
    assert [c for c in comment if c.startswith("comments")] == ["comments[0]"]
    assert (saves[1].actor, saves[2].actor) == ("ana", "rev")
    text = json.dumps([e.details for e in saves])
    assert "Witness" not in text and "Bambari" not in text
