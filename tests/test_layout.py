"""The house layout: every capability package has tests and a public `__all__`."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = sorted(
    p.name
    for p in (REPO / "src" / "tocsin").iterdir()
    if p.is_dir() and (p / "__init__.py").is_file() and p.name not in {"cli"}
)


def test_packages_were_found() -> None:
    assert {"framework", "countries", "datasets", "domain", "store"} <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_has_a_test_folder(package: str) -> None:
    assert (REPO / "tests" / package).is_dir(), f"tests/{package}/ is missing"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_lists_its_public_names(package: str) -> None:
    module = importlib.import_module(f"tocsin.{package}")
    names = getattr(module, "__all__", None)
    assert names, f"tocsin.{package} has no __all__"
    assert all(hasattr(module, name) for name in names)


def test_every_test_folder_is_a_package() -> None:
    """Test files in different folders may share a name only if each folder is a package."""
    folders = [
        p
        for p in (REPO / "tests").rglob("*")
        if p.is_dir()
        and p.name != "__pycache__"
        and "data" not in p.relative_to(REPO).parts
        and any(p.glob("test_*.py"))
    ]
    assert folders
    assert [f for f in folders if not (f / "__init__.py").is_file()] == []
