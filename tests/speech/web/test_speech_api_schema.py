"""The speech API's OpenAPI operations, fuzzed by schemathesis: no crash, every answer
matches the schema. Bounded (a few examples per operation), with an admin token that holds
every scope, so the text-reading and saving paths run."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.speech.web.test_speech_access import ids  # noqa: F401  (a fixture: scored items)
from tests.web.test_api_schema import admin_token  # noqa: F401  (a fixture)


def test_the_speech_api_never_crashes_and_keeps_to_its_schema(
    app: FastAPI,
    admin_token: str,  # noqa: F811
    ids: dict[str, int],  # noqa: F811
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(tag="speech")
    headers = {"Authorization": f"Bearer {admin_token}"}
    n_operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        n_operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            # Every check but "schema-valid data is accepted": a decision needs reasons and
            # all six ratings, rules across fields that OpenAPI cannot state (answered 422).
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
    assert n_operations == 4
