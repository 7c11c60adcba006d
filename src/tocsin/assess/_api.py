"""The public response models of the assessments API (``/api/v1/assessments``).

Each answer has a model, so the OpenAPI document describes it and clients can rely on it.
The analysis results are the capability's own dataclasses (:class:`RiskProfile`,
:class:`Statement`, :class:`Suggestion`, :class:`AssessmentVersionInfo`, …), which pydantic
serialises as they are: the JSON is the one the API always answered.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel, Field

from tocsin.assess._compare import Change, VersionDiff
from tocsin.assess._model import Assessment
from tocsin.assess._policy import RankedOption
from tocsin.assess._profile import ForecastView, MonitoringComparison, RiskProfile, Statement
from tocsin.assess._service import stored_summary
from tocsin.assess._store import StoredAssessment

__all__ = [
    "AssessmentSummaryOut",
    "AssessmentViewOut",
    "MonitoringOut",
    "PolicyOptionOut",
    "VersionDiffOut",
]


class AssessmentSummaryOut(BaseModel):
    """An assessment's metadata (no content)."""

    id: int
    iso3: str
    area: str | None
    title: str
    period_start: date
    period_end: date
    status: str = Field(description="draft, in_review, returned or approved")
    version: int = Field(description="The version shown.")
    latest_version: int
    based_on_id: int | None = Field(description="The assessment this one was started from.")
    created_by: str
    updated_at: datetime

    @classmethod
    def of(cls, stored: StoredAssessment) -> AssessmentSummaryOut:
        return cls.model_validate(stored_summary(stored))


class MonitoringOut(BaseModel):
    """The risk profile set beside the forecast and the risk Signals."""

    forecast: ForecastView | None
    forecast_band: str | None = Field(description="The forecast's level: low, moderate, high.")
    signals_by_factor: dict[str, dict[str, float]]
    statements: list[Statement] = Field(description="Agreements and disagreements.")

    @classmethod
    def of(cls, comparison: MonitoringComparison) -> MonitoringOut:
        forecast = comparison.forecast
        return cls(
            forecast=forecast,
            forecast_band=None if forecast is None else forecast.band.value,
            signals_by_factor=comparison.signals_by_factor,
            statements=comparison.statements,
        )


class PolicyOptionOut(BaseModel):
    """A policy option of the catalogue ranked for this assessment, with why."""

    rank: int
    option_id: str
    title: str
    kind: str = Field(description="structural or operational")
    paragraphs: list[int]
    paragraph_label: str
    high_indicators: list[str]
    weak_structures: list[str]
    moderate_indicators: list[str]
    decision: str
    text: str
    reasons: str

    @classmethod
    def of(cls, option: RankedOption) -> PolicyOptionOut:
        return cls(**asdict(option), paragraph_label=option.paragraph_label)


class AssessmentViewOut(AssessmentSummaryOut):
    """One version of an assessment with its risk profile, monitoring picture and options."""

    assessment: Assessment
    risk_profile: RiskProfile
    monitoring: MonitoringOut
    policy_options: list[PolicyOptionOut]
    indicator_tokens: dict[str, str] = Field(
        default_factory=dict,
        description="Each indicator's optimistic-concurrency token, to send back as "
        "expected_token when rating it.",
    )


class VersionDiffOut(BaseModel):
    """What changed between two versions (or two assessments)."""

    n_changes: int
    rated_up: list[str]
    rated_down: list[str]
    changes: list[Change]

    @classmethod
    def of(cls, diff: VersionDiff) -> VersionDiffOut:
        return cls(
            n_changes=len(diff.changes),
            rated_up=[c.target for c in diff.rated_up],
            rated_down=[c.target for c in diff.rated_down],
            changes=diff.changes,
        )
