"""The incident report's XLSForm: made from the model, so every field the model accepts is a
question of the form, with its type, choices and required-ness; checked by the structural
rules of the XLSForm standard and converted to an XForm by pyxform, the converter ODK and
KoboToolbox themselves use."""

from __future__ import annotations

import io
import re
from enum import Enum
from pathlib import Path

from openpyxl import load_workbook
from pydantic import BaseModel

from tocsin.events import ActorKind, EventType
from tocsin.incidents import (
    FORM_ID,
    Identities,
    IncidentReportIn,
    form_field_names,
    form_version,
    incident_xlsform,
    read_xlsform,
)

#: XLSForm names are XML element names.
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
QUESTION_TYPES = {"text", "integer", "decimal", "date", "begin_group", "end_group"}


def xlsform_problems(data: bytes) -> list[str]:
    """What breaks the XLSForm rules in ``data`` (empty when the form is valid)."""
    sheets = read_xlsform(data)
    problems = [
        f"no {name} sheet" for name in ("survey", "choices", "settings") if name not in sheets
    ]
    if problems:
        return problems
    lists: dict[str, set[str]] = {}
    for row in sheets["choices"]:
        if not {"list_name", "name", "label"} <= row.keys():
            problems.append(f"choice row without list_name, name or label: {row}")
            continue
        lists.setdefault(row["list_name"], set()).add(row["name"])
    depth = 0
    seen: set[str] = set()
    for number, row in enumerate(sheets["survey"], start=2):
        kind, name = row.get("type", ""), row.get("name", "")
        if not kind or not name:
            problems.append(f"survey row {number}: type and name are required")
            continue
        if not XML_NAME.match(name):
            problems.append(f"survey row {number}: {name!r} is not an XML name")
        if kind != "end_group":
            if name in seen:
                problems.append(f"survey row {number}: {name!r} twice")
            seen.add(name)
            if not row.get("label"):
                problems.append(f"survey row {number}: {name!r} has no label")
        if kind.startswith("select_one "):
            list_name = kind.split(" ", 1)[1]
            if list_name not in lists:
                problems.append(f"survey row {number}: no choice list {list_name!r}")
            elif "default" in row and row["default"] not in lists[list_name]:
                problems.append(f"survey row {number}: default {row['default']!r} not a choice")
        elif kind not in QUESTION_TYPES:
            problems.append(f"survey row {number}: unknown type {kind!r}")
        depth += {"begin_group": 1, "end_group": -1}.get(kind, 0)
        if depth < 0:
            problems.append(f"survey row {number}: end_group without begin_group")
    if depth:
        problems.append("a group is not closed")
    settings = sheets["settings"]
    if len(settings) != 1 or not {"form_id", "version", "form_title"} <= settings[0].keys():
        problems.append("settings must be one row with form_title, form_id and version")
    return problems


def _model_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths = []
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            paths += _model_paths(info.annotation, f"{prefix}{name}/")
        else:
            paths.append(prefix + name)
    return paths


def _survey(data: bytes) -> dict[str, dict[str, str]]:
    return {row["name"]: row for row in read_xlsform(data)["survey"] if row["type"] != "end_group"}


def test_every_field_of_the_model_is_a_question_of_the_form(tmp_path: Path) -> None:
    path = tmp_path / "incident.xlsx"
    path.write_bytes(incident_xlsform())
    data = path.read_bytes()
    expected = _model_paths(IncidentReportIn)
    assert "identities/witnesses" in expected and "start_date" in expected
    assert form_field_names(data) == expected
    assert {f"identities/{n}" for n in Identities.model_fields} <= set(form_field_names(data))


def test_the_form_follows_the_xlsform_rules() -> None:
    assert xlsform_problems(incident_xlsform()) == []


