"""The catalogue's languages and the shape of a translation beside an English entry.

Every translatable entry of ``catalogue.yaml`` may carry ``translations``: a mapping from a
language code to that entry's human-readable fields in that language. Indicators have one
such field, so their translations are plain strings; every other entry maps each language to
the fields it translates. Ids, numbers, tags, kinds and crimes are never translated.

Which languages the catalogue holds is said once, at the top of the file::

    languages:
      shipped: [en, fr, es, ar]   # complete: the loader refuses a missing entry
      started: [ru, zh]           # partial: gaps are shown in English

English is the source: it comes first among the shipped languages and is the text every
translation renders.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tocsin.errors import TocsinError

__all__ = [
    "LANGUAGE_NAMES",
    "PROPER_NAME_FIELDS",
    "SOURCE_LANGUAGE",
    "FactorText",
    "InstrumentText",
    "LanguageCode",
    "Languages",
    "PolicyText",
    "ReportFactorText",
    "TriggerText",
    "UnknownLanguageError",
    "language_name",
]

SOURCE_LANGUAGE = "en"

#: Names of the languages, in English and in the language itself, for messages and headings.
#: A language not listed here is named by its code.
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "fr": ("French", "Français"),
    "es": ("Spanish", "Español"),
    "ar": ("Arabic", "العربية"),
    "ru": ("Russian", "Русский"),
    "zh": ("Chinese", "中文"),
}

#: Fields that hold the official name of a legal instrument. A translation gives them only
#: where the official name in that language is certain; otherwise the English official name
#: stands, even in a shipped language (docs/translating.md).
PROPER_NAME_FIELDS = frozenset({"name", "short_name"})

# ISO 639-1 codes, optionally with a region or script (``pt-BR``, ``zh-Hant``).
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")]
_Text = Annotated[str, Field(min_length=1)]


def language_name(code: str) -> str:
    """The English name of a language code, or the code itself when it is not known.

    Examples
    --------
    >>> language_name("fr"), language_name("xx")
    ('French', 'xx')
    """
    return LANGUAGE_NAMES.get(code, (code, code))[0]


class UnknownLanguageError(TocsinError, ValueError):
    """A language code the catalogue does not hold; the message names it and the choices.

    Examples
    --------
    >>> print(UnknownLanguageError("xx", shipped=["en", "fr"], started=["ru"]))
    the catalogue has no language 'xx'. Fix: use one of en, fr (complete) or ru (started)
    """

    def __init__(self, code: str, *, shipped: list[str], started: list[str]) -> None:
        self.code = code
        choices = f"{', '.join(shipped)} (complete)"
        if started:
            choices += f" or {', '.join(started)} (started)"
        super().__init__(f"the catalogue has no language {code!r}", fix=f"use one of {choices}")


class _Translation(BaseModel):
    # Strict about unknown keys, like every catalogue entry: a translated field the English
    # entry does not have is a typo or a misplaced line, never something to keep quietly.
    model_config = ConfigDict(frozen=True, extra="forbid")


class FactorText(_Translation):
    """A Framework risk factor's title and description in one language."""

    title: _Text | None = None
    description: _Text | None = None


class ReportFactorText(_Translation):
    """A report risk factor's ordinal ("First"), title and summary in one language."""

    ordinal: _Text | None = None
    title: _Text | None = None
    summary: _Text | None = None


class TriggerText(_Translation):
    """A trigger's title and summary in one language."""

    title: _Text | None = None
    summary: _Text | None = None


class PolicyText(_Translation):
    """A policy option's or §71 step's title and description in one language."""

    title: _Text | None = None
    description: _Text | None = None


class InstrumentText(_Translation):
    """A legal instrument's official name, short name and note in one language."""

    name: _Text | None = None
    short_name: _Text | None = None
    note: _Text | None = None


class Languages(_Translation):
    """The languages the catalogue holds: complete (``shipped``) and partial (``started``).

    Examples
    --------
    >>> Languages(shipped=["en", "fr"], started=["ru"]).all
    ['en', 'fr', 'ru']
    """

    shipped: Annotated[list[LanguageCode], Field(min_length=1)] = Field(
        default_factory=lambda: [SOURCE_LANGUAGE]
    )
    started: list[LanguageCode] = Field(default_factory=list)

    @model_validator(mode="after")
    def _source_first_and_no_repeats(self) -> Languages:
        if self.shipped[0] != SOURCE_LANGUAGE:
            raise ValueError(
                f"the first shipped language must be {SOURCE_LANGUAGE!r}, the source text; "
                f"found {self.shipped[0]!r}"
            )
        codes = [*self.shipped, *self.started]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"language(s) listed twice: {', '.join(repeated)}")
        return self

    @property
    def all(self) -> list[str]:
        """Every language, shipped first."""
        return [*self.shipped, *self.started]

    @property
    def translated(self) -> list[str]:
        """Every language but the source."""
        return [c for c in self.all if c != SOURCE_LANGUAGE]

    def status(self, code: str) -> str:
        """``source``, ``shipped`` or ``started``; :class:`UnknownLanguageError` otherwise."""
        if code == SOURCE_LANGUAGE:
            return "source"
        if code in self.shipped:
            return "shipped"
        if code in self.started:
            return "started"
        raise UnknownLanguageError(code, shipped=self.shipped, started=self.started)
