"""`tocsin data`: list, show, update and validate the bundled public data sets."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tocsin.cli._common import print_json, real_console, state, stderr, stdout

if TYPE_CHECKING:
    from tocsin.datasets import DatasetSpec, Release

    pass

app = typer.Typer(
    name="data",
    help="Public data sets bundled with Tocsin: list, show, update from the source, validate.\n\n"
    "Example: `tocsin data list`",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _age(release: Release, today: date) -> dict[str, Any]:
    years = release.data_years
    fetched = release.manifest.get("fetched_at")
    fetched_days = None
    if fetched:
        fetched_days = (today - datetime.fromisoformat(fetched).date()).days
    return {
        "latest_data_year": years[1] if years else None,
        "data_age_years": today.year - years[1] if years else None,
        "fetched_at": fetched,
        "fetched_days_ago": fetched_days,
    }


def _summary(spec: DatasetSpec, release: Release, today: date) -> dict[str, Any]:
    years = release.data_years
    return {
        "name": spec.name,
        "title": spec.title,
        "vintage": {
            "data_years": list(years) if years else None,
            "release_date": release.manifest.get("vintage", {}).get("release_date"),
        },
        "origin": release.origin,
        "rows": release.rows,
        **_age(release, today),
    }


@app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")] = False,
) -> None:
    """List the data sets: vintage, bundled or updated, how old, rows.

    Example: `tocsin data list --json`
    """
    from rich.table import Table

    from tocsin.datasets import current_release, list_datasets

    settings = state(ctx).settings
    today = datetime.now(UTC).date()
    rows = [_summary(s, current_release(s.name, settings), today) for s in list_datasets()]
    if as_json:
        print_json(rows)
        return
    table = Table()
    for header in ("name", "title", "years", "origin", "data age", "fetched", "rows"):
        table.add_column(header, no_wrap=True, overflow="ellipsis", max_width=32)
    for row in rows:
        years = row["vintage"]["data_years"]
        table.add_row(
            row["name"],
            row["title"],
            f"{years[0]}–{years[1]}" if years else "?",
            row["origin"],
            f"{row['data_age_years']} y" if row["data_age_years"] is not None else "?",
            f"{row['fetched_days_ago']} d ago" if row["fetched_at"] else "bundled",
            str(row["rows"] or "?"),
        )
    stdout.print(table)


@app.command("show")
def show_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Data set name (see `tocsin data list`).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")] = False,
) -> None:
    """Show a data set: source, licence, citation, vintage, files, columns, provenance.

    Example: `tocsin data show pts`
    """
    from tocsin.datasets import current_release, get_dataset

    spec = get_dataset(name)
    release = current_release(name, state(ctx).settings)
    info = {
        **_summary(spec, release, datetime.now(UTC).date()),
        "publisher": spec.publisher,
        "description": spec.description,
        "source_url": spec.source_url,
        "update_urls": list(spec.update_urls),
        "update_note": spec.update_note,
        "licence": spec.licence,
        "citation": spec.citation,
        "key": list(spec.key),
        "columns": dict(spec.output_columns),
        "release": {
            "origin": release.origin,
            "folder": str(release.folder),
            "manifest": release.manifest,
        },
        "files": [
            {k: v for k, v in asdict(f).items() if k in ("name", "sha256", "rows", "update_url")}
            for f in spec.files
        ],
    }
    if as_json:
        print_json(info)
        return
    for label in ("title", "publisher", "description", "source_url", "licence", "citation"):
        stdout.print(f"[bold]{label}[/]: {info[label]}", highlight=False)
    years = info["vintage"]["data_years"]
    stdout.print(f"[bold]vintage[/]: data {years}, released {info['vintage']['release_date']}")
    stdout.print(f"[bold]in force[/]: {release.origin} ({release.folder})", highlight=False)
    if release.origin == "updated":
        m = release.manifest
        stdout.print(f"[bold]fetched[/]: {m.get('fetched_at')} from {m.get('url')}")
    stdout.print(f"[bold]update[/]: {spec.update_note}", highlight=False)
    stdout.print(f"[bold]key[/]: {', '.join(spec.key)}; {release.rows} rows")
    stdout.print(
        "[bold]columns[/]: " + ", ".join(f"{c} ({t})" for c, t in spec.output_columns.items())
    )


@app.command("update")
def update_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Data set name (see `tocsin data list`).")],
    url: Annotated[
        str | None,
        typer.Option(
            "--url", help="Download this address or local file instead of the official one."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the API's shape).")] = False,
) -> None:
    """Download the newest release, check it and install it; a bad file changes nothing.

    Example: `tocsin data update pts`, or for a file you downloaded yourself:
    `tocsin data update vdem --url ~/Downloads/V-Dem-CY-Core-v15_csv.zip`
    """
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from tocsin.datasets import update

    cli = state(ctx)
    show_bar = not cli.quiet and stderr.is_terminal
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with Progress(
        *columns, console=real_console(stderr), transient=True, disable=not show_bar
    ) as bar:
        tasks: dict[str, Any] = {}

        def report(file_name: str, done: int, total: int | None) -> None:
            if file_name not in tasks:
                tasks[file_name] = bar.add_task(file_name, total=total)
            bar.update(tasks[file_name], completed=done, total=total)

        result = update(name, cli.settings, url=url, progress=report)
    if as_json:
        print_json(
            {
                "name": result.name,
                "status": result.status,
                "message": result.message,
                "origin": result.release.origin,
                "folder": str(result.release.folder),
                "manifest": result.release.manifest,
            }
        )
        return
    stdout.print(result.message, highlight=False)


@app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="CSV file to check.", exists=True, dir_okay=False)],
    dataset: Annotated[
        str, typer.Option("--dataset", help="Data set whose layout the file should have.")
    ],
    file_name: Annotated[
        str | None,
        typer.Option(
            "--file",
            help="Which file of a several-file data set (default: by name, else the first).",
        ),
    ] = None,
) -> None:
    """Check a local file against a data set's layout and print every problem.

    Example: `tocsin data validate PTS-2025.csv --dataset pts`
    """
    from tocsin.datasets import check_file, get_dataset
    from tocsin.store import UserFileError, binary_kind

    with file.open("rb") as head:
        kind = binary_kind(head.read(1 << 16))
    if kind is not None:
        raise UserFileError(
            f"{file} is not a text file: it looks like {kind}",
            fix="export it as CSV and check that",
        )
    spec = get_dataset(dataset)
    names = [f.name for f in spec.files]
    wanted = file_name or (file.name if file.name in names else names[0])
    rows = check_file(file, spec.file(wanted), shown_as=file)
    stdout.print(
        f"{file}: {rows} rows, no problems (layout of {spec.name}/{wanted})", highlight=False
    )


def register(root: typer.Typer) -> None:
    """Add the `data` commands to the root CLI."""
    root.add_typer(app)
