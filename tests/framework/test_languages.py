"""The catalogue in every shipped language: complete, really translated, and refused when not."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from tocsin.cli import app, main
from tocsin.framework import (
    PROPER_NAME_FIELDS,
    TRANSLATED_FIELDS,
    CatalogueError,
    UnknownLanguageError,
    catalogue_tree,
    default_catalogue_path,
    load_catalogue,
)

SHIPPED_TEXT = default_catalogue_path().read_text(encoding="utf-8")
# Read here with PyYAML alone, so that the checks below do not lean on the loader under test.
RAW: dict[str, Any] = yaml.load(SHIPPED_TEXT, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
SHIPPED = [c for c in RAW["languages"]["shipped"] if c != "en"]
STARTED = list(RAW["languages"]["started"])

# Texts that are rightly the same in a translation: acronyms and names kept in their
# official English form (docs/translating.md).
SAME_IN_EVERY_LANGUAGE = {"ICCPR", "ICCPR-OP2", "ICESCR", "CAT", "CEDAW", "ICERD", "CRC", "ATT"}


def _entries() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(section, id, entry)`` for every translatable entry of the raw file."""
    for factor in RAW["factors"]:
        yield "factors", factor["id"], factor
        for indicator in factor["indicators"]:
            yield "indicators", indicator["id"], indicator
    for section in ("report_factors", "triggers", "policy_options", "steps", "instruments"):
        for entry in RAW[section]:
            yield section, entry["id"], entry


def _pairs(language: str) -> Iterator[tuple[str, str, str | None, str]]:
    """``(id, field, english, translation)`` for every field ``language`` translates."""
    for section, entry_id, entry in _entries():
        translation = entry.get("translations", {}).get(language)
        if translation is None:
            continue
        if section == "indicators":
            translation = {"text": translation}
        for field, text in translation.items():
            yield entry_id, field, entry.get(field), text


def test_the_languages_are_declared() -> None:
    assert RAW["languages"]["shipped"][:4] == ["en", "fr", "es", "ar"]
    catalogue = load_catalogue()
    assert catalogue.languages.shipped == RAW["languages"]["shipped"]
    assert catalogue.languages.started == STARTED


@pytest.mark.parametrize("language", SHIPPED)
def test_every_entry_is_in_every_shipped_language(language: str) -> None:
    missing = []
    for section, entry_id, entry in _entries():
        translation = entry.get("translations", {}).get(language)
        needed = [
            f
            for f in TRANSLATED_FIELDS[section]
            if entry.get(f) is not None and f not in PROPER_NAME_FIELDS
        ]
        if translation is None:
            missing += [f"{entry_id}.{f}" for f in needed]
        elif section != "indicators":
            missing += [f"{entry_id}.{f}" for f in needed if not translation.get(f)]
    assert missing == []
    assert load_catalogue().translation_gaps(language) == []
    assert load_catalogue().completeness(language) == 1.0


@pytest.mark.parametrize("language", [*SHIPPED, *STARTED])
def test_no_field_the_english_lacks_and_no_empty_text(language: str) -> None:
    for entry_id, field, english, text in _pairs(language):
        assert english, (entry_id, field)
        assert isinstance(text, str) and text.strip() == text and text, (entry_id, field)


@pytest.mark.parametrize("language", [*SHIPPED, *STARTED])
def test_nothing_is_left_as_an_english_copy(language: str) -> None:
    copies = [
        (entry_id, field)
        for entry_id, field, english, text in _pairs(language)
        if text == english and english not in SAME_IN_EVERY_LANGUAGE
    ]
    assert copies == []


def _numbers(text: str | None) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?", text or ""))


@pytest.mark.parametrize("language", [*SHIPPED, *STARTED])
def test_numbers_and_paragraphs_are_kept(language: str) -> None:
    # "§§18-20", "articles 19-20", "footnote 4", "1967": a translation says the same numbers,
    # in Western digits in every script (docs/translating.md).
    wrong = [
        (entry_id, field, _numbers(english), _numbers(text))
        for entry_id, field, english, text in _pairs(language)
        if _numbers(english) != _numbers(text)
    ]
    assert wrong == []


