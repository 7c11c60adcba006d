"""`tocsin backup` and `tocsin restore`: the database and, kept apart, the identity key ring."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tocsin.cli._common import print_json, state, stderr, stdout

KeysOption = Annotated[
    Path,
    typer.Option(
        "--keys",
        help="The key ring's backup file. Keep it apart from the database backup: whoever "
        "holds both can read every identity.",
    ),
]


def backup_command(
    ctx: typer.Context,
    keys: KeysOption,
    database: Annotated[
        Path | None,
        typer.Argument(
            help="New file for the SQLite database's copy (omit for PostgreSQL: pg_dump it)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Back up the database and the identity key ring to two separate files.

    The database is copied with SQLite's online backup (safe while the server runs); the
    key ring in force is written to --keys. Both are new files readable by their owner
    only, and the command checks that the ring opens every sealed value of the copy.
    For PostgreSQL, dump the database with pg_dump and run this without DATABASE to back
    up the key ring. Restore with `tocsin restore`. See docs/web.md (Backup and restore).

    Example: `tocsin backup /backups/tocsin-2026-01-31.db --keys /media/usb/tocsin-keys.json`
    """
    from tocsin.web import make_backup

    result = make_backup(state(ctx).settings, database_to=database, keys_to=keys)
    for warning in result.warnings:
        stderr.print(f"Warning: {warning}.", highlight=False)
    if as_json:
        print_json(
            {
                "database": str(result.database) if result.database else None,
                "key_file": str(result.key_file),
                "n_values": result.n_values,
                "warnings": result.warnings,
            }
        )
        return
    what = f"Database copied to {result.database}; k" if result.database else "K"
    stdout.print(
        f"{what}ey ring written to {result.key_file}; it opens all {result.n_values} "
        "sealed values.",
        highlight=False,
    )
    if result.database is None:
        stdout.print("Back up the PostgreSQL database with pg_dump.", highlight=False)


def restore_command(
    ctx: typer.Context,
    keys: KeysOption,
    database: Annotated[
        Path | None,
        typer.Argument(
            help="The SQLite backup made by `tocsin backup` (omit when the database is in "
            "place, e.g. PostgreSQL restored with pg_restore)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing database and a different key ring (kept as .before-restore).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Restore the database and the identity key ring from `tocsin backup`'s two files.

    Checks first, on a migrated copy, that the key ring opens every sealed value of the
    backup; only then puts the database in the data folder and the ring in the key file
    (`tocsin web key-file`). Stop the server first. Without DATABASE, only the key ring is
    put back and checked against the database in place.

    Example: `tocsin restore /backups/tocsin-2026-01-31.db --keys /media/usb/tocsin-keys.json`
    """
    from tocsin.web import restore_backup

    result = restore_backup(
        state(ctx).settings, database_from=database, keys_from=keys, force=force
    )
    if as_json:
        print_json(
            {
                "database": str(result.database) if result.database else None,
                "key_file": str(result.key_file),
                "n_values": result.n_values,
                "replaced_key_file": str(result.replaced_key_file)
                if result.replaced_key_file
                else None,
            }
        )
        return
    if result.replaced_key_file:
        stderr.print(f"The key ring that was in place is now {result.replaced_key_file}.")
    what = f"Database restored to {result.database}; k" if result.database else "K"
    stdout.print(
        f"{what}ey ring restored to {result.key_file}; it opens all {result.n_values} "
        "sealed values.",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    """Add `tocsin backup` and `tocsin restore` to the root CLI."""
    root.command("backup")(backup_command)
    root.command("restore")(restore_command)
