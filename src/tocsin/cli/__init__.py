"""The ``tocsin`` command line: one entry point, a sub-command per capability.

Each ``_<capability>.py`` module adds its commands through ``register(root)``;
this module only wires them together and turns :class:`TocsinError` into a
one-line message and exit code 1 (``--debug`` shows the traceback).

Capability modules import heavy libraries (pandas, scikit-learn, LightGBM), so
`main` imports only the module of the command being run: `tocsin framework`
does not pay for the forecast model. :data:`COMMANDS` says which module
registers which top-level command; a test keeps it true.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from tocsin import __version__
from tocsin.cli._common import CliState, stderr
from tocsin.errors import TocsinError

__all__ = ["COMMANDS", "app", "build_app", "main"]

# Top-level command -> the module under tocsin.cli that registers it. Add a line per command.
COMMANDS: dict[str, str] = {
    "up": "_up",
    "framework": "_framework",
    "countries": "_countries",
    "data": "_data",
    "db": "_store",
    "config": "_config",
    "events": "_events",
    "monitor": "_events",
    "forecast": "_forecast",
    "report": "_reports",
    "alerts": "_alerts",
    "speech": "_speech",
    "assess": "_assess",
    "incidents": "_incidents",
    "serve": "_web",
    "web": "_web",
    "backup": "_backup",
    "restore": "_backup",
}

# Top-level command -> its one-line help, for `tocsin --help` without loading every module
# (a test checks that each module registers the command with this help).
COMMAND_HELP: dict[str, str] = {
    "up": "Set up the database and load the bundled reference data; print what was loaded.",
    "serve": "Serve the web application and API (the database must be set up by `tocsin up`).",
    "backup": "Back up the database and the identity key ring to two separate files.",
    "restore": "Restore the database and the identity key ring from `tocsin backup`'s two files.",
    "framework": "Show the risk-factor catalogue: Framework factors and indicators, then the "
    "report's risk factors, triggers, policy options, §71 steps and legal instruments.",
    "countries": "Tocsin's country table (ISO 3166 alpha-3 ids) and its crosswalk from other "
    "codes.",
    "data": "Public data sets bundled with Tocsin: list, show, update from the source, validate.",
    "db": "The database: migrate it and see what it holds.",
    "config": "Tocsin's settings.",
    "events": "Event data: import UCDP, ACLED, GDELT or mapped CSV files; summarise; link.",
    "monitor": "Monitoring: the watch that keeps the data current, its sources, escalation "
    "detection and Signals, the detector's evaluation.",
    "forecast": "The statistical forecast of mass-killing onset: backtest, run, explain, pictures.",
    "report": "Reports for decision makers: the assessment report and the one-page brief.",
    "alerts": "Alerts: rules over Signals, who is told, the alert lifecycle, CAP/Atom feeds.",
    "speech": "Hate speech and incitement monitoring: import, score, train, evaluate, surges.",
    "assess": "National assessments of risk and resilience (§71(b)): rate every indicator, "
    "review, approve, compare versions, export and import JSON.",
    "incidents": "Incident reports from the field: the monitors' form (XLSForm) and pulling its "
    "submissions from KoboToolbox and ODK Central.",
    "web": "Users and identity keys of the web application.",
}

# Root options that take a value, so that the command name can be found after them.
_OPTIONS_WITH_VALUE = {"--data-dir"}


def _new_root() -> typer.Typer:
    root = typer.Typer(
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
        rich_markup_mode=None,
    )
    root.callback()(_root_callback)
    return root


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tocsin {__version__}")
        raise typer.Exit()


def _root_callback(
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
    ctx.obj = CliState(data_dir=data_dir, debug=debug, quiet=quiet)


def command_name(args: list[str]) -> str | None:
    """The top-level command in ``args`` (skipping root options), if it is a known one.

    >>> command_name(["--data-dir", "/tmp/x", "-q", "framework", "--json"])
    'framework'
    >>> command_name(["--help"]) is None
    True
    """
    expect_value = False
    for arg in args:
        if expect_value:
            expect_value = False
        elif arg in _OPTIONS_WITH_VALUE:
            expect_value = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _listing_root() -> typer.Typer:
    """The root with every command's name and help but none of its code: for `tocsin --help`."""
    root = _new_root()

    def listed_only() -> None:  # pragma: no cover - never run: only listed in the help
        raise typer.Exit(2)

    for name, text in COMMAND_HELP.items():
        root.command(name, help=text)(listed_only)
    return root


def build_app(only: str | None = None) -> typer.Typer:
    """The CLI with every command, or only the module that registers ``only``."""
    root = _new_root()
    modules = [COMMANDS[only]] if only is not None else list(dict.fromkeys(COMMANDS.values()))
    for module in modules:
        importlib.import_module(f"tocsin.cli.{module}").register(root)
    return root


def __getattr__(name: str) -> typer.Typer:
    """``tocsin.cli.app``: the CLI with every command, built on first use (for tests, docs)."""
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; a :class:`TocsinError` becomes one line on stderr and exit code 1.

    Typer's standalone mode already turns usage errors into exit code 2 with a message;
    only our own errors need catching here.
    """
    args = argv if argv is not None else sys.argv[1:]
    name = command_name(args)
    before_command = args if name is None else args[: args.index(name)]
    if "--version" in before_command:
        typer.echo(f"tocsin {__version__}")  # what the eager option prints, without the build
        return
    positional = [a for a in args if not a.startswith("-")]
    if name is None and not positional and ("--help" in args or not args):
        app = _listing_root()
    else:
        app = build_app(name)
    try:
        app(args=args, prog_name="tocsin")
    except TocsinError as error:
        if "--debug" in args:
            raise
        stderr.print(f"[bold red]Error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(1)
