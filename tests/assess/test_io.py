"""JSON export/import: identical round trip, schema, and malformed files refused by line."""

from __future__ import annotations

import json

import pytest

from tocsin.assess import (
    FORMAT,
    Assessment,
    assessment_json_schema,
    example_path,
    export_assessment,
    parse_assessment,
)
from tocsin.errors import DataFileError
from tocsin.framework import Catalogue


def test_example_round_trips_to_identical_text(example: Assessment, catalogue: Catalogue) -> None:
    text = example_path().read_text(encoding="utf-8")
    again = parse_assessment(text, catalogue=catalogue)
    assert again == example
    assert export_assessment(again) == text


def test_example_is_labelled_illustrative(example: Assessment) -> None:
    assert example.is_example
    assert example.title.startswith("ILLUSTRATIVE EXAMPLE")
    assert "NOT AN OFFICIAL ASSESSMENT" in example.summary


def test_schema_describes_the_export(example: Assessment) -> None:
    schema = assessment_json_schema()
    assert schema["properties"]["format"] == {"const": FORMAT}
    rating = schema["$defs"]["Rating"]["enum"]
    assert rating == ["not_present", "low", "moderate", "high", "unknown"]
    assessment = schema["$defs"]["Assessment"]
    assert {"iso3", "title", "period_start", "period_end"} <= set(assessment["required"])
    json.dumps(schema)  # serialisable


def _broken(example: Assessment, change) -> str:  # type: ignore[no-untyped-def]
    document = json.loads(export_assessment(example))
    change(document["assessment"])
    return json.dumps(document, indent=2)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_malformed_values_are_located_by_line_and_field(
    example: Assessment, catalogue: Catalogue
) -> None:
    def change(a: dict) -> None:  # type: ignore[type-arg]
        a["indicators"][0]["rating"] = "severe"
        a["indicators"][2]["code"] = "15.1"
        a["actions"][0]["due_date"] = "next spring"

    text = _broken(example, change)
    with pytest.raises(DataFileError) as caught:
        parse_assessment(text, path="caf.json", catalogue=catalogue)
    problems = {p.field: p for p in caught.value.problems}
    assert problems["assessment.indicators[0].rating"].line == _line_of(text, '"severe"')
    assert problems["assessment.indicators[0].rating"].value == "severe"
    assert problems["assessment.actions[0].due_date"].line == _line_of(text, "next spring")
    assert problems["assessment.indicators[2].code"].line == _line_of(text, '"15.1"')
    message = str(caught.value)
    assert "caf.json" in message and "nothing was stored" in message


def test_catalogue_checks_find_unknown_codes(example: Assessment, catalogue: Catalogue) -> None:
    text = _broken(example, lambda a: a["policy_decisions"][0].update(option_id="P99"))
    with pytest.raises(DataFileError) as caught:
        parse_assessment(text, catalogue=catalogue)
    [problem] = caught.value.problems
    assert problem.field == "assessment.policy_decisions[0].option_id"
    assert problem.reason == "not a policy option of the catalogue"


def test_missing_field_points_at_its_object(example: Assessment) -> None:
    text = _broken(example, lambda a: a.pop("title"))
    with pytest.raises(DataFileError) as caught:
        parse_assessment(text)
    [problem] = caught.value.problems
    assert problem.field == "assessment.title"
    assert problem.line == _line_of(text, '"assessment"')


def test_invalid_json_and_wrong_format() -> None:
    with pytest.raises(DataFileError) as caught:
        parse_assessment('{\n  "format": "tocsin-assessment",\n  oops\n}')
    assert caught.value.problems[0].line == 3
    with pytest.raises(DataFileError) as caught:
        parse_assessment('{"format": "other", "format_version": 1, "assessment": {}}')
    fields = {p.field for p in caught.value.problems}
    assert "format" in fields and "assessment.iso3" in fields
