"""`tocsin db`: placeholder until the db commands land."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Add the `db` commands to the root CLI."""