@pytest.mark.parametrize("language", [*SHIPPED, *STARTED])
def test_the_script_is_the_languages(language: str) -> None:
    script = {
        "ar": r"[\u0600-\u06FF]",
        "ru": r"[\u0400-\u04FF]",
        "zh": r"[\u4E00-\u9FFF]",
    }.get(language, r"[A-Za-zÀ-ÿ]")
    for entry_id, field, _, text in _pairs(language):
        if text not in SAME_IN_EVERY_LANGUAGE:
            assert re.search(script, text), (entry_id, field, text)


def test_localized_changes_text_only() -> None:
    english = load_catalogue()
    for language in [*SHIPPED, *STARTED]:
        localized = english.localized(language)
        assert localized.language == language
        assert localized.framework_codes() == english.framework_codes()
        for ours, theirs in zip(localized.factors, english.factors, strict=True):
            assert (ours.id, ours.kind, ours.crimes) == (theirs.id, theirs.kind, theirs.crimes)
            assert [i.tags for i in ours.indicators] == [i.tags for i in theirs.indicators]
        for ours_p, theirs_p in zip(localized.policy_options, english.policy_options, strict=True):
            assert ours_p.framework_refs == theirs_p.framework_refs
    assert english.language == "en"  # the original is untouched


@pytest.mark.parametrize("language", SHIPPED)
def test_localized_text_is_the_files(language: str) -> None:
    localized = load_catalogue().localized(language)
    rf9 = next(f for f in RAW["factors"] if f["id"] == "RF9")
    assert localized.factor("RF9").title == rf9["translations"][language]["title"]
    assert localized.indicator("9.3").text == rf9["indicators"][2]["translations"][language]
    step = RAW["steps"][0]
    assert localized.steps[0].title == step["translations"][language]["title"]
    # Localizing a localized copy starts again from the English.
    assert localized.localized("en") == load_catalogue()
    assert localized.localized(SHIPPED[0]) == load_catalogue().localized(SHIPPED[0])


def test_an_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(UnknownLanguageError, match="'de'") as caught:
        load_catalogue().localized("de")
    assert "fr" in str(caught.value)


# -- refused files ---------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _french_line_of_indicator(indicator: str) -> str:
    block = SHIPPED_TEXT.split(f'      - id: "{indicator}"\n', 1)[1]
    french = re.search(r"\n          fr: .*\n(            .*\n)*", block)
    assert french is not None
    return french.group(0)[1:]


def test_a_missing_french_entry_is_refused_with_file_entry_and_language(tmp_path: Path) -> None:
    text = SHIPPED_TEXT.replace(_french_line_of_indicator("9.3"), "", 1)
    path = _write(tmp_path, text)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    (problem,) = caught.value.problems
    message = str(caught.value)
    assert str(path) in message and "9.3" in message and "fr" in message and "French" in message
    assert problem.value == "9.3"
    assert problem.field is not None and problem.field.endswith(".translations.fr")
    # The line of the indicator's translations, which lack French.
    block_start = _line_of(text, '- id: "9.3"')
    assert block_start < problem.line <= block_start + 6  # type: ignore[operator]


def test_a_missing_french_title_is_refused(tmp_path: Path) -> None:
    rf3 = RAW["factors"][2]["translations"]["fr"]["title"]
    text = SHIPPED_TEXT.replace(f"        title: {rf3}\n", "", 1)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(_write(tmp_path, text))
    (problem,) = caught.value.problems
    assert problem.field == "factors.2.translations.fr.title"
    assert "RF3" in problem.reason and "(fr)" in problem.reason


