"""Where the identity key ring lives: outside the data folder, an older one beside the
database still used (with how to move it), and never silently replaced."""

from __future__ import annotations

import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.running import run_tocsin
from tests.web.fixtures import populated_home
from tocsin.settings import Settings
from tocsin.store import Database, IdentityKeyError, KeyRing, save_key_ring
from tocsin.web import (
    check_sealed_values,
    create_app,
    get_user_by_username,
    key_file_notice,
    update_user,
)


def _seal_a_totp_secret(settings: Settings, ring: KeyRing) -> None:
    db = Database.from_settings(settings)
    with db.session() as session:
        user = get_user_by_username(session, "analyst")
        assert user is not None
        sealed = ring.encrypt("JBSWY3DPEHPK3PXP", context=f"totp:{user.id}")
        update_user(
            session, user.id, now=datetime.now(UTC), totp=(sealed.ciphertext, sealed.key_id)
        )
    db.dispose()


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_tocsin("--data-dir", str(home), *args, timeout=60)


def test_a_new_key_ring_is_made_outside_the_data_folder(tmp_path: Path) -> None:
    home = populated_home(tmp_path / "data")
    settings = Settings(home=home)
    app = create_app(settings)
    app.state.tocsin.db.dispose()
    path = settings.web.key_file(settings)
    assert path.is_file() and home not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    copy = shutil.copytree(home, tmp_path / "copy-of-the-data-folder")
    assert not any("identity-keys" in p.name for p in Path(copy).rglob("*"))
    assert key_file_notice(settings, settings.web) is None
    assert _cli(home, "web", "key-file").stdout.strip() == str(path)


def test_a_key_ring_beside_the_database_keeps_working_and_says_how_to_move_it(
    tmp_path: Path,
) -> None:
    home = populated_home(tmp_path / "data")
    settings = Settings(home=home)
    legacy = home / "identity-keys.json"
    ring = KeyRing.generate()
    save_key_ring(ring, legacy)  # as an older Tocsin made it
    _seal_a_totp_secret(settings, ring)
    assert settings.web.key_file(settings) == legacy
    app = create_app(settings)  # serves with it, no new ring
    assert app.state.tocsin.key_ring.keys == ring.keys
    app.state.tocsin.db.dispose()
    notice = key_file_notice(settings, settings.web)
    assert notice is not None and f"mv {legacy} " in notice
    shown = _cli(home, "web", "key-file")
    assert shown.returncode == 0 and "Warning: the identity key ring is beside" in shown.stderr
    assert shown.stdout.strip() == str(legacy)
    # following the advice
    move = notice.split("move it: ", 1)[1].split(" (or", 1)[0]
    subprocess.run(move, shell=True, check=True)  # noqa: S602  (the very command shown)
    moved = settings.web.key_file(settings)
    assert moved != legacy and moved.is_file() and not legacy.exists()
    assert key_file_notice(settings, settings.web) is None
    db = Database.from_settings(settings)
    assert check_sealed_values(db, KeyRing.from_json(moved.read_text(), origin="test")) == 1
    db.dispose()


def test_a_lost_key_ring_is_not_replaced_by_a_new_one_over_sealed_values(
    tmp_path: Path,
) -> None:
    home = populated_home(tmp_path / "data")
    settings = Settings(home=home)
    app = create_app(settings)
    app.state.tocsin.db.dispose()
    path = settings.web.key_file(settings)
    _seal_a_totp_secret(settings, KeyRing.from_json(path.read_text(), origin="test"))
    path.unlink()  # lost, or the data folder moved to another path
    with pytest.raises(IdentityKeyError, match="holds sealed values") as error:
        create_app(settings)
    assert "tocsin restore" in (error.value.fix or "")
    assert not path.exists()
