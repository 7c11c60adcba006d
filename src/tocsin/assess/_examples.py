"""The illustrative example assessment shipped with Tocsin (for the demo, docs and tests)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tocsin.assess._io import parse_assessment
from tocsin.assess._model import Assessment

__all__ = ["example_assessment", "example_path"]

EXAMPLES = ("caf",)


def example_path(name: str = "caf") -> Path:
    """The path of a shipped example (``caf``: Central African Republic, illustrative)."""
    if name not in EXAMPLES:
        raise KeyError(f"no example {name!r}; examples: {', '.join(EXAMPLES)}")
    return Path(str(resources.files("tocsin.assess").joinpath(f"examples/{name}.json")))


def example_assessment(name: str = "caf") -> Assessment:
    """The shipped example, parsed. It is marked ``is_example``: not a real assessment."""
    path = example_path(name)
    return parse_assessment(path.read_text(encoding="utf-8"), path=path)
