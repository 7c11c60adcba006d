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


@db_app.command("verify-audit")
def verify_audit(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Check the audit log's hash chain: exit 1 at the first row changed, removed or inserted.

    Prints the number of rows and the last row's hash; note the hash down elsewhere, since
    rows removed from the end of the log leave no break behind.

    Example: `tocsin db verify-audit --json`
    """
    from tocsin.errors import TocsinError
    from tocsin.store import Database, verify_audit_chain

    db = Database.from_settings(state(ctx).settings)
    try:
        db.require_current()
        with db.session() as session:
            report = verify_audit_chain(session)
    finally:
        db.dispose()
    result = {
        "intact": report.intact,
        "rows": report.rows,
        "head": report.head,
        "broken_at": report.broken_at,
        "problem": report.problem,
    }
    if as_json:
        print_json(result)
    if not report.intact:
        raise TocsinError(
            f"the audit log's chain breaks at row {report.broken_at}, which {report.problem} "
            f"({report.rows:,} intact rows before it)",
            fix="restore the audit log from a backup and find out who could write to the database",
        )
    if not as_json:
        stdout.print(f"The audit log's {report.rows:,} rows are intact; last hash {report.head}.")


def register(root: typer.Typer) -> None:
    """Add the `db` commands to the root CLI."""
    root.add_typer(db_app, name="db")
