"""AES-GCM encryption of identities at rest, with a key ring so keys can be rotated.

Each ciphertext is stored beside the id of the key that made it. The key ring holds
every key still needed to read old values and names the active one for new values;
rotation adds a key, makes it active and re-encrypts every stored value
(:func:`tocsin.web.rotate_identity_key`, through each slice's resealer of the
``tocsin.sealed`` entry-point group). Each value is bound to its record through
AES-GCM's associated data, so a ciphertext copied onto another record does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tocsin.errors import TocsinError

_NONCE_BYTES = 12


class IdentityKeyError(TocsinError):
    """The identity key ring is missing, malformed, or lacks the key a value needs."""


@dataclass
class KeyRing:
    """Named 256-bit keys and the id of the one used for new values.

    Examples
    --------
    >>> ring = KeyRing.generate()
    >>> token = ring.encrypt({"witnesses": ["A. N."]}, context="report:1")
    >>> ring.decrypt(token.key_id, token.ciphertext, context="report:1")
    {'witnesses': ['A. N.']}
    """

    active: str
    keys: dict[str, bytes] = field(default_factory=dict, repr=False)  # never in logs

    @classmethod
    def generate(cls, key_id: str = "k1") -> KeyRing:
        return cls(active=key_id, keys={key_id: AESGCM.generate_key(bit_length=256)})

    @classmethod
    def from_json(cls, text: str, *, origin: str) -> KeyRing:
        try:
            data = json.loads(text)
            keys = {str(k): base64.b64decode(v, validate=True) for k, v in data["keys"].items()}
            ring = cls(active=str(data["active"]), keys=keys)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise IdentityKeyError(
                f"the identity key ring in {origin} is not valid: {error}",
                fix='it must be JSON: {"active": "k1", "keys": {"k1": "<base64 of 32 bytes>"}}',
            ) from error
        if ring.active not in ring.keys or any(len(k) != 32 for k in ring.keys.values()):
            raise IdentityKeyError(
                f"the identity key ring in {origin} names a missing active key or holds a key "
                "that is not 32 bytes",
                fix="restore the key file from your backup",
            )
        return ring

    def to_json(self) -> str:
        keys = {k: base64.b64encode(v).decode() for k, v in self.keys.items()}
        return json.dumps({"active": self.active, "keys": keys}, indent=2)

    def add_key(self) -> str:
        """Add a fresh key, make it active and return its id."""
        number = 1 + max((int(k[1:]) for k in self.keys if k[1:].isdigit()), default=0)
        key_id = f"k{number}"
        self.keys[key_id] = AESGCM.generate_key(bit_length=256)
        self.active = key_id
        return key_id

    def encrypt(self, value: Any, *, context: str) -> Sealed:
        """Encrypt a JSON-able value under the active key, bound to ``context``."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plain = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plain, context.encode())
        return Sealed(self.active, base64.b64encode(nonce + sealed).decode())

    def decrypt(self, key_id: str, ciphertext: str, *, context: str) -> Any:
        """Decrypt a value made by :meth:`encrypt` with the same ``context``."""
        key = self.keys.get(key_id)
        if key is None:
            raise IdentityKeyError(
                f"no identity key {key_id!r} in the key ring",
                fix="restore the key ring that holds it; keys are needed until rotation "
                "re-encrypted every value",
            )
        raw = base64.b64decode(ciphertext)
        try:
            plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
        except InvalidTag as error:
            raise IdentityKeyError(
                "an identity value failed authentication (wrong key, or tampered or moved)",
                fix="check the key ring; report a tampered database to your administrator",
            ) from error
        return json.loads(plain)

    def reseal(self, key_id: str, ciphertext: str, *, context: str) -> Sealed:
        """A value made under any key of the ring, encrypted again under the active key
        (what key rotation does to every stored value); one already under the active key
        is returned as it is, so a second pass of a rotation only touches stragglers."""
        if key_id == self.active:
            return Sealed(key_id, ciphertext)
        return self.encrypt(self.decrypt(key_id, ciphertext, context=context), context=context)


