"""`tocsin events` (import, summary, link) and `tocsin monitor` (run, evaluate)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tocsin.cli._common import print_json, real_console, state, stderr, stdout
from tocsin.cli._monitor import status_command, sync_command, watch_command
from tocsin.errors import TocsinError
from tocsin.events import EVENT_FORMATS

if TYPE_CHECKING:
    import pandas as pd

    from tocsin.events import (
        ColumnMapping,
        EventLake,
    )
    from tocsin.store import Database

events_app = typer.Typer(
    help="Event data: import UCDP, ACLED, GDELT or mapped CSV files; summarise; link.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
monitor_app = typer.Typer(
    help="Monitoring: the watch that keeps the data current, its sources, escalation "
    "detection and Signals, the detector's evaluation.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

picture_app = typer.Typer(
    help="Pictures (SVG or PNG): a country's timeline by type, a map of escalation risk.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
events_app.add_typer(picture_app, name="picture")

FormatOption = Annotated[
    str, typer.Option("--format", "-f", help=f"File format: {', '.join(EVENT_FORMATS)}.")
]


def _database(ctx: typer.Context) -> Database:
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    return db


def _read(path: Path) -> bytes:
    from tocsin.store import read_user_file

    return read_user_file(path)


def _mapping(path: Path | None) -> ColumnMapping | None:
    import yaml

    from tocsin.events import ColumnMapping
    from tocsin.store import user_text

    if path is None:
        return None
    text = user_text(_read(path), path)
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        return ColumnMapping.model_validate(data)
    except (ValueError, yaml.YAMLError) as error:
        raise TocsinError(
            f"{path}: not a valid column mapping: {' '.join(str(error).split())}",
            fix="see docs/methodology/events.md for the mapping's fields",
        ) from error


LakeDirOption = Annotated[
    Path | None,
    typer.Option(
        "--lake-dir",
        help="The event lake's folder (default: events-lake in the data folder); on a "
        "cluster, shared storage every worker sees at the same path.",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on this Dask scheduler (tcp://HOST:8786; needs tocsin[scale]); default: "
        "in this process. The same results either way.",
    ),
]


def _lake(ctx: typer.Context, lake_dir: Path | None) -> EventLake:
    from tocsin.events import EventLake, default_lake_path

    return EventLake(lake_dir or default_lake_path(state(ctx).settings.home))


@events_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The event file.")],
    fmt: FormatOption,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Column mapping (YAML/JSON) for --format csv.")
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Import the valid rows; write the others to FILE.rejects.csv."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    to_lake: Annotated[
        bool,
        typer.Option(
            "--lake", help="Also keep the events in the event lake (Parquet, for batch work)."
        ),
    ] = False,
    lake_dir: LakeDirOption = None,
) -> None:
    """Import an event file into the database, atomically and idempotently.

    Importing the same file again adds nothing; a newer version of a record updates it and
    keeps the old one. A file with bad rows is refused whole with every bad row listed,
    unless `--skip-invalid` is given.

    Example: `tocsin events import ged231_caf.geojson --format ucdp`
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tocsin.domain import spreadsheet_safe_frame
    from tocsin.events import import_events, parse_events

    cli = state(ctx)
    parsed = parse_events(_read(file), fmt, file_name=str(file), mapping=_mapping(mapping))
    db = _database(ctx)
    rejects_path = None
    if parsed.problems and skip_invalid:
        rejects_path = file.with_name(file.name + ".rejects.csv")
        # Opened in a spreadsheet to fix the rows: their cells must not run as formulas.
        spreadsheet_safe_frame(parsed.rejected).to_csv(rejects_path, index=False)
    show = not cli.quiet and stderr.is_terminal
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=real_console(stderr), transient=True, disable=not show) as bar:
        task = bar.add_task(f"storing {file.name}", total=len(parsed.frame))
        with db.session() as session:
            summary = import_events(
                session,
                parsed,
                now=datetime.now(UTC),
                skip_invalid=skip_invalid,
                progress=lambda done: bar.update(task, completed=done),
            )
    result = summary.to_dict() | {"rejects_file": str(rejects_path) if rejects_path else None}
    if to_lake:
        # after the database's commit: a re-run after a failure here adds the lake's files
        # only (both are idempotent per file)
        written = _lake(ctx, lake_dir).write(parsed)
        result["lake_files"] = written.n_files
    if as_json:
        print_json(result)
        return
    if summary.already_imported:
        stdout.print(
            f"{file.name} was already imported (import {summary.import_id}): nothing added."
        )
        return
    stdout.print(
        f"{file.name}: {summary.n_rows:,} rows, {summary.n_added:,} added, "
        f"{summary.n_updated:,} updated, {summary.n_unchanged:,} unchanged, "
        f"{summary.n_rejected:,} rejected (import {summary.import_id})."
    )
    if rejects_path:
        stdout.print(f"Rejected rows and their problems: {rejects_path}")


