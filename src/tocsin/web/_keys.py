"""Identity key rotation: add a key, re-encrypt every stored value under it, retire old keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tocsin.settings import Settings
from tocsin.store import Database, audit
from tocsin.web._accounts import totp_context
from tocsin.web._attachments import attachment_context
from tocsin.web._config import WebSettings
from tocsin.web._crypto import IdentityKeyError, load_key_ring, save_key_ring
from tocsin.web._reports import report_context
from tocsin.web._store import list_encrypted_values, replace_encrypted_value


@dataclass(frozen=True)
class Rotation:
    new_key_id: str
    n_reencrypted: int
    retired: list[str]


def rotate_identity_key(
    settings: Settings, web: WebSettings, *, now: datetime, retire: bool = True
) -> Rotation:
    """Make a new active key and re-encrypt every identity, TOTP secret and attachment key.

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
    path = web.key_file(settings)
    ring = load_key_ring(env_value=None, path=path, create=False)
    new_key = ring.add_key()
    save_key_ring(ring, path)
    db = Database.from_settings(settings)
    try:
        with db.session() as session:
            values = list_encrypted_values(session)
            for value in values:
                context = (
                    report_context(value.record)
                    if value.table == "reports"
                    else attachment_context(value.record)
                    if value.table == "attachments"
                    else totp_context(int(value.record))
                )
                plain = ring.decrypt(value.key_id, value.ciphertext, context=context)
                sealed = ring.encrypt(plain, context=context)
                replace_encrypted_value(
                    session, value, key_id=sealed.key_id, ciphertext=sealed.ciphertext
                )
            audit(
                session,
                actor="cli",
                action="identity_key.rotate",
                now=now,
                details={"new_key_id": new_key, "n_values": len(values)},
            )
    finally:
        db.dispose()
    retired = [k for k in ring.keys if k != new_key] if retire else []
    for key_id in retired:
        del ring.keys[key_id]
    if retired:
        save_key_ring(ring, path)
    return Rotation(new_key, len(values), retired)
