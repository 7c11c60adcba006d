"""Values no database can hold never reach one, on SQLite and PostgreSQL: every route's
integer path and query parameters are sent ids past 4 and 8 bytes, every parameter a NUL
character, and report bodies NUL characters; none answers 500.

The routes are walked from the app itself (pages and API, the capabilities' too), and the
OpenAPI document is checked to hold nothing the walk missed.
"""

from __future__ import annotations

import enum
import re
import typing
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient

from tests.web.fixtures import csrf_of
from tocsin.incidents import ReportVisibility, list_incident_reports
from tocsin.web._deps import _api_routes

HUGE_INTS = ["99999999999999999999", str(2**31), str(2**63), str(-(2**63) - 1)]
NUL_TEXT = "a\x00b"


def _example(annotation: Any) -> str:
    """A valid-looking value of a parameter's type."""
    for arg in typing.get_args(annotation) or (annotation,):
        if arg is int:
            return "1"
        if isinstance(arg, type) and issubclass(arg, enum.Enum):
            return str(next(iter(arg)).value)
        if typing.get_origin(arg) is typing.Literal:
            return str(typing.get_args(arg)[0])
    if typing.get_origin(annotation) is typing.Literal:
        return str(typing.get_args(annotation)[0])
    return "CAF"


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in typing.get_args(annotation)


def _params(dependant: Dependant, where: str) -> list[ModelField]:
    """The route's parameters in ``where`` ("path_params", "query_params"), its
    dependencies' too, each name once."""
    found = {p.alias: p for p in getattr(dependant, where)}
    for sub in dependant.dependencies:
        found |= {p.alias: p for p in _params(sub, where) if p.alias not in found}
    return list(found.values())


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # the route's, with its parameters' names
    url: str
    where: str  # "path" or "query"
    name: str


def _url(path: str, values: dict[str, str], query: dict[str, str] | None = None) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path + (f"?{urlencode(query)}" if query else "")


def _cases(app: FastAPI) -> Iterator[Case]:
    for route in _api_routes(app.router.routes):
        path_params = _params(route.dependant, "path_params")
        query_params = _params(route.dependant, "query_params")
        valid = {p.alias: _example(p.field_info.annotation) for p in path_params}

        for method in sorted(route.methods or ()):
            for param in path_params:
                is_int = _is_int(param.field_info.annotation)
                for bad in HUGE_INTS if is_int else [NUL_TEXT]:
                    yield Case(
                        method,
                        route.path_format,
                        _url(route.path_format, valid | {param.alias: bad}),
                        "path",
                        param.alias,
                    )
            for param in query_params:
                is_int = _is_int(param.field_info.annotation)
                for bad in [*HUGE_INTS, NUL_TEXT] if is_int else [NUL_TEXT]:
                    yield Case(
                        method,
                        route.path_format,
                        _url(route.path_format, valid, {param.alias: bad}),
                        "query",
                        param.alias,
                    )


@pytest.fixture(scope="module")
def admin(clients: dict[str, TestClient]) -> tuple[TestClient, str]:
    client = clients["admin"]
    return client, csrf_of(client)


def test_the_walk_covers_every_parameter_of_the_openapi_document(app: FastAPI) -> None:
    # a converter ("{alert_id:int}") is not in the document's paths
    walked = {(c.method, re.sub(r":\w+}", "}", c.path), c.where, c.name) for c in _cases(app)}
    missing = [
        (method.upper(), path, param["in"], param["name"])
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        for param in operation.get("parameters", [])
        if param["in"] in {"path", "query"}
        and (method.upper(), path, param["in"], param["name"]) not in walked
    ]
    assert missing == []
    assert len(walked) > 50


def test_no_route_answers_500_to_huge_ids_or_nul_characters(
    app: FastAPI, admin: tuple[TestClient, str]
) -> None:
    client, csrf = admin
    wrong = []
    n = 0
    for case in _cases(app):
        n += 1
        response = client.request(
            case.method,
            case.url,
            headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
            follow_redirects=False,
        )
        # nothing has an id past the database's integers, nor a NUL in its name: 404;
        # a query parameter that no query can use: 422, naming it
        expected = 404 if case.where == "path" else 422
        if response.status_code != expected or (
            expected == 422 and case.name not in response.json()["detail"]
        ):
            wrong.append((case, response.status_code, response.text[:200]))
    assert n > 200
    assert wrong == []


def _stored(app: FastAPI, owner_key: str) -> int:
    with app.state.tocsin.db.session() as session:
        found, _total = list_incident_reports(
            session, visibility=ReportVisibility(), text=owner_key, limit=100
        )
        return len(found)


REPORT = {"iso3": "CAF", "start_date": "2025-01-10", "event_type": "killing"}


@pytest.mark.parametrize(
    "field",
    [
        {"narrative": "marker\x00"},
        {"location": "Bria\x00"},
        {"perpetrator": "\x00"},
        {"identities": {"victims": ["Name\x00"]}},
        {"identities": {"witnesses": "one\nsecond\x00"}},
    ],
)
def test_a_report_body_with_a_nul_character_is_refused_with_422(
    app: FastAPI, admin: tuple[TestClient, str], field: dict[str, Any]
) -> None:
    client, csrf = admin
    marker = uuid.uuid4().hex
    body = REPORT | {"narrative": marker} | field
    if "narrative" in field:
        body["narrative"] = marker + field["narrative"]
    response = client.post(
        "/api/v1/reports",
        json=body,
        headers={"X-CSRF-Token": csrf, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["detail"]
    # the report form: URL-encoded, and multipart (with a file), as browsers send it
    form = {
        "idempotency_key": uuid.uuid4().hex,
        "csrf_token": csrf,
        "iso3": "CAF",
        "start_date": "2025-01-10",
        "event_type": "killing",
        "narrative": body["narrative"],
        "location": body.get("location", ""),
        "perpetrator": body.get("perpetrator", ""),
        "victims": "\n".join(body.get("identities", {}).get("victims", [])),
        "witnesses": body.get("identities", {}).get("witnesses", ""),
    }
    encoded = client.post("/reports", data=form, headers={"Accept": "application/json"})
    assert encoded.status_code == 422, encoded.text
    multipart = client.post(
        "/reports",
        data=form | {"idempotency_key": uuid.uuid4().hex},
        files={"attachments": ("note.txt", b"plain text", "text/plain")},
        headers={"Accept": "application/json"},
    )
    assert multipart.status_code == 422, multipart.text
    assert _stored(app, marker) == 0


def test_a_sign_in_with_a_nul_character_is_refused_with_422(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "admin\x00",
            "password": "whatever it is",
            "csrf_token": client.cookies.get("tocsin_csrf"),
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert "username" in response.json()["detail"]


def test_an_idempotency_key_with_a_nul_character_is_refused(
    admin: tuple[TestClient, str],
) -> None:
    client, csrf = admin
    response = client.post(
        "/reports",
        data={"idempotency_key": "0123456789\x00", "csrf_token": csrf} | REPORT,
        files={"attachments": ("note.txt", b"plain text", "text/plain")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400, response.text
