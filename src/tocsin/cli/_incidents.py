"""`tocsin incidents`: the field monitors' form (XLSForm) and pulling its submissions from
KoboToolbox and ODK Central.

Credentials come from the environment only (``TOCSIN_KOBO_TOKEN``; ``TOCSIN_ODK_USER`` and
``TOCSIN_ODK_PASSWORD``, or ``TOCSIN_ODK_TOKEN``), never from options (which shells keep
in their history and ``ps`` shows), and are never printed.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import print_json, state, stderr, stdout
from tocsin.errors import TocsinError

if TYPE_CHECKING:
    from tocsin.incidents import PullResult
    from tocsin.settings import Settings
    from tocsin.web import Principal

incidents_app = typer.Typer(
    name="incidents",
    help="Incident reports from the field: the monitors' form (XLSForm) and pulling its "
    "submissions from KoboToolbox and ODK Central.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
pull_app = typer.Typer(
    name="pull",
    help="Import new submissions of the incident form from KoboToolbox or ODK Central.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
incidents_app.add_typer(pull_app)

ServerOption = Annotated[
    str, typer.Option("--server", help="The server's address, e.g. https://kf.kobotoolbox.org.")
]
OwnerOption = Annotated[
    str,
    typer.Option(
        "--as", help="The Tocsin account (a monitor's or analyst's) that owns the reports."
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@incidents_app.command("xlsform")
def xlsform_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    form_id: Annotated[str, typer.Option("--form-id", help="The form's id.")] = (
        "tocsin_incident_report"
    ),
    version: Annotated[
        str | None, typer.Option("--version", help="The form's version (default: the model's).")
    ] = None,
    with_countries: Annotated[
        bool,
        typer.Option(
            "--countries/--no-countries", help="Offer the country as a list to choose from."
        ),
    ] = True,
) -> None:
    """Write the incident report's XLSForm, made from the report's model, for Kobo or ODK.

    Upload it to KoboToolbox or ODK Central as a new form; `tocsin incidents pull` reads
    its submissions back.

    Example: `tocsin incidents xlsform -o incident.xlsx`
    """
    from tocsin.incidents import incident_xlsform

    countries = None
    if with_countries:
        from tocsin.countries import get_crosswalk

        countries = [(r.iso3, r.name) for r in get_crosswalk().records() if not r.is_historical]
    output.write_bytes(incident_xlsform(form_id=form_id, version=version, countries=countries))
    stdout.print(f"Wrote {output}.", highlight=False)


def _principal(settings: Settings, username: str) -> Principal:
    from tocsin.store import Database
    from tocsin.web import Principal, get_user_by_username

    db = Database.from_settings(settings)
    try:
        db.require_current()
        with db.session() as session:
            user = get_user_by_username(session, username)
    finally:
        db.dispose()
    if user is None:
        raise TocsinError(
            f"no Tocsin account {username!r}", fix="name an account with --as (tocsin web user-add)"
        )
    principal = Principal(user=user, via="cli")
    if not principal.can("report:create"):
        raise TocsinError(
            f"the account {username!r} ({user.role}) may not submit reports",
            fix="name a monitor's, analyst's or admin's account with --as",
        )
    return principal


def _secret(name: str) -> str | None:
    return os.environ.get(name) or None


def _render(result: PullResult, as_json: bool) -> None:
    if as_json:
        data = asdict(result)
        data["problems"] = [asdict(p) for p in result.problems]
        print_json(data)
    else:
        stdout.print(
            f"{result.n_fetched} submissions fetched: {result.n_created} new reports, "
            f"{result.n_repeated} imported before, {len(result.problems)} problems.",
            highlight=False,
        )
        for problem in result.problems:
            stderr.print(f"Not imported: {problem}", highlight=False, markup=False)
    if result.problems:
        raise typer.Exit(1)


def _run_pull(ctx: typer.Context, owner: str, pull: str, **options: object) -> PullResult:
    from tocsin import incidents
    from tocsin.store import Database
    from tocsin.web import open_key_ring

    settings = state(ctx).settings
    principal = _principal(settings, owner)
    db = Database.from_settings(settings)
    try:
        key_ring = open_key_ring(settings, settings.web)
        result: PullResult = getattr(incidents, pull)(
            db, key_ring, principal, now=datetime.now(UTC), **options
        )
        return result
    finally:
        db.dispose()


@pull_app.command("kobo")
def pull_kobo_command(
    ctx: typer.Context,
    server: ServerOption,
    asset: Annotated[str, typer.Option("--asset", help="The form's asset uid in Kobo.")],
    owner: OwnerOption,
    as_json: JsonFlag = False,
) -> None:
    """Import the new submissions of a KoboToolbox form (API v2); token: TOCSIN_KOBO_TOKEN.

    Each submission becomes one report however often it is pulled; one that does not
    make a report is named with its field (exit code 1), and tried again next time.

    Example: `TOCSIN_KOBO_TOKEN=... tocsin incidents pull kobo --server
    https://kf.kobotoolbox.org --asset aBcD123 --as amina`
    """
    token = _secret("TOCSIN_KOBO_TOKEN")
    if token is None:
        raise TocsinError("no Kobo token", fix="set TOCSIN_KOBO_TOKEN (your Kobo API token)")
    result = _run_pull(ctx, owner, "pull_kobo", server=server, asset_uid=asset, token=token)
    _render(result, as_json)


@pull_app.command("odk")
def pull_odk_command(
    ctx: typer.Context,
    server: ServerOption,
    project: Annotated[int, typer.Option("--project", help="The ODK Central project number.")],
    form: Annotated[str, typer.Option("--form", help="The form's id in ODK Central.")],
    owner: OwnerOption,
    as_json: JsonFlag = False,
) -> None:
    """Import the new submissions of an ODK Central form (OData); credentials:
    TOCSIN_ODK_USER and TOCSIN_ODK_PASSWORD, or TOCSIN_ODK_TOKEN.

    Example: `TOCSIN_ODK_USER=... TOCSIN_ODK_PASSWORD=... tocsin incidents pull odk
    --server https://central.example.org --project 3 --form tocsin_incident_report --as amina`
    """
    result = _run_pull(
        ctx,
        owner,
        "pull_odk",
        server=server,
        project=project,
        form_id=form,
        user=_secret("TOCSIN_ODK_USER"),
        password=_secret("TOCSIN_ODK_PASSWORD"),
        bearer_token=_secret("TOCSIN_ODK_TOKEN"),
    )
    _render(result, as_json)


def register(root: typer.Typer) -> None:
    """Add `tocsin incidents` to the root CLI."""
    root.add_typer(incidents_app)
