"""Backup and restore of the database and, apart from it, the identity key ring.

A backup of the database alone loses every sealed value (identities, attachment keys,
TOTP secrets) if the key ring is lost; a backup holding both gives them to whoever holds
it. So the two are written to separate places, and both directions check that the ring
opens every sealed value of the database before saying they are done.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tocsin.errors import TocsinError
from tocsin.settings import Settings
from tocsin.store import (
    Database,
    DatabaseError,
    IdentityKeyError,
    KeyRing,
    backup_sqlite,
    copy_sqlite,
    load_key_ring,
    save_key_ring,
    sqlite_path,
)
from tocsin.web._keys import check_sealed_values

SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Backup:
    database: Path | None  # None: the database is PostgreSQL (dump it with pg_dump)
    key_file: Path
    n_values: int  # sealed values the ring was checked to open
    warnings: list[str]


@dataclass(frozen=True)
class Restore:
    database: Path | None  # None: only the key ring was put back
    key_file: Path
    n_values: int
    replaced_key_file: Path | None  # where a different ring that was in place was kept


def _remove_sqlite(path: Path) -> None:
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)):
        candidate.unlink(missing_ok=True)


def _check_file(path: Path, ring: KeyRing) -> int:
    db = Database(f"sqlite:///{path}")
    try:
        return check_sealed_values(db, ring)
    finally:
        db.dispose()


def make_backup(settings: Settings, *, database_to: Path | None, keys_to: Path) -> Backup:
    """Copy the SQLite database to ``database_to`` (None: only the key ring, for
    PostgreSQL, which ``pg_dump`` backs up) and the key ring in force to ``keys_to``
    (both new files, 0600), then check that the ring opens every sealed value of the copy.

    Safe while the server runs (SQLite's online backup). On any failure nothing is left.
    """
    web = settings.web
    for target in (database_to, keys_to):
        if target is not None and target.exists():
            raise TocsinError(f"{target} exists", fix="choose a new file: a backup replaces none")
    if database_to is not None and sqlite_path(settings.database_url_or_default()) is None:
        raise DatabaseError(
            "tocsin backup copies SQLite databases only",
            fix="dump PostgreSQL with `pg_dump --format=custom --file=tocsin.dump URL` and "
            "back up the key ring with `tocsin backup --keys FILE` (no database argument)",
        )
    ring = load_key_ring(
        env_value=web.identity_key_ring(), path=web.key_file(settings), create=False
    )
    warnings: list[str] = []
    if database_to is not None and keys_to.resolve().parent == database_to.resolve().parent:
        warnings.append(
            "the key ring and the database backup are in the same folder: store them apart "
            "(whoever holds both can read every identity)"
        )
    written: list[Path] = []
    try:
        save_key_ring(ring, keys_to)
        written.append(keys_to)
        if database_to is None:
            db = Database.from_settings(settings)
            try:
                n_values = check_sealed_values(db, ring)
            finally:
                db.dispose()
        else:
            backup_sqlite(settings.database_url_or_default(), database_to)
            written.append(database_to)
            n_values = _check_file(database_to, ring)
    except BaseException:
        for path in written:
            _remove_sqlite(path)  # a half-made backup must not pass for one
        raise
    return Backup(database_to, keys_to, n_values, warnings)


def restore_backup(
    settings: Settings, *, database_from: Path | None, keys_from: Path, force: bool = False
) -> Restore:
    """Put a backup back: the SQLite database from ``database_from`` (None: the database
    is in place already, e.g. PostgreSQL restored with ``pg_restore``) and the key ring
    from ``keys_from`` into the key file in force.

    The pair is checked first, on a migrated copy beside the database: nothing is
    replaced unless the ring opens every sealed value of the backup. An existing
    database, or a different key ring, is replaced only with ``force``; a replaced ring is
    kept beside itself (``.before-restore``) since it may be the only key of something.
    Stop the server first.
    """
    web = settings.web
    if web.identity_keys:
        raise IdentityKeyError(
            "the key ring comes from TOCSIN_WEB_IDENTITY_KEYS, which Tocsin cannot rewrite",
            fix="unset it to restore into the key file, or put the backed-up ring in it",
        )
    ring = load_key_ring(env_value=None, path=keys_from, create=False)
    key_file = web.key_file(settings)
    target = sqlite_path(settings.database_url_or_default())
    if database_from is not None:
        if target is None:
            raise DatabaseError(
                "tocsin restore copies SQLite databases only",
                fix="restore PostgreSQL with `pg_restore --clean --dbname=URL tocsin.dump`, "
                "then run `tocsin restore --keys FILE` without a database",
            )
        if not database_from.is_file():
            raise TocsinError(f"no backup at {database_from}", fix="check the path")
        if target.is_file() and target.stat().st_size and not force:
            raise TocsinError(
                f"a database is at {target}",
                fix="add --force to replace it (stop the server first), or choose another "
                "--data-dir",
            )
    current = key_file.read_text(encoding="utf-8") if key_file.is_file() else None
    differs = current is not None and KeyRing.from_json(current, origin=str(key_file)) != ring
    if differs and not force:
        raise TocsinError(
            f"a different key ring is at {key_file}",
            fix="add --force to replace it (it is kept as .before-restore)",
        )
    if database_from is not None and target is not None:
        staging = target.with_name(f".{target.name}.restoring")
        _remove_sqlite(staging)
        try:
            copy_sqlite(database_from, staging)
            db = Database(f"sqlite:///{staging}")
            try:
                db.upgrade()  # a backup of an older Tocsin
                check_sealed_values(db, ring)
            finally:
                db.dispose()
            copy_sqlite(staging, target)
        finally:
            _remove_sqlite(staging)
    else:
        db = Database.from_settings(settings)
        try:
            check_sealed_values(db, ring)
        finally:
            db.dispose()
    replaced = None
    if differs:
        replaced = key_file.with_name(f"{key_file.name}.before-restore")
        os.replace(key_file, replaced)
    if current is None or differs:
        save_key_ring(ring, key_file)
    restored = target if database_from is not None else None
    return Restore(restored, key_file, _verify(settings, key_file), replaced)


def _verify(settings: Settings, key_file: Path) -> int:
    """Open every sealed value of the restored database with the ring now on disk."""
    db = Database.from_settings(settings)
    try:
        return check_sealed_values(db, load_key_ring(env_value=None, path=key_file, create=False))
    finally:
        db.dispose()
