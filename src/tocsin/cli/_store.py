"""`tocsin db`: the database's schema and contents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import print_json, state, stdout

if TYPE_CHECKING:
    pass

db_app = typer.Typer(
    help="The database: migrate it and see what it holds.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration to the database.

    Example: `TOCSIN_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/tocsin tocsin db upgrade`
    """
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    before = db.current_revision()
    db.upgrade()
    after = db.current_revision()
    if before == after:
        stdout.print(f"{db.describe()} is up to date (schema {after}).")
    else:
        stdout.print(f"{db.describe()}: schema {before or 'none'} → {after}.")


@db_app.command("status")
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show the database URL (password hidden), its schema revision and row counts.

    Example: `tocsin db status --json`
    """
    from tocsin.store import Database, count_rows

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    with db.session() as session:
        counts = count_rows(session)
    result = {
        "database": db.describe(),
        "backend": db.backend,
        "revision": db.current_revision(),
        "rows": counts,
    }
    if as_json:
        print_json(result)
        return
    stdout.print(f"Database: {result['database']} ({db.backend}), schema {result['revision']}")
    for table, n in counts.items():
        stdout.print(f"  {table:<18} {n:>8,}")


def register(root: typer.Typer) -> None:
    """Add the `db` commands to the root CLI."""
    root.add_typer(db_app, name="db")
