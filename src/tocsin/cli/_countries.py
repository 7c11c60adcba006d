"""`tocsin countries`: placeholder until the countries commands land."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the `countries` commands to the root CLI."""
