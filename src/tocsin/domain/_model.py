"""The shared domain model: what every capability says to every other.

Capabilities never read each other's tables. They exchange these typed objects:
a :class:`Country` (keyed by ``iso3``), a :class:`Source` of information with its
analyst grade, and a :class:`Signal` — one piece of evidence about atrocity risk,
tagged with the framework risk factors or indicators it bears on.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ISO3_PATTERN = re.compile(r"^[A-Z]{3}$")
# Framework references are written "RF<n>" for a risk factor (1–14) or "<n>.<m>" for an
# indicator; the framework package checks that the number exists in the catalogue.
FRAMEWORK_CODE_PATTERN = re.compile(r"^(RF([1-9]|1[0-4])|([1-9]|1[0-4])\.[1-9][0-9]?)$")


class Sensitivity(StrEnum):
    """Who may see a record: everyone, signed-in staff, or named roles only."""

    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"


class Reliability(StrEnum):
    """How far the source has proved reliable (the A–F scale of intelligence analysts)."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged


class Credibility(StrEnum):
    """How credible this piece of information is (the 1–6 scale)."""

    CONFIRMED = "1"  # confirmed by other independent sources
    PROBABLY_TRUE = "2"
    POSSIBLY_TRUE = "3"
    DOUBTFUL = "4"
    IMPROBABLE = "5"
    CANNOT_JUDGE = "6"


class SourceKind(StrEnum):
    """What kind of body or channel a source is."""

    DATASET = "dataset"
    UN = "un"
    GOVERNMENT = "government"
    NGO = "ngo"
    MEDIA = "media"
    ACADEMIC = "academic"
    FIELD_MONITOR = "field_monitor"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


class SignalKind(StrEnum):
    """The families of evidence that become Signals."""

    FORECAST = "forecast"  # statistical risk of mass-killing onset
    ESCALATION = "escalation"  # surge of violence against civilians detected in events
    TRIGGER_EVENT = "trigger_event"  # an event matching a §27 trigger
    SPEECH_SURGE = "speech_surge"  # rise in hate speech or incitement
    STRUCTURAL = "structural"  # a country-year indicator (PTS, V-Dem, treaties, …)
    ANALYST_JUDGEMENT = "analyst_judgement"  # a rating in a national assessment


class Direction(StrEnum):
    """Whether the evidence raises risk or shows resilience that lowers it."""

    RISK = "risk"
    RESILIENCE = "resilience"


class Country(BaseModel):
    """A country (or historical state) as Tocsin knows it; ``iso3`` is its id everywhere."""

    model_config = ConfigDict(frozen=True)

    iso3: str = Field(pattern=ISO3_PATTERN.pattern, description="ISO 3166-1 alpha-3 (or 3166-3).")
    name: str
    iso2: str | None = None
    isonum: int | None = None
    un_region: str | None = None
    un_subregion: str | None = None
    gw: int | None = Field(default=None, description="Gleditsch–Ward number.")
    cow: int | None = Field(default=None, description="Correlates of War number.")
    fips: str | None = Field(default=None, description="FIPS 10-4 code (GDELT).")
    is_historical: bool = False


class SourceGrade(BaseModel):
    """An analyst's grade of a source and of one piece of its information, e.g. ``B2``.

    Examples
    --------
    >>> SourceGrade.parse("b2").code
    'B2'
    """

    model_config = ConfigDict(frozen=True)

    reliability: Reliability = Reliability.F
    credibility: Credibility = Credibility.CANNOT_JUDGE

    @property
    def code(self) -> str:
        return f"{self.reliability.value}{self.credibility.value}"

    @classmethod
    def parse(cls, code: str) -> SourceGrade:
        """Read a two-character grade such as ``"A1"`` or ``"c3"``."""
        text = code.strip().upper()
        if len(text) != 2:
            raise ValueError(f"a source grade is a letter A–F and a digit 1–6, got {code!r}")
        return cls(reliability=Reliability(text[0]), credibility=Credibility(text[1]))


class Source(BaseModel):
    """Where information comes from: a data set, an outlet, an organisation, a monitor.

    A source that is a person at risk (a witness, a monitor) is never named here in
    clear: ``name`` holds a pseudonym, and identities live encrypted elsewhere.
    """

    key: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[a-z0-9][a-z0-9_.:-]*$",
        description="Stable identifier, e.g. 'dataset:pts' or 'outlet:radio-ndeke-luka'.",
    )
    name: str = Field(min_length=1, max_length=500)
    kind: SourceKind = SourceKind.OTHER
    grade: SourceGrade = Field(default_factory=SourceGrade)
    url: str | None = None
    sensitivity: Sensitivity = Sensitivity.PUBLIC
    notes: str | None = None


class Provenance(BaseModel):
    """Which part of Tocsin produced a Signal, and from what."""

    capability: str = Field(
        min_length=1, description="Producing capability: forecast, events, speech, assess, …"
    )
    producer: str = Field(min_length=1, description="Model, rule or importer, with its version.")
    source_key: str | None = Field(default=None, description="Key of the Source it rests on.")
    import_id: int | None = Field(default=None, description="The import that brought the data.")
    details: dict[str, Any] = Field(default_factory=dict, description="Anything else to trace it.")


class Signal(BaseModel):
    """One piece of evidence about atrocity risk in a country.

    Examples
    --------
    >>> s = Signal(
    ...     iso3="CAF",
    ...     kind=SignalKind.FORECAST,
    ...     start_date=date(2025, 1, 1),
    ...     end_date=date(2026, 12, 31),
    ...     framework_codes=["RF1", "1.1"],
    ...     strength=0.12,
    ...     summary="12% risk of a new mass killing in 2025–26",
    ...     provenance=Provenance(capability="forecast", producer="ewp-replica@2025"),
    ... )
    >>> s.framework_codes
    ['RF1', '1.1']
    """

    iso3: str = Field(pattern=ISO3_PATTERN.pattern)
    area: str | None = Field(default=None, description="Sub-national area (admin-1/2 name).")
    kind: SignalKind
    direction: Direction = Direction.RISK
    start_date: date
    end_date: date
    framework_codes: list[str] = Field(
        min_length=1, description="Risk factors ('RF9') or indicators ('9.3') it bears on."
    )
    strength: float = Field(ge=0.0, le=1.0, description="0 = none, 1 = the strongest evidence.")
    summary: str = Field(min_length=1, max_length=500)
    provenance: Provenance
    sensitivity: Sensitivity = Sensitivity.PUBLIC
    observed_at: datetime | None = Field(
        default=None, description="When the producer made it (UTC); set by the store if absent."
    )

    @field_validator("framework_codes")
    @classmethod
    def _codes_are_framework_references(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if not FRAMEWORK_CODE_PATTERN.match(c)]
        if bad:
            raise ValueError(
                f"not framework references: {bad}; use 'RF<1-14>' for a risk factor "
                "or '<factor>.<indicator>' such as '9.3' for an indicator"
            )
        return list(dict.fromkeys(codes))

    @model_validator(mode="after")
    def _span_is_ordered(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self
