"""What a national assessment of risk and resilience holds (§71(b) of the seed report).

An :class:`Assessment` is plain data: ratings of every indicator of the 14 risk factors,
the vulnerable populations, the structures of resilience of §§35–64, the policy options
the team adopted or rejected, their actions and the §71 checklist. The store keeps every
version of it; this module only says what a valid one looks like.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tocsin.assess._kinds import (
    ActionStatus,
    AssessmentStatus,
    Confidence,
    EvidenceKind,
    OptionDecision,
    PopulationKind,
    Rating,
    StepStatus,
    StructureRating,
    Trend,
)
from tocsin.domain import FRAMEWORK_CODE_PATTERN

__all__ = [
    "SCHEMA_ID",
    "Action",
    "ActionStatus",
    "Assessment",
    "AssessmentStatus",
    "Comment",
    "Confidence",
    "DataPoint",
    "EvidenceKind",
    "EvidenceLink",
    "IndicatorAssessment",
    "OptionDecision",
    "PolicyDecision",
    "PopulationKind",
    "Rating",
    "StepState",
    "StepStatus",
    "StructureAssessment",
    "StructureRating",
    "Trend",
    "VulnerablePopulation",
]

#: The ``$id`` of the export format; bump the number when the shape changes.
SCHEMA_ID = "https://tocsin.example.org/schemas/assessment-1.json"

INDICATOR_PATTERN = r"^([1-9]|1[0-4])\.[1-9][0-9]?$"
Text = Annotated[str, Field(max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=500)]


class EvidenceLink(BaseModel):
    """One piece of evidence behind a rating, with the analyst's note and grade."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    kind: EvidenceKind
    ref: ShortText
    note: Text = ""
    grade: Annotated[str | None, Field(pattern=r"^[A-F][1-6]$")] = None
    suggested: bool = False  # accepted from Tocsin's suggestions (not typed in)


class IndicatorAssessment(BaseModel):
    """The team's judgement of one indicator (``9.3``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    code: Annotated[str, Field(pattern=INDICATOR_PATTERN)]
    rating: Rating = Rating.UNKNOWN
    trend: Trend | None = None
    confidence: Confidence | None = None
    rationale: Text = ""
    evidence: list[EvidenceLink] = Field(default_factory=list)
    rejected_suggestions: list[str] = Field(
        default_factory=list, description="Signal ids the analyst rejected as evidence."
    )


class VulnerablePopulation(BaseModel):
    """A group at risk: who, where, how many, which risk factors bear on it, and why."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: ShortText
    kind: PopulationKind
    areas: list[ShortText] = Field(default_factory=list)
    size: Annotated[int | None, Field(ge=0)] = None
    size_note: Text = ""  # where the figure comes from, or why there is none
    factor_codes: list[str] = Field(default_factory=list)
    description: Text = ""
    evidence: list[EvidenceLink] = Field(default_factory=list)

    @field_validator("factor_codes")
    @classmethod
    def _framework_codes(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if not FRAMEWORK_CODE_PATTERN.match(c)]
        if bad:
            raise ValueError(f"not framework codes: {bad} (use 'RF9' or '9.3')")
        return codes


class DataPoint(BaseModel):
    """A value from a bundled data set, shown beside a structure with its source and year."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    dataset: ShortText
    variable: ShortText
    label: ShortText
    value: float | str
    year: int | None
    scale: Text = ""  # how to read the value (range and direction)
    citation: Text = ""


class StructureAssessment(BaseModel):
    """The team's judgement of one structure of resilience (§§35–64)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]
    rating: StructureRating = StructureRating.UNKNOWN
    rationale: Text = ""
    evidence: list[EvidenceLink] = Field(default_factory=list)
    data: list[DataPoint] = Field(default_factory=list)
    gaps: list[Text] = Field(default_factory=list)


class PolicyDecision(BaseModel):
    """What the team decided about one policy option of the catalogue (``P9``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    option_id: Annotated[str, Field(pattern=r"^P[1-9][0-9]?$")]
    decision: OptionDecision = OptionDecision.PROPOSED
    text: Text = ""  # the team's own wording of the option, if edited
    reason: Text = ""


class Action(BaseModel):
    """A concrete action that carries out an adopted policy option."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: Annotated[int, Field(ge=1)]
    option_id: Annotated[str, Field(pattern=r"^(P[1-9][0-9]?|S71[a-g])$")]
    description: ShortText
    owner: Text = ""
    due_date: date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    outcome: Text = ""


class StepState(BaseModel):
    """Where the country stands on one step of §71 (a)–(g)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    step_id: Annotated[str, Field(pattern=r"^S71[a-g]$")]
    status: StepStatus = StepStatus.NOT_STARTED
    note: Text = ""


class Comment(BaseModel):
    """A reviewer's or analyst's comment on one indicator, structure or the whole."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    target: Annotated[str, Field(min_length=1, max_length=40)]  # "9.3", "rule_of_law", "general"
    author: ShortText
    text: Annotated[str, Field(min_length=1, max_length=10_000)]
    version: Annotated[int, Field(ge=1)]
    created_at: datetime


class Assessment(BaseModel):
    """One national (or sub-national) assessment of risk and resilience.

    Examples
    --------
    >>> from datetime import date
    >>> a = Assessment(iso3="CAF", title="CAR 2024", period_start=date(2024, 1, 1),
    ...                period_end=date(2024, 12, 31))
    >>> a.status.value, a.indicators
    ('draft', [])
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    iso3: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    area: Annotated[str | None, Field(max_length=200)] = None
    title: ShortText
    period_start: date
    period_end: date
    team: list[ShortText] = Field(default_factory=list)
    civil_society_included: bool = False
    is_example: bool = False  # an illustrative assessment, not a real one
    summary: Text = ""  # the team's executive summary
    status: AssessmentStatus = AssessmentStatus.DRAFT
    indicators: list[IndicatorAssessment] = Field(default_factory=list)
    populations: list[VulnerablePopulation] = Field(default_factory=list)
    structures: list[StructureAssessment] = Field(default_factory=list)
    policy_decisions: list[PolicyDecision] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    steps: list[StepState] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Assessment:
        if self.period_end < self.period_start:
            raise ValueError(f"period_end {self.period_end} is before {self.period_start}")
        for name, keys in (
            ("indicators", [i.code for i in self.indicators]),
            ("structures", [s.id for s in self.structures]),
            ("policy_decisions", [p.option_id for p in self.policy_decisions]),
            ("actions", [str(a.id) for a in self.actions]),
            ("steps", [s.step_id for s in self.steps]),
        ):
            repeated = sorted({k for k in keys if keys.count(k) > 1})
            if repeated:
                raise ValueError(f"{name}: each appears once, repeated {repeated}")
        return self

    def indicator(self, code: str) -> IndicatorAssessment:
        """The rating of indicator ``code``; ``KeyError`` if it is not in this assessment."""
        for item in self.indicators:
            if item.code == code:
                return item
        raise KeyError(f"indicator {code!r} is not in this assessment")

    def structure(self, structure_id: str) -> StructureAssessment:
        for item in self.structures:
            if item.id == structure_id:
                return item
        raise KeyError(f"structure {structure_id!r} is not in this assessment")


def factor_number(code: str) -> int:
    """The risk factor an indicator code belongs to: ``factor_number("9.3") == 9``."""
    match = re.match(r"^(\d+)\.", code)
    if not match:
        raise ValueError(f"{code!r} is not an indicator code")
    return int(match.group(1))
