"""The assessments API plugged into the web app: roles, workflow, import refusal, reports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tocsin.assess import example_path
from tocsin.assess.web import include_assessments
from tocsin.settings import Settings
from tocsin.store import Database
from tocsin.web import WebSettings, create_app

from ..web.conftest import csrf_of, populate, sign_in


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    home = tmp_path_factory.mktemp("assessweb")
    url = f"sqlite:///{home / 'tocsin.db'}"
    db = Database(url)
    populate(db)
    db.dispose()
    application = create_app(
        Settings(home=home, database_url=url),
        WebSettings(identity_keys=None, identity_key_file=home / "keys.json"),
    )
    if not any(getattr(r, "path", "") == "/api/v1/assessments" for r in application.routes):
        include_assessments(application)
    yield application
    application.state.tocsin.db.dispose()


def _client(app: FastAPI, user: str) -> TestClient:
    client = sign_in(app, user)
    client.headers["x-csrf-token"] = csrf_of(client)
    return client


def test_workflow_through_the_api(app: FastAPI) -> None:
    analyst, reviewer, viewer = (_client(app, u) for u in ("analyst", "reviewer", "viewer"))
    body = {
        "iso3": "CAF",
        "title": "CAR 2025",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }
    assert viewer.post("/api/v1/assessments", json=body).status_code == 403
    created = analyst.post("/api/v1/assessments", json=body)
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    rule = next(
        s for s in created.json()["assessment"]["structures"] if s["id"] == "rule_of_law_judiciary"
    )
    assert any(d["variable"] == "v2x_rule" for d in rule["data"])
    rated = analyst.put(
        f"/api/v1/assessments/{ident}/indicators/9.3",
        json={"rating": "high", "rationale": "unpunished killings", "trend": "worsening"},
    )
    assert rated.status_code == 200 and rated.json()["risk_profile"]["overall"] == "high"
    assert (
        analyst.put(
            f"/api/v1/assessments/{ident}/indicators/9.3", json={"rating": "severe"}
        ).status_code
        == 422
    )
    assert analyst.post(f"/api/v1/assessments/{ident}/approve").status_code == 403
    assert analyst.post(f"/api/v1/assessments/{ident}/submit").status_code == 200
    comment = reviewer.post(
        f"/api/v1/assessments/{ident}/comments", json={"target": "9.3", "text": "Source?"}
    )
    assert comment.status_code == 201
    approved = reviewer.post(f"/api/v1/assessments/{ident}/approve")
    assert approved.json()["status"] == "approved"
    assert (
        analyst.put(
            f"/api/v1/assessments/{ident}/indicators/1.1", json={"rating": "low", "rationale": "x"}
        ).status_code
        == 409
    )
    versions = reviewer.get(f"/api/v1/assessments/{ident}/versions").json()
    assert [v["status"] for v in versions] == [
        "draft",
        "draft",
        "in_review",
        "in_review",
        "approved",
    ]
    # a viewer reads the approved version only: the drafts were the team's work
    assert [v["status"] for v in viewer.get(f"/api/v1/assessments/{ident}/versions").json()] == [
        "approved"
    ]
    compare = f"/api/v1/assessments/{ident}/compare"
    assert viewer.get(compare, params={"from": 1}).status_code == 404
    diff = reviewer.get(compare, params={"from": 1}).json()
    assert diff["rated_up"] == []  # unknown -> high is a change, not a move up
    assert any(c["target"] == "9.3" and c["field"] == "rating" for c in diff["changes"])
    assert viewer.get("/api/v1/assessments/999").status_code == 404


def test_import_export_and_reports(app: FastAPI) -> None:
    analyst = _client(app, "analyst")
    document = example_path().read_text(encoding="utf-8")
    before = len(analyst.get("/api/v1/assessments").json())
    bad = analyst.post(
        "/api/v1/assessments/import",
        content=document.replace('"trend": "easing"', '"trend": "sideways"', 1),
        headers={"content-type": "application/json"},
    )
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"].endswith(".trend")
    assert len(analyst.get("/api/v1/assessments").json()) == before
    good = analyst.post(
        "/api/v1/assessments/import",
        content=document,
        headers={"content-type": "application/json"},
    )
    assert good.status_code == 201, good.text
    ident = good.json()["id"]
    assert analyst.get(f"/api/v1/assessments/{ident}/export").text == document
    page = analyst.get(f"/assessments/{ident}/report")
    assert page.status_code == 200 and "Executive summary" in page.text
    pdf = analyst.get(f"/assessments/{ident}/brief.pdf")
    assert pdf.content.startswith(b"%PDF")
    listing = analyst.get("/assessments")
    assert f"/assessments/{ident}/report.pdf" in listing.text
    twin = analyst.get("/assessments.json").json()["assessments"]
    assert ident in [row["id"] for row in twin]


def test_the_api_keeps_to_its_schema(app: FastAPI) -> None:
    """Fuzz every assessment operation a few times: no crash, answers match the schema."""
    import uuid
    from typing import Any

    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    from tocsin.web import SCOPES, create_api_token, get_user_by_username
    from tocsin.web._security import digest

    from ..web.conftest import NOW

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
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(tag="assessments")
    n_operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        n_operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[positive_data_acceptance],
            )

        check()
    assert n_operations >= 12


def test_a_signed_in_post_without_the_csrf_token_is_refused(app: FastAPI) -> None:
    analyst = sign_in(app, "analyst")  # session cookie, but no x-csrf-token header
    body = {
        "iso3": "CAF",
        "title": "forged",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }
    refused = analyst.post("/api/v1/assessments", json=body)
    assert refused.status_code == 403, refused.text
    listed = _client(app, "analyst").get("/api/v1/assessments").json()
    titles = [a["title"] for a in (listed["items"] if isinstance(listed, dict) else listed)]
    assert "forged" not in titles


def test_a_capability_router_without_the_csrf_check_is_rejected(app: FastAPI) -> None:
    from fastapi import APIRouter

    from tocsin.web import add_capability

    with pytest.raises(ValueError, match="check_csrf"):
        add_capability(app, APIRouter(), [])
