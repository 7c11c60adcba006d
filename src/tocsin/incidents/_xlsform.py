"""The incident report as an XLSForm (KoboToolbox, ODK Collect, Enketo), made from the model.

The form is generated from :class:`~tocsin.incidents.IncidentReportIn` and
:class:`~tocsin.incidents.Identities` (names, types, required fields, choices, bounds,
descriptions), never written by hand, so that it cannot drift from what
:func:`tocsin.incidents.submit_report` accepts: the submissions pulled back
(:mod:`tocsin.incidents._intake`) are read by the same field names. The identities are a
group (``identities/witnesses``, as Kobo names a group's fields), one name per line.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Union, get_args, get_origin

from openpyxl import Workbook, load_workbook
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from tocsin.incidents._reports import Identities, IncidentReportIn

#: The form's id in Kobo and ODK Central: submissions are matched to it.
FORM_ID = "tocsin_incident_report"
#: The group holding the identities (its fields arrive as ``identities/<name>``).
IDENTITIES_GROUP = "identities"
#: Labels for the fields whose names read badly to a monitor (the model has no titles).
_LABELS = {"iso3": "Country (ISO 3166 alpha-3 code)", "admin1": "Province or region"}
_LIST_PATTERN = re.compile(r"^\^\(([A-Za-z0-9_|]+)\)\$$")


@dataclass(frozen=True)
class FormQuestion:
    """One row of the survey sheet (a question, or a group's begin or end)."""

    type: str
    name: str
    label: str = ""
    hint: str = ""
    required: str = ""
    constraint: str = ""
    constraint_message: str = ""
    default: str = ""


SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "required",
    "constraint",
    "constraint_message",
    "default",
]


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _list_name(enum: type[Enum]) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum.__name__).lower()


