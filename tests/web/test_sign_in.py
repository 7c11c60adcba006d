"""Account recovery and sign-in against attackers, on SQLite and PostgreSQL: a password
change or reset ends every other session and revokes every token; failures with made-up
names do not lock a real account (an address is slowed, not refused); the second factor
is no password oracle, takes each code once and cannot be changed with a session alone;
weak passwords are refused; failed sign-ins are audited."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.fixtures import PASSWORD, new_user, sign_in
from tocsin.settings import Settings
from tocsin.store import list_audit
from tocsin.web import WebSettings, create_app, get_user_by_username

NEW_PASSWORD = "another long test password 7"


def browser(app: FastAPI, address: str | None = None) -> TestClient:
    """A client with its own address (failures are counted per address)."""
    address = address or f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.9"
    client = TestClient(app, base_url="https://testserver", client=(address, 50000))
    client.get("/login")
    return client


def attempt(
    client: TestClient, username: str, password: str, otp: str | None = None
) -> httpx.Response:
    data = {"username": username, "password": password, "csrf_token": client.cookies["tocsin_csrf"]}
    if otp is not None:
        data["otp"] = otp
    return client.post("/login", data=data, follow_redirects=False)


def csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/account").text)
    assert match
    return match.group(1)


def make_token(client: TestClient) -> str:
    page = client.post(
        "/account/tokens", data={"name": "t", "scopes": ["read"], "csrf_token": csrf(client)}
    ).text
    start = page.index("tct_")
    return page[start : page.index("<", start)]


def me(app: FastAPI, token: str) -> int:
    api = TestClient(app, base_url="https://testserver")
    return api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def change_password(client: TestClient, current: str, new: str) -> httpx.Response:
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "repeat": new, "csrf_token": csrf(client)},
        follow_redirects=False,
    )


def with_totp(app: FastAPI, client: TestClient) -> pyotp.TOTP:
    """Turn the second factor on for the signed-in user of ``client``; its TOTP."""
    page = client.post("/account/totp/start", data={"csrf_token": csrf(client)}).text
    found = re.search(r"<code>([A-Z2-7]{32})</code>", page)
    assert found
    totp = pyotp.TOTP(found.group(1))
    response = client.post(
        "/account/totp/confirm",
        data={
            "csrf_token": csrf(client),
            "secret": found.group(1),
            "password": PASSWORD,
            "code": totp.now(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    return totp


def next_code(totp: pyotp.TOTP, offset: int = 1) -> str:
    """A valid code of a time step next to now, not used yet (the current one was)."""
    return totp.at(datetime.now(UTC), counter_offset=offset)


def stored_totp(app: FastAPI, username: str) -> str | None:
    with app.state.tocsin.db.session() as session:
        user = get_user_by_username(session, username)
        assert user is not None
        return user.totp_ciphertext


# --- 8. account recovery ----------------------------------------------------------------


def test_a_password_change_ends_every_other_session_and_revokes_every_token(
    app: FastAPI,
) -> None:
    username = new_user(app, "analyst")
    mine, stolen = sign_in(app, username), sign_in(app, username)
    token = make_token(stolen)
    assert stolen.get("/api/v1/me").status_code == 200 and me(app, token) == 200
    assert change_password(mine, PASSWORD, NEW_PASSWORD).status_code == 303
    assert mine.get("/api/v1/me").status_code == 200  # the session that changed it goes on
    assert stolen.get("/api/v1/me").status_code == 401
    assert me(app, token) == 401
    with app.state.tocsin.db.session() as session:
        entry = next(e for e in list_audit(session, limit=50) if e.action == "user.password")
    assert entry.details == {"sessions_ended": 1, "api_revoked": 1}


def test_an_admin_reset_revokes_the_tokens_for_good(app: FastAPI, post_form: Any) -> None:
    username = new_user(app, "analyst")
    token = make_token(sign_in(app, username))  # an attacker's, made with the stolen password
    assert me(app, token) == 200
    with app.state.tocsin.db.session() as session:
        user = get_user_by_username(session, username)
        assert user is not None
    page = post_form("admin", f"/admin/users/{user.id}/reset", {}).text
    start = page.index('<code id="otp">') + len('<code id="otp">')
    one_time = page[start : page.index("<", start)]
    assert me(app, token) == 401  # revoked by the reset (it used to answer 403 until ...)
    client = sign_in(app, username, one_time)
    assert change_password(client, one_time, NEW_PASSWORD).status_code == 303
    assert client.get("/api/v1/me").status_code == 200
    assert me(app, token) == 401  # ... the user chose a password, and then worked again


# --- 10. lockout ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_app(settings: Settings, web_settings: WebSettings) -> Any:
    """The app with a short wait for a failing address (the default is seconds)."""
    application = create_app(
        settings, web_settings.model_copy(update={"login_client_delay_seconds": 0.4})
    )
    yield application
    application.state.tocsin.db.dispose()


def test_failures_with_made_up_names_do_not_lock_out_a_real_user(quick_app: FastAPI) -> None:
    """Behind a proxy every browser has one address: 20 failures with other names used to
    lock the admin out, right password and all. Now the address is only slowed."""
    proxy = "10.200.0.1"
    attacker = browser(quick_app, proxy)
    statuses = {attempt(attacker, f"nobody{i}", "guess").status_code for i in range(21)}
    assert statuses == {401}
    admin = browser(quick_app, proxy)
    started = time.monotonic()
    response = attempt(admin, "admin", PASSWORD)
    assert response.status_code == 303  # was 429
    assert time.monotonic() - started >= 0.4  # the address waits its turn
    fresh = browser(quick_app)
    started = time.monotonic()
    assert attempt(fresh, "admin", PASSWORD).status_code == 303
    assert time.monotonic() - started < 0.4  # other addresses do not


def test_failures_against_a_name_lock_it_but_not_a_second_factor(app: FastAPI) -> None:
    username = new_user(app, "analyst")
    totp = with_totp(app, sign_in(app, username))
    other = new_user(app, "viewer")
    attacker = browser(app)
    assert [attempt(attacker, username, "guess").status_code for _ in range(5)] == [401] * 5
    assert [attempt(attacker, other, "guess").status_code for _ in range(4)] == [401] * 4
    owner = browser(app)
    assert attempt(owner, username, PASSWORD).status_code == 429  # the password alone waits
    assert attempt(owner, username, PASSWORD, "123456").status_code == 429
    assert attempt(owner, username, PASSWORD, next_code(totp)).status_code == 303
    assert attempt(browser(app), other, PASSWORD).status_code == 303  # 4 failures: unlocked


# --- 15. second factor ------------------------------------------------------------------


def test_a_right_password_without_its_code_answers_like_a_wrong_password(app: FastAPI) -> None:
    username = new_user(app, "analyst")
    with_totp(app, sign_in(app, username))

    def answer(password: str) -> tuple[int, str]:
        response = attempt(browser(app), username, password)
        message = re.search(r'<p class="problem"[^>]*>([^<]*)</p>', response.text)
        assert message
        return response.status_code, message.group(1)

    assert (
        answer(PASSWORD)
        == answer("not the password")
        == (401, "Wrong user name, password or code.")
    )


def test_a_code_is_accepted_once(app: FastAPI) -> None:
    username = new_user(app, "analyst")
    totp = with_totp(app, sign_in(app, username))
    code = next_code(totp)
    assert attempt(browser(app), username, PASSWORD, code).status_code == 303
    assert attempt(browser(app), username, PASSWORD, code).status_code == 401  # replayed
    # nor an older one once a newer one was used
    assert attempt(browser(app), username, PASSWORD, next_code(totp, -1)).status_code == 401
    with app.state.tocsin.db.session() as session:
        reasons = [
            e.details.get("reason")
            for e in list_audit(session, limit=20)
            if e.action == "login.failed" and e.target == username
        ]
    assert reasons[:2] == ["wrong or reused code"] * 2


def test_the_second_factor_is_changed_only_with_the_password_and_a_code(app: FastAPI) -> None:
    username = new_user(app, "analyst")
    session_only = sign_in(app, username)  # e.g. a stolen cookie, or an unlocked screen
    page = session_only.post("/account/totp/start", data={"csrf_token": csrf(session_only)}).text
    found = re.search(r"<code>([A-Z2-7]{32})</code>", page)
    assert found
    refused = session_only.post(
        "/account/totp/confirm",
        data={
            "csrf_token": csrf(session_only),
            "secret": found.group(1),
            "code": pyotp.TOTP(found.group(1)).now(),
        },
    )
    assert "password is not right" in refused.text and stored_totp(app, username) is None
    totp = with_totp(app, session_only)
    before = stored_totp(app, username)
    assert (
        "off first"
        in session_only.post("/account/totp/start", data={"csrf_token": csrf(session_only)}).text
    )
    new_secret = pyotp.random_base32()
    session_only.post(
        "/account/totp/confirm",
        data={
            "csrf_token": csrf(session_only),
            "secret": new_secret,
            "password": PASSWORD,
            "code": pyotp.TOTP(new_secret).now(),
        },
    )
    assert stored_totp(app, username) == before  # not replaced
    for password, code in ((PASSWORD, "000000"), ("wrong password", next_code(totp))):
        session_only.post(
            "/account/totp/disable",
            data={"csrf_token": csrf(session_only), "password": password, "code": code},
        )
        assert stored_totp(app, username) == before  # not removed
    session_only.post(
        "/account/totp/disable",
        data={"csrf_token": csrf(session_only), "password": PASSWORD, "code": next_code(totp)},
    )
    assert stored_totp(app, username) is None


# --- audit and passwords ----------------------------------------------------------------


def test_failed_sign_ins_are_audited(app: FastAPI) -> None:
    client = browser(app, "10.201.0.1")
    name = f"made-up-{uuid.uuid4().hex[:6]}"
    attempt(client, name, "guess")
    attempt(client, "viewer", "wrong password")
    with app.state.tocsin.db.session() as session:
        failed = {
            (e.target, e.details.get("reason"))
            for e in list_audit(session, limit=50)
            if e.action == "login.failed" and e.actor == "client:10.201.0.1"
        }
    assert failed == {(name, "unknown user"), ("viewer", "wrong password")}


@pytest.mark.parametrize(
    "weak", ["aaaaaaaaaaaa", "abcabcabcabc", "qwertyuiop12", "password1234", "iloveyou2025!"]
)
def test_weak_passwords_are_refused(app: FastAPI, weak: str) -> None:
    client = sign_in(app, new_user(app, "viewer"))
    assert change_password(client, PASSWORD, weak).status_code == 400
    assert change_password(client, PASSWORD, "k7dm 2qpx 9wze hh4c").status_code == 303


def test_a_stolen_session_cannot_guess_the_password_without_the_lock(app: FastAPI) -> None:
    """The account pages ask for the password again; wrong answers count as failed
    sign-ins of that name, so they end in the same lock."""
    username = new_user(app, "analyst")
    stolen = sign_in(app, username)
    for guess in range(5):
        assert change_password(stolen, f"guess {guess}", NEW_PASSWORD).status_code == 400
    assert change_password(stolen, PASSWORD, NEW_PASSWORD).status_code == 400  # locked
    assert attempt(browser(app), username, PASSWORD).status_code == 429


def test_passwords_are_hashed_with_the_production_parameters() -> None:
    """Outside the tests' cheap hasher (tests/conftest.py), a password is hashed with
    argon2id at argon2-cffi's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes)."""
    code = "from tocsin.web import hash_password; print(hash_password('a long test password 1'))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), done.stdout
