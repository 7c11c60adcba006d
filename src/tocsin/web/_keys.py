"""Identity key rotation: add a key, re-encrypt every stored value under it, retire old keys.

The web package names no capability: each slice that keeps sealed values offers a
resealer, a function ``(session, ring) -> int`` registered as an entry point of the
``tocsin.sealed`` group (``pyproject.toml``), that re-encrypts its values under
``ring.active`` (decrypting each with the key it names) and says how many it did.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tocsin.settings import LEGACY_KEY_FILE_NAME, Settings, default_key_file
from tocsin.store import (
    Database,
    IdentityKeyError,
    KeyRing,
    audit,
    load_key_ring,
    save_key_ring,
    watch_key_ring,
)
from tocsin.web._config import WebSettings

#: The entry-point group of resealers: each names a function ``(session, ring) -> int``.
SEALED_GROUP = "tocsin.sealed"
Resealer = Callable[[Session, KeyRing], int]


def installed_resealers() -> dict[str, Resealer]:
    """The resealers installed (entry points of :data:`SEALED_GROUP`), in name order."""
    found = sorted(entry_points(group=SEALED_GROUP), key=lambda point: point.name)
    return {point.name: point.load() for point in found}


logger = logging.getLogger(__name__)

#: Seconds a rotation waits, before it retires the old keys, for requests of a running
#: server that sealed a value under the old key just before the new ring was written.
SETTLE_SECONDS = 2.0


def check_sealed_values(db: Database, ring: KeyRing) -> int:
    """Open every sealed value of ``db`` with ``ring`` and say how many; change nothing.

    Runs every resealer towards a throw-away key in a transaction that is rolled back,
    so each value is decrypted (and authenticated) with the key it names. Raises
    :class:`IdentityKeyError` at the first value the ring cannot open.
    """
    probe = KeyRing.generate("check")
    probe.keys.update({k: v for k, v in ring.keys.items() if k != probe.active})
    with Session(db.engine) as session:
        try:
            return sum(reseal(session, probe) for reseal in installed_resealers().values())
        finally:
            session.rollback()


def key_file_notice(settings: Settings, web: WebSettings) -> str | None:
    """What to tell the operator whose key ring is still beside the database, else None."""
    if web.identity_keys or web.identity_key_file:
        return None
    legacy = settings.home / LEGACY_KEY_FILE_NAME
    if not legacy.is_file():
        return None
    target = default_key_file(settings.home)
    return (
        f"the identity key ring is beside the database ({legacy}), so a copy of the data "
        "folder holds both the identities and the key that opens them. Stop the server, "
        f"then move it: mkdir -p -m 700 {target.parent} && mv {legacy} {target} "
        "(or point TOCSIN_WEB_IDENTITY_KEY_FILE at a file outside the data folder)"
    )


@cache
def _warn_once(message: str) -> None:
    logger.warning(message)


def open_key_ring(settings: Settings, web: WebSettings, *, create: bool = True) -> KeyRing:
    """The key ring a server holds: from TOCSIN_WEB_IDENTITY_KEYS, else the key file,
    read again whenever the file changes (so ``rotate-key`` is safe while it serves).

    A missing file is made (``create``) only if the database holds no sealed value: a
    fresh ring would not open them, and every value sealed under it would mix with
    values of the lost one. Logs :func:`key_file_notice` once per process.
    """
    env_value = web.identity_key_ring()
    path = web.key_file(settings)
    if create and not env_value and not path.exists():
        _refuse_a_new_ring_over_sealed_values(settings, path)
    notice = key_file_notice(settings, web)
    if notice:
        _warn_once(notice)
    return watch_key_ring(env_value=env_value, path=path, create=create)


def _refuse_a_new_ring_over_sealed_values(settings: Settings, path: Path) -> None:
    db = Database.from_settings(settings)
    try:
        check_sealed_values(db, KeyRing.generate("none"))
    except IdentityKeyError as error:
        raise IdentityKeyError(
            f"there is no identity key ring at {path}, but the database at {db.describe()} "
            "holds sealed values: a new ring would not open them",
            fix="restore the key ring (`tocsin restore --keys FILE`), or point "
            "TOCSIN_WEB_IDENTITY_KEY_FILE at it (an older Tocsin kept it beside the "
            "database as identity-keys.json)",
        ) from error
    except DBAPIError:
        pass  # no tables yet: nothing sealed
    finally:
        db.dispose()


@dataclass(frozen=True)
class Rotation:
    new_key_id: str
    n_reencrypted: int
    retired: list[str]


def rotate_identity_key(
    settings: Settings,
    web: WebSettings,
    *,
    now: datetime,
    retire: bool = True,
    settle_seconds: float = SETTLE_SECONDS,
) -> Rotation:
    """Make a new active key and re-encrypt every sealed value (identities of incident
    reports, attachment keys, TOTP secrets: whatever the installed resealers hold).

    The new key ring is written first (old keys kept), then all values are re-encrypted
    in one transaction; only then are old keys dropped (``retire``). A crash in between
    leaves a ring that still reads every value. Works only on a key file: a ring given
    in TOCSIN_WEB_IDENTITY_KEYS must be rotated by whoever manages that variable.

    Safe while a server runs: it reads the file again before each seal (a
    :class:`~tocsin.store.WatchedKeyRing`), so values it seals after the new ring is
    written are under the new key. One it sealed just before may be stored after the
    re-encryption; so, before retiring old keys, the rotation waits ``settle_seconds``
    and re-encrypts once more whatever is still under an old key.
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
        if retire:
            time.sleep(settle_seconds)
            with db.session() as session:
                for reseal in resealers.values():
                    reseal(session, ring)  # only values still under an old key change
    finally:
        db.dispose()
    retired = [k for k in ring.keys if k != new_key] if retire else []
    for key_id in retired:
        del ring.keys[key_id]
    if retired:
        save_key_ring(ring, path)
    return Rotation(new_key, n_values, retired)
