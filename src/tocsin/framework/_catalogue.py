"""Load ``catalogue.yaml`` and refuse it, with file, line and field, when it is wrong."""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tocsin.errors import RowProblem, TocsinError
from tocsin.framework._languages import translation_problems
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


# libyaml's loader where PyYAML was built with it: the pure-Python one took 3 s of each
# monitoring pass on a busy machine
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


# A block of translations beside an entry: its key line and every line indented deeper
# (or blank) after it. The shipped file writes them so; docs/translating.md says so too.
# On bytes: decoding the whole file's Arabic, Cyrillic and Chinese took longer than the cut.
_TRANSLATIONS_BLOCK = re.compile(rb"^( *)translations:.*\n(?:\1 .*\n|[ ]*\n)*", re.MULTILINE)


@functools.cache
def _default_catalogue() -> Catalogue:
    # Most commands want the English text only: the translations, five sixths of the file,
    # are cut out before parsing and read with the whole file when a language is asked for.
    path = default_catalogue_path()
    raw = _read(path)
    try:
        english = _TRANSLATIONS_BLOCK.sub(b"", raw).decode("utf-8")
        catalogue = _parse(path, english, with_translations=False)
    except (CatalogueError, UnicodeDecodeError):
        # Reports each problem at its line in the real file.
        catalogue = _parse(path, _decode(path, raw))
    catalogue._with_translations = _default_with_translations
    return catalogue


@functools.cache
def _default_with_translations() -> Catalogue:
    return _load(default_catalogue_path())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CatalogueError(
            path, [RowProblem(None, None, f"cannot read file: {error}")]
        ) from error


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CatalogueError(
            path, [RowProblem(line, None, "not UTF-8 text: save the file as UTF-8")]
        ) from None


def _load(path: Path) -> Catalogue:
    return _parse(path, _decode(path, _read(path)))


def _parse(path: Path, text: str, *, with_translations: bool = True) -> Catalogue:
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CatalogueError(path, [RowProblem(line, None, f"not valid YAML: {error}")]) from error
    # The node tree, which knows each value's line, is built only for a refused file: it
    # took as long as the load itself, and the translations made the file six times larger.
    root = functools.partial(yaml.compose, text, Loader=_LOADER)
    if not isinstance(data, dict):
        raise CatalogueError(path, [RowProblem(1, None, "the file must hold a YAML mapping")])
    try:
        catalogue = Catalogue.model_validate(data, context={"defer_reference_checks": True})
    except ValidationError as error:
        tree = root()
        problems = [
            _problem(tree, tuple(e["loc"]), e["msg"], e.get("input"))
            for e in error.errors(include_url=False)
        ]
        raise CatalogueError(path, problems) from None
    refs = reference_problems(catalogue)
    if with_translations:
        refs += translation_problems(catalogue)
    if refs:
        tree = root()
        raise CatalogueError(
            path, [_problem(tree, loc, reason, value) for loc, reason, value in refs]
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


# The JSON shows one language, the catalogue's (see Catalogue.localized), so the
# translations beside each entry stay out of it.
_ALL_WITHOUT_TRANSLATIONS = {"__all__": {"translations": True}}
_UNTRANSLATED_VIEW: dict[str, Any] = {
    "factors": {"__all__": {"translations": True, "indicators": _ALL_WITHOUT_TRANSLATIONS}},
    **dict.fromkeys(
        ("report_factors", "triggers", "policy_options", "steps", "instruments"),
        _ALL_WITHOUT_TRANSLATIONS,
    ),
}


def catalogue_to_dict(
    catalogue: Catalogue, *, sections: tuple[str, ...] | None = None, factor: str | None = None
) -> dict[str, Any]:
    """The catalogue as plain JSON-ready data in its language, optionally narrowed.

    The text is in ``catalogue.language``: pass ``catalogue.localized("fr")`` for French.
    The translations beside each entry are left out.

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
    >>> [f["id"] for f in data["factors"]], data["counts"]["n_factors"], data["language"]
    (['RF9'], 1, 'en')
    """
    chosen = sections or SECTIONS
    unknown = [s for s in chosen if s not in _FIELDS]
    if unknown:
        raise ValueError(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    full = catalogue.model_dump(mode="json", exclude=_UNTRANSLATED_VIEW)
    keep: set[str] | None = None
    if factor is not None:
        chosen_factor = catalogue.factor(factor)
        keep = {chosen_factor.id, *(i.id for i in chosen_factor.indicators)}
    out: dict[str, Any] = {
        "version": catalogue.version,
        "language": catalogue.language,
        "sources": full["sources"],
    }
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
