"""Every denial, proven on SQLite and PostgreSQL: sign-in, CSRF, roles, API token scopes,
Signals by sensitivity (incident reports' own: tests/incidents/test_access.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.incidents.test_access import NAMES, report_data
from tests.web.fixtures import PASSWORD, sign_in


def test_anonymous_callers_are_sent_to_sign_in_or_refused(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    for path in ("/watchlist", "/countries/CAF", "/reports", "/data", "/admin/audit"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/login" in response.headers["location"]
    for path in ("/api/v1/watchlist", "/api/v1/reports", "/watchlist.json"):
        assert client.get(path).status_code == 401


def test_restricted_signals_are_hidden_from_those_without_the_right(
    clients: dict[str, TestClient],
) -> None:
    secret = "Kaga-Bandoro"
    for username in ("viewer", "monitor", "reviewer"):
        client = clients[username]
        for path in (
            "/watchlist",
            "/watchlist.json",
            "/countries/CAF",
            "/countries/CAF.json",
            "/api/v1/signals?iso3=CAF",
            "/api/v1/countries/CAF",
        ):
            assert secret not in client.get(path).text, (username, path)
    assert "Bambari" not in clients["viewer"].get("/api/v1/signals?iso3=CAF").text
    assert "Bambari" in clients["monitor"].get("/api/v1/signals?iso3=CAF").text
    assert secret in clients["analyst"].get("/api/v1/signals?iso3=CAF").text


def test_roles_without_a_permission_get_403(clients: dict[str, TestClient]) -> None:
    for username in ("analyst", "reviewer", "monitor", "viewer"):
        for path in ("/admin/users", "/admin/audit"):
            assert clients[username].get(path).status_code == 403
    for username in ("viewer", "reviewer"):
        assert clients[username].get("/reports/new").status_code == 403


def test_state_changes_need_the_csrf_token(app: FastAPI, clients: dict[str, TestClient]) -> None:
    client = clients["monitor"]
    data = report_data("public")
    assert client.post("/reports", data=data).status_code == 403
    assert client.post("/reports", data=data | {"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout").status_code == 403
    fresh = TestClient(app, base_url="https://testserver")
    response = fresh.post("/login", data={"username": "viewer", "password": PASSWORD})
    assert response.status_code == 403  # no pre-session token: a forged cross-site sign-in


def test_failed_sign_ins_are_rate_limited(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    client.get("/login")
    token = client.cookies.get("tocsin_csrf")

    def attempt(password: str) -> int:
        data = {"username": "reviewer", "password": password, "csrf_token": token}
        return client.post("/login", data=data, follow_redirects=False).status_code

    statuses = [attempt("wrong password") for _ in range(5)]
    assert statuses == [401] * 5
    assert attempt(PASSWORD) == 429  # even the right password waits out the window


def test_api_tokens_are_limited_by_scope_and_by_role(
    app: FastAPI, post_form: Any, clients: dict[str, TestClient]
) -> None:
    def make_token(username: str, scopes: list[str]) -> str:
        page = post_form(username, "/account/tokens", {"name": "t", "scopes": scopes}).text
        start = page.index("tct_")
        return page[start : page.index("<", start)]

    read_only = make_token("analyst", ["read"])
    api = TestClient(app, base_url="https://testserver")
    auth = {"Authorization": f"Bearer {read_only}"}
    assert api.get("/api/v1/watchlist", headers=auth).status_code == 200
    assert api.get("/api/v1/reports", headers=auth).status_code == 403
    body = report_data("public")
    del body["idempotency_key"]
    payload = {k: v for k, v in body.items() if k not in NAMES}
    headers = auth | {"Idempotency-Key": uuid.uuid4().hex}
    assert api.post("/api/v1/reports", json=payload, headers=headers).status_code == 403
    # a viewer's token cannot create reports even with the scope: the role forbids it
    viewer = {"Authorization": f"Bearer {make_token('viewer', ['reports:write'])}"}
    assert (
        api.post(
            "/api/v1/reports", json=payload, headers=viewer | {"Idempotency-Key": uuid.uuid4().hex}
        ).status_code
        == 403
    )
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer tct_guess"}).status_code == 401


def test_a_new_user_must_change_the_one_time_password(app: FastAPI, post_form: Any) -> None:
    username = f"new{uuid.uuid4().hex[:6]}"
    page = post_form(
        "admin", "/admin/users", {"username": username, "display_name": "New", "role": "monitor"}
    ).text
    start = page.index('<code id="otp">') + len('<code id="otp">')
    one_time = page[start : page.index("<", start)]
    client = sign_in(app, username, one_time)
    response = client.get("/watchlist", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    assert client.get("/api/v1/me").status_code == 403


@pytest.mark.parametrize("path", ["/reports/new", "/account"])
def test_pages_for_signed_in_users_render(clients: dict[str, TestClient], path: str) -> None:
    assert clients["monitor"].get(path).status_code == 200