def test_a_translated_field_the_english_lacks_is_refused(tmp_path: Path) -> None:
    name = RAW["instruments"][0]["translations"]["fr"]["name"]
    text = SHIPPED_TEXT.replace(
        f"        name: {name}\n", f"        name: {name}\n        note: Une note en trop.\n", 1
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(_write(tmp_path, text))
    (problem,) = caught.value.problems
    assert problem.field == "instruments.0.translations.fr.note"
    assert problem.line == _line_of(text, "note: Une note en trop.")


def test_an_undeclared_language_is_refused(tmp_path: Path) -> None:
    fr = _french_line_of_indicator("1.1")
    text = SHIPPED_TEXT.replace(fr, fr + "          de: Ein bewaffneter Konflikt.\n", 1)
    with pytest.raises(CatalogueError, match="'de' is not listed"):
        load_catalogue(_write(tmp_path, text))
    text = SHIPPED_TEXT.replace(fr, fr + "          en: An armed conflict.\n", 1)
    with pytest.raises(CatalogueError, match="'en' is the source text"):
        load_catalogue(_write(tmp_path, text))


def test_a_started_language_may_have_gaps_and_falls_back_to_english(tmp_path: Path) -> None:
    started = "  started: [" + ", ".join(STARTED) + "]\n"
    assert started in SHIPPED_TEXT
    fr = _french_line_of_indicator("1.1")
    text = SHIPPED_TEXT.replace(started, "  started: [" + ", ".join([*STARTED, "de"]) + "]\n")
    text = text.replace(fr, fr + "          de: Ein bewaffneter Konflikt ist im Gange.\n", 1)
    catalogue = load_catalogue(_write(tmp_path, text))
    german = catalogue.localized("de")
    assert german.indicator("1.1").text == "Ein bewaffneter Konflikt ist im Gange."
    assert german.indicator("1.2").text == catalogue.indicator("1.2").text
    assert german.factor("RF1").title == catalogue.factor("RF1").title
    gaps = catalogue.translation_gaps("de")
    assert "1.1.text" not in gaps and "1.2.text" in gaps and "RF1.title" in gaps
    assert 0 < catalogue.completeness("de") < 0.01
    console = Console(width=200, record=True, color_system=None)
    with console.capture() as captured:
        console.print(catalogue_tree(german, sections=("factors",), factor="RF1"))
    assert "de: translation started, 0% done; the rest is shown in English" in captured.get()
    assert "Ein bewaffneter Konflikt ist im Gange." in captured.get()


# -- the command line --------------------------------------------------------------------------

runner = CliRunner()


def _run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "framework", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_tree_in_french_and_arabic(tmp_path: Path, language: str) -> None:
    output = _run(tmp_path, "--lang", language, "--factor", "RF9", "-s", "factors")
    rf9 = next(f for f in RAW["factors"] if f["id"] == "RF9")
    # The tree crops long lines to the terminal; the start of each text is there.
    assert rf9["translations"][language]["title"][:30] in output
    assert rf9["indicators"][0]["translations"][language][:30] in output
    assert rf9["title"][:30] not in output


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_json_in_french_and_arabic(tmp_path: Path, language: str) -> None:
    data = json.loads(_run(tmp_path, "--json", "--lang", language))
    assert data["language"] == language
    assert "translations" not in json.dumps(data)
    assert [f["title"] for f in data["factors"]] == [
        f["translations"][language]["title"] for f in RAW["factors"]
    ]
    assert [s["description"] for s in data["steps"]] == [
        s["translations"][language]["description"] for s in RAW["steps"]
    ]
    assert data["counts"]["n_indicators"] == 143


def test_an_unknown_language_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(tmp_path), "framework", "--lang", "de"])
    assert exited.value.code == 1
    error = capsys.readouterr().err
    assert "no language 'de'" in error and "fr" in error


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(
        SHIPPED_TEXT.encode("utf-8").replace("État".encode(), "État".encode("latin-1"), 1)
    )
    with pytest.raises(CatalogueError, match="not UTF-8") as caught:
        load_catalogue(path)
    assert caught.value.problems[0].line == _line_of(SHIPPED_TEXT, "État")
