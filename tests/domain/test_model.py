"""The shared domain model validates what producers hand to the store."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from tocsin.domain import Provenance, Signal, SignalKind, Source, SourceGrade


def signal(**changes: object) -> Signal:
    values: dict[str, object] = {
        "iso3": "MMR",
        "kind": SignalKind.TRIGGER_EVENT,
        "start_date": date(2021, 2, 1),
        "end_date": date(2021, 2, 1),
        "framework_codes": ["RF8", "8.3"],
        "strength": 0.9,
        "summary": "Military seizes power",
        "provenance": Provenance(capability="events", producer="trigger-rules@1"),
    }
    values.update(changes)
    return Signal.model_validate(values)


def test_a_valid_signal_keeps_its_codes_in_order_without_duplicates() -> None:
    assert signal(framework_codes=["8.3", "RF8", "8.3"]).framework_codes == ["8.3", "RF8"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"framework_codes": ["RF15"]}, "not framework references"),
        ({"framework_codes": ["risk 8"]}, "not framework references"),
        ({"framework_codes": []}, "at least 1"),
        ({"strength": 1.5}, "less than or equal to 1"),
        ({"iso3": "mm"}, "pattern"),
        ({"end_date": date(2021, 1, 1)}, "before start_date"),
    ],
)
def test_invalid_signals_are_refused_with_a_reason(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        signal(**changes)


def test_source_grades_parse_and_reject_nonsense() -> None:
    assert SourceGrade.parse(" a1 ").code == "A1"
    assert SourceGrade().code == "F6"
    with pytest.raises(ValueError):
        SourceGrade.parse("G7")
    with pytest.raises(ValidationError):
        Source(key="Has Spaces", name="x")
