"""`tocsin config`: the settings in force and where each comes from."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import make_url

from tocsin.cli._common import print_json, state, stdout
from tocsin.settings import Settings

config_app = typer.Typer(help="Tocsin's settings.", no_args_is_help=True)


def describe_settings(settings: Settings) -> list[dict[str, str | None]]:
    """Each setting with its environment variable, value in force and meaning."""
    rows: list[dict[str, str | None]] = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if name == "database_url":
            # A URL may carry a password: never print it.
            value = make_url(settings.database_url_or_default()).render_as_string(
                hide_password=True
            )
        rows.append(
            {
                "name": name,
                "env": f"TOCSIN_{name.upper()}",
                "value": None if value is None else str(value),
                "description": field.description,
            }
        )
    return rows


@config_app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print every setting, its environment variable and the value in force.

    Example: `TOCSIN_HOME=/srv/tocsin tocsin config show --json`
    """
    rows = describe_settings(state(ctx).settings)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        stdout.print(f"[bold]{row['env']}[/] = {row['value']}", highlight=False)
        stdout.print(f"    {row['description']}", highlight=False)


def register(root: typer.Typer) -> None:
    """Add the `config` commands to the root CLI."""
    root.add_typer(config_app, name="config")