@events_app.command("aggregate")
def aggregate_command(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the rows here: .csv or .parquet."),
    ] = None,
    freq: Annotated[str, typer.Option("--freq", help="W (weeks) or M (months).")] = "W",
    split: Annotated[
        str, typer.Option(help="event_type, target_kind, target_group or none.")
    ] = "event_type",
    scheduler: SchedulerOption = None,
    lake_dir: LakeDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Aggregate the event lake to area-weeks (or area-months): events and deaths.

    Reads the lake that `tocsin events import --lake` fills, one task per group of whole
    countries, here or on a Dask cluster.

    Example: `tocsin events aggregate --scheduler tcp://10.0.0.5:8786 -o area_weeks.parquet`
    """
    from tocsin.domain import spreadsheet_safe_frame
    from tocsin.events import aggregate_lake

    if freq not in ("W", "M"):
        raise TocsinError(f"unknown --freq {freq!r}", fix="use W or M")
    if split not in ("event_type", "target_kind", "target_group", "none"):
        raise TocsinError(
            f"unknown --split {split!r}", fix="use event_type, target_kind, target_group or none"
        )
    if output is not None and output.suffix not in (".csv", ".parquet"):
        raise TocsinError(f"cannot write {output}", fix="name the file .csv or .parquet")
    lake = _lake(ctx, lake_dir)
    rows = aggregate_lake(
        lake, scheduler=scheduler, freq=freq, split=None if split == "none" else split
    )
    if output is not None and output.suffix == ".parquet":
        rows.to_parquet(output, index=False)
    elif output is not None:
        spreadsheet_safe_frame(rows).to_csv(output, index=False)
    result = {
        "lake": str(lake.root),
        "n_rows": len(rows),
        "n_events": int(rows["n_events"].sum()) if len(rows) else 0,
        "n_countries": int(rows["iso3"].nunique()) if len(rows) else 0,
        "output": str(output) if output else None,
    }
    if as_json:
        print_json(result)
        return
    stdout.print(
        f"{result['n_events']:,} events in {result['n_rows']:,} rows, "
        f"{result['n_countries']:,} countries" + (f": {output}" if output else ".")
    )


@events_app.command("risks")
def risks_command(
    ctx: typer.Context,
    top: Annotated[int, typer.Option(help="How many areas to list.")] = 10,
    scheduler: SchedulerOption = None,
    lake_dir: LakeDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Escalation risk of every area in the event lake (packaged detector); no Signals.

    `tocsin monitor run` scores the database's events and records Signals; this scores
    the lake's, here or on a Dask cluster, and only lists them.

    Example: `tocsin events risks --scheduler tcp://10.0.0.5:8786 --top 5 --json`
    """
    from rich.table import Table

    from tocsin.events import lake_escalation_risks

    risks = lake_escalation_risks(_lake(ctx, lake_dir), scheduler=scheduler)
    head: list[dict[str, Any]] = [
        {
            "area": str(r["area"]),
            "week": str(_iso_date(r["week"])),
            "risk": float(r["risk"]),
            "osv_deaths_4": float(r["osv_deaths_4"]),
        }
        for r in risks.head(top).to_dict("records")
    ]
    if as_json:
        print_json({"n_areas": len(risks), "top": head})
        return
    table = Table("area", "week", "risk", "civilian deaths (4 wk)")
    for row in head:
        risk, deaths = f"{row['risk']:.0%}", f"{row['osv_deaths_4']:.0f}"
        table.add_row(str(row["area"]), str(row["week"]), risk, deaths)
    stdout.print(table)
    stdout.print(f"{len(risks):,} areas scored.")


def _iso_date(value: Any) -> str:
    """The date of a timestamp, as ISO text."""
    import pandas as pd

    return str(pd.Timestamp(value).date())


