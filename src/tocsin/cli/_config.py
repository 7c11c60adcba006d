"""`tocsin config`: placeholder until the config commands land."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the `config` commands to the root CLI."""
