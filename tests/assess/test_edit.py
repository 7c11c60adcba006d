from __future__ import annotations

import pytest
from pydantic import ValidationError

from tocsin.assess import (
    Assessment,
    AssessmentEditError,
    AssessmentStatus,
    EvidenceKind,
    EvidenceLink,
    Rating,
    Transition,
    Trend,
    accept_suggestion,
    apply_transition,
    rate_indicator,
    reject_suggestion,
    start_from,
)


def test_blank_assessment_lists_every_indicator_unknown(blank: Assessment, catalogue) -> None:  # type: ignore[no-untyped-def]
    codes = [i.id for f in catalogue.factors for i in f.indicators]
    assert [i.code for i in blank.indicators] == codes
    assert {i.rating for i in blank.indicators} == {Rating.UNKNOWN}
    assert [s.step_id for s in blank.steps] == [f"S71{x}" for x in "abcdefg"]


def test_rating_keeps_the_old_version_unchanged(blank: Assessment) -> None:
    rated = rate_indicator(
        blank, "9.3", rating=Rating.HIGH, trend=Trend.WORSENING, rationale="unpunished massacres"
    )
    assert rated.indicator("9.3").rating is Rating.HIGH
    assert rated.indicator("9.3").trend is Trend.WORSENING
    assert blank.indicator("9.3").rating is Rating.UNKNOWN


def test_a_rating_needs_a_rationale(blank: Assessment) -> None:
    with pytest.raises(AssessmentEditError, match="without a rationale"):
        rate_indicator(blank, "9.3", rating=Rating.LOW)


def test_unknown_indicator_is_refused_with_a_fix(blank: Assessment) -> None:
    with pytest.raises(AssessmentEditError, match="99.1") as error:
        rate_indicator(blank, "99.1", rating=Rating.LOW, rationale="x")
    assert error.value.fix


def test_evidence_is_added_once(blank: Assessment) -> None:
    link = EvidenceLink(kind=EvidenceKind.SOURCE, ref="ngo:hrw", grade="B2")
    once = rate_indicator(blank, "2.1", evidence=[link])
    twice = rate_indicator(once, "2.1", evidence=[link])
    assert twice.indicator("2.1").evidence == [link]


def test_accepting_and_rejecting_suggestions(blank: Assessment) -> None:
    accepted = accept_suggestion(blank, "11.1", 42, note="attack on a camp")
    evidence = accepted.indicator("11.1").evidence
    assert [(e.kind, e.ref, e.suggested) for e in evidence] == [(EvidenceKind.SIGNAL, "42", True)]
    assert accepted.indicator("11.1").rating is Rating.UNKNOWN  # never rated automatically
    rejected = reject_suggestion(accepted, "11.1", 42)
    assert rejected.indicator("11.1").evidence == []
    assert rejected.indicator("11.1").rejected_suggestions == ["42"]


def test_workflow_runs_draft_review_approved(blank: Assessment) -> None:
    in_review = apply_transition(blank, Transition.SUBMIT)
    assert in_review.status is AssessmentStatus.IN_REVIEW
    assert apply_transition(in_review, Transition.RETURN).status is AssessmentStatus.DRAFT
    approved = apply_transition(in_review, Transition.APPROVE)
    assert approved.status is AssessmentStatus.APPROVED
    with pytest.raises(AssessmentEditError, match="cannot approve an assessment that is draft"):
        apply_transition(blank, Transition.APPROVE)
    with pytest.raises(AssessmentEditError, match="approved"):
        rate_indicator(approved, "1.1", rating=Rating.LOW, rationale="x")


def test_start_from_keeps_ratings_and_drops_review(example: Assessment) -> None:
    from datetime import date

    new = start_from(
        example, title="CAF 2025", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
    )
    assert new.status is AssessmentStatus.DRAFT
    assert new.comments == [] and not new.is_example
    assert new.indicators == example.indicators
    assert new.actions == example.actions


def test_model_refuses_repeated_indicators_and_reversed_period(blank: Assessment) -> None:
    data = blank.model_dump()
    data["indicators"].append(data["indicators"][0])
    with pytest.raises(ValidationError, match="repeated"):
        Assessment.model_validate(data)
    data = blank.model_dump() | {"period_end": "2023-01-01"}
    with pytest.raises(ValidationError, match="before"):
        Assessment.model_validate(data)
