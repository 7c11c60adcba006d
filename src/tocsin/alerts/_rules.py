"""Alert rules are data: a condition over Signals, a scope, a severity and routing hints.

A rule is validated when it is created (through the API, the CLI or Python), stored by
the store and evaluated by :func:`tocsin.alerts.evaluate_rules`. No rule is code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tocsin.domain import FRAMEWORK_CODE_PATTERN, SignalKind

__all__ = [
    "AssessmentRaised",
    "Condition",
    "Convergence",
    "EscalationRisk",
    "ForecastRisk",
    "ForecastTopEntry",
    "Rule",
    "RuleCreate",
    "Scope",
    "Severity",
    "SpeechSurge",
    "StaleData",
    "TriggerEvent",
]


class Severity(StrEnum):
    """How grave an alert is; the values and their order are CAP 1.2's (minor to extreme)."""

    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"

    @property
    def level(self) -> int:
        """0 for minor up to 3 for extreme, for comparisons."""
        return list(Severity).index(self)


class _Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForecastRisk(_Condition):
    """A FORECAST Signal whose risk is at least ``min_risk`` and/or whose rank is within
    ``max_rank`` (rank 1 = highest risk among the countries of the same forecast)."""

    type: Literal["forecast_risk"] = "forecast_risk"
    min_risk: float | None = Field(default=None, gt=0.0, le=1.0)
    max_rank: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _has_a_threshold(self) -> Self:
        if self.min_risk is None and self.max_rank is None:
            raise ValueError("forecast_risk needs min_risk, max_rank or both")
        return self


class ForecastTopEntry(_Condition):
    """A country entering the top ``n`` of the latest forecast: ranked within ``n`` now and
    not in the previous forecast period of the same model (or there is none)."""

    type: Literal["forecast_top_n"] = "forecast_top_n"
    n: int = Field(ge=1, le=500)


class EscalationRisk(_Condition):
    """An ESCALATION Signal (surge of violence ahead) with risk at least ``min_risk``."""

    type: Literal["escalation_risk"] = "escalation_risk"
    min_risk: float = Field(gt=0.0, le=1.0)


class SpeechSurge(_Condition):
    """A SPEECH_SURGE Signal with strength at least ``min_strength``."""

    type: Literal["speech_surge"] = "speech_surge"
    min_strength: float = Field(default=0.5, ge=0.0, le=1.0)


class TriggerEvent(_Condition):
    """A TRIGGER_EVENT Signal (a §27 trigger or a new §25 act), optionally only of the
    given event types (as the events capability names them, e.g. ``election``)."""

    type: Literal["trigger_event"] = "trigger_event"
    min_strength: float = Field(default=0.0, ge=0.0, le=1.0)
    event_types: list[str] = Field(default_factory=list)


class AssessmentRaised(_Condition):
    """An ANALYST_JUDGEMENT Signal rating risk higher than the previous judgement on the
    same country and codes, by at least ``min_increase``."""

    type: Literal["assessment_raised"] = "assessment_raised"
    min_increase: float = Field(default=0.01, gt=0.0, le=1.0)


class Convergence(_Condition):
    """At least ``min_kinds`` independent kinds of risk Signal for one country whose spans
    end within ``window_days`` of each other (and of the evaluation time)."""

    type: Literal["convergence"] = "convergence"
    min_kinds: int = Field(default=2, ge=2, le=len(SignalKind))
    window_days: int = Field(default=30, ge=1, le=3650)
    kinds: list[SignalKind] = Field(
        default_factory=list, description="Kinds that count (empty: all)."
    )
    min_strength: float = Field(default=0.0, ge=0.0, le=1.0)


class StaleData(_Condition):
    """A monitored source that has not brought new data within its expected time (the
    watch's check, :func:`~tocsin.alerts.raise_stale_data_alerts`; no Signal is involved).
    ``sources`` names the connectors it covers (empty: all). The alert is raised for the
    rule's countries, else for the countries the watch monitors."""

    type: Literal["stale_data"] = "stale_data"
    sources: list[str] = Field(default_factory=list)


Condition = Annotated[
    ForecastRisk
    | ForecastTopEntry
    | EscalationRisk
    | SpeechSurge
    | TriggerEvent
    | AssessmentRaised
    | Convergence
    | StaleData,
    Field(discriminator="type"),
]


class Scope(BaseModel):
    """Where a rule looks: countries, UN regions or sub-regions, risk factors (all empty:
    everywhere). A Signal is in scope when it matches every non-empty list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    countries: list[str] = Field(default_factory=list, description="ISO3 codes.")
    regions: list[str] = Field(
        default_factory=list, description="UN regions or sub-regions, e.g. 'Eastern Africa'."
    )
    framework_codes: list[str] = Field(
        default_factory=list, description="Risk factors ('RF9') or indicators ('9.3')."
    )

    @field_validator("countries")
    @classmethod
    def _iso3(cls, values: list[str]) -> list[str]:
        upper = [v.strip().upper() for v in values]
        bad = [v for v in upper if len(v) != 3 or not v.isalpha()]
        if bad:
            raise ValueError(f"not ISO3 codes: {bad}; use three letters such as 'SDN'")
        return list(dict.fromkeys(upper))

    @field_validator("framework_codes")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not FRAMEWORK_CODE_PATTERN.match(v)]
        if bad:
            raise ValueError(f"not framework references: {bad}; use 'RF1'…'RF14' or '9.3'")
        return list(dict.fromkeys(values))


class RuleCreate(BaseModel):
    """What it takes to create a rule.

    Examples
    --------
    >>> rule = RuleCreate.model_validate(
    ...     {"name": "Top-10 entry", "condition": {"type": "forecast_top_n", "n": 10}}
    ... )
    >>> rule.condition.type, rule.severity.value, rule.cooldown_hours
    ('forecast_top_n', 'moderate', 168)
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    condition: Condition
    scope: Scope = Field(default_factory=Scope)
    severity: Severity = Severity.MODERATE
    notify_roles: list[str] = Field(
        default_factory=list,
        description="Roles to notify (empty: every recipient whose area covers the country).",
    )
    cooldown_hours: int = Field(
        default=168,
        ge=0,
        le=24 * 365,
        description="After an alert is closed, matches within this time join it instead of "
        "opening a new one (anti-flapping).",
    )
    ack_timeout_minutes: int = Field(
        default=24 * 60,
        ge=1,
        description="Escalate to the next recipient level when not acknowledged in this time.",
    )
    is_enabled: bool = True


class Rule(RuleCreate):
    """A stored rule."""

    id: int
    created_at: datetime
