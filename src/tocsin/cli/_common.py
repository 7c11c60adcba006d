"""What every CLI command shares: the settings in the context, JSON output, progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from tocsin.settings import Settings

T = TypeVar("T")


class LazyConsole:
    """A rich ``Console`` made on first use: importing rich costs more than a ``--help``
    may spend (issue 14), and most help runs never print through a console."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def resolve(self) -> Console:
        """The console itself, for what needs the real object (a progress bar)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolve(), name)


# Typed as consoles: every attribute is the console's.
stdout: Console = cast("Console", LazyConsole(soft_wrap=True))  # piped data lines stay whole
stderr: Console = cast("Console", LazyConsole(stderr=True, soft_wrap=True))


def real_console(console: Console) -> Console:
    """The console behind ``stdout`` or ``stderr`` (rich's progress bar needs the object)."""
    return console.resolve() if isinstance(console, LazyConsole) else console


@dataclass
class CliState:
    """Put on the Typer context by the root callback; commands read the settings from it.

    The settings are read on first use, not by the root callback: ``--help`` of a command
    runs the callback too, and must not pay for reading settings it never shows.
    """

    data_dir: Path | None = None
    debug: bool = False
    quiet: bool = False

    @cached_property
    def settings(self) -> Settings:
        from tocsin.settings import get_settings

        return get_settings(self.data_dir)


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of this invocation (set by the root callback)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # pragma: no cover - only if a command is run standalone
        raise RuntimeError("the tocsin root callback did not run")
    return obj


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (dates and paths as strings)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")


def progress(
    items: Iterable[T], *, total: int | None, description: str, quiet: bool = False
) -> Iterator[T]:
    """Iterate ``items`` with a progress bar on stderr when it is a terminal and not ``quiet``."""
    if quiet or not stderr.is_terminal:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=real_console(stderr), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


JsonOption = typer.Option(False, "--json", help="Print the result as JSON (the API's shape).")
