"""The shape of the risk-factor catalogue, as pydantic models.

Every entry of ``catalogue.yaml`` is validated against these models when it is
loaded. Checks that need the whole catalogue (does this mapping point at an
existing factor?) live in :func:`reference_problems`, so the loader can report
each bad reference with its own field path and line.

Code format
-----------
Other capabilities tag their findings with *Framework codes*:

* ``RF1`` … ``RF14`` — a risk factor of the UN Framework of Analysis (2014);
* ``<factor number>.<indicator number>``, e.g. ``1.1`` or ``14.3`` — one of its indicators.

Nothing else is a Framework code: entries that come from the seed report
(``R1``, ``T1``, ``P1``, ``S71a``) and legal instruments have their own ids but
only *point at* Framework codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tocsin.framework._translations import (
    SOURCE_LANGUAGE,
    FactorText,
    InstrumentText,
    LanguageCode,
    Languages,
    PolicyText,
    ReportFactorText,
    TriggerText,
)

__all__ = [
    "FACTOR_CODE",
    "INDICATOR_CODE",
    "Catalogue",
    "Crime",
    "FactorKind",
    "Indicator",
    "LegalInstrument",
    "PolicyOption",
    "ReportRiskFactor",
    "RiskFactor",
    "Source",
    "Trigger",
    "reference_problems",
]

#: A Framework risk-factor code: ``RF`` and the factor's number, no leading zero.
FACTOR_CODE = re.compile(r"^RF([1-9][0-9]?)$")
#: A Framework indicator code: factor number, a dot, indicator number, no leading zeros.
INDICATOR_CODE = re.compile(r"^([1-9][0-9]?)\.([1-9][0-9]?)$")

#: An evidence tag: ``event:<type>``, ``data:<data set>`` or ``speech:<kind>``.
TAG = re.compile(r"^(event|data|speech):[a-z][a-z0-9_]*$")

Crime = Literal["genocide", "crimes_against_humanity", "war_crimes", "ethnic_cleansing"]
FactorKind = Literal["common", "genocide", "crimes_against_humanity", "war_crimes"]
Verification = Literal["checked", "partly_checked", "unchecked"]
Paragraph = Annotated[int, Field(ge=1, le=77)]  # the seed report has paragraphs 1-77
Text = Annotated[str, Field(min_length=1)]
FrameworkRefs = Annotated[list[str], Field(min_length=1)]


class _Entry(BaseModel):
    # Frozen and strict about unknown keys: a typo in the YAML must fail, not vanish.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Entry):
    """A document the catalogue draws on, with what a citation needs."""

    id: Text
    title: Text
    author: Text
    year: int
    symbol: str | None = None
    url: str | None = None


class Indicator(_Entry):
    """One indicator of a Framework risk factor, in Tocsin's own words.

    ``tags`` name kinds of evidence (event types, data sources) that can show the
    indicator; they are hints for linking, not a claim that the data suffices.
    """

    id: Annotated[str, Field(pattern=INDICATOR_CODE.pattern)]
    text: Text
    tags: list[Annotated[str, Field(pattern=TAG.pattern)]] = Field(default_factory=list)
    translations: dict[LanguageCode, Text] = Field(default_factory=dict)


class RiskFactor(_Entry):
    """A risk factor of the UN Framework of Analysis for Atrocity Crimes (2014).

    ``verification`` records whether the indicator list was checked against a
    public copy of the Framework (see ``docs/framework.md``).
    """

    id: Annotated[str, Field(pattern=FACTOR_CODE.pattern)]
    number: Annotated[int, Field(ge=1, le=14)]
    title: Text
    kind: FactorKind
    crimes: Annotated[list[Crime], Field(min_length=1)]
    description: Text
    verification: Verification
    translations: dict[LanguageCode, FactorText] = Field(default_factory=dict)
    indicators: Annotated[list[Indicator], Field(min_length=1)]

    @model_validator(mode="after")
    def _numbering(self) -> RiskFactor:
        if self.id != f"RF{self.number}":
            raise ValueError(f"id {self.id!r} does not match number {self.number}")
        for position, indicator in enumerate(self.indicators, start=1):
            expected = f"{self.number}.{position}"
            if indicator.id != expected:
                raise ValueError(
                    f"indicator ids must run {self.number}.1, {self.number}.2, … in order; "
                    f"found {indicator.id!r} where {expected!r} belongs"
                )
        return self


class ReportRiskFactor(_Entry):
    """A risk factor as the seed report (A/67/929–S/2013/399) lists it."""

    id: Annotated[str, Field(pattern=r"^R[1-9]$")]
    ordinal: Text  # "First", "Second", … as the report introduces it
    paragraphs: Annotated[list[Paragraph], Field(min_length=1)]
    title: Text
    summary: Text
    framework_refs: FrameworkRefs
    translations: dict[LanguageCode, ReportFactorText] = Field(default_factory=dict)


class Trigger(_Entry):
    """A trigger or driver named in §27 of the seed report."""

    id: Annotated[str, Field(pattern=r"^T[1-9][0-9]?$")]
    paragraphs: Annotated[list[Paragraph], Field(min_length=1)]
    title: Text
    summary: Text
    framework_refs: FrameworkRefs
    translations: dict[LanguageCode, TriggerText] = Field(default_factory=dict)


class PolicyOption(_Entry):
    """A policy option of §§30–64 or a step of §71 of the seed report.

    ``kind`` says ``structural`` or ``operational`` in the sense of §31; the
    report does not label each paragraph, so the marking is Tocsin's reading.
    The steps of §71 have kind ``step``.
    """

    id: Annotated[str, Field(pattern=r"^(P[1-9][0-9]?|S71[a-g])$")]
    paragraphs: Annotated[list[Paragraph], Field(min_length=1)]
    title: Text
    description: Text
    kind: Literal["structural", "operational", "step"]
    framework_refs: FrameworkRefs
    translations: dict[LanguageCode, PolicyText] = Field(default_factory=dict)


class LegalInstrument(_Entry):
    """An international legal instrument listed in footnote 4 of the seed report."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Text
    short_name: Text
    year_adopted: Annotated[int, Field(ge=1900, le=2100)]
    crimes: list[Crime] = Field(default_factory=list)
    framework_refs: FrameworkRefs
    note: str | None = None
    translations: dict[LanguageCode, InstrumentText] = Field(default_factory=dict)


