"""The risk profile of an assessment, and how it stands beside the forecast and Signals.

The aggregation is an ordinal rule, not a score (see ``docs/methodology/assessment.md``):

* a **factor's level** is the highest rating among its indicators that were rated
  (``unknown`` is not a rating); a factor with no rated indicator is ``unknown``;
* a **factor's trend** is ``worsening`` if more of its rated indicators worsen than ease,
  ``easing`` in the opposite case, ``stable`` otherwise;
* the **overall level** is the highest factor level, with the factors that set it named;
* each **crime** takes the highest level of its specific factors (genocide: 9–10, crimes
  against humanity: 11–12, war crimes: 13–14); crimes at the top level, if moderate or
  high, are the crimes most at risk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tocsin.assess._model import Assessment, Rating, Trend, factor_number
from tocsin.domain import Direction, Signal
from tocsin.framework import Catalogue

__all__ = [
    "CRIME_FACTORS",
    "CrimeRisk",
    "FactorProfile",
    "ForecastView",
    "MonitoringComparison",
    "RiskProfile",
    "Statement",
    "compare_with_monitoring",
    "risk_profile",
]

#: The specific risk factors of each crime (Framework of Analysis, factors 9–14).
CRIME_FACTORS: dict[str, tuple[str, str]] = {
    "genocide": ("RF9", "RF10"),
    "crimes_against_humanity": ("RF11", "RF12"),
    "war_crimes": ("RF13", "RF14"),
}
CRIME_LABELS = {
    "genocide": "Genocide",
    "crimes_against_humanity": "Crimes against humanity",
    "war_crimes": "War crimes",
}

#: Forecast bands: the Early Warning Project's 4% attention line, and 1%.
FORECAST_HIGH_RISK = 0.04
FORECAST_MODERATE_RISK = 0.01
FORECAST_HIGH_RANK = 30
#: A Signal at least this strong counts as strong monitoring evidence.
STRONG_SIGNAL = 0.5


@dataclass(frozen=True)
class FactorProfile:
    code: str
    title: str
    kind: str
    level: Rating
    trend: Trend | None
    counts: dict[str, int]
    n_indicators: int
    n_rated: int
    drivers: list[str]  # indicators rated at the factor's level (moderate or high)


@dataclass(frozen=True)
class CrimeRisk:
    crime: str
    label: str
    level: Rating
    factors: list[str]
    drivers: list[str]
    most_at_risk: bool


@dataclass(frozen=True)
class RiskProfile:
    factors: list[FactorProfile]
    overall: Rating
    overall_reason: str
    crimes: list[CrimeRisk]
    n_indicators: int
    n_rated: int

    def factor(self, code: str) -> FactorProfile:
        return next(f for f in self.factors if f.code == code)

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _jsonable(asdict(self))
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Rating | Trend):
        return value.value
    return value


def _max_rating(ratings: Sequence[Rating]) -> Rating:
    rated = [r for r in ratings if r is not Rating.UNKNOWN]
    return max(rated, key=lambda r: r.order) if rated else Rating.UNKNOWN


def risk_profile(assessment: Assessment, catalogue: Catalogue) -> RiskProfile:
    """Aggregate the indicator ratings by the documented rule (module docstring).

    >>> from datetime import date
    >>> from tocsin.assess._edit import blank_assessment, rate_indicator
    >>> from tocsin.framework import load_catalogue
    >>> cat = load_catalogue()
    >>> a = blank_assessment(cat, iso3="CAF", title="t", period_start=date(2024, 1, 1),
    ...                      period_end=date(2024, 12, 31))
    >>> a = rate_indicator(a, "9.3", rating=Rating.HIGH, rationale="attacks")
    >>> p = risk_profile(a, cat)
    >>> p.factor("RF9").level.value, p.overall.value, p.crimes[0].crime
    ('high', 'high', 'genocide')
    """
    by_factor: dict[int, list[Any]] = {}
    for item in assessment.indicators:
        by_factor.setdefault(factor_number(item.code), []).append(item)
    factors = []
    for factor in catalogue.factors:
        items = by_factor.get(factor.number, [])
        ratings = [i.rating for i in items]
        level = _max_rating(ratings)
        trends = Counter(i.trend for i in items if i.rating is not Rating.UNKNOWN and i.trend)
        trend: Trend | None = None
        if trends:
            worse, easier = trends[Trend.WORSENING], trends[Trend.EASING]
            trend = (
                Trend.WORSENING
                if worse > easier
                else Trend.EASING
                if easier > worse
                else Trend.STABLE
            )
        counts = Counter(r.value for r in ratings)
        drivers = (
            [i.code for i in items if i.rating is level]
            if level in (Rating.MODERATE, Rating.HIGH)
            else []
        )
        factors.append(
            FactorProfile(
                code=factor.id,
                title=factor.title,
                kind=factor.kind,
                level=level,
                trend=trend,
                counts={r.value: counts.get(r.value, 0) for r in Rating},
                n_indicators=len(factor.indicators),
                n_rated=sum(1 for r in ratings if r is not Rating.UNKNOWN),
                drivers=drivers,
            )
        )
    overall = _max_rating([f.level for f in factors])
    if overall is Rating.UNKNOWN:
        reason = "no indicator has been rated yet"
    else:
        setters = [f.code for f in factors if f.level is overall]
        reason = f"{', '.join(setters)} rated {overall.value.replace('_', ' ')}"
    levels = {f.code: f for f in factors}
    crimes = []
    for crime, codes in CRIME_FACTORS.items():
        level = _max_rating([levels[c].level for c in codes if c in levels])
        drivers = [
            d for c in codes if c in levels and levels[c].level is level for d in levels[c].drivers
        ]
        crimes.append((crime, level, list(codes), drivers))
    top = max((c[1].order for c in crimes), default=-1)
    crime_risks = [
        CrimeRisk(
            crime=crime,
            label=CRIME_LABELS[crime],
            level=level,
            factors=codes,
            drivers=drivers,
            most_at_risk=level.order == top and level in (Rating.MODERATE, Rating.HIGH),
        )
        for crime, level, codes, drivers in sorted(crimes, key=lambda c: (-c[1].order, -len(c[3])))
    ]
    return RiskProfile(
        factors=factors,
        overall=overall,
        overall_reason=reason,
        crimes=crime_risks,
        n_indicators=len(assessment.indicators),
        n_rated=sum(f.n_rated for f in factors),
    )


@dataclass(frozen=True)
class ForecastView:
    """A country's statistical forecast, as the forecast capability stored it."""

    model: str
    model_version: str
    data_year: int
    risk: float
    rank: int
    n_countries: int
    factor_contributions: dict[str, float] = field(default_factory=dict)

    @property
    def band(self) -> Rating:
        """High at ≥4% or in the top 30, moderate at ≥1%, low below."""
        if self.risk >= FORECAST_HIGH_RISK or self.rank <= FORECAST_HIGH_RANK:
            return Rating.HIGH
        return Rating.MODERATE if self.risk >= FORECAST_MODERATE_RISK else Rating.LOW


