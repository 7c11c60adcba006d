"""A broken catalogue is refused with the file, line and field of each problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tocsin.errors import TocsinError
from tocsin.framework import (
    Catalogue,
    CatalogueError,
    catalogue_to_dict,
    default_catalogue_path,
    load_catalogue,
)

FULL = default_catalogue_path().read_text(encoding="utf-8")
# The structural checks below need no translations, and a copy without them (English the only
# shipped language) reads six times faster. tests/framework/test_languages.py has the rest.
SHIPPED = re.sub(
    r"^  shipped: \[.*\]$",
    "  shipped: [en]",
    re.sub(r"^( *)translations:.*\n(?:\1 .*\n|[ ]*\n)*", "", FULL, flags=re.MULTILINE),
    count=1,
    flags=re.MULTILINE,
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _refuse(tmp_path: Path, text: str) -> CatalogueError:
    path = _write(tmp_path, text)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert isinstance(caught.value, TocsinError)
    assert str(path) in str(caught.value)
    return caught.value


def test_a_copy_of_the_shipped_file_loads(tmp_path: Path) -> None:
    # The shipped catalogue is read without its translations until a language is asked for;
    # a copy is read whole. Both give the same text in every language.
    copy = load_catalogue(_write(tmp_path, FULL))
    shipped = load_catalogue()
    assert copy.languages == shipped.languages
    for language in shipped.languages.all:
        assert catalogue_to_dict(copy.localized(language)) == catalogue_to_dict(
            shipped.localized(language)
        )


def test_the_english_only_copy_loads(tmp_path: Path) -> None:
    english = load_catalogue(_write(tmp_path, SHIPPED))
    assert english.languages.shipped == ["en"]
    assert catalogue_to_dict(english) == catalogue_to_dict(load_catalogue())


def test_unknown_factor_reference(tmp_path: Path) -> None:
    good = 'framework_refs: [RF9, "9.4", "9.6"]'
    assert SHIPPED.count(good) == 1
    text = SHIPPED.replace(good, 'framework_refs: [RF99, "9.4", "9.6"]')
    error = _refuse(tmp_path, text)
    (problem,) = error.problems
    assert problem.field is not None and problem.field.startswith("policy_options.")
    assert problem.field.endswith(".framework_refs.0")
    assert problem.value == "RF99"
    assert problem.line == _line_of(text, "[RF99,")
    assert f":{problem.line}: field 'policy_options." in str(error)


def test_unknown_indicator_reference(tmp_path: Path) -> None:
    text = SHIPPED.replace('framework_refs: [RF8, "8.5"]', 'framework_refs: [RF8, "8.13"]')
    error = _refuse(tmp_path, text)
    assert [p.value for p in error.problems] == ["8.13"]


def test_duplicate_id(tmp_path: Path) -> None:
    text = SHIPPED.replace("  - id: P2\n", "  - id: P1\n")
    error = _refuse(tmp_path, text)
    (problem,) = error.problems
    assert problem.field == "policy_options.1.id"
    assert "duplicate id" in problem.reason and "policy_options.0.id" in problem.reason
    assert problem.line == _line_of(text, "title: Inclusive and credible elections") - 2


def test_missing_field(tmp_path: Path) -> None:
    text = SHIPPED.replace("    title: Weakness of State structures\n", "")
    error = _refuse(tmp_path, text)
    (problem,) = error.problems
    assert problem.field == "factors.2.title"
    assert "required" in problem.reason.lower()
    assert problem.line == _line_of(text, "- id: RF3")


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    text = SHIPPED.replace("    kind: genocide\n", "    kind: genocide\n    colour: red\n", 1)
    error = _refuse(tmp_path, text)
    assert [p.field for p in error.problems] == ["factors.8.colour"]
    assert error.problems[0].line == _line_of(text, "colour: red")


def test_indicators_out_of_order(tmp_path: Path) -> None:
    text = SHIPPED.replace('      - id: "2.8"\n', '      - id: "2.9"\n')
    error = _refuse(tmp_path, text)
    (problem,) = error.problems
    assert problem.field == "factors.1"
    assert "'2.8'" in problem.reason


def test_bad_tag(tmp_path: Path) -> None:
    text = SHIPPED.replace("tags: [event:battle, data:ucdp, data:acled]", "tags: [battles]")
    error = _refuse(tmp_path, text)
    assert error.problems[0].field == "factors.0.indicators.0.tags.0"


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = SHIPPED.replace('framework_refs: [RF8, "8.5"]', 'framework_refs: [RF0, "8.55"]')
    error = _refuse(tmp_path, text)
    assert [p.value for p in error.problems] == ["RF0", "8.55"]


def test_not_yaml(tmp_path: Path) -> None:
    error = _refuse(tmp_path, "version: [unclosed\n")
    assert "not valid YAML" in error.problems[0].reason


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(CatalogueError, match="cannot read file"):
        load_catalogue(path)


def test_python_construction_checks_references_too() -> None:
    data = load_catalogue().model_dump()
    data["triggers"][0]["framework_refs"] = ["RF42"]
    with pytest.raises(ValueError, match="RF42|not a risk factor"):
        Catalogue.model_validate(data)


def test_python_construction_from_the_shipped_dump() -> None:
    # The shipped catalogue is read without its translations; its dump builds again.
    data = load_catalogue().model_dump()
    assert Catalogue.model_validate(data).factors == load_catalogue().factors
    data["factors"][0]["translations"] = {"de": {"title": "Bewaffneter Konflikt"}}
    with pytest.raises(ValueError, match="'de' is not listed"):
        Catalogue.model_validate(data)
