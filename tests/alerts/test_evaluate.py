"""The pure evaluation of rules on tiny, hand-made sets of Signals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tocsin.alerts import (
    AssessmentRaised,
    Convergence,
    EscalationRisk,
    ForecastRisk,
    ForecastTopEntry,
    Rule,
    Scope,
    SpeechSurge,
    TriggerEvent,
    evaluate_rule,
    forecast_ranks,
)
from tocsin.alerts._rules import Condition
from tocsin.domain import Direction, Provenance, SignalKind

from .conftest import NOW, REGIONS, stored

K = SignalKind


def rule(condition: Condition, scope: Scope | None = None, **changes: object) -> Rule:
    return Rule.model_validate(
        {
            "id": 7,
            "name": "test rule",
            "condition": condition.model_dump(),
            "scope": (scope or Scope()).model_dump(),
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            **changes,
        }
    )


def countries(matches: list) -> list[str]:  # type: ignore[type-arg]
    return [m.iso3 for m in matches]


def evaluate(r: Rule, signals: list) -> list:  # type: ignore[type-arg]
    return evaluate_rule(r, signals, regions=REGIONS, now=NOW)


FORECASTS = [
    stored("SDN", strength=0.10),
    stored("IND", strength=0.09),
    stored("MMR", strength=0.06),
    stored("CAF", strength=0.03),
    stored("NOR", strength=0.001),
]


def test_forecast_ranks_are_per_producer_and_span() -> None:
    other = stored("NOR", strength=0.5, producer="other@1")
    ranks = forecast_ranks([*FORECASTS, other])
    assert [ranks[s.id] for s in FORECASTS] == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert ranks[other.id] == (1, 1)


def test_forecast_risk_threshold_and_rank() -> None:
    assert countries(evaluate(rule(ForecastRisk(min_risk=0.05)), FORECASTS)) == [
        "SDN",
        "IND",
        "MMR",
    ]
    assert countries(evaluate(rule(ForecastRisk(max_rank=2)), FORECASTS)) == ["SDN", "IND"]
    both = evaluate(rule(ForecastRisk(min_risk=0.095, max_rank=2)), FORECASTS)
    assert countries(both) == ["SDN"]
    assert "rank 1 of 5" in both[0].reason


def test_rank_is_worldwide_even_when_the_scope_is_a_region() -> None:
    in_asia = rule(ForecastRisk(max_rank=2), Scope(regions=["Asia"]))
    assert countries(evaluate(in_asia, FORECASTS)) == ["IND"]  # MMR is 3rd in the world


def test_only_the_latest_forecast_period_counts() -> None:
    old = stored("NOR", strength=0.9, start=date(2023, 1, 1), end=date(2024, 12, 31))
    assert "NOR" not in countries(evaluate(rule(ForecastRisk(min_risk=0.05)), [*FORECASTS, old]))


def test_top_n_entry_compares_with_the_previous_period() -> None:
    previous = [
        stored(iso3, strength=s, start=date(2024, 1, 1), end=date(2025, 12, 31))
        for iso3, s in [("SDN", 0.2), ("MMR", 0.1), ("IND", 0.01)]
    ]
    matches = evaluate(rule(ForecastTopEntry(n=2)), [*previous, *FORECASTS])
    assert countries(matches) == ["IND"]  # SDN was already in the top 2
    assert "entered the top 2" in matches[0].reason
    first_ever = evaluate(rule(ForecastTopEntry(n=2)), FORECASTS)
    assert countries(first_ever) == ["SDN", "IND"]


def test_escalation_speech_and_trigger_thresholds() -> None:
    signals = [
        stored("CAF", K.ESCALATION, 0.7, area="Ouaka", codes=("RF11", "11.3")),
        stored("CAF", K.ESCALATION, 0.4, area="Vakaga", codes=("RF11",)),
        stored("SDN", K.ESCALATION, 0.3, codes=("RF11",)),
        stored("MMR", K.SPEECH_SURGE, 0.8, codes=("RF9",)),
        stored(
            "IND",
            K.TRIGGER_EVENT,
            0.5,
            codes=("RF14",),
            provenance=Provenance(
                capability="events", producer="m", details={"event_type": "election"}
            ),
        ),
    ]
    escalation = evaluate(rule(EscalationRisk(min_risk=0.35)), signals)
    assert countries(escalation) == ["CAF"]
    assert len(escalation[0].signal_ids) == 2 and "Ouaka" in escalation[0].reason
    assert countries(evaluate(rule(SpeechSurge(min_strength=0.5)), signals)) == ["MMR"]
    assert countries(evaluate(rule(TriggerEvent(event_types=["election"])), signals)) == ["IND"]
    assert evaluate(rule(TriggerEvent(event_types=["coup"])), signals) == []


def test_scope_by_country_and_risk_factor() -> None:
    signals = [
        stored("MMR", K.SPEECH_SURGE, 0.8, codes=("9.3",)),
        stored("SDN", K.SPEECH_SURGE, 0.8, codes=("RF10",)),
    ]
    by_factor = rule(SpeechSurge(), Scope(framework_codes=["RF9"]))
    assert countries(evaluate(by_factor, signals)) == ["MMR"]  # 9.3 belongs to RF9
    assert countries(evaluate(rule(SpeechSurge(), Scope(countries=["SDN"])), signals)) == ["SDN"]


def test_resilience_signals_never_fire_risk_rules() -> None:
    signals = [stored("MMR", K.SPEECH_SURGE, 0.9, direction=Direction.RESILIENCE)]
    assert evaluate(rule(SpeechSurge()), signals) == []


def test_assessment_raised() -> None:
    signals = [
        stored("CAF", K.ANALYST_JUDGEMENT, 0.4, codes=("RF2",), end=date(2026, 3, 1)),
        stored("CAF", K.ANALYST_JUDGEMENT, 0.7, codes=("RF2",), end=date(2026, 9, 1)),
        stored("SDN", K.ANALYST_JUDGEMENT, 0.8, codes=("RF2",), end=date(2026, 3, 1)),
        stored("SDN", K.ANALYST_JUDGEMENT, 0.6, codes=("RF2",), end=date(2026, 9, 1)),
    ]
    matches = evaluate(rule(AssessmentRaised(min_increase=0.2)), signals)
    assert countries(matches) == ["CAF"]
    assert "raised from 0.40 to 0.70" in matches[0].reason


def test_convergence_needs_independent_kinds_within_the_window() -> None:
    recent = {"start": date(2026, 11, 1), "end": date(2026, 11, 20)}
    stale = {"start": date(2026, 6, 1), "end": date(2026, 6, 30)}
    signals = [
        stored("SDN", K.FORECAST, 0.1),  # 2025–2026: current
        stored("SDN", K.SPEECH_SURGE, 0.7, **recent),
        stored("CAF", K.ESCALATION, 0.7, **recent),
        stored("CAF", K.TRIGGER_EVENT, 0.7, **recent),  # same capability: counts once
        stored("MMR", K.SPEECH_SURGE, 0.7, **stale),
        stored("MMR", K.ESCALATION, 0.7, **recent),
    ]
    matches = evaluate(rule(Convergence(min_kinds=2, window_days=30)), signals)
    assert countries(matches) == ["SDN"]
    assert matches[0].value == 2.0
    wide = evaluate(rule(Convergence(min_kinds=2, window_days=365)), signals)
    assert countries(wide) == ["MMR", "SDN"]


def test_disabled_rules_do_not_fire() -> None:
    assert evaluate(rule(ForecastRisk(max_rank=1), is_enabled=False), FORECASTS) == []
