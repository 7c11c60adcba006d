"""`tocsin framework`: placeholder until the framework commands land."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the `framework` commands to the root CLI."""
