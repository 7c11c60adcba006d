"""Write docs/cli.md from the `--help` of every `tocsin` command (or check it is current).

Usage: `uv run python scripts/cli_reference.py` to rewrite, `--check` to fail if stale.
Plain help (no rich boxes) keeps the Markdown stable across terminals.
"""

from __future__ import annotations

import os
import sys

os.environ["TYPER_USE_RICH"] = "0"  # must be set before typer is imported
os.environ["COLUMNS"] = "100"

from pathlib import Path  # noqa: E402

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from tocsin.cli import app  # noqa: E402

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path below ``command``, parents before children, in name order."""
    paths = [prefix]
    children = getattr(command, "commands", {}) or {}
    for name in sorted(children):
        child = children[name]
        if getattr(child, "hidden", False):
            continue
        paths.extend(command_paths(child, (*prefix, name)))
    return paths


def render() -> str:
    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [
        "# Command line reference\n",
        "Generated from `--help` by `scripts/cli_reference.py`; do not edit by hand.\n",
    ]
    for path in command_paths(root):
        result = runner.invoke(app, [*path, "--help"], prog_name="tocsin")
        if result.exit_code != 0:
            raise SystemExit(f"`tocsin {' '.join(path)} --help` failed: {result.output}")
        title = " ".join(("tocsin", *path))
        parts.append(f"## `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{TARGET} is out of date: run `uv run python {__file__}`\n")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
