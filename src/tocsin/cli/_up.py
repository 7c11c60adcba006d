"""`tocsin up`: placeholder until the up commands land."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the `up` commands to the root CLI."""