class WatchedKeyRing(KeyRing):
    """The key ring of a file, read again whenever the file changes (a long-running server).

    ``tocsin web rotate-key`` rewrites the file while a server may be running: a server
    that kept the ring it started with would seal new values under a key the rotation
    then retires, and they could never be read after a restart. So before every
    encryption and decryption this ring compares the file's identity (device, inode,
    size, modification and change times: one ``stat``) with what it last read, and reads it again
    when it differs. A file that has gone or become invalid raises
    :class:`IdentityKeyError` rather than sealing under a key no longer on disk.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, ...] | None = None
        self._ring = self._current()

    def __repr__(self) -> str:
        return f"WatchedKeyRing(path={str(self.path)!r}, active={self.active!r})"

    def _current(self) -> KeyRing:
        """The ring as the file holds it now (read again only if the file changed)."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError as error:
            raise IdentityKeyError(
                f"the identity key ring {self.path} has gone",
                fix="restore it from your backup; nothing is sealed without it",
            ) from error
        # an inode number may be reused by a later rewrite: times tell those apart
        seen = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        if seen == self._seen:
            return self._ring
        with self._lock:
            if seen != self._seen:
                text = self.path.read_text(encoding="utf-8")
                # the file is replaced atomically (save_key_ring), so what was read is whole
                self._ring = KeyRing.from_json(text, origin=str(self.path))
                self._seen = seen
            return self._ring

    # Readers get the current ring's fields; one snapshot per call, so an encryption
    # never pairs one version's active id with another version's keys.
    @property
    def active(self) -> str:  # type: ignore[override]  # read-only: the file decides
        return self._current().active

    @property
    def keys(self) -> dict[str, bytes]:  # type: ignore[override]
        return dict(self._current().keys)

    def add_key(self) -> str:
        raise TypeError("a watched key ring is read-only: rotate with rotate_identity_key")

    def encrypt(self, value: Any, *, context: str) -> Sealed:
        return self._current().encrypt(value, context=context)

    def decrypt(self, key_id: str, ciphertext: str, *, context: str) -> Any:
        return self._current().decrypt(key_id, ciphertext, context=context)

    def reseal(self, key_id: str, ciphertext: str, *, context: str) -> Sealed:
        return self._current().reseal(key_id, ciphertext, context=context)


@dataclass(frozen=True)
class Sealed:
    """A ciphertext (base64 of nonce and AES-GCM output) and the id of its key."""

    key_id: str
    ciphertext: str


def load_key_ring(*, env_value: str | None, path: Path, create: bool) -> KeyRing:
    """The key ring from the environment value, else the file (made if ``create``)."""
    if env_value:
        return KeyRing.from_json(env_value, origin="TOCSIN_WEB_IDENTITY_KEYS")
    if path.is_file():
        return KeyRing.from_json(path.read_text(encoding="utf-8"), origin=str(path))
    if not create:
        raise IdentityKeyError(
            f"no identity key ring at {path}",
            fix="the ring is made when Tocsin first serves (`tocsin up` without --no-serve, or "
            "`tocsin serve`); if one exists elsewhere, point TOCSIN_WEB_IDENTITY_KEY_FILE at it "
            "(or put it in TOCSIN_WEB_IDENTITY_KEYS)",
        )
    ring = KeyRing.generate()
    save_key_ring(ring, path)
    return ring


def watch_key_ring(*, env_value: str | None, path: Path, create: bool) -> KeyRing:
    """Like :func:`load_key_ring`, but a ring from a file is a :class:`WatchedKeyRing`
    (read again when the file changes): what a server holds for its whole life."""
    ring = load_key_ring(env_value=env_value, path=path, create=create)
    return ring if env_value else WatchedKeyRing(path)


def save_key_ring(ring: KeyRing, path: Path) -> None:
    """Write the key ring readable by its owner only, replacing the file atomically.

    A folder it makes is its owner's only (0700). The new file is flushed to disk before
    it replaces the old one: a crash must not leave an empty ring in place of the keys.
    """
    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(ring.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
