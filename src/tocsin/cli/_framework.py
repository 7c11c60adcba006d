"""`tocsin framework`: read the risk-factor catalogue as a tree or as JSON."""

from __future__ import annotations

from typing import Annotated

import typer

from tocsin.cli._common import print_json, stdout
from tocsin.errors import TocsinError
from tocsin.framework import SECTIONS

# No `help=` here: the callback's docstring, examples included, is the help text.
app = typer.Typer(name="framework", no_args_is_help=False, rich_markup_mode=None)


@app.callback(invoke_without_command=True)
def framework(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the catalogue as JSON (the API's shape).")
    ] = False,
    factor: Annotated[
        str | None,
        typer.Option(
            "--factor",
            "-f",
            metavar="RFn",
            help="Only this Framework factor and the entries that map to it, e.g. RF9.",
        ),
    ] = None,
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            "-s",
            metavar="NAME",
            help=f"Only these sections (repeatable): {', '.join(SECTIONS)}.",
        ),
    ] = None,
    language: Annotated[
        str,
        typer.Option(
            "--lang",
            "-l",
            metavar="CODE",
            help="The catalogue's language: en (the default), fr, es, ar, ru or zh.",
        ),
    ] = "en",
) -> None:
    """Show the risk-factor catalogue: Framework factors and indicators, then the
    report's risk factors, triggers, policy options, §71 steps and legal instruments.

    Framework codes are `RF1`…`RF14` for factors and `n.m` (e.g. `9.3`) for indicators.

    Examples:

    \b
    * `tocsin framework` — the whole catalogue as a tree
    * `tocsin framework --factor RF9` — factor 9 and everything mapped to it
    * `tocsin framework --section policies --section steps`
    * `tocsin framework --lang fr` — in French (also es, ar, ru, zh)
    * `tocsin framework --json > catalogue.json`
    * `tocsin framework --json --lang ar > catalogue-ar.json`
    """
    if ctx.invoked_subcommand is not None:
        return
    sections = tuple(section) if section else None
    bad = [s for s in sections or () if s not in SECTIONS]
    if bad:
        raise TocsinError(f"unknown section {bad[0]!r}", fix=f"use one of {', '.join(SECTIONS)}")
    from tocsin.framework import catalogue_to_dict, catalogue_tree, load_catalogue

    catalogue = load_catalogue().localized(language)
    if factor is not None and factor not in {f.id for f in catalogue.factors}:
        raise TocsinError(
            f"no risk factor {factor!r}",
            fix=f"use a factor code RF1 to RF{len(catalogue.factors)}, e.g. --factor RF9",
        )
    if as_json:
        print_json(catalogue_to_dict(catalogue, sections=sections, factor=factor))
    else:
        stdout.print(catalogue_tree(catalogue, sections=sections, factor=factor))


def register(root: typer.Typer) -> None:
    """Add the `framework` commands to the root CLI."""
    root.add_typer(app, name="framework")
