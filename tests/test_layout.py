"""The house layout: every capability package has tests and a public `__all__`."""

from __future__ import annotations

import ast
import graphlib
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


def _package_imports() -> dict[str, set[str]]:
    """Which tocsin packages each package imports (any import, at any depth; not those
    under ``if TYPE_CHECKING:``, which never run)."""
    root = REPO / "src" / "tocsin"
    edges: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if "migrations" in parts:
            continue
        source = parts[0].removesuffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {
            id(node)
            for branch in ast.walk(tree)
            if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
            for node in ast.walk(branch)
        }
        for node in ast.walk(tree):
            if id(node) in type_only:
                continue
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                names = module.split(".")
                if len(names) > 1 and names[0] == "tocsin" and names[1] != source:
                    edges.setdefault(source, set()).add(names[1])
    return edges


def test_no_package_imports_one_that_imports_it_back() -> None:
    edges = _package_imports()
    assert {"web", "store", "events"} <= edges.keys()  # the walk found the imports
    try:
        tuple(graphlib.TopologicalSorter(edges).static_order())
    except graphlib.CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise AssertionError(f"packages import each other in a circle: {cycle}") from None


#: What every part speaks and the kernel: the packages the web app may import.
SHARED = {"domain", "store", "framework", "countries", "datasets"}


def test_the_web_package_names_no_capability() -> None:
    """Capabilities plug into the web app (entry points of ``tocsin.web``); the web package
    imports none of them, only the shared domain model, reference data and the kernel, so
    none can depend on the web app's internals in return."""
    edges = _package_imports()
    assert "incidents" in edges and "web" in edges["incidents"]  # the plug-in uses web
    capabilities = set(PACKAGES) - SHARED - {"web"}
    assert {"events", "forecast", "watchlist", "incidents", "speech"} <= capabilities
    assert edges["web"] & capabilities == set()


def test_no_package_reaches_into_another_packages_private_modules() -> None:
    """Capabilities talk through each other's ``__all__``: ``from tocsin.x._y import`` is for
    ``tocsin.x`` itself (migrations excepted: a revision is frozen with the types it used)."""
    root = REPO / "src" / "tocsin"
    reaching = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = node.module.split(".")
                private = len(names) > 2 and names[0] == "tocsin" and names[2].startswith("_")
                if private and names[1] != parts[0].removesuffix(".py"):
                    reaching.append(f"{path.relative_to(REPO)}:{node.lineno} {node.module}")
    assert reaching == []
