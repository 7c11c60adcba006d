"""Accounts: the first admin, TOTP second factor, key rotation (every slice's resealer),
sign-out, the CLI."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.web.fixtures import PASSWORD, new_user, sign_in
from tocsin.incidents import ReportVisibility, get_incident_report
from tocsin.settings import Settings
from tocsin.store import Database, KeyRing, list_audit
from tocsin.web import (
    SEALED_GROUP,
    Resealer,
    WebSettings,
    _keys,
    count_users,
    ensure_first_admin,
    get_user_by_username,
    rotate_identity_key,
    update_user,
)


def csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/account").text)
    assert match
    return match.group(1)


def test_a_second_factor_is_asked_for_once_set_up(app: FastAPI) -> None:
    username = new_user(app, "analyst")
    client = sign_in(app, username)
    token = csrf(client)
    page = client.post("/account/totp/start", data={"csrf_token": token}).text
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page)
    assert secret
    confirm = {"csrf_token": token, "secret": secret.group(1), "password": PASSWORD}
    wrong = client.post("/account/totp/confirm", data=confirm | {"code": "000000"})
    assert "did not match" in wrong.text
    totp = pyotp.TOTP(secret.group(1))
    client.post("/account/totp/confirm", data=confirm | {"code": totp.now()})
    fresh = TestClient(app, base_url="https://testserver")
    fresh.get("/login")
    data = {"username": username, "password": PASSWORD, "csrf_token": fresh.cookies["tocsin_csrf"]}
    asked = fresh.post("/login", data=data, follow_redirects=False)
    assert asked.status_code == 401  # answered as a wrong password: tests/web/test_sign_in.py
    # the code of the next time step: the confirmation used the current one, which a
    # sign-in may not use again (RFC 6238 section 5.2)
    code = totp.at(datetime.now(UTC), counter_offset=1)
    assert (
        fresh.post("/login", data=data | {"otp": code}, follow_redirects=False).status_code == 303
    )


def test_signing_out_ends_the_session(app: FastAPI) -> None:
    client = sign_in(app, new_user(app, "viewer"))
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_a_deactivated_user_is_signed_out_at_once(app: FastAPI, post_form: Any) -> None:
    username = new_user(app, "monitor")
    client = sign_in(app, username)
    assert client.get("/api/v1/me").status_code == 200
    users = post_form(
        "admin", "/admin/users", {"username": "xy", "display_name": "x", "role": "nobody"}
    )
    assert users.status_code == 400
    with app.state.tocsin.db.session() as session:
        from tocsin.web import get_user_by_username

        user = get_user_by_username(session, username)
    assert user is not None
    post_form("admin", f"/admin/users/{user.id}", {"active": "false"})
    assert client.get("/api/v1/me").status_code == 401


def test_rotation_re_encrypts_every_identity_under_a_new_key(
    app: FastAPI, settings: Settings, web_settings: WebSettings, post_form: Any
) -> None:
    form = {
        "iso3": "CAF",
        "start_date": "2025-02-01",
        "event_type": "torture",
        "witnesses": "Rotation Witness",
        "sensitivity": "restricted",
        "idempotency_key": uuid.uuid4().hex,
    }
    location = post_form("monitor", "/reports", form, follow_redirects=False).headers["location"]
    report_id = location.rsplit("/", 1)[1]
    before = KeyRing.from_json(web_settings.key_file(settings).read_text(), origin="test")
    result = rotate_identity_key(settings, web_settings, now=datetime.now(UTC))
    after = KeyRing.from_json(web_settings.key_file(settings).read_text(), origin="test")
    assert result.new_key_id not in before.keys and set(after.keys) == {result.new_key_id}
    assert result.n_reencrypted >= 1
    app.state.tocsin.key_ring = after  # a running server reloads the ring on restart
    with app.state.tocsin.db.session() as session:
        stored = get_incident_report(session, report_id, visibility=ReportVisibility())
        assert stored is not None and stored.identities_key_id == result.new_key_id
        assert "identity_key.rotate" in {e.action for e in list_audit(session)}
    analyst = sign_in(app, "analyst")
    shown = analyst.get(f"/api/v1/reports/{report_id}?identities=true").json()
    assert shown["identities"]["witnesses"] == ["Rotation Witness"]


def test_rotation_runs_every_registered_resealer(
    app: FastAPI,
    settings: Settings,
    web_settings: WebSettings,
    post_form: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each slice re-encrypts its own values (entry points of ``tocsin.sealed``): every
    one registered runs, in the one transaction, and the audit counts all their values."""
    registered = {point.name for point in entry_points(group=SEALED_GROUP)}
    assert {"incidents", "web"} <= registered
    ring = KeyRing.from_json(web_settings.key_file(settings).read_text(), origin="test")
    username = new_user(app, "analyst")
    with app.state.tocsin.db.session() as session:
        user = get_user_by_username(session, username)
        assert user is not None
        sealed = ring.encrypt("JBSWY3DPEHPK3PXP", context=f"totp:{user.id}")
        update_user(
            session, user.id, now=datetime.now(UTC), totp=(sealed.ciphertext, sealed.key_id)
        )
    form = {
        "iso3": "CAF",
        "start_date": "2025-02-02",
        "event_type": "torture",
        "witnesses": "Resealed Witness",
        "sensitivity": "restricted",
        "idempotency_key": uuid.uuid4().hex,
    }
    assert post_form("monitor", "/reports", form, follow_redirects=False).status_code == 303
    ran: dict[str, int] = {}
    installed = _keys.installed_resealers

    def counted() -> dict[str, Resealer]:
        def wrap(name: str, reseal: Resealer) -> Resealer:
            def run(session: Session, ring: KeyRing) -> int:
                ran[name] = reseal(session, ring)
                return ran[name]

            return run

        return {name: wrap(name, reseal) for name, reseal in installed().items()}

    monkeypatch.setattr(_keys, "installed_resealers", counted)
    result = rotate_identity_key(settings, web_settings, now=datetime.now(UTC), retire=False)
    assert set(ran) == registered and all(n >= 1 for n in ran.values()), ran
    assert result.n_reencrypted == sum(ran.values())
    after = KeyRing.from_json(web_settings.key_file(settings).read_text(), origin="test")
    app.state.tocsin.key_ring = after  # a running server reloads the ring on restart
    with app.state.tocsin.db.session() as session:
        rotations = [e for e in list_audit(session) if e.action == "identity_key.rotate"]
        assert rotations[0].details["n_values"] == result.n_reencrypted
        user = get_user_by_username(session, username)
        assert user is not None and user.totp_key_id == result.new_key_id
        assert user.totp_ciphertext is not None
        secret = after.decrypt(user.totp_key_id, user.totp_ciphertext, context=f"totp:{user.id}")
        assert secret == "JBSWY3DPEHPK3PXP"


