"""The catalogue in another language: completeness checks and the localized copy.

A *shipped* language must translate every human-readable field of every entry (the
official names of legal instruments excepted: see ``PROPER_NAME_FIELDS``); the loader
refuses a file that misses one, naming the entry and the language. A *started* language may
have gaps: :func:`translation_gaps` lists them and :func:`localize` shows English there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel

from tocsin.framework._translations import (
    PROPER_NAME_FIELDS,
    SOURCE_LANGUAGE,
    language_name,
)

if TYPE_CHECKING:
    from tocsin.framework._schema import Catalogue, Location

__all__ = [
    "TRANSLATED_FIELDS",
    "completeness",
    "localize",
    "translation_gaps",
    "translation_problems",
]

#: The fields each section translates; everything else (ids, numbers, tags, kinds, crimes,
#: mappings) is the same in every language. Sources are cited as published, so not here.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "factors": ("title", "description"),
    "indicators": ("text",),
    "report_factors": ("ordinal", "title", "summary"),
    "triggers": ("title", "summary"),
    "policy_options": ("title", "description"),
    "steps": ("title", "description"),
    "instruments": ("name", "short_name", "note"),
}


def _entries(catalogue: Catalogue) -> Iterator[tuple[Location, str, BaseModel]]:
    """``(location, section, entry)`` for every translatable entry, in file order."""
    for f_index, factor in enumerate(catalogue.factors):
        yield ("factors", f_index), "factors", factor
        for i_index, indicator in enumerate(factor.indicators):
            yield ("factors", f_index, "indicators", i_index), "indicators", indicator
    for section in ("report_factors", "triggers", "policy_options", "steps", "instruments"):
        for index, entry in enumerate(getattr(catalogue, section)):
            yield (section, index), section, entry


def _fields_in(entry: BaseModel, section: str, language: str) -> dict[str, str]:
    """The fields ``entry`` has in ``language`` (none when it has no translation)."""
    found = getattr(entry, "translations").get(language)  # noqa: B009 - every entry has them
    if found is None:
        return {}
    if isinstance(found, str):  # an indicator: its one field
        return {"text": found}
    return {f: v for f in TRANSLATED_FIELDS[section] if (v := getattr(found, f)) is not None}


def _required(entry: BaseModel, section: str) -> list[str]:
    """The fields a complete translation of ``entry`` gives: those the English has."""
    return [
        f
        for f in TRANSLATED_FIELDS[section]
        if getattr(entry, f) is not None and f not in PROPER_NAME_FIELDS
    ]


def translation_problems(
    catalogue: Catalogue, *, complete: bool = True
) -> list[tuple[Location, str, str]]:
    """Every translation problem as ``(path, reason, entry id)``.

    Languages not declared under ``languages``, fields the English entry lacks, and (unless
    ``complete`` is false) every field of every entry a shipped language does not translate.
    """
    languages = catalogue.languages
    declared = set(languages.translated)
    problems: list[tuple[Location, str, str]] = []
    for loc, section, entry in _entries(catalogue):
        entry_id = str(getattr(entry, "id"))  # noqa: B009 - every entry has one
        translations = getattr(entry, "translations")  # noqa: B009
        for code in translations:
            if code not in declared:
                why = (
                    "is the source text, written in the entry itself"
                    if code == SOURCE_LANGUAGE
                    else "is not listed under languages.shipped or languages.started"
                )
                problems.append(
                    ((*loc, "translations", code), f"{entry_id}: {code!r} {why}", entry_id)
                )
                continue
            for field in _fields_in(entry, section, code):
                if getattr(entry, field) is None:
                    problems.append(
                        (
                            (*loc, "translations", code, field),
                            f"{entry_id}: the {language_name(code)} ({code}) translation has "
                            f"{field!r}, which the English entry lacks",
                            entry_id,
                        )
                    )
        for code in languages.shipped if complete else ():
            if code == SOURCE_LANGUAGE:
                continue
            have = _fields_in(entry, section, code)
            for field in _required(entry, section):
                if field not in have:
                    where = (*loc, "translations", code) + (
                        () if section == "indicators" else (field,)
                    )
                    problems.append(
                        (
                            where,
                            f"{entry_id}: no {language_name(code)} ({code}) translation of "
                            f"{field!r}; {code} is a shipped language, so every entry needs one",
                            entry_id,
                        )
                    )
    return problems


def translation_gaps(catalogue: Catalogue, language: str) -> list[str]:
    """``"<id>.<field>"`` for every field ``language`` does not translate yet.

    Always empty for a shipped language, whose file would not have loaded otherwise.

    Examples
    --------
    >>> from tocsin.framework import load_catalogue
    >>> translation_gaps(load_catalogue(), "fr")
    []
    """
    catalogue.languages.status(language)  # refuses an unknown code
    if language == SOURCE_LANGUAGE:
        return []
    catalogue = catalogue._translated()
    gaps: list[str] = []
    for _, section, entry in _entries(catalogue):
        have = _fields_in(entry, section, language)
        entry_id = str(getattr(entry, "id"))  # noqa: B009
        gaps += [f"{entry_id}.{f}" for f in _required(entry, section) if f not in have]
    return gaps


def completeness(catalogue: Catalogue, language: str) -> float:
    """The share, 0 to 1, of the fields a complete translation needs that ``language`` has.

    Examples
    --------
    >>> from tocsin.framework import load_catalogue
    >>> completeness(load_catalogue(), "en"), completeness(load_catalogue(), "fr")
    (1.0, 1.0)
    """
    gaps = translation_gaps(catalogue, language)
    catalogue = catalogue._translated()
    n_fields = sum(len(_required(entry, section)) for _, section, entry in _entries(catalogue))
    return 1.0 if n_fields == 0 else (n_fields - len(gaps)) / n_fields


def localize(catalogue: Catalogue, language: str) -> Catalogue:
    """A copy of ``catalogue`` whose text is in ``language``, English where it has a gap.

    Gaps exist only in started languages and in instrument names that keep their official
    English form.
    """
    catalogue.languages.status(language)  # refuses an unknown code
    if language == SOURCE_LANGUAGE:
        return catalogue
    catalogue = catalogue._translated()

    def swap(entry: BaseModel, section: str) -> BaseModel:
        text = _fields_in(entry, section, language)
        return entry.model_copy(update=text) if text else entry

    factors = [
        swap(f, "factors").model_copy(
            update={"indicators": [swap(i, "indicators") for i in f.indicators]}
        )
        for f in catalogue.factors
    ]
    update: dict[str, object] = {"factors": factors}
    for section in ("report_factors", "triggers", "policy_options", "steps", "instruments"):
        update[section] = [swap(e, section) for e in getattr(catalogue, section)]
    copy = catalogue.model_copy(update=update)
    copy._language = language
    return copy