def test_pyxform_converts_the_form_with_a_binding_for_every_field() -> None:
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    xform = convert(incident_xlsform(), warnings=warnings, file_type=".xlsx").xform
    assert warnings == []
    bound = set(re.findall(r'<bind nodeset="/data/([^"]+)"', xform))
    assert set(_model_paths(IncidentReportIn)) <= bound
    assert 'nodeset="/data/iso3" type="string" required="true()"' in xform
    assert 'jr:preload="uid"' in xform  # the instanceID that makes pulls idempotent


def test_the_rule_check_finds_a_broken_form() -> None:
    book = load_workbook(io.BytesIO(incident_xlsform()))
    choices = book["choices"]
    for row in list(choices.iter_rows(min_row=2)):
        if row[0].value == "event_type":
            row[0].value = "renamed"
    book["survey"].append(["select_many nothing", "bad name"])
    buffer = io.BytesIO()
    book.save(buffer)
    problems = xlsform_problems(buffer.getvalue())
    assert any("no choice list 'event_type'" in p for p in problems)
    assert any("'bad name' is not an XML name" in p for p in problems)
    assert any("unknown type 'select_many nothing'" in p for p in problems)


def test_types_choices_and_required_fields_come_from_the_model() -> None:
    data = incident_xlsform()
    survey = _survey(data)
    choices: dict[str, list[str]] = {}
    for row in read_xlsform(data)["choices"]:
        choices.setdefault(row["list_name"], []).append(row["name"])
    required = {name for name, info in IncidentReportIn.model_fields.items() if info.is_required()}
    assert required == {"iso3", "start_date", "event_type"}
    assert {name for name, row in survey.items() if row.get("required") == "yes"} == required
    for name, info in IncidentReportIn.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            list_name = survey[name]["type"].removeprefix("select_one ")
            assert choices[list_name] == [m.value for m in annotation], name
    assert choices["event_type"] == [t.value for t in EventType]
    assert survey["victim_kind"]["default"] == ActorKind.CIVILIANS.value
    assert choices["sensitivity"] == ["public", "internal", "restricted"]
    assert survey["sensitivity"]["default"] == "restricted"
    assert survey["start_date"]["type"] == "date"
    assert survey["fatalities_best"]["type"] == "integer"
    assert survey["latitude"]["type"] == "decimal"
    assert survey["latitude"]["constraint"] == ". >= -90 and . <= 90"
    assert survey["narrative"]["hint"] == IncidentReportIn.model_fields["narrative"].description
    assert survey["identities"]["type"] == "begin_group"


def test_the_settings_name_the_form_and_its_version() -> None:
    settings = read_xlsform(incident_xlsform())["settings"][0]
    assert settings["form_id"] == FORM_ID
    assert settings["version"] == form_version()
    assert re.fullmatch(r"[0-9a-f]{12}", settings["version"])
    again = read_xlsform(incident_xlsform(form_id="caf_monitors", version="2026-12"))["settings"]
    assert again[0]["form_id"] == "caf_monitors" and again[0]["version"] == "2026-12"


def test_a_country_list_makes_the_country_a_choice() -> None:
    data = incident_xlsform(countries=[("CAF", "Central African Republic"), ("SDN", "Sudan")])
    assert _survey(data)["iso3"]["type"] == "select_one country"
    countries = [r for r in read_xlsform(data)["choices"] if r["list_name"] == "country"]
    assert [(r["name"], r["label"]) for r in countries] == [
        ("CAF", "Central African Republic"),
        ("SDN", "Sudan"),
    ]
    assert xlsform_problems(data) == []


def test_the_xlsform_command_writes_the_form_with_the_countries(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tocsin.cli import _new_root
    from tocsin.cli._incidents import register

    root = _new_root()
    register(root)
    path = tmp_path / "incident.xlsx"
    answer = CliRunner().invoke(root, ["incidents", "xlsform", "-o", str(path)])
    assert answer.exit_code == 0, answer.output
    data = path.read_bytes()
    assert xlsform_problems(data) == []
    countries = {r["name"] for r in read_xlsform(data)["choices"] if r["list_name"] == "country"}
    assert {"CAF", "SDN", "MMR"} <= countries and "SUN" not in countries  # no former states
