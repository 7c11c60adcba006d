"""JSON export and import of an assessment, checked against its JSON Schema.

The export is one JSON object: the format name and version, the schema's ``$id`` and the
assessment. Importing the export gives back an identical assessment. A malformed file is
refused as a whole with every problem located by line and field (:class:`DataFileError`).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tocsin.assess._model import SCHEMA_ID, Assessment
from tocsin.assess._structures import STRUCTURES
from tocsin.errors import DataFileError, RowProblem
from tocsin.framework import Catalogue

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "assessment_json_schema",
    "export_assessment",
    "parse_assessment",
]

FORMAT = "tocsin-assessment"
FORMAT_VERSION = 1


def assessment_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an exported assessment file."""
    inner = Assessment.model_json_schema(ref_template="#/$defs/{model}")
    defs = inner.pop("$defs", {})
    defs["Assessment"] = inner
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Tocsin national assessment of risk and resilience",
        "type": "object",
        "required": ["format", "format_version", "assessment"],
        "additionalProperties": False,
        "properties": {
            "$schema": {"type": "string"},
            "format": {"const": FORMAT},
            "format_version": {"const": FORMAT_VERSION},
            "assessment": {"$ref": "#/$defs/Assessment"},
        },
        "$defs": defs,
    }


def export_assessment(assessment: Assessment) -> str:
    """The assessment as the JSON text of the export format (ends with a newline).

    >>> from datetime import date
    >>> a = Assessment(iso3="CAF", title="t", period_start=date(2024, 1, 1),
    ...                period_end=date(2024, 12, 31))
    >>> parse_assessment(export_assessment(a)) == a
    True
    """
    envelope = {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "assessment": assessment.model_dump(mode="json"),
    }
    return json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"


# The standard library's JSON string scanner (not in the type stubs).
_scanstring: Callable[[str, int], tuple[str, int]] = vars(json.decoder)["scanstring"]
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _value_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The line on which each value of a (valid) JSON document starts, by path."""
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    lines: dict[tuple[str | int, ...], int] = {}

    def skip(i: int) -> int:
        match = _WS.match(text, i)
        return match.end() if match else i

    def value(i: int, path: tuple[str | int, ...]) -> int:
        i = skip(i)
        lines[path] = bisect.bisect_left(newlines, i) + 1
        char = text[i]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = _scanstring(text, skip(i) + 1)
                i = value(skip(i) + 1, (*path, key))
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(value(i, (*path, index)))
                index += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if char == '"':
            return _scanstring(text, i + 1)[1]
        number = _NUMBER.match(text, i)
        if number:
            return number.end()
        for literal in ("true", "false", "null"):
            if text.startswith(literal, i):
                return i + len(literal)
        raise ValueError(f"unexpected {char!r} at offset {i}")

    value(0, ())
    return lines


def _field(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _line(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    found = lines.get(path)
    return None if found is None else int(found)


def _catalogue_problems(
    data: dict[str, Any], catalogue: Catalogue
) -> list[tuple[tuple[str | int, ...], str, str]]:
    problems: list[tuple[tuple[str | int, ...], str, str]] = []
    indicator_codes = {i.id for f in catalogue.factors for i in f.indicators}
    option_ids = {p.id for p in catalogue.policy_options}
    step_ids = {s.id for s in catalogue.steps}
    structure_ids = {s.id for s in STRUCTURES}
    for n, item in enumerate(data.get("indicators", [])):
        if item.get("code") not in indicator_codes:
            problems.append(
                (
                    ("indicators", n, "code"),
                    "not an indicator of the catalogue",
                    str(item.get("code")),
                )
            )
    for n, item in enumerate(data.get("structures", [])):
        if item.get("id") not in structure_ids:
            problems.append(
                (("structures", n, "id"), "not a structure of §§35–64", str(item.get("id")))
            )
    for n, item in enumerate(data.get("policy_decisions", [])):
        if item.get("option_id") not in option_ids:
            problems.append(
                (
                    ("policy_decisions", n, "option_id"),
                    "not a policy option of the catalogue",
                    str(item.get("option_id")),
                )
            )
    for n, item in enumerate(data.get("actions", [])):
        if item.get("option_id") not in option_ids | step_ids:
            problems.append(
                (
                    ("actions", n, "option_id"),
                    "not a policy option or §71 step",
                    str(item.get("option_id")),
                )
            )
    for n, item in enumerate(data.get("populations", [])):
        for k, code in enumerate(item.get("factor_codes", [])):
            if not catalogue.is_valid_reference(code):
                problems.append(
                    (
                        ("populations", n, "factor_codes", k),
                        "not a framework code of the catalogue",
                        str(code),
                    )
                )
    return problems


def parse_assessment(
    text: str, *, path: str | Path = "<assessment>", catalogue: Catalogue | None = None
) -> Assessment:
    """Read an exported assessment; :class:`DataFileError` lists every problem by line/field.

    With ``catalogue``, codes and ids are also checked against it (indicator codes,
    policy options, §71 steps, structures of §§35–64).
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            path, [RowProblem(error.lineno, None, f"not valid JSON: {error.msg}")]
        ) from None
    lines = _value_lines(text)
    if not isinstance(document, dict):
        raise DataFileError(path, [RowProblem(1, None, "the file must hold one JSON object")])
    problems = []
    if document.get("format") != FORMAT:
        problems.append(
            RowProblem(
                _line(lines, ("format",)),
                "format",
                f"must be {FORMAT!r}",
                str(document.get("format")),
            )
        )
    if document.get("format_version") != FORMAT_VERSION:
        problems.append(
            RowProblem(
                _line(lines, ("format_version",)),
                "format_version",
                f"must be {FORMAT_VERSION}",
                str(document.get("format_version")),
            )
        )
    body = document.get("assessment")
    if not isinstance(body, dict):
        problems.append(
            RowProblem(_line(lines, ("assessment",)), "assessment", "missing or not an object")
        )
        raise DataFileError(path, problems)
    assessment = None
    try:
        assessment = Assessment.model_validate(body)
    except ValidationError as error:
        for item in error.errors():
            where = ("assessment", *item["loc"])
            value = item.get("input")
            shown = (
                None if isinstance(value, dict | list) or item["type"] == "missing" else str(value)
            )
            problems.append(RowProblem(_line(lines, where), _field(where), item["msg"], shown))
    if catalogue is not None:
        for where, reason, value in _catalogue_problems(body, catalogue):
            full = ("assessment", *where)
            problems.append(RowProblem(_line(lines, full), _field(full), reason, value))
    if problems or assessment is None:
        raise DataFileError(path, problems, fix_hint="correct the file and import it again")
    return assessment
