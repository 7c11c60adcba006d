"""The catalogue as a readable :class:`rich.tree.Tree`, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.tree import Tree

from tocsin.framework._catalogue import catalogue_to_dict
from tocsin.framework._labels import labels
from tocsin.framework._schema import Catalogue
from tocsin.framework._sections import SECTIONS
from tocsin.framework._translations import LANGUAGE_NAMES

__all__ = ["catalogue_tree"]


# What the tree says of a factor whose indicators were not (all) checked against a public
# copy of the Framework of Analysis: an analyst rating them should know (docs/framework.md).
# Put right after the code, so that a narrow terminal, which crops long lines, keeps it.
def _verification_note(verification: str, words: dict[str, str]) -> str:
    if verification == "checked":
        return ""
    return f" [yellow]({escape(words[verification])})[/]"


def _paras(numbers: list[int]) -> str:
    return "§" + ", ".join(str(n) for n in numbers)


def _refs(refs: list[str]) -> str:
    return f"[dim]→ {escape(', '.join(refs))}[/]"


def catalogue_tree(
    catalogue: Catalogue, *, sections: tuple[str, ...] | None = None, factor: str | None = None
) -> Tree:
    """Build a tree: factors → indicators, then the seed report's entries.

    Takes the same narrowing arguments as :func:`catalogue_to_dict`. The text is in the
    catalogue's language (``catalogue.localized("fr")``), and so are the headings where
    Tocsin has them in that language.

    Examples
    --------
    >>> from rich.console import Console
    >>> from tocsin.framework import load_catalogue
    >>> console = Console(width=200, record=True, color_system=None)
    >>> with console.capture() as captured:
    ...     console.print(catalogue_tree(load_catalogue(), sections=("factors",), factor="RF9"))
    >>> "RF9" in captured.get() and "9.1" in captured.get()
    True
    """
    data: dict[str, Any] = catalogue_to_dict(catalogue, sections=sections, factor=factor)
    chosen = sections or SECTIONS
    words = labels(catalogue.language)
    root = Tree(f"[bold]{escape(words['catalogue'])}[/] {escape(data['version'])}")
    if catalogue.languages.status(catalogue.language) == "started":
        percent = int(100 * catalogue.completeness(catalogue.language))
        name = LANGUAGE_NAMES.get(catalogue.language, (catalogue.language,) * 2)[1]
        note = words["started"].format(language=name, percent=percent)
        root.add(f"[yellow]{escape(note)}[/]")
    if "factors" in chosen:
        branch = root.add(f"[bold]{escape(words['framework'])}[/]")
        n_unchecked = sum(f["verification"] != "checked" for f in data["factors"])
        if n_unchecked:
            note = words["not_checked"].format(n=n_unchecked, total=len(data["factors"]))
            branch.add(f"[yellow]{escape(note)}[/]")
        for f in data["factors"]:
            node = branch.add(
                f"[bold cyan]{f['id']}[/]{_verification_note(f['verification'], words)} "
                f"{escape(f['title'])} [dim]({escape(words[f['kind']])})[/]"
            )
            for i in f["indicators"]:
                node.add(f"[cyan]{i['id']}[/] {escape(i['text'])}")
    for section, field in (
        ("report", "report_factors"),
        ("triggers", "triggers"),
        ("policies", "policy_options"),
        ("steps", "steps"),
    ):
        if section not in chosen:
            continue
        branch = root.add(f"[bold]{escape(words[section])}[/]")
        for e in data[field]:
            kind = (
                f" [dim]({escape(words[e['kind']])})[/]"
                if e.get("kind") in {"structural", "operational"}
                else ""
            )
            branch.add(
                f"[bold green]{e['id']}[/] {escape(e['title'])} "
                f"[dim]{_paras(e['paragraphs'])}[/]{kind} {_refs(e['framework_refs'])}"
            )
    if "instruments" in chosen:
        branch = root.add(f"[bold]{escape(words['instruments'])}[/]")
        for e in data["instruments"]:
            branch.add(
                f"[bold magenta]{escape(e['short_name'])}[/] {escape(e['name'])} "
                f"[dim]({e['year_adopted']})[/] {_refs(e['framework_refs'])}"
            )
    return root
