"""One permission model, proved on the routes themselves, on SQLite and PostgreSQL.

The routes are walked, not listed by hand: the OpenAPI document for the API (every
operation a client can call) and :func:`tocsin.web.route_permissions` for what each route's
dependencies require. A route added later is covered without touching this file.

- every route declares a permission from the one table, except the few listed here that
  are open by design (signing in, the public feeds) or need only a signed-in caller;
- every write operation of the API refuses a read-only token, for every role, admins
  included (a ``read`` token must never change anything);
- every route refuses a role that lacks its permission, signed in with a session (CSRF
  token sent, so the refusal is the permission's) and with a token holding every scope.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.fixtures import NOW, USERS, csrf_of
from tocsin.web import (
    PERMISSIONS,
    SCOPES,
    create_api_token,
    get_user_by_username,
    role_permissions,
    route_permissions,
)
from tocsin.web._security import READ_ONLY_PERMISSIONS, digest

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Open to anyone: signing in, the landing redirect, the map picture, the public alert feeds
#: (and the gateway's webhook, which checks the gateway's signature itself).
OPEN_ROUTES = frozenset(
    {
        ("GET", "/"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/map/world.svg"),
        ("GET", "/alerts/feed.cap"),
        ("GET", "/alerts/feed.atom"),
        ("POST", "/language"),  # the language switch, on the sign-in page too
        # the SMS gateway's webhook: no user, each request signed by the gateway (HMAC)
        ("POST", "/api/v1/intake/sms"),
    }
)
#: Any signed-in caller, about their own account only.
OWN_ACCOUNT_ROUTES = frozenset(
    {
        ("GET", "/api/v1/me"),
        ("POST", "/logout"),
        ("GET", "/account"),
        ("GET", "/account/password"),
        ("POST", "/account/password"),
        ("POST", "/account/totp/start"),
        ("POST", "/account/totp/confirm"),
        ("POST", "/account/totp/disable"),
        ("POST", "/account/tokens"),
        ("POST", "/account/tokens/{token_id}/revoke"),
    }
)
ROLE_OF = {username: role for username, role in USERS.items() if username != "monitor2"}


def concrete(path: str) -> str:
    """A path with every parameter filled in (the permission check runs before they are read)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def api_operations(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


@pytest.fixture(scope="module")
def token_for(app: FastAPI) -> Iterator[dict[tuple[str, str], str]]:
    """An API token per (user, scope set): ``read`` only, and every scope there is."""
    made: dict[tuple[str, str], str] = {}
    with app.state.tocsin.db.session() as session:
        for username in ROLE_OF:
            user = get_user_by_username(session, username)
            assert user is not None
            for name, scopes in (("read", ["read"]), ("all", list(SCOPES))):
                token = f"tct_{uuid.uuid4().hex}"
                create_api_token(
                    session,
                    user_id=user.id,
                    name=f"perm-{name}",
                    token_sha=digest(token),
                    scopes=scopes,
                    now=NOW,
                )
                made[(username, name)] = token
    yield made


def test_every_route_declares_a_permission_from_the_table(app: FastAPI) -> None:
    declared = route_permissions(app)
    assert len(declared) > 50  # the walk found the app's routes and the capabilities'
    for operation in api_operations(app):
        assert operation in declared, f"{operation} is in the OpenAPI document but not walked"
    for operation, permissions in declared.items():
        assert permissions <= PERMISSIONS.keys(), f"{operation}: unknown {permissions}"
        if operation in OPEN_ROUTES | OWN_ACCOUNT_ROUTES:
            continue
        assert permissions, f"{operation} declares no Requires(...): which permission guards it?"


def test_no_write_permission_is_in_the_read_scope() -> None:
    writes = {
        permission
        for permission in PERMISSIONS
        if not permission.endswith(":read") and permission not in {"alert:internal"}
    }
    assert writes and not writes & READ_ONLY_PERMISSIONS
    # every permission can be granted to a token by some scope, except uploading files,
    # which only the browser's data page does
    assert set(PERMISSIONS) - set().union(*SCOPES.values()) == {"data:import"}


def test_a_read_only_token_changes_nothing_whatever_the_role(
    app: FastAPI, token_for: dict[tuple[str, str], str]
) -> None:
    client = TestClient(app, base_url="https://testserver")
    writes = [op for op in api_operations(app) if op[0] in WRITE_METHODS]
    assert len(writes) >= 15  # reports, assessments, alerts, speech
    for username in ROLE_OF:
        headers = {"Authorization": f"Bearer {token_for[(username, 'read')]}"}
        for method, path in writes:
            response = client.request(method, concrete(path), headers=headers, json={})
            assert response.status_code == 403, (username, method, path, response.text)
    # the same token still reads what its scope allows
    admin_read = {"Authorization": f"Bearer {token_for[('admin', 'read')]}"}
    assert client.get("/api/v1/watchlist", headers=admin_read).status_code == 200
    assert client.get("/api/v1/assessments", headers=admin_read).status_code == 200


def test_every_route_refuses_a_role_without_its_permission(
    app: FastAPI, clients: dict[str, TestClient], token_for: dict[tuple[str, str], str]
) -> None:
    api = TestClient(app, base_url="https://testserver")
    csrf = {username: csrf_of(clients[username]) for username in ROLE_OF}
    refusals = 0
    for (method, path), permissions in route_permissions(app).items():
        for username, role in ROLE_OF.items():
            if permissions <= role_permissions(role):
                continue
            session_answer = clients[username].request(
                method,
                concrete(path),
                headers={"X-CSRF-Token": csrf[username]},
                json={},
                follow_redirects=False,
            )
            assert session_answer.status_code == 403, (role, method, path, session_answer.text)
            token = {"Authorization": f"Bearer {token_for[(username, 'all')]}"}
            token_answer = api.request(method, concrete(path), headers=token, json={})
            assert token_answer.status_code == 403, (role, method, path, token_answer.text)
            refusals += 1
    assert refusals > 80  # viewers, monitors and reviewers lack many permissions
