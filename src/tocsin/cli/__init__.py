"""The ``tocsin`` command line: one entry point, a sub-command per capability.

Each ``_<capability>.py`` module adds its commands through ``register(root)``;
this module only wires them together and turns :class:`TocsinError` into a
one-line message and exit code 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tocsin import __version__
from tocsin.cli import _config, _countries, _data, _events, _forecast, _framework, _store, _up
from tocsin.cli._common import CliState, stderr
from tocsin.errors import TocsinError
from tocsin.settings import get_settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="tocsin",
    help=(
        "Tocsin: early warning and prevention of atrocity crimes.\n\n"
        "Start with `tocsin up` (sets up the local database and bundled data), "
        "then `tocsin framework` to read the risk-factor catalogue and `tocsin data list` "
        "for the bundled data sets."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tocsin {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="TOCSIN_HOME",
            help="Folder for the local database and downloaded data (default: per-user data dir).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Tocsin: early warning and prevention of atrocity crimes."""
    ctx.obj = CliState(settings=get_settings(data_dir), debug=debug, quiet=quiet)


for _module in (_up, _framework, _data, _countries, _store, _config, _events, _forecast):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a :class:`TocsinError` becomes one line on stderr and exit code 1.

    Typer's standalone mode already turns usage errors into exit code 2 with a message;
    only our own errors need catching here.
    """
    args = argv if argv is not None else sys.argv[1:]
    try:
        app(args=args, prog_name="tocsin")
    except TocsinError as error:
        if "--debug" in args:
            raise
        stderr.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(1)
