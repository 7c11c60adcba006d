"""Load ``catalogue.yaml`` and refuse it, with file, line and field, when it is wrong."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tocsin.errors import RowProblem, TocsinError
from tocsin.framework._schema import Catalogue, Location, reference_problems
from tocsin.framework._sections import SECTIONS

__all__ = ["CatalogueError", "catalogue_to_dict", "default_catalogue_path", "load_catalogue"]

# CLI section names -> catalogue fields.
_FIELDS = {
    "factors": "factors",
    "report": "report_factors",
    "triggers": "triggers",
    "policies": "policy_options",
    "steps": "steps",
    "instruments": "instruments",
}


class CatalogueError(TocsinError):
    """The risk-factor catalogue file was refused; every problem is listed.

    Examples
    --------
    >>> err = CatalogueError("cat.yaml", [RowProblem(12, "factors.0.title", "field required")])
    >>> print(err)
    cat.yaml: 1 problem, the catalogue was not loaded
      cat.yaml:12: field 'factors.0.title': field required. Fix: correct the file and load it again
    """

    def __init__(self, path: str | Path, problems: list[RowProblem]) -> None:
        self.path = path
        self.problems = problems
        n = len(problems)
        summary = f"{path}: {n} problem{'s' if n != 1 else ''}, the catalogue was not loaded"
        super().__init__(summary, fix="correct the file and load it again")

    def __str__(self) -> str:
        lines = [self.message]
        for i, problem in enumerate(self.problems):
            text = problem.describe(self.path)
            if i == len(self.problems) - 1 and self.fix:
                text += f". Fix: {self.fix}"
            lines.append(f"  {text}")
        return "\n".join(lines)


def default_catalogue_path() -> Path:
    """Where the catalogue shipped with Tocsin lives."""
    return Path(str(resources.files("tocsin.framework") / "catalogue.yaml"))


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the risk-factor catalogue.

    Parameters
    ----------
    path : Path, optional
        A catalogue file to read instead of the one shipped with Tocsin. The
        shipped one is read once and cached; an explicit path is read each call.

    Raises
    ------
    CatalogueError
        When the file is not valid YAML, misses or mistypes a field, repeats an
        id, or maps to a Framework code that does not exist.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> len(cat.factors), cat.factors[0].id
    (14, 'RF1')
    """
    if path is None:
        return _default_catalogue()
    return _load(Path(path))


@functools.cache
def _default_catalogue() -> Catalogue:
    return _load(default_catalogue_path())


def _load(path: Path) -> Catalogue:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogueError(
            path, [RowProblem(None, None, f"cannot read file: {error}")]
        ) from error
    try:
        # libyaml's loader where PyYAML was built with it: the pure-Python one took 3 s
        # of each monitoring pass on a busy machine
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CatalogueError(path, [RowProblem(line, None, f"not valid YAML: {error}")]) from error
    if not isinstance(data, dict):
        raise CatalogueError(path, [RowProblem(1, None, "the file must hold a YAML mapping")])
    try:
        catalogue = Catalogue.model_validate(data, context={"defer_reference_checks": True})
    except ValidationError as error:
        problems = [
            _problem(root, tuple(e["loc"]), e["msg"], e.get("input"))
            for e in error.errors(include_url=False)
        ]
        raise CatalogueError(path, problems) from None
    refs = reference_problems(catalogue)
    if refs:
        raise CatalogueError(
            path, [_problem(root, loc, reason, value) for loc, reason, value in refs]
        )
    return catalogue


def _problem(root: yaml.Node | None, loc: Location, reason: str, value: Any) -> RowProblem:
    shown = value if isinstance(value, str | int | float) and not isinstance(value, bool) else None
    field = ".".join(map(str, loc)) if loc else None
    return RowProblem(_line(root, loc), field, reason, None if shown is None else str(shown))


def _line(root: yaml.Node | None, loc: Location) -> int | None:
    """The 1-based line of the node at ``loc``, or of its nearest existing parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if 0 <= key < len(node.value):
                child = node.value[key]
        if child is None:
            break  # a missing field: report the line of the entry that lacks it
        node = child
        line = node.start_mark.line + 1
    return line


def catalogue_to_dict(
    catalogue: Catalogue, *, sections: tuple[str, ...] | None = None, factor: str | None = None
) -> dict[str, Any]:
    """The catalogue as plain JSON-ready data, optionally narrowed.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue to convert.
    sections : tuple of str, optional
        Any of ``factors``, ``report``, ``triggers``, ``policies``, ``steps``,
        ``instruments``; all when omitted.
    factor : str, optional
        A factor code (``"RF9"``): keep that factor and the entries that map to it
        or to one of its indicators.

    Examples
    --------
    >>> data = catalogue_to_dict(load_catalogue(), sections=("factors",), factor="RF9")
    >>> [f["id"] for f in data["factors"]], data["counts"]["n_factors"]
    (['RF9'], 1)
    """
    chosen = sections or SECTIONS
    unknown = [s for s in chosen if s not in _FIELDS]
    if unknown:
        raise ValueError(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    full = catalogue.model_dump(mode="json")
    keep: set[str] | None = None
    if factor is not None:
        chosen_factor = catalogue.factor(factor)
        keep = {chosen_factor.id, *(i.id for i in chosen_factor.indicators)}
    out: dict[str, Any] = {"version": catalogue.version, "sources": full["sources"]}
    for section in chosen:
        entries: list[dict[str, Any]] = full[_FIELDS[section]]
        if keep is not None:
            if section == "factors":
                entries = [e for e in entries if e["id"] == factor]
            else:
                entries = [e for e in entries if keep & set(e["framework_refs"])]
        out[_FIELDS[section]] = entries
    out["counts"] = _counts(out)
    return out


def _counts(data: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if "factors" in data:
        counts["n_factors"] = len(data["factors"])
        counts["n_indicators"] = sum(len(f["indicators"]) for f in data["factors"])
    for field in ("report_factors", "triggers", "policy_options", "steps", "instruments"):
        if field in data:
            counts[f"n_{field}"] = len(data[field])
    return counts
