"""The Rabat worksheet: pre-filling, the suggestion, and the framework codes of decisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tocsin.domain import Provenance, Signal, SignalKind
from tocsin.framework import load_catalogue
from tocsin.speech import (
    DECISION_CODES,
    RABAT_PARTS,
    RabatDecision,
    RabatPart,
    RabatRating,
    SpeechItem,
    prefill_worksheet,
    suggest_decision,
)
from tocsin.store import Database

TODAY = date(2024, 6, 1)


def _signal(kind: SignalKind, strength: float, end: date) -> Signal:
    return Signal(
        iso3="KEN",
        kind=kind,
        start_date=end - timedelta(days=10),
        end_date=end,
        framework_codes=["RF1"],
        strength=strength,
        summary=f"{kind.value} test signal",
        provenance=Provenance(capability="test", producer="test"),
    )


def test_prefill_uses_scores_reach_role_and_recent_signals() -> None:
    item = SpeechItem(text="…", iso3="KEN", speaker_role="media", reach=20_000)
    signals = [
        _signal(SignalKind.ESCALATION, 0.4, TODAY),
        _signal(SignalKind.FORECAST, 0.9, date(2020, 1, 1)),  # too old to count
    ]
    sheet = prefill_worksheet(
        5,
        item,
        scores={"hateful": 0.6, "violence": 0.1, "dehumanisation": 0.9},
        target_groups=["religion"],
        country_signals=signals,
        today=TODAY,
    )
    assert sheet.speaker.rating is RabatRating.MEDIUM
    assert sheet.extent.rating is RabatRating.MEDIUM
    assert sheet.content_form.rating is RabatRating.HIGH
    assert "dehumanising" in sheet.content_form.evidence
    assert sheet.context.rating is RabatRating.HIGH and "1 risk Signals" in sheet.context.evidence
    assert sheet.missing_parts() == ["intent", "likelihood"]
    assert suggest_decision(sheet) is None


def test_no_signals_means_low_context_and_unknown_reach_stays_unrated() -> None:
    sheet = prefill_worksheet(
        1, SpeechItem(text="…"), scores={}, target_groups=[], country_signals=[], today=TODAY
    )
    assert sheet.context.rating is RabatRating.LOW
    assert sheet.extent.rating is None


def test_incitement_needs_every_part_and_likelihood() -> None:
    high = RabatPart(rating=RabatRating.HIGH)
    medium = RabatPart(rating=RabatRating.MEDIUM)
    sheet = prefill_worksheet(
        1, SpeechItem(text="…"), scores={}, target_groups=[], country_signals=[], today=TODAY
    ).model_copy(update=dict.fromkeys(RABAT_PARTS, high))
    assert suggest_decision(sheet) is RabatDecision.INCITEMENT
    unlikely = sheet.model_copy(update={"likelihood": medium})
    assert suggest_decision(unlikely) is RabatDecision.HATE_SPEECH
    assert (
        suggest_decision(unlikely.model_copy(update={"is_imminent": True}))
        is RabatDecision.INCITEMENT
    )
    low_content = sheet.model_copy(
        update={"content_form": RabatPart(rating=RabatRating.LOW), "intent": medium}
    )
    assert suggest_decision(low_content) is RabatDecision.BELOW_THRESHOLD
    decided = sheet.decide(RabatDecision.INCITEMENT, reasons="call to attack", extra_codes=["4.6"])
    assert decided.framework_codes[-1] == "4.6" and "8.7" in decided.framework_codes


@pytest.mark.parametrize("decision", list(RabatDecision))
def test_decision_codes_exist_in_the_catalogue(decision: RabatDecision) -> None:
    catalogue = load_catalogue()
    known = {f.id for f in catalogue.factors} | {
        i.id for f in catalogue.factors for i in f.indicators
    }
    assert set(DECISION_CODES[decision]) <= known


def test_worksheets_never_cite_restricted_signals() -> None:
    """The one sensitivity rule the CLI and the web share (prefill_stored_worksheet)."""
    from tocsin.domain import Sensitivity
    from tocsin.speech import worksheet_signals

    shared = _signal(SignalKind.ESCALATION, 0.7, TODAY)
    restricted = shared.model_copy(update={"sensitivity": Sensitivity.RESTRICTED})
    surge = _signal(SignalKind.SPEECH_SURGE, 0.9, TODAY)
    assert worksheet_signals([shared, restricted, surge]) == [shared]


def test_stored_worksheet_prefill_leaves_restricted_signals_out(loaded: Database) -> None:
    """prefill_stored_worksheet, which the CLI and the web both call, applies the rule."""
    from datetime import UTC, datetime

    from tocsin.domain import Sensitivity
    from tocsin.speech import import_speech_items, prefill_stored_worksheet
    from tocsin.store import record_signals

    now = datetime(2024, 6, 1, tzinfo=UTC)
    public = _signal(SignalKind.ESCALATION, 0.7, TODAY).model_copy(
        update={"summary": "public escalation"}
    )
    secret = public.model_copy(
        update={
            "summary": "restricted source report",
            "sensitivity": Sensitivity.RESTRICTED,
            "provenance": Provenance(capability="test", producer="other"),
        }
    )
    with loaded.session() as session:
        import_speech_items(
            session,
            [SpeechItem(text="…", iso3="KEN", speaker_role="media", published_date=TODAY)],
            kind="test",
            file_name="t",
            sha256="0" * 64,
            now=now,
        )
        record_signals(session, [public, secret], now=now)
    with loaded.session() as session:
        sheet = prefill_stored_worksheet(session, 1)
        with pytest.raises(LookupError):
            prefill_stored_worksheet(session, 99)
    assert "public escalation" in sheet.context.evidence
    assert "restricted" not in sheet.context.evidence
    assert "2 risk Signals" not in sheet.context.evidence
