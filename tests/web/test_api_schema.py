"""The OpenAPI document, fuzzed by schemathesis: no crash, every answer matches the schema.

Bounded: a few examples per operation (about 20 s per backend), with an admin token that
holds every scope, so the deepest code paths run.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.web.fixtures import NOW
from tocsin.web import SCOPES, create_api_token, get_user_by_username
from tocsin.web._security import digest


@pytest.fixture(scope="module")
def admin_token(app: FastAPI) -> str:
    token = f"tct_{uuid.uuid4().hex}"
    with app.state.tocsin.db.session() as session:
        admin = get_user_by_username(session, "admin")
        assert admin is not None
        create_api_token(
            session,
            user_id=admin.id,
            name="fuzz",
            token_sha=digest(token),
            scopes=list(SCOPES),
            now=NOW,
        )
    return token


def test_the_api_never_crashes_and_keeps_to_its_schema(app: FastAPI, admin_token: str) -> None:
    # The operations of this module's router (tag "api"); capabilities that plug in their
    # own routers (alerts, ...) fuzz theirs in their own tests.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(tag="api")
    headers = {"Authorization": f"Bearer {admin_token}"}
    n_operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        n_operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            # Every check but "schema-valid data is accepted": a report's end date must not
            # precede its start date, a rule between two fields that OpenAPI cannot state.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
    assert n_operations >= 9


def test_every_json_answer_of_the_api_has_a_schema(app: FastAPI) -> None:
    missing = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if status.startswith("2") and "application/json" in content:
                    if not content["application/json"].get("schema"):
                        missing.append(f"{method.upper()} {path} {status}")
    assert missing == []