def _bare(annotation: Any) -> Any:
    """``X`` of ``X | None``."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        if len(kept) == 1:
            return kept[0]
    return annotation


def _bounds(info: FieldInfo) -> tuple[Any, Any]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def _pattern(info: FieldInfo) -> str | None:
    for item in info.metadata:
        pattern = getattr(item, "pattern", None)
        if pattern:
            return str(pattern)
    return None


def _bound_constraint(low: Any, high: Any, literal: Any) -> str:
    parts = []
    if low is not None:
        parts.append(f". >= {literal(low)}")
    if high is not None:
        parts.append(f". <= {literal(high)}")
    return " and ".join(parts)


def _question(
    name: str, info: FieldInfo, choices: dict[str, list[tuple[str, str]]]
) -> FormQuestion:
    """The survey row of one model field; its choice list is added to ``choices``."""
    annotation = _bare(info.annotation)
    required = "yes" if info.is_required() else ""
    label = info.title or _LABELS.get(name) or _label(name)
    hint = info.description or ""
    default = info.default
    if info.is_required() or default is None or default is PydanticUndefined:
        default = ""
    if isinstance(default, Enum):
        default = default.value
    low, high = _bounds(info)
    pattern = _pattern(info)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        list_name = _list_name(annotation)
        choices[list_name] = [(str(m.value), _label(str(m.value))) for m in annotation]
        return FormQuestion(
            f"select_one {list_name}", name, label, hint, required, default=str(default)
        )
    if annotation is str and pattern and (found := _LIST_PATTERN.match(pattern)):
        values = found.group(1).split("|")
        choices[name] = [(v, _label(v)) for v in values]
        return FormQuestion(f"select_one {name}", name, label, hint, required, default=default)
    if annotation is date:
        constraint = _bound_constraint(low, high, lambda d: f"date('{d.isoformat()}')")
        return FormQuestion(
            "date",
            name,
            label,
            hint,
            required,
            constraint,
            f"between {low} and {high}" if constraint else "",
        )
    if annotation in (int, float):
        constraint = _bound_constraint(low, high, str)
        return FormQuestion(
            "integer" if annotation is int else "decimal",
            name,
            label,
            hint,
            required,
            constraint,
            f"between {low} and {high}" if constraint else "",
            str(default),
        )
    if annotation is str:
        constraint = f"regex(., '{pattern}')" if pattern else ""
        return FormQuestion(
            "text",
            name,
            label,
            hint,
            required,
            constraint,
            f"must match {pattern}" if pattern else "",
            str(default),
        )
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return FormQuestion(
            "text", name, label, hint or "One per line.", required, default=str(default)
        )
    raise TypeError(f"no XLSForm question type for the field {name!r} ({info.annotation!r})")


def _questions(
    model: type[BaseModel], choices: dict[str, list[tuple[str, str]]]
) -> list[FormQuestion]:
    rows = []
    for name, info in model.model_fields.items():
        annotation = _bare(info.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.append(FormQuestion("begin_group", name, info.title or _label(name)))
            rows += _questions(annotation, choices)
            rows.append(FormQuestion("end_group", name))
        else:
            rows.append(_question(name, info, choices))
    return rows


def form_version() -> str:
    """A version that changes whenever the report's model changes (its schema's digest).

    Examples
    --------
    >>> len(form_version()) == 12 and form_version() == form_version()
    True
    """
    schema = json.dumps(IncidentReportIn.model_json_schema(), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()[:12]


def incident_survey() -> tuple[list[FormQuestion], dict[str, list[tuple[str, str]]]]:
    """The survey rows and choice lists of the incident report form, from the model.

    Examples
    --------
    >>> survey, choices = incident_survey()
    >>> [q.type for q in survey if q.name == "event_type"]
    ['select_one event_type']
    >>> "identities" in {q.name for q in survey if q.type == "begin_group"}
    True
    """
    assert "identities" in IncidentReportIn.model_fields  # the group named IDENTITIES_GROUP
    assert IncidentReportIn.model_fields["identities"].annotation is Identities
    choices: dict[str, list[tuple[str, str]]] = {}
    return _questions(IncidentReportIn, choices), choices


def incident_xlsform(
    *,
    form_id: str = FORM_ID,
    version: str | None = None,
    title: str = "Tocsin incident report",
    countries: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """The XLSForm (``.xlsx``: sheets survey, choices, settings) of the incident report.

    ``countries`` (``(iso3, name)`` pairs) makes the country a list to choose from;
    without it the form asks for the ISO 3166 alpha-3 code. ``version`` defaults to
    :func:`form_version`.

    Examples
    --------
    >>> data = incident_xlsform()
    >>> data[:2]
    b'PK'
    """
    survey, choices = incident_survey()
    if countries:
        choices["country"] = [(iso3, name) for iso3, name in countries]
        survey = [
            FormQuestion("select_one country", q.name, q.label, q.hint, q.required)
            if q.name == "iso3"
            else q
            for q in survey
        ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(SURVEY_COLUMNS)
    for question in survey:
        sheet.append([getattr(question, column) for column in SURVEY_COLUMNS])
    choice_sheet = book.create_sheet("choices")
    choice_sheet.append(["list_name", "name", "label"])
    for list_name, items in choices.items():
        for value, label in items:
            choice_sheet.append([list_name, value, label])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "instance_name"])
    settings.append(
        [title, form_id, version or form_version(), "concat(${iso3}, ' ', ${start_date})"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsform(data: bytes) -> dict[str, list[dict[str, str]]]:
    """An XLSForm's sheets as lists of rows (column header -> text; empty cells left out)."""
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheets: dict[str, list[dict[str, str]]] = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            sheets[sheet.title] = []
            continue
        header = [str(h) if h is not None else "" for h in rows[0]]
        sheets[sheet.title] = [
            {h: str(v) for h, v in zip(header, row, strict=False) if h and v not in (None, "")}
            for row in rows[1:]
            if any(v not in (None, "") for v in row)
        ]
    book.close()
    return sheets


def form_field_names(data: bytes) -> list[str]:
    """The paths a submission of this form names its answers by (``group/field``)."""
    groups: list[str] = []
    names = []
    for row in read_xlsform(data)["survey"]:
        kind = row.get("type", "")
        if kind == "begin_group":
            groups.append(row["name"])
        elif kind == "end_group":
            groups.pop()
        else:
            names.append("/".join([*groups, row["name"]]))
    return names
