"""`tocsin countries`: list Tocsin's countries and look up any code or name."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tocsin.cli._common import print_json, stdout
from tocsin.countries import CODE_SCHEMES, CountryRecord
from tocsin.errors import TocsinError

if TYPE_CHECKING:
    from tocsin.countries import CodeScheme

app = typer.Typer(name="countries", no_args_is_help=True, rich_markup_mode=None)


def _as_dict(record: CountryRecord) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    data["variants"] = list(record.variants)
    return data


@app.callback()
def countries() -> None:
    """Tocsin's country table (ISO 3166 alpha-3 ids) and its crosswalk from other codes.

    Examples:

    \b
    * `tocsin countries list --region Africa`
    * `tocsin countries lookup "Ivory Coast"`
    * `tocsin countries lookup 345 --scheme cow --year 1999`
    """


@app.command("list")
def list_countries(
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            help="Only this UN region (Africa, Americas, Asia, Europe, Oceania) or sub-region.",
        ),
    ] = None,
    historical: Annotated[
        bool, typer.Option("--historical/--no-historical", help="Include former states.")
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the records as JSON (the API's shape).")
    ] = False,
) -> None:
    """List countries with their codes.

    Examples:

    \b
    * `tocsin countries list`
    * `tocsin countries list --region "Western Africa" --no-historical`
    * `tocsin countries list --json > countries.json`
    """
    from rich.table import Table

    from tocsin.countries import get_crosswalk

    records = get_crosswalk().records()
    if region is not None:
        wanted = region.strip().casefold()
        records = [
            r
            for r in records
            if wanted in {(r.un_region or "").casefold(), (r.un_subregion or "").casefold()}
        ]
        if not records:
            regions = sorted({r.un_region for r in get_crosswalk().records() if r.un_region})
            raise TocsinError(f"no region {region!r}", fix=f"use one of {', '.join(regions)}")
    if not historical:
        records = [r for r in records if not r.is_historical]
    if as_json:
        print_json([_as_dict(r) for r in records])
        return
    table = Table("iso3", "name", "iso2", "isonum", "cow", "gw", "fips", "region", "years")
    for r in records:
        years = f"{r.start_year or ''}–{r.end_year or ''}" if r.start_year or r.end_year else ""
        table.add_row(
            r.iso3,
            r.name,
            r.iso2 or "",
            "" if r.isonum is None else str(r.isonum),
            "" if r.cow is None else str(r.cow),
            "" if r.gw is None else str(r.gw),
            r.fips or "",
            r.un_subregion or "",
            years,
        )
    stdout.print(table)
    stdout.print(f"{len(records)} countries")


@app.command("lookup")
def lookup(
    value: Annotated[str, typer.Argument(help="A code or name, e.g. 'Burma', 365, ZAR.")],
    scheme: Annotated[
        str,
        typer.Option("--scheme", "-s", help=f"How to read VALUE: {', '.join(CODE_SCHEMES)}."),
    ] = "name",
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", help="The year VALUE refers to (codes reused over time)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the record as JSON (the API's shape).")
    ] = False,
) -> None:
    """Find the country a code or name stands for.

    Examples:

    \b
    * `tocsin countries lookup "Congo, Dem. Rep."`
    * `tocsin countries lookup 365 --scheme cow --year 1980` — the USSR
    * `tocsin countries lookup ROM --scheme wb --json`
    """
    from rich.table import Table

    from tocsin.countries import get_crosswalk

    if scheme not in CODE_SCHEMES:
        raise TocsinError(f"unknown scheme {scheme!r}", fix=f"use one of {', '.join(CODE_SCHEMES)}")
    chosen: CodeScheme = scheme
    cw = get_crosswalk()
    record = cw.country(cw.require_iso3(value, chosen, year=year))
    if as_json:
        print_json(_as_dict(record))
        return
    table = Table(show_header=False, box=None)
    for key, item in _as_dict(record).items():
        shown = "; ".join(item) if isinstance(item, list) else item
        table.add_row(key, "" if shown is None else str(shown))
    stdout.print(table)


def register(root: typer.Typer) -> None:
    """Add the `countries` commands to the root CLI."""
    root.add_typer(app, name="countries")