def test_the_first_admin_is_made_once_with_a_one_time_password(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    Database.from_settings(settings).upgrade()
    now = datetime.now(UTC)
    password = ensure_first_admin(settings, now=now)
    assert password and len(password) == 23
    assert ensure_first_admin(settings, now=now) is None
    # the key ring is made outside the data folder, so a copy of the folder lacks it
    assert settings.web.key_file(settings).is_file()
    assert not (tmp_path / "identity-keys.json").exists()
    db = Database.from_settings(settings)
    with db.session() as session:
        assert count_users(session) == 1
    db.dispose()


def test_the_cli_adds_users_and_rotates_keys(tmp_path: Path) -> None:
    from tocsin.cli import app as cli

    runner = CliRunner()
    home = ["--data-dir", str(tmp_path)]
    Database.from_settings(Settings(home=tmp_path)).upgrade()
    added = runner.invoke(cli, [*home, "web", "user-add", "amina", "--role", "monitor"])
    assert added.exit_code == 0, added.output
    assert re.search(r"password \(shown only now\): [a-z0-9-]{23}", added.output)
    again = runner.invoke(cli, [*home, "web", "user-add", "amina"])
    assert again.exit_code == 1
    ensure_first_admin(Settings(home=tmp_path), now=datetime.now(UTC))
    rotated = runner.invoke(cli, [*home, "web", "rotate-key", "--json"])
    assert rotated.exit_code == 0, rotated.output
    assert '"new_key_id": "k2"' in rotated.output


def test_add_a_user_preselects_the_least_privileged_role(
    clients: dict[str, TestClient], tmp_path: Path
) -> None:
    page = clients["admin"].get("/admin/users").text
    form = page.split("<h2>Add a user</h2>", 1)[1].split("</form>", 1)[0]
    assert re.findall(r"<option [^>]*selected>(\w+)</option>", form) == ["viewer"]
    # the CLI too: a user added without --role is a viewer
    from tocsin.cli import app as cli

    Database.from_settings(Settings(home=tmp_path)).upgrade()
    added = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "web", "user-add", "noor"])
    assert added.exit_code == 0, added.output
    assert "User noor (viewer) added" in added.output
    db = Database.from_settings(Settings(home=tmp_path))
    with db.session() as session:
        user = get_user_by_username(session, "noor")
        assert user is not None and user.role == "viewer"
    db.dispose()
