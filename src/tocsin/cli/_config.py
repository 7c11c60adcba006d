"""`tocsin config`: the settings in force and where each comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import print_json, state, stdout

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

    from tocsin.settings import Settings


config_app = typer.Typer(help="Tocsin's settings.", no_args_is_help=True, rich_markup_mode=None)


def describe_settings(settings: Settings) -> list[dict[str, str | None]]:
    """Each setting, sections included, with its environment variable, value and meaning.

    Secrets print as ``**********`` and a database URL without its password.
    """
    from pydantic_settings import BaseSettings
    from sqlalchemy import make_url

    from tocsin.settings import settings_sections

    rows: list[dict[str, str | None]] = []
    sections: list[tuple[BaseSettings, str]] = [(settings, "TOCSIN_")]
    sections += [(section, prefix) for section, prefix in settings_sections(settings)]
    for model, prefix in sections:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseSettings):
                continue  # a section: its settings are rows of their own
            if model is settings and name == "database_url":
                # A URL may carry a password: never print it.
                value = make_url(settings.database_url_or_default()).render_as_string(
                    hide_password=True
                )
            rows.append(
                {
                    "name": name if model is settings else f"{prefix[7:-1].lower()}.{name}",
                    "env": f"{prefix}{name.upper()}",
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
