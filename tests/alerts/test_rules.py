"""Rules are validated data: good ones load, bad ones say what is wrong."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tocsin.alerts import Convergence, ForecastRisk, RuleCreate, Scope, Severity


def test_rule_round_trips_through_json() -> None:
    rule = RuleCreate(
        name="Sudan: convergence",
        condition=Convergence(min_kinds=2, window_days=30),
        scope=Scope(countries=["sdn"], framework_codes=["RF9", "9.3"]),
        severity=Severity.SEVERE,
    )
    again = RuleCreate.model_validate_json(rule.model_dump_json())
    assert again == rule
    assert again.scope.countries == ["SDN"]
    assert isinstance(again.condition, Convergence)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "condition": {"type": "forecast_risk"}}, "min_risk, max_rank"),
        ({"name": "x", "condition": {"type": "no_such"}}, "does not match any of the expected"),
        ({"name": "x", "condition": {"type": "escalation_risk", "min_risk": 2}}, "less than"),
        (
            {"name": "x", "condition": {"type": "speech_surge"}, "scope": {"countries": ["SD"]}},
            "not ISO3",
        ),
        (
            {
                "name": "x",
                "condition": {"type": "speech_surge"},
                "scope": {"framework_codes": ["RF15"]},
            },
            "not framework references",
        ),
        ({"name": "x", "condition": {"type": "convergence", "min_kinds": 1}}, "greater than"),
        ({"name": "", "condition": {"type": "speech_surge"}}, "at least 1 character"),
        ({"name": "x", "condition": {"type": "speech_surge"}, "colour": "red"}, "Extra inputs"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RuleCreate.model_validate(data)


def test_severity_order_follows_cap() -> None:
    assert [s.level for s in Severity] == [0, 1, 2, 3]
    assert ForecastRisk(max_rank=5).min_risk is None
