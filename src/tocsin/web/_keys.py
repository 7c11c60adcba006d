"""Identity key rotation: add a key, re-encrypt every stored value under it, retire old keys.

The web package names no capability: each slice that keeps sealed values offers a
resealer, a function ``(session, ring) -> int`` registered as an entry point of the
``tocsin.sealed`` group (``pyproject.toml``), that re-encrypts its values under
``ring.active`` (decrypting each with the key it names) and says how many it did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points

from sqlalchemy.orm import Session

from tocsin.settings import Settings
from tocsin.store import Database, IdentityKeyError, KeyRing, audit, load_key_ring, save_key_ring
from tocsin.web._config import WebSettings

#: The entry-point group of resealers: each names a function ``(session, ring) -> int``.
SEALED_GROUP = "tocsin.sealed"
Resealer = Callable[[Session, KeyRing], int]


def installed_resealers() -> dict[str, Resealer]:
    """The resealers installed (entry points of :data:`SEALED_GROUP`), in name order."""
    found = sorted(entry_points(group=SEALED_GROUP), key=lambda point: point.name)
    return {point.name: point.load() for point in found}


@dataclass(frozen=True)
class Rotation:
    new_key_id: str
    n_reencrypted: int
    retired: list[str]


def rotate_identity_key(
    settings: Settings, web: WebSettings, *, now: datetime, retire: bool = True
) -> Rotation:
    """Make a new active key and re-encrypt every sealed value (identities of incident
    reports, attachment keys, TOTP secrets: whatever the installed resealers hold).

    The new key ring is written first (old keys kept), then all values are re-encrypted
    in one transaction; only then are old keys dropped (``retire``). A crash in between
    leaves a ring that still reads every value. Works only on a key file: a ring given
    in TOCSIN_WEB_IDENTITY_KEYS must be rotated by whoever manages that variable.
    """
    if web.identity_keys:
        raise IdentityKeyError(
            "the key ring comes from TOCSIN_WEB_IDENTITY_KEYS and cannot be rewritten here",
            fix="rotate with a key file (TOCSIN_WEB_IDENTITY_KEY_FILE), then update the variable",
        )
    resealers = installed_resealers()
    path = web.key_file(settings)
    ring = load_key_ring(env_value=None, path=path, create=False)
    new_key = ring.add_key()
    save_key_ring(ring, path)
    db = Database.from_settings(settings)
    try:
        with db.session() as session:
            n_values = sum(reseal(session, ring) for reseal in resealers.values())
            audit(
                session,
                actor="cli",
                action="identity_key.rotate",
                now=now,
                details={"new_key_id": new_key, "n_values": n_values},
            )
    finally:
        db.dispose()
    retired = [k for k in ring.keys if k != new_key] if retire else []
    for key_id in retired:
        del ring.keys[key_id]
    if retired:
        save_key_ring(ring, path)
    return Rotation(new_key, n_values, retired)
