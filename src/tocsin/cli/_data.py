"""`tocsin data`: placeholder until the data commands land."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the `data` commands to the root CLI."""