@dataclass(frozen=True)
class Statement:
    """A sentence comparing the assessment with the forecast or the monitoring Signals."""

    source: str  # "forecast" or "signals"
    scope: str  # "overall" or a factor code
    kind: str  # "disagreement", "agreement" or "note"
    text: str


@dataclass(frozen=True)
class MonitoringComparison:
    forecast: ForecastView | None
    signals_by_factor: dict[str, dict[str, float]]  # code -> {"n": .., "max_strength": ..}
    statements: list[Statement]

    @property
    def disagreements(self) -> list[Statement]:
        return [s for s in self.statements if s.kind == "disagreement"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "forecast": None if self.forecast is None else asdict(self.forecast),
            "forecast_band": None if self.forecast is None else self.forecast.band.value,
            "signals_by_factor": self.signals_by_factor,
            "statements": [asdict(s) for s in self.statements],
        }


def _level_gap(a: Rating, b: Rating) -> int:
    # not present and low both count as "low" when set beside a forecast band
    return abs(max(a.order, 1) - max(b.order, 1))


def compare_with_monitoring(
    profile: RiskProfile,
    *,
    forecast: ForecastView | None,
    signals: Sequence[Signal],
) -> MonitoringComparison:
    """Set the profile beside the forecast and the risk Signals, and say where they disagree.

    Rules (documented in ``docs/methodology/assessment.md``): the overall level and the
    forecast band disagree when they are two steps apart (high vs low); a factor among the
    model's three largest positive drivers that the team rated low or not present is a
    disagreement; a factor with a risk Signal of strength ≥ 0.5 rated low or not present is
    a disagreement; a factor rated high with no risk Signal at all is noted.
    """
    statements: list[Statement] = []
    if forecast is None:
        statements.append(
            Statement(
                "forecast", "overall", "note", "No statistical forecast is stored for this country."
            )
        )
    else:
        band = forecast.band
        text = (
            f"{forecast.model} forecasts {forecast.risk:.1%} risk of a new mass killing "
            f"(rank {forecast.rank} of {forecast.n_countries}, data to {forecast.data_year}): "
            f"{band.value} band; the assessment's overall level is {profile.overall.value}."
        )
        if profile.overall is Rating.UNKNOWN:
            statements.append(Statement("forecast", "overall", "note", text))
        elif _level_gap(profile.overall, band) >= 2:
            statements.append(Statement("forecast", "overall", "disagreement", text))
        elif _level_gap(profile.overall, band) == 1:
            statements.append(Statement("forecast", "overall", "note", text + " One step apart."))
        else:
            statements.append(Statement("forecast", "overall", "agreement", text))
        positive = sorted(
            ((c, v) for c, v in forecast.factor_contributions.items() if v > 0),
            key=lambda cv: -cv[1],
        )[:3]
        for code, value in positive:
            factor = next((f for f in profile.factors if f.code == code), None)
            if factor and factor.level in (Rating.NOT_PRESENT, Rating.LOW):
                statements.append(
                    Statement(
                        "forecast",
                        code,
                        "disagreement",
                        f"{code} is among the model's largest drivers of risk (+{value:.2f}) "
                        f"but the team rated it {factor.level.value.replace('_', ' ')}.",
                    )
                )
    by_factor: dict[str, dict[str, float]] = {}
    for signal in signals:
        if signal.direction is not Direction.RISK:
            continue
        for factor_code in {_factor_code(c) for c in signal.framework_codes}:
            entry = by_factor.setdefault(factor_code, {"n": 0, "max_strength": 0.0})
            entry["n"] += 1
            entry["max_strength"] = max(entry["max_strength"], signal.strength)
    for factor in profile.factors:
        entry = by_factor.get(factor.code, {})
        if (
            entry
            and entry["max_strength"] >= STRONG_SIGNAL
            and factor.level
            in (
                Rating.NOT_PRESENT,
                Rating.LOW,
            )
        ):
            statements.append(
                Statement(
                    "signals",
                    factor.code,
                    "disagreement",
                    f"{int(entry['n'])} monitoring Signal(s) on {factor.code}, strongest "
                    f"{entry['max_strength']:.2f}, but the team rated it "
                    f"{factor.level.value.replace('_', ' ')}.",
                )
            )
        elif not entry and factor.level is Rating.HIGH:
            statements.append(
                Statement(
                    "signals",
                    factor.code,
                    "note",
                    f"{factor.code} is rated high but no monitoring Signal bears on it "
                    "in the period.",
                )
            )
    return MonitoringComparison(forecast, dict(sorted(by_factor.items())), statements)


def _factor_code(code: str) -> str:
    return code if code.startswith("RF") else f"RF{factor_number(code)}"
