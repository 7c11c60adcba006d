from __future__ import annotations

from datetime import UTC, date, datetime

from tocsin.assess import (
    Assessment,
    ForecastView,
    Rating,
    Trend,
    compare_with_monitoring,
    rate_indicator,
    risk_profile,
)
from tocsin.domain import Direction, Provenance, Signal, SignalKind
from tocsin.framework import Catalogue


def _rate(a: Assessment, *items: tuple[str, Rating, Trend | None]) -> Assessment:
    for code, rating, trend in items:
        a = rate_indicator(a, code, rating=rating, trend=trend, rationale="test")
    return a


def test_unrated_assessment_has_unknown_levels(blank: Assessment, catalogue: Catalogue) -> None:
    profile = risk_profile(blank, catalogue)
    assert profile.overall is Rating.UNKNOWN
    assert {f.level for f in profile.factors} == {Rating.UNKNOWN}
    assert not any(c.most_at_risk for c in profile.crimes)


def test_factor_level_is_the_highest_rated_indicator(
    blank: Assessment, catalogue: Catalogue
) -> None:
    a = _rate(
        blank,
        ("1.1", Rating.LOW, Trend.WORSENING),
        ("1.2", Rating.MODERATE, Trend.WORSENING),
        ("1.3", Rating.NOT_PRESENT, Trend.EASING),
    )
    rf1 = risk_profile(a, catalogue).factor("RF1")
    assert rf1.level is Rating.MODERATE
    assert rf1.drivers == ["1.2"]
    assert rf1.trend is Trend.WORSENING  # two worsening, one easing
    assert rf1.n_rated == 3 and rf1.counts["unknown"] == rf1.n_indicators - 3


def test_specific_factors_point_to_the_crimes(blank: Assessment, catalogue: Catalogue) -> None:
    a = _rate(
        blank,
        ("13.16", Rating.HIGH, None),
        ("9.1", Rating.MODERATE, None),
        ("1.1", Rating.HIGH, None),
    )
    profile = risk_profile(a, catalogue)
    assert [(c.crime, c.level, c.most_at_risk) for c in profile.crimes] == [
        ("war_crimes", Rating.HIGH, True),
        ("genocide", Rating.MODERATE, False),
        ("crimes_against_humanity", Rating.UNKNOWN, False),
    ]
    assert profile.overall is Rating.HIGH
    assert profile.overall_reason == "RF1, RF13 rated high"


def _signal(codes: list[str], strength: float) -> Signal:
    return Signal(
        iso3="CAF",
        kind=SignalKind.ESCALATION,
        direction=Direction.RISK,
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 31),
        framework_codes=codes,
        strength=strength,
        summary="surge",
        provenance=Provenance(capability="events", producer="escalation@1"),
        observed_at=datetime(2024, 4, 1, tzinfo=UTC),
    )


def test_disagreements_with_forecast_and_signals(blank: Assessment, catalogue: Catalogue) -> None:
    a = _rate(blank, ("1.1", Rating.LOW, None), ("11.1", Rating.NOT_PRESENT, None))
    profile = risk_profile(a, catalogue)
    forecast = ForecastView(
        model="tocsin",
        model_version="1",
        data_year=2024,
        risk=0.08,
        rank=5,
        n_countries=160,
        factor_contributions={"RF1": 0.9, "RF3": 0.2, "RF6": -0.1},
    )
    comparison = compare_with_monitoring(
        profile, forecast=forecast, signals=[_signal(["11.3"], 0.8), _signal(["RF9"], 0.2)]
    )
    found = {(s.source, s.scope) for s in comparison.disagreements}
    assert found == {("forecast", "overall"), ("forecast", "RF1"), ("signals", "RF11")}
    assert comparison.signals_by_factor["RF11"] == {"n": 1, "max_strength": 0.8}
    assert forecast.band is Rating.HIGH


def test_agreement_when_levels_match(blank: Assessment, catalogue: Catalogue) -> None:
    a = _rate(blank, ("1.1", Rating.HIGH, None))
    profile = risk_profile(a, catalogue)
    forecast = ForecastView("m", "1", 2024, 0.05, 40, 160, {"RF1": 0.3})
    comparison = compare_with_monitoring(
        profile, forecast=forecast, signals=[_signal(["1.1"], 0.7)]
    )
    assert comparison.disagreements == []
    assert [s.kind for s in comparison.statements] == ["agreement"]
