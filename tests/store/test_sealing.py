"""AES-GCM key ring: round trips, binding to the record, tampering, loading and rotation."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tocsin.store import (
    IdentityKeyError,
    KeyRing,
    WatchedKeyRing,
    load_key_ring,
    save_key_ring,
    watch_key_ring,
)


def test_a_value_decrypts_only_with_its_key_and_context() -> None:
    ring = KeyRing.generate()
    sealed = ring.encrypt({"witnesses": ["Amani"]}, context="incident-report:abc")
    assert sealed.key_id == "k1" and "Amani" not in sealed.ciphertext
    assert ring.decrypt("k1", sealed.ciphertext, context="incident-report:abc") == {
        "witnesses": ["Amani"]
    }
    with pytest.raises(IdentityKeyError, match="failed authentication"):
        ring.decrypt("k1", sealed.ciphertext, context="incident-report:other")
    with pytest.raises(IdentityKeyError, match="no identity key 'k9'"):
        ring.decrypt("k9", sealed.ciphertext, context="incident-report:abc")
    with pytest.raises(IdentityKeyError, match="failed authentication"):
        ring.decrypt("k1", KeyRing.generate().encrypt(1, context="x").ciphertext, context="x")


def test_two_encryptions_of_the_same_value_differ() -> None:
    ring = KeyRing.generate()
    one, two = (ring.encrypt("same", context="c") for _ in range(2))
    assert one.ciphertext != two.ciphertext


def test_a_new_key_reads_old_values_while_the_old_key_is_kept() -> None:
    ring = KeyRing.generate()
    old = ring.encrypt("old", context="c")
    assert ring.add_key() == "k2" and ring.active == "k2"
    assert ring.encrypt("new", context="c").key_id == "k2"
    assert ring.decrypt(old.key_id, old.ciphertext, context="c") == "old"


def test_the_key_file_is_private_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "identity-keys.json"
    ring = load_key_ring(env_value=None, path=path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key_ring(env_value=None, path=path, create=False).keys == ring.keys
    from_env = load_key_ring(env_value=ring.to_json(), path=tmp_path / "absent", create=False)
    assert from_env.active == ring.active
    ring.add_key()
    save_key_ring(ring, path)
    assert set(json.loads(path.read_text())["keys"]) == {"k1", "k2"}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"active": "k1"}',
        '{"active": "k2", "keys": {"k1": "AAAA"}}',
        '{"active": "k1", "keys": {"k1": "c2hvcnQ="}}',
    ],
)
def test_a_bad_key_ring_is_refused_with_a_fix(tmp_path: Path, text: str) -> None:
    path = tmp_path / "identity-keys.json"
    path.write_text(text)
    with pytest.raises(IdentityKeyError) as error:
        load_key_ring(env_value=None, path=path, create=False)
    assert error.value.fix


def test_a_missing_key_ring_is_not_silently_replaced(tmp_path: Path) -> None:
    with pytest.raises(IdentityKeyError, match="no identity key ring"):
        load_key_ring(env_value=None, path=tmp_path / "identity-keys.json", create=False)


def test_a_watched_ring_follows_its_file_as_a_rotation_rewrites_it(tmp_path: Path) -> None:
    path = tmp_path / "identity-keys.json"
    held = watch_key_ring(env_value=None, path=path, create=True)
    old = held.encrypt("before", context="c")
    rotated = load_key_ring(env_value=None, path=path, create=False)
    rotated.add_key()
    save_key_ring(rotated, path)  # what `tocsin web rotate-key` does first
    new = held.encrypt("after", context="c")
    assert (old.key_id, new.key_id) == ("k1", "k2")
    del rotated.keys["k1"]
    save_key_ring(rotated, path)  # ... and last, retiring k1
    assert held.keys.keys() == {"k2"} and held.decrypt("k2", new.ciphertext, context="c") == "after"
    assert "k1" not in repr(held) and "base64" not in repr(held)
    path.unlink()
    with pytest.raises(IdentityKeyError, match="has gone"):
        held.encrypt("never under a key that is not on disk", context="c")


def test_a_ring_from_the_environment_is_not_watched(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    held = watch_key_ring(env_value=ring.to_json(), path=tmp_path / "absent", create=True)
    assert not isinstance(held, WatchedKeyRing) and held == ring
    assert not (tmp_path / "absent").exists()


def test_resealing_leaves_values_already_under_the_active_key(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    old = ring.encrypt("x", context="c")
    ring.add_key()
    moved = ring.reseal(old.key_id, old.ciphertext, context="c")
    assert moved.key_id == "k2" and ring.reseal("k2", moved.ciphertext, context="c") == moved


def test_the_key_files_folder_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "config" / "keys" / "identity-keys.json"
    save_key_ring(KeyRing.generate(), path)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
