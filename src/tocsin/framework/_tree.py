"""The catalogue as a readable :class:`rich.tree.Tree`, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.tree import Tree

from tocsin.framework._catalogue import catalogue_to_dict
from tocsin.framework._schema import Catalogue
from tocsin.framework._sections import SECTIONS

__all__ = ["catalogue_tree"]

#: What the tree says of a factor whose indicators were not (all) checked against a public
#: copy of the Framework of Analysis: an analyst rating them should know (docs/framework.md).
#: Put right after the code, so that a narrow terminal, which crops long lines, keeps it.
_VERIFICATION_NOTE = {
    "checked": "",
    "partly_checked": " [yellow](partly checked)[/]",
    "unchecked": " [yellow](unchecked)[/]",
}

_KIND_LABEL = {
    "common": "common",
    "genocide": "genocide",
    "crimes_against_humanity": "crimes against humanity",
    "war_crimes": "war crimes",
}


def _paras(numbers: list[int]) -> str:
    return "§" + ", ".join(str(n) for n in numbers)


def _refs(refs: list[str]) -> str:
    return f"[dim]→ {escape(', '.join(refs))}[/]"


def catalogue_tree(
    catalogue: Catalogue, *, sections: tuple[str, ...] | None = None, factor: str | None = None
) -> Tree:
    """Build a tree: factors → indicators, then the seed report's entries.

    Takes the same narrowing arguments as :func:`catalogue_to_dict`.

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
    root = Tree(f"[bold]Tocsin risk-factor catalogue[/] {escape(data['version'])}")
    if "factors" in chosen:
        branch = root.add("[bold]Framework of Analysis for Atrocity Crimes (UN, 2014)[/]")
        n_unchecked = sum(f["verification"] != "checked" for f in data["factors"])
        if n_unchecked:
            branch.add(
                f"[yellow]{n_unchecked} of {len(data['factors'])} factors' indicators not all "
                "checked against the official text[/]"
            )
        for f in data["factors"]:
            node = branch.add(
                f"[bold cyan]{f['id']}[/]{_VERIFICATION_NOTE[f['verification']]} "
                f"{escape(f['title'])} [dim]({_KIND_LABEL[f['kind']]})[/]"
            )
            for i in f["indicators"]:
                node.add(f"[cyan]{i['id']}[/] {escape(i['text'])}")
    simple = [
        ("report", "report_factors", "Risk factors of the report (A/67/929, §§17–26)"),
        ("triggers", "triggers", "Triggers (§27)"),
        ("policies", "policy_options", "Policy options (§§30–64)"),
        ("steps", "steps", "Steps of §71"),
    ]
    for section, field, label in simple:
        if section not in chosen:
            continue
        branch = root.add(f"[bold]{label}[/]")
        for e in data[field]:
            kind = (
                f" [dim]({e['kind']})[/]" if e.get("kind") in {"structural", "operational"} else ""
            )
            branch.add(
                f"[bold green]{e['id']}[/] {escape(e['title'])} "
                f"[dim]{_paras(e['paragraphs'])}[/]{kind} {_refs(e['framework_refs'])}"
            )
    if "instruments" in chosen:
        branch = root.add("[bold]Legal instruments (footnote 4)[/]")
        for e in data["instruments"]:
            branch.add(
                f"[bold magenta]{escape(e['short_name'])}[/] {escape(e['name'])} "
                f"[dim]({e['year_adopted']})[/] {_refs(e['framework_refs'])}"
            )
    return root
