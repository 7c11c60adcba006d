"""`tocsin backup` and `tocsin restore`: the database and the key ring, written apart, put
back, and checked to open every sealed value (real CLI, real files)."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli.running import run_tocsin
from tests.incidents.test_attachments import PHOTO
from tests.web.fixtures import csrf_of, populate, populated_home, sign_in
from tocsin.settings import Settings
from tocsin.store import Database, KeyRing
from tocsin.web import create_app, get_user_by_username, update_user


def _cli(
    home: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"TOCSIN_DATABASE_URL": database_url} if database_url else None
    return run_tocsin("--data-dir", str(home), *args, env=env, timeout=120)


def _seal_values(settings: Settings) -> str:
    """A restricted report with a witness and a photo, and a TOTP secret; its id."""
    app = create_app(settings)
    client = sign_in(app, "analyst")
    response = client.post(
        "/reports",
        data={
            "iso3": "CAF",
            "start_date": "2025-01-10",
            "event_type": "killing",
            "perpetrator_kind": "militia",
            "victim_kind": "civilians",
            "witnesses": "Backed-up Witness",
            "sensitivity": "restricted",
            "idempotency_key": uuid.uuid4().hex,
            "csrf_token": csrf_of(client),
        },
        files=[("attachments", ("photo.png", PHOTO, "image/png"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    ring = app.state.tocsin.key_ring
    with app.state.tocsin.db.session() as session:
        user = get_user_by_username(session, "reviewer")
        assert user is not None
        sealed = ring.encrypt("JBSWY3DPEHPK3PXP", context=f"totp:{user.id}")
        update_user(
            session, user.id, now=datetime.now(UTC), totp=(sealed.ciphertext, sealed.key_id)
        )
    app.state.tocsin.db.dispose()
    return str(response.headers["location"]).rsplit("/", 1)[1]


def _read_back(settings: Settings, report_id: str) -> None:
    app = create_app(settings)
    client: TestClient = sign_in(app, "analyst")
    shown = client.get(f"/api/v1/reports/{report_id}?identities=true")
    assert shown.status_code == 200, shown.text
    assert shown.json()["identities"]["witnesses"] == ["Backed-up Witness"]
    (attachment,) = shown.json()["attachments"]
    assert client.get(attachment["url"]).content == PHOTO
    app.state.tocsin.db.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_and_its_key_ring_restore_every_sealed_value(tmp_path: Path) -> None:
    home = populated_home(tmp_path / "data")
    settings = Settings(home=home)
    report_id = _seal_values(settings)
    database_copy, keys_copy = tmp_path / "nas" / "tocsin.db", tmp_path / "usb" / "keys.json"
    database_copy.parent.mkdir()
    keys_copy.parent.mkdir()

    made = _cli(home, "backup", str(database_copy), "--keys", str(keys_copy), "--json")
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    assert result["n_values"] == 3 and result["warnings"] == []  # identities, file key, TOTP
    assert _mode(database_copy) == 0o600 and _mode(keys_copy) == 0o600
    assert sorted(p.name for p in database_copy.parent.iterdir()) == ["tocsin.db"]
    again = _cli(home, "backup", str(database_copy), "--keys", str(tmp_path / "k2.json"))
    assert again.returncode == 1 and "exists" in again.stderr  # a backup replaces nothing

    # The machine is lost: data folder and key ring both.
    key_file = settings.web.key_file(settings)
    shutil.rmtree(home)
    key_file.unlink()

    # The database copy alone opens nothing: restoring it with another ring is refused.
    other = tmp_path / "other-keys.json"
    other.write_text(KeyRing.generate().to_json())
    new_home = tmp_path / "new-data"
    refused = _cli(new_home, "restore", str(database_copy), "--keys", str(other))
    assert refused.returncode == 1 and "failed authentication" in refused.stderr
    assert not (new_home / "tocsin.db").exists() or (new_home / "tocsin.db").stat().st_size == 0

    restored = _cli(new_home, "restore", str(database_copy), "--keys", str(keys_copy), "--json")
    assert restored.returncode == 0, restored.stderr
    out = json.loads(restored.stdout)
    assert out["n_values"] == 3 and out["database"] == str(new_home / "tocsin.db")
    new_settings = Settings(home=new_home)
    assert out["key_file"] == str(new_settings.web.key_file(new_settings))
    assert new_home not in Path(out["key_file"]).parents
    assert _mode(new_home / "tocsin.db") == 0o600 and _mode(Path(out["key_file"])) == 0o600
    _read_back(new_settings, report_id)

    # A second restore over the restored database needs --force.
    twice = _cli(new_home, "restore", str(database_copy), "--keys", str(keys_copy))
    assert twice.returncode == 1 and "--force" in twice.stderr
    forced = _cli(new_home, "restore", str(database_copy), "--keys", str(keys_copy), "--force")
    assert forced.returncode == 0, forced.stderr
    _read_back(new_settings, report_id)


def test_backing_up_both_into_one_folder_is_warned_against(tmp_path: Path) -> None:
    home = populated_home(tmp_path / "data")
    _seal_values(Settings(home=home))
    made = _cli(home, "backup", str(tmp_path / "t.db"), "--keys", str(tmp_path / "k.json"))
    assert made.returncode == 0, made.stderr
    assert "Warning: the key ring and the database backup are in the same folder" in made.stderr


@pytest.mark.postgres
def test_on_postgresql_the_key_ring_is_backed_up_and_restored_beside_pg_dump(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    db = Database(postgres_schema_url)
    populate(db)
    db.dispose()
    home = tmp_path / "data"
    settings = Settings(home=home, database_url=postgres_schema_url)
    report_id = _seal_values(settings)
    keys_copy = tmp_path / "usb" / "keys.json"
    refused = _cli(
        home,
        "backup",
        str(tmp_path / "t.db"),
        "--keys",
        str(keys_copy),
        database_url=postgres_schema_url,
    )
    assert refused.returncode == 1 and "pg_dump" in refused.stderr and not keys_copy.exists()
    made = _cli(
        home, "backup", "--keys", str(keys_copy), "--json", database_url=postgres_schema_url
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["n_values"] == 3
    # Another machine reaches the same (pg_restore'd) database and gets the ring back.
    new_home = tmp_path / "new-data"
    restored = _cli(
        new_home, "restore", "--keys", str(keys_copy), "--json", database_url=postgres_schema_url
    )
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["database"] is None
    _read_back(Settings(home=new_home, database_url=postgres_schema_url), report_id)