class Catalogue(_Entry):
    """The whole catalogue: Framework factors, seed-report entries, instruments.

    Examples
    --------
    >>> from tocsin.framework import load_catalogue
    >>> cat = load_catalogue()
    >>> cat.factor("RF9").title
    'Intergroup tensions or patterns of discrimination against protected groups'
    >>> cat.indicator("9.1").id
    '9.1'
    >>> cat.is_valid_reference("RF14"), cat.is_valid_reference("1.1"), cat.is_valid_reference("P1")
    (True, True, False)
    """

    version: Annotated[str, Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")]
    languages: Languages = Field(default_factory=Languages)
    sources: Annotated[list[Source], Field(min_length=1)]
    factors: Annotated[list[RiskFactor], Field(min_length=1)]
    report_factors: list[ReportRiskFactor]
    triggers: list[Trigger]
    policy_options: list[PolicyOption]
    steps: list[PolicyOption]
    instruments: list[LegalInstrument]

    # Set on the copies :meth:`localized` makes: their language, and the English original
    # they were made from, so that localizing a copy again starts from the English text.
    _language: str = PrivateAttr(default=SOURCE_LANGUAGE)
    _english: Catalogue | None = PrivateAttr(default=None)
    # Set on the shipped catalogue, read without its translations to start fast: reads the
    # whole file, translations included, the first time a language is asked for.
    _with_translations: Callable[[], Catalogue] | None = PrivateAttr(default=None)

    @field_validator("factors")
    @classmethod
    def _factor_order(cls, factors: list[RiskFactor]) -> list[RiskFactor]:
        numbers = [f.number for f in factors]
        if numbers != list(range(1, len(factors) + 1)):
            raise ValueError(f"factors must be numbered 1, 2, … in order; found {numbers}")
        return factors

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Catalogue:
        # The file loader runs these checks itself to report each problem with its
        # own path and line; everyone else gets them here.
        if info.context and info.context.get("defer_reference_checks"):
            return self
        from tocsin.framework._languages import translation_problems

        # Missing translations are the file loader's to refuse: a catalogue built here from
        # the shipped one's model_dump() has none, as they are read only when asked for.
        problems = reference_problems(self) + translation_problems(self, complete=False)
        if problems:
            raise ValueError(
                "; ".join(f"{'.'.join(map(str, loc))}: {reason}" for loc, reason, _ in problems)
            )
        return self

    # -- languages ---------------------------------------------------------------

    @property
    def language(self) -> str:
        """The language of this copy's text: ``"en"`` unless made by :meth:`localized`."""
        return self._language

    def localized(self, language: str) -> Catalogue:
        """This catalogue with its text in ``language`` (a code such as ``"fr"``).

        A shipped language is complete; a started one shows English where it has no
        translation yet, and so do the official names of legal instruments that keep their
        English form. Ids, numbers, tags and mappings are the same in every language.

        Raises
        ------
        UnknownLanguageError
            When the catalogue does not hold ``language``; the message names it.

        Examples
        --------
        >>> from tocsin.framework import load_catalogue
        >>> fr = load_catalogue().localized("fr")
        >>> fr.language, fr.factor("RF9").id
        ('fr', 'RF9')
        >>> fr.localized("en") == load_catalogue()
        True
        """
        from tocsin.framework._languages import localize

        english = self._english if self._english is not None else self
        self.languages.status(language)  # refuses an unknown code before reading anything
        if language == SOURCE_LANGUAGE:
            return english
        copy = localize(english, language)
        copy._english = english
        return copy

    def translation_gaps(self, language: str) -> list[str]:
        """``"<id>.<field>"`` for each field ``language`` does not translate yet."""
        from tocsin.framework._languages import translation_gaps

        return translation_gaps(self, language)

    def completeness(self, language: str) -> float:
        """The share, 0 to 1, of the catalogue's text that ``language`` translates."""
        from tocsin.framework._languages import completeness

        return completeness(self, language)

    def _translated(self) -> Catalogue:
        """This catalogue in English with the translations beside its entries."""
        english = self._english if self._english is not None else self
        return english._with_translations() if english._with_translations else english

    # -- lookups -----------------------------------------------------------------

    def factor(self, code: str) -> RiskFactor:
        """The risk factor with code ``code`` (``"RF9"``); ``KeyError`` if none."""
        for factor in self.factors:
            if factor.id == code:
                return factor
        raise KeyError(f"no risk factor {code!r} (codes run RF1 to RF{len(self.factors)})")

    def indicator(self, code: str) -> Indicator:
        """The indicator with code ``code`` (``"9.3"``); ``KeyError`` if none."""
        match = INDICATOR_CODE.match(code)
        if match:
            for factor in self.factors:
                if factor.number == int(match.group(1)):
                    for indicator in factor.indicators:
                        if indicator.id == code:
                            return indicator
        raise KeyError(f"no indicator {code!r}")

    def factor_of(self, code: str) -> RiskFactor:
        """The factor a Framework code belongs to: ``"9.3"`` and ``"RF9"`` give RF9."""
        if not self.is_valid_reference(code):
            raise KeyError(f"{code!r} is not a Framework code of this catalogue")
        match = INDICATOR_CODE.match(code)
        return self.factor(f"RF{match.group(1)}" if match else code)

    def is_valid_reference(self, code: str) -> bool:
        """Whether ``code`` names a factor (``"RF1"``) or indicator (``"1.1"``) here."""
        return code in self._codes()

    def framework_codes(self) -> list[str]:
        """Every Framework code, factors each followed by their indicators."""
        return list(self._codes())

    def policy_options_for(self, code: str) -> list[PolicyOption]:
        """Policy options and §71 steps that address factor ``code`` or one of its indicators."""
        factor = self.factor(code)
        own = {factor.id, *(i.id for i in factor.indicators)}
        return [p for p in [*self.policy_options, *self.steps] if own & set(p.framework_refs)]

    def _codes(self) -> dict[str, None]:
        # An ordered set; recomputed on demand because the model is frozen and small.
        codes: dict[str, None] = {}
        for factor in self.factors:
            codes[factor.id] = None
            codes.update(dict.fromkeys(i.id for i in factor.indicators))
        return codes


Location = tuple[str | int, ...]


def _all_ids(catalogue: Catalogue) -> Iterator[tuple[Location, str]]:
    sections: list[tuple[str, list[BaseModel]]] = [
        ("sources", list(catalogue.sources)),
        ("factors", list(catalogue.factors)),
        ("report_factors", list(catalogue.report_factors)),
        ("triggers", list(catalogue.triggers)),
        ("policy_options", list(catalogue.policy_options)),
        ("steps", list(catalogue.steps)),
        ("instruments", list(catalogue.instruments)),
    ]
    for name, entries in sections:
        for index, entry in enumerate(entries):
            yield (name, index, "id"), str(getattr(entry, "id"))  # noqa: B009 - every entry has one
    for f_index, factor in enumerate(catalogue.factors):
        for i_index, indicator in enumerate(factor.indicators):
            yield ("factors", f_index, "indicators", i_index, "id"), indicator.id


def reference_problems(catalogue: Catalogue) -> list[tuple[Location, str, str]]:
    """Duplicate ids and mappings that point nowhere, as ``(path, reason, value)``.

    ``path`` is the field path inside the catalogue, e.g.
    ``("policy_options", 3, "framework_refs", 0)``.
    """
    problems: list[tuple[Location, str, str]] = []
    seen: dict[str, Location] = {}
    for loc, value in _all_ids(catalogue):
        if value in seen:
            first = ".".join(map(str, seen[value]))
            problems.append((loc, f"duplicate id, already used at {first}", value))
        else:
            seen[value] = loc
    codes = catalogue._codes()
    linked: list[tuple[str, Sequence[ReportRiskFactor | Trigger | PolicyOption | LegalInstrument]]]
    linked = [
        ("report_factors", catalogue.report_factors),
        ("triggers", catalogue.triggers),
        ("policy_options", catalogue.policy_options),
        ("steps", catalogue.steps),
        ("instruments", catalogue.instruments),
    ]
    refs: list[tuple[Location, str]] = []
    for name, entries in linked:
        for index, entry in enumerate(entries):
            refs += [
                ((name, index, "framework_refs", j), r) for j, r in enumerate(entry.framework_refs)
            ]
    for loc, ref in refs:
        if ref not in codes:
            problems.append(
                (loc, "not a risk factor (RFn) or indicator (n.m) of the Framework", ref)
            )
    return problems