@events_app.command("summary")
def summary_command(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Option("--country", "-c", help="ISO3 code.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Events, incidents, fatalities and civilian deaths per country, by type.

    Linked reports of one incident count once (run `tocsin events link` first).

    Example: `tocsin events summary --country CAF --json`
    """
    from rich.table import Table

    from tocsin.events import load_events_frame, summarise_events

    db = _database(ctx)
    with db.session() as session:
        frame = load_events_frame(session, iso3=country.upper() if country else None)
    rows = summarise_events(frame)
    if as_json:
        print_json(rows)
        return
    table = Table(
        "country", "reports", "incidents", "from", "to", "deaths", "civilian", "one-sided"
    )
    for r in rows:
        table.add_row(
            str(r["iso3"]),
            f"{r['n_reports']:,}",
            f"{r['n_incidents']:,}",
            str(r["first_date"]),
            str(r["last_date"]),
            f"{r['fatalities']:,}",
            f"{r['civilian_deaths']:,}",
            f"{r['one_sided_civilian_deaths']:,}",
        )
    stdout.print(table)


CountryOption = Annotated[str, typer.Option("--country", "-c", help="ISO3 code.")]
OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="The picture file: .svg or .png (by its suffix).")
]


def _country_events(ctx: typer.Context, country: str) -> pd.DataFrame:
    from tocsin.events import load_events_frame

    db = _database(ctx)
    with db.session() as session:
        frame = load_events_frame(session, iso3=country.upper())
    if frame.empty:
        raise TocsinError(
            f"no events for {country.upper()} in the database",
            fix="import an event file first (`tocsin events import`)",
        )
    return frame


def _picture_suffix(out: Path) -> None:
    if out.suffix.lower() not in (".svg", ".png"):
        raise TocsinError(f"cannot write {out}", fix="name the file .svg or .png")


@picture_app.command("timeline")
def picture_timeline_command(ctx: typer.Context, country: CountryOption, out: OutOption) -> None:
    """Events and deaths per month in a country, stacked by family of event type.

    Example: `tocsin events picture timeline --country CAF --out caf_timeline.svg`
    """
    from tocsin.events import plot_event_timeline

    _picture_suffix(out)
    path = plot_event_timeline(_country_events(ctx, country), country.upper(), out)
    stdout.print(f"Wrote {path}")


@picture_app.command("map")
def picture_map_command(ctx: typer.Context, country: CountryOption, out: OutOption) -> None:
    """Events and the escalation risk per admin-1 area of a country (packaged detector).

    Areas are drawn at the mean of their events' coordinates (admin-1 boundaries are not
    bundled); the risk is for the 4 weeks after the country's latest week with events.

    Example: `tocsin events picture map --country CAF --out caf_risk.png`
    """
    from tocsin.events import EscalationDetector, escalation_risks, plot_escalation_map

    _picture_suffix(out)
    frame = _country_events(ctx, country)
    risks = escalation_risks(frame, EscalationDetector.default())
    path = plot_escalation_map(frame, risks, country.upper(), out)
    stdout.print(f"Wrote {path}")


@events_app.command("link")
def link_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the links as JSON.")] = False,
) -> None:
    """Link reports of the same incident across data sets (and GDELT duplicates).

    Example: `tocsin events link --json`
    """
    from tocsin.events import link_events, load_events_frame, set_incident_links

    db = _database(ctx)
    with db.session() as session:
        frame = load_events_frame(session)
        incidents, links = link_events(frame)
        changed = dict(zip(frame["uid"], incidents, strict=True))
        set_incident_links(session, changed)
    records = links.to_dict("records")
    if as_json:
        print_json({"n_reports": len(frame), "n_links": len(links), "links": records})
        return
    n_incidents = incidents.nunique()
    stdout.print(f"{len(frame):,} reports, {len(links):,} links, {n_incidents:,} incidents.")


@monitor_app.command("run")
def run_command(
    ctx: typer.Context,
    min_risk: Annotated[
        float | None,
        typer.Option(
            help="Emit Signals from this risk up (default: the detector's alarm level, one "
            "false alarm per area-year on its training data)."
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="How many areas to list.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Aggregate, detect escalation, emit Signals and list the top escalation risks.

    Uses the packaged detector on the events in the database; trigger events and new
    §25 acts of the last 4 weeks become `trigger_event` Signals.

    Example: `tocsin monitor run --top 5 --json`
    """
    import pandas as pd
    from rich.table import Table

    from tocsin.alerts import evaluate_alerts
    from tocsin.events import run_monitoring_pass
    from tocsin.incidents import non_public_report_events

    db = _database(ctx)
    now = datetime.now(UTC)
    found = run_monitoring_pass(
        db, now=now, min_risk=min_risk, internal_events=non_public_report_events
    )
    risks, ids, last, stale = found.risks, found.signal_ids, found.data_end, found.stale_note
    # Alerts (issue 8): evaluate the alert rules on the Signals just stored.
    alert_pass = evaluate_alerts(db, now=now, base_url=state(ctx).settings.alert_base_url())
    head = risks.head(top)
    result: dict[str, Any] = {
        "last_event_date": last.isoformat(),
        "data_end": last.isoformat(),
        "data_is_stale": bool(stale),
        "n_areas": len(risks),
        "signal_risk": found.min_risk,
        "n_signals": len(ids),
        "n_alerts_created": len(alert_pass.created),
        "top": [
            {k: (str(pd.Timestamp(v).date()) if k == "week" else v) for k, v in row.items()}
            for row in head.to_dict("records")
        ],
    }
    if as_json:
        print_json(result)
        return
    table = Table("area", "week", "risk", "civilian deaths (4 wk)")
    for row in result["top"]:
        table.add_row(
            str(row["area"]), row["week"], f"{row['risk']:.0%}", f"{row['osv_deaths_4']:.0f}"
        )
    stdout.print(table)
    stdout.print(
        f"{len(ids)} Signals recorded (escalation from a risk of {found.min_risk:.1%}; "
        f"events up to {last}{stale})."
    )
    stdout.print(f"{len(alert_pass.created)} new alerts (`tocsin alerts list`).")


@monitor_app.command("evaluate")
def evaluate_command(
    events: Annotated[Path, typer.Option("--events", help="An event file.")],
    fmt: FormatOption,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="For --format csv.")] = None,
    detector: Annotated[
        str, typer.Option(help="auto, refit (rolling origin) or default (packaged).")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Evaluate the escalation detector and both baselines on an event file.

    Prints ROC AUC, PR AUC, recall at one false alarm per area-year and lead time for the
    detector, persistence and the trailing-mean threshold. Reads the file only; the
    database is not touched. Rows with problems are left out and counted.

    Example: `tocsin monitor evaluate --events ged231_caf.geojson --format ucdp --json`
    """
    from rich.table import Table

    from tocsin.events import evaluate_escalation, parse_events

    if detector not in ("auto", "refit", "default"):
        raise TocsinError(f"unknown detector {detector!r}", fix="use auto, refit or default")
    parsed = parse_events(_read(events), fmt, file_name=str(events), mapping=_mapping(mapping))
    try:
        evaluation = evaluate_escalation(parsed.frame, detector=detector)
    except ValueError as error:
        raise TocsinError(f"{events}: {error}", fix="use a longer event file") from error
    names = [m.name for m in evaluation.metrics]
    result = evaluation.to_dict() | {
        "file": str(events),
        "n_rows_left_out": len(parsed.rejected) if parsed.problems else 0,
        "pr_auc_ratio_to_best_baseline": round(evaluation.ratio_to_best_baseline(), 3),
    }
    if "default_detector" in names:
        result["default_detector_pr_auc_ratio_to_best_baseline"] = round(
            evaluation.ratio_to_best_baseline("default_detector"), 3
        )
    if as_json:
        print_json(_nan_as_null(result))
        return
    stdout.print(
        f"{events.name}: {evaluation.n_test:,} test area-weeks, {evaluation.n_test_surges} surges "
        f"in {evaluation.n_test_episodes} episodes "
        f"({evaluation.n_test_new_area_surges} surge weeks and "
        f"{evaluation.n_test_new_area_episodes} episodes in areas quiet for 12 weeks); "
        f"detector {evaluation.detector_source}."
    )
    table = Table(
        "scorer",
        "ROC AUC",
        "PR AUC",
        "recall@1 FA/area-yr",
        "early",
        "lead (wk)",
        "new-area recall",
        "new-area early",
        "new-area lead",
    )
    for m in evaluation.metrics:
        table.add_row(
            m.name,
            f"{m.roc_auc:.3f}",
            f"{m.pr_auc:.3f}",
            f"{m.recall_at_1_false_alarm_per_area_year:.3f}",
            str(m.episodes_detected_early),
            f"{m.median_lead_weeks:.1f}",
            f"{m.new_area_recall:.3f}",
            str(m.new_area_episodes_detected_early),
            f"{m.new_area_median_lead_weeks:.1f}",
        )
    stdout.print(table)
    stdout.print(f"PR AUC / best baseline: {result['pr_auc_ratio_to_best_baseline']}")


def _nan_as_null(value: Any) -> Any:
    """``value`` with every NaN (a metric with no surge to score) as ``None``: JSON has no
    NaN, and strict parsers (jq, browsers) refuse the bare ``NaN`` Python would write."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_as_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nan_as_null(v) for v in value]
    return value


# Live monitoring (issue 17): the watch, one-off syncs and their state (tocsin.cli._monitor).
monitor_app.command("watch")(watch_command)
monitor_app.command("sync")(sync_command)
monitor_app.command("status")(status_command)


def register(root: typer.Typer) -> None:
    """Add the `events` and `monitor` commands to the root CLI."""
    root.add_typer(events_app, name="events")
    root.add_typer(monitor_app, name="monitor")
