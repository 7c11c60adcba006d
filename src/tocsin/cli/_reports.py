"""`tocsin report`: reports for decision makers (HTML or PDF, no browser or network)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tocsin.cli._common import state, stdout

if TYPE_CHECKING:
    from tocsin.reports import (
        Report,
    )
    from tocsin.settings import Settings

app = typer.Typer(name="report", no_args_is_help=True, rich_markup_mode=None)
app.info.help = "Reports for decision makers: the assessment report and the one-page brief."


class Format(StrEnum):
    HTML = "html"
    PDF = "pdf"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="html or pdf.")]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="File to write (default: assessment-ID.FORMAT here)."),
]
VersionOption = Annotated[int | None, typer.Option("--version", help="Report on this version.")]
FileOption = Annotated[
    Path | None, typer.Option("--file", help="An exported assessment (JSON), no database needed.")
]
ExampleOption = Annotated[
    str | None, typer.Option("--example", help="The shipped illustrative example (caf).")
]
IdArgument = Annotated[int | None, typer.Argument(help="Assessment id (or use --file).")]


def _report(
    settings: Settings,
    ident: int | None,
    version: int | None,
    file: Path | None,
    example: str | None,
) -> tuple[Report, str]:
    from tocsin.assess import example_path, parse_assessment
    from tocsin.framework import load_catalogue
    from tocsin.reports import assessment_report, file_report
    from tocsin.store import Database

    now = datetime.now(UTC)
    catalogue = load_catalogue()
    if sum(x is not None for x in (ident, file, example)) != 1:
        raise typer.BadParameter("give an assessment ID, --file FILE or --example NAME (one)")
    if ident is not None:
        db = Database.from_settings(settings)
        db.require_current()
        try:
            with db.session() as session:
                report = assessment_report(
                    session, catalogue, ident, now=now, version=version, settings_or_dir=settings
                )
        finally:
            db.dispose()
        return report, f"assessment-{ident}"
    path = example_path(example) if example else file
    assert path is not None
    from tocsin.store import read_user_file, user_text

    text = user_text(read_user_file(path), path)
    assessment = parse_assessment(text, path=path, catalogue=catalogue)
    return file_report(assessment, catalogue, now=now, settings_or_dir=settings), path.stem


def _write(content: str | bytes, output: Path) -> None:
    if isinstance(content, str):
        output.write_text(content, encoding="utf-8")
    else:
        output.write_bytes(content)
    stdout.print(f"Wrote {output}")


@app.command("assessment")
def assessment_command(
    ctx: typer.Context,
    ident: IdArgument = None,
    fmt: FormatOption = Format.HTML,
    output: OutputOption = None,
    version: VersionOption = None,
    file: FileOption = None,
    example: ExampleOption = None,
) -> None:
    """Write the assessment report: summary, risk profile chart, forecast and monitoring,
    populations, resilience, indicator table, actions, sources, methodology annex.

    Example: `tocsin report assessment 1 --format pdf -o car-2024.pdf`
    """
    from tocsin.reports import render_html, render_pdf

    report, stem = _report(state(ctx).settings, ident, version, file, example)
    content = render_pdf(report) if fmt is Format.PDF else render_html(report)
    _write(content, output or Path(f"{stem}.{fmt.value}"))


@app.command("brief")
def brief_command(
    ctx: typer.Context,
    ident: IdArgument = None,
    fmt: FormatOption = Format.PDF,
    output: OutputOption = None,
    version: VersionOption = None,
    file: FileOption = None,
    example: ExampleOption = None,
) -> None:
    """Write the one-page country brief of an assessment.

    Example: `tocsin report brief --example caf --format pdf -o brief.pdf`
    """
    from tocsin.reports import render_brief_html, render_brief_pdf

    report, stem = _report(state(ctx).settings, ident, version, file, example)
    content = render_brief_pdf(report) if fmt is Format.PDF else render_brief_html(report)
    _write(content, output or Path(f"{stem}-brief.{fmt.value}"))


def register(root: typer.Typer) -> None:
    """Add the `report` commands to the root CLI."""
    root.add_typer(app, name="report")
