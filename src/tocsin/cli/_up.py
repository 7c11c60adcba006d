"""`tocsin up`: set everything up on the embedded default and say what was loaded."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import print_json, progress, state, stderr, stdout

if TYPE_CHECKING:
    from tocsin.bootstrap import UpReport
    from tocsin.settings import Settings

    pass


def _print_report(report: UpReport) -> None:
    from rich.table import Table

    if report.revision_before == report.revision:
        stdout.print(f"Database {report.database}: schema {report.revision}, already current.")
    else:
        stdout.print(
            f"Database {report.database}: schema {report.revision_before or 'none'} "
            f"→ {report.revision}."
        )
    stdout.print(
        f"Risk-factor catalogue {report.catalogue_version}: {report.n_framework_codes} "
        f"factor and indicator codes ({report.n_framework_codes_changed} changed)."
    )
    stdout.print(
        f"Countries: {report.n_countries} ({report.n_countries_changed} added or changed)."
    )
    table = Table(title="Data sets", title_justify="left")
    for column in ("name", "origin", "rows", "years", "no iso3", "status"):
        table.add_column(
            column, justify="right" if column in {"rows", "no iso3"} else "left", no_wrap=True
        )
    for d in report.datasets:
        years = f"{d.first_year}–{d.last_year}" if d.first_year is not None else "—"
        table.add_row(
            d.name,
            d.origin,
            f"{d.n_rows:,}",
            years,
            f"{d.n_unmatched:,}",
            "loaded" if d.is_new else "unchanged",
        )
    stdout.print(table)
    stdout.print(
        "Next: `tocsin framework` to read the risk factors, `tocsin data list` for the data, "
        "`tocsin countries lookup NAME` for the country codes."
    )


def register(root: typer.Typer) -> None:
    """Add `tocsin up` to the root CLI."""

    @root.command("up")
    def up(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
        no_serve: Annotated[
            bool, typer.Option("--no-serve", help="Set up only; do not start the web app.")
        ] = False,
        host: Annotated[str, typer.Option("--host", help="Address to serve on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8000,
        forecast: Annotated[
            bool | None,
            typer.Option(
                "--forecast/--no-forecast",
                help="If no forecast is stored, make the first one from the bundled data, "
                "so the watchlist is not empty (default: when serving).",
            ),
        ] = None,
    ) -> None:
        """Set up the database and load the bundled reference data; print what was loaded.

        Creates the SQLite database in the data directory (or migrates the one in
        TOCSIN_DATABASE_URL), loads the countries and their codes, the risk-factor
        catalogue and the bundled public data sets. Safe to run again: it changes
        only what is new. Then, unless --no-serve, makes the first forecast from the
        bundled data if none is stored (so the watchlist is not empty), creates the first
        admin if there is no user yet (its one-time password is printed once) and serves
        the web application on 127.0.0.1:8000 until Ctrl-C.

        Example: `tocsin up` or `tocsin --data-dir ./tocsin-data up --no-serve --json`
        """
        from tocsin.bootstrap import bring_up

        cli = state(ctx)

        def bar(items: Iterable[str], total: int, label: str) -> Iterator[str]:
            return progress(items, total=total, description=label, quiet=cli.quiet or as_json)

        report = bring_up(cli.settings, now=datetime.now(UTC), actor="cli", progress=bar)
        if as_json:
            print_json(report.to_dict())
        else:
            _print_report(report)
        if forecast if forecast is not None else not no_serve:
            _first_forecast(ctx, quiet=cli.quiet)
        if not no_serve:
            _serve(cli.settings, host=host, port=port)


def _first_forecast(ctx: typer.Context, *, quiet: bool) -> None:
    """Make and store the first forecast if none is stored, saying so on stderr.

    The same use case as ``tocsin forecast run``; messages go to stderr, so `up --json`
    still prints one JSON document.
    """
    from tocsin.forecast import latest_forecast_run, record_current_forecast
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    try:
        with db.session() as session:
            stored = latest_forecast_run(session)
    finally:
        db.dispose()
    if stored is not None:
        return
    if not quiet:
        stderr.print(
            "No forecast is stored yet: making the first one from the bundled data for the "
            "watchlist (Tocsin's model; seconds to a minute)…",
            highlight=False,
        )
    started = time.monotonic()
    recorded = record_current_forecast(state(ctx).settings, now=datetime.now(UTC))
    if not quiet:
        stderr.print(
            f"Watchlist ready: {len(recorded.forecasts)} countries, data to "
            f"{recorded.data_year} ({time.monotonic() - started:.0f} s); "
            "`tocsin forecast run` makes a new forecast when the data change.",
            highlight=False,
        )


def _serve(settings: Settings, *, host: str, port: int) -> None:
    """Make the first admin if there is no user, print its one-time password once, serve."""
    from tocsin.cli._web import print_key_notice
    from tocsin.web import ensure_first_admin, serve

    password = ensure_first_admin(settings, now=datetime.now(UTC))
    if password is not None:
        stderr.print(
            "First administrator: user [bold]admin[/], one-time password "
            f"[bold]{password}[/] (shown only now; you choose your own at first sign-in).",
            highlight=False,
        )
    print_key_notice(settings, first_run=password is not None)
    stderr.print(f"Tocsin is at http://{host}:{port}/ (Ctrl-C stops it).", highlight=False)
    serve(settings, host=host, port=port)
