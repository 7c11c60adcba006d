"""`tocsin assess`: national assessments of risk and resilience, from the command line.

Each command opens the database, calls one function of :mod:`tocsin.assess` in one
transaction and prints the result (``--json`` prints the API's shape).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tocsin.assess import (
    ActionStatus,
    Confidence,
    OptionDecision,
    PopulationKind,
    Rating,
    StepStatus,
    StructureRating,
    Transition,
    Trend,
)
from tocsin.cli._common import print_json, state, stdout
from tocsin.errors import TocsinError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tocsin.assess import (
        Assessment,
        EvidenceLink,
    )

app = typer.Typer(name="assess", no_args_is_help=True, rich_markup_mode=None)
app.info.help = (
    "National assessments of risk and resilience (§71(b)): rate every indicator, review, "
    "approve, compare versions, export and import JSON."
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ById = Annotated[
    str | None, typer.Option("--by", help="Who makes the change (default: your login name).")
]
Ident = Annotated[int, typer.Argument(help="Assessment id (see `tocsin assess list`).")]


def _now() -> datetime:
    return datetime.now(UTC)


def _who(by: str | None) -> str:
    return by or getpass.getuser()


@contextmanager
def _session(ctx: typer.Context) -> Iterator[Session]:
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


def _evidence(values: list[str] | None, grade: str | None) -> list[EvidenceLink]:
    from tocsin.assess import EvidenceKind, EvidenceLink

    links = []
    for value in values or []:
        kind, _, ref = value.partition(":")
        try:
            links.append(EvidenceLink(kind=EvidenceKind(kind), ref=ref, grade=grade))
        except ValueError as error:
            raise TocsinError(
                f"evidence {value!r} is not KIND:REF",
                fix=f"KIND is one of {', '.join(k.value for k in EvidenceKind)}, "
                "e.g. source:ngo:hrw or signal:42",
            ) from error
    return links


def _print_assessment(stored_id: int, a: Assessment, *, version: int, everything: bool) -> None:
    from tocsin import assess
    from tocsin.framework import load_catalogue

    catalogue = load_catalogue()
    profile = assess.risk_profile(a, catalogue)
    stdout.print(f"[bold]#{stored_id} {a.title}[/] ({a.iso3}{', ' + a.area if a.area else ''})")
    stdout.print(
        f"{a.period_start} to {a.period_end} · {a.status.value} · version {version} · "
        f"{profile.n_rated} of {profile.n_indicators} indicators rated"
    )
    stdout.print(f"Overall: {profile.overall.value} ({profile.overall_reason})")
    for crime in profile.crimes:
        mark = " ← most at risk" if crime.most_at_risk else ""
        stdout.print(f"  {crime.label}: {crime.level.value}{mark}")
    for factor in profile.factors:
        trend = f", {factor.trend.value}" if factor.trend else ""
        stdout.print(
            f"  {factor.code:5} {factor.level.value:12} {factor.n_rated}/{factor.n_indicators} "
            f"rated{trend}  {factor.title}"
        )
    for item in a.indicators:
        if everything or item.rating is not Rating.UNKNOWN:
            stdout.print(
                f"    {item.code:6} {item.rating.value:12} "
                f"{(item.trend.value if item.trend else '-'):10} "
                f"{(item.confidence.value if item.confidence else '-'):7} {item.rationale}",
                highlight=False,
            )


@app.command("new")
def new_command(
    ctx: typer.Context,
    iso3: Annotated[str, typer.Argument(help="Country (ISO 3166 alpha-3).")],
    title: Annotated[str, typer.Option("--title", help="Title of the assessment.")],
    start: Annotated[datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="Period start.")],
    end: Annotated[datetime, typer.Option("--end", formats=["%Y-%m-%d"], help="Period end.")],
    area: Annotated[str | None, typer.Option("--area", help="Sub-national area, if any.")] = None,
    team: Annotated[list[str] | None, typer.Option("--team", help="Team member (repeat).")] = None,
    from_id: Annotated[
        int | None, typer.Option("--from", help="Start from this assessment's ratings.")
    ] = None,
    from_approved: Annotated[
        bool, typer.Option("--from-approved", help="Start from the last approved one.")
    ] = False,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Start a draft: every indicator unknown, structures pre-filled from the bundled data.

    Example: `tocsin assess new CAF --title "CAR 2025" --start 2025-01-01 --end 2025-12-31`
    """
    from tocsin import assess
    from tocsin.assess import get_assessment
    from tocsin.framework import load_catalogue

    settings = state(ctx).settings
    catalogue = load_catalogue()
    with _session(ctx) as session:
        ident = assess.start_assessment(
            session,
            catalogue,
            iso3=iso3.upper(),
            title=title,
            period_start=start.date(),
            period_end=end.date(),
            area=area,
            team=team,
            settings_or_dir=settings,
            author=_who(by),
            now=_now(),
            from_assessment_id=from_id,
            from_last_approved=from_approved,
        )
        summary = assess.stored_summary(get_assessment(session, ident))
    if as_json:
        print_json(summary)
    else:
        stdout.print(f"Created assessment {ident} ({summary['status']}).")


@app.command("list")
def list_command(
    ctx: typer.Context,
    iso3: Annotated[str | None, typer.Option("--iso3", help="Only this country.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List assessments, newest first.

    Example: `tocsin assess list --iso3 CAF --json`
    """
    from tocsin import assess
    from tocsin.assess import list_assessments

    with _session(ctx) as session:
        rows = [assess.stored_summary(s) for s in list_assessments(session, iso3=iso3)]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        stdout.print(
            f"{row['id']:4}  {row['iso3']}  {row['status']:10} v{row['latest_version']:<3} "
            f"{row['period_start']}–{row['period_end']}  {row['title']}",
            highlight=False,
        )


@app.command("show")
def show_command(
    ctx: typer.Context,
    ident: Ident,
    version: Annotated[int | None, typer.Option("--version", help="Show this version.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="List unrated indicators too.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show an assessment: risk profile, crimes most at risk, the rated indicators.

    Example: `tocsin assess show 1 --json`
    """
    from tocsin import assess
    from tocsin.assess import Assessment, get_assessment
    from tocsin.framework import load_catalogue

    catalogue = load_catalogue()
    with _session(ctx) as session:
        stored = get_assessment(session, ident, version=version)
        a = Assessment.model_validate(stored.content)
        profile, comparison = assess.monitoring_picture(session, a, catalogue)
    if as_json:
        print_json(
            {
                **assess.stored_summary(stored),
                "assessment": a.model_dump(mode="json"),
                "risk_profile": profile.as_dict(),
                "monitoring": comparison.as_dict(),
                "policy_options": [r.as_dict() for r in assess.rank_policy_options(a, catalogue)],
            }
        )
        return
    _print_assessment(ident, a, version=stored.version, everything=everything)
    for statement in comparison.statements:
        stdout.print(f"[{statement.kind}] {statement.text}", highlight=False, markup=False)


def _change(
    ctx: typer.Context,
    ident: int,
    edit: Callable[[Assessment], Assessment],
    *,
    by: str | None,
    note: str,
    as_json: bool,
) -> None:
    from tocsin import assess
    from tocsin.assess import get_assessment

    with _session(ctx) as session:
        assess.change_assessment(session, ident, edit, author=_who(by), now=_now(), note=note)
        summary = assess.stored_summary(get_assessment(session, ident))
    if as_json:
        print_json(summary)
    else:
        stdout.print(f"Assessment {ident}: {note} (version {summary['latest_version']}).")


@app.command("rate")
def rate_command(
    ctx: typer.Context,
    ident: Ident,
    code: Annotated[str, typer.Argument(help="Indicator code, e.g. 9.3.")],
    rating: Annotated[Rating | None, typer.Option("--rating", help="How present it is.")] = None,
    trend: Annotated[Trend | None, typer.Option("--trend", help="Which way it moves.")] = None,
    confidence: Annotated[
        Confidence | None, typer.Option("--confidence", help="How sure the team is.")
    ] = None,
    rationale: Annotated[str | None, typer.Option("--rationale", help="Why.")] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option("--evidence", help="KIND:REF, e.g. source:ngo:hrw or signal:42 (repeat)."),
    ] = None,
    grade: Annotated[
        str | None, typer.Option("--grade", help="Grade of that evidence, e.g. B2.")
    ] = None,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Rate one indicator (a new version is kept; the old one stays).

    Example: `tocsin assess rate 1 9.3 --rating high --rationale "Unpunished killings"`

    Evidence: `--evidence source:ngo:hrw --grade B2` (kinds: source, signal, event, speech_item,
    forecast_driver, dataset, document).
    """
    from tocsin import assess

    links = _evidence(evidence, grade)
    _change(
        ctx,
        ident,
        lambda a: assess.rate_indicator(
            a,
            code,
            rating=rating,
            trend=trend,
            confidence=confidence,
            rationale=rationale,
            evidence=links,
        ),
        by=by,
        note=f"rated {code}" + (f" {rating.value}" if rating else ""),
        as_json=as_json,
    )


@app.command("structure")
def structure_command(
    ctx: typer.Context,
    ident: Ident,
    structure_id: Annotated[str, typer.Argument(help="Structure id, e.g. rule_of_law_judiciary.")],
    rating: Annotated[
        StructureRating | None, typer.Option("--rating", help="How well it works.")
    ] = None,
    rationale: Annotated[str | None, typer.Option("--rationale", help="Why.")] = None,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Rate a structure of resilience of §§35–64.

    Example: `tocsin assess structure 1 rule_of_law_judiciary --rating weak --rationale "No courts"`
    """
    from tocsin import assess

    _change(
        ctx,
        ident,
        lambda a: assess.rate_structure(a, structure_id, rating=rating, rationale=rationale),
        by=by,
        note=f"rated structure {structure_id}",
        as_json=as_json,
    )


@app.command("population")
def population_command(
    ctx: typer.Context,
    ident: Ident,
    name: Annotated[str, typer.Argument(help="Name of the group.")],
    kind: Annotated[PopulationKind, typer.Option("--kind", help="Kind of group.")],
    area: Annotated[
        list[str] | None, typer.Option("--area", help="Where they live (repeat).")
    ] = None,
    size: Annotated[int | None, typer.Option("--size", help="How many people.")] = None,
    size_note: Annotated[str, typer.Option("--size-note", help="Source of the size.")] = "",
    codes: Annotated[
        list[str] | None, typer.Option("--code", help="Risk factor or indicator (repeat).")
    ] = None,
    description: Annotated[str, typer.Option("--description", help="Who they are.")] = "",
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Add or replace a vulnerable population.

    Example: `tocsin assess population 1 "Displaced people" --kind displaced --code 13.19`
    """
    from tocsin import assess
    from tocsin.assess import VulnerablePopulation

    population = VulnerablePopulation(
        name=name,
        kind=kind,
        areas=area or [],
        size=size,
        size_note=size_note,
        factor_codes=codes or [],
        description=description,
    )
    _change(
        ctx,
        ident,
        lambda a: assess.set_population(a, population),
        by=by,
        note=f"population {name}",
        as_json=as_json,
    )


@app.command("option")
def option_command(
    ctx: typer.Context,
    ident: Ident,
    option_id: Annotated[str, typer.Argument(help="Policy option, e.g. P9.")],
    decision: Annotated[OptionDecision, typer.Argument(help="adopted, rejected or proposed.")],
    text: Annotated[str, typer.Option("--text", help="The team's own wording.")] = "",
    reason: Annotated[str, typer.Option("--reason", help="Why.")] = "",
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Adopt, reject or re-propose a policy option of the catalogue.

    Example: `tocsin assess option 1 P9 adopted --reason "Rule of law is weakest"`
    """
    from tocsin import assess
    from tocsin.framework import load_catalogue

    catalogue = load_catalogue()
    _change(
        ctx,
        ident,
        lambda a: assess.decide_option(a, catalogue, option_id, decision, text=text, reason=reason),
        by=by,
        note=f"{decision.value} {option_id}",
        as_json=as_json,
    )


@app.command("action")
def action_command(
    ctx: typer.Context,
    ident: Ident,
    option_id: Annotated[str, typer.Argument(help="Adopted option (P9) or §71 step (S71a).")],
    description: Annotated[str, typer.Argument(help="What will be done.")],
    owner: Annotated[str, typer.Option("--owner", help="Who is responsible.")] = "",
    due: Annotated[
        datetime | None, typer.Option("--due", formats=["%Y-%m-%d"], help="Due date.")
    ] = None,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Turn an adopted option into an action with an owner and a due date.

    Example: `tocsin assess action 1 P9 "Map the case backlog" --owner "Justice" --due 2025-06-30`
    """
    from tocsin import assess

    due_date = due.date() if due else None
    _change(
        ctx,
        ident,
        lambda a: assess.add_action(a, option_id, description, owner=owner, due_date=due_date),
        by=by,
        note=f"action for {option_id}",
        as_json=as_json,
    )


@app.command("track")
def track_command(
    ctx: typer.Context,
    ident: Ident,
    action_id: Annotated[int, typer.Argument(help="Action number.")],
    status: Annotated[ActionStatus | None, typer.Option("--status", help="New status.")] = None,
    outcome: Annotated[str | None, typer.Option("--outcome", help="What came of it.")] = None,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Update an action's status and outcome (allowed after approval).

    Example: `tocsin assess track 1 2 --status done --outcome "Oversight bill tabled"`
    """
    from tocsin import assess

    _change(
        ctx,
        ident,
        lambda a: assess.update_action(a, action_id, status=status, outcome=outcome),
        by=by,
        note=f"action {action_id} updated",
        as_json=as_json,
    )


@app.command("step")
def step_command(
    ctx: typer.Context,
    ident: Ident,
    step_id: Annotated[str, typer.Argument(help="§71 step, S71a to S71g.")],
    status: Annotated[StepStatus, typer.Argument(help="not_started, in_progress or done.")],
    note: Annotated[str | None, typer.Option("--note", help="Where it stands.")] = None,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Tick a step of the §71 (a)–(g) checklist.

    Example: `tocsin assess step 1 S71a done --note "Focal point appointed in March"`
    """
    from tocsin import assess

    _change(
        ctx,
        ident,
        lambda a: assess.set_step(a, step_id, status, note=note),
        by=by,
        note=f"step {step_id} {status.value}",
        as_json=as_json,
    )


@app.command("suggest")
def suggest_command(
    ctx: typer.Context,
    ident: Ident,
    code: Annotated[str | None, typer.Option("--code", help="Only this indicator.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List Signals tagged with the assessment's indicators, offered as evidence.

    Example: `tocsin assess suggest 1 --code 11.3`
    """
    from tocsin import assess

    with _session(ctx) as session:
        found = assess.evidence_suggestions(session, ident, code=code)
    if as_json:
        print_json([asdict(s) for s in found])
        return
    for s in found:
        stdout.print(
            f"{s.code:6} signal {s.signal_id:<6} {s.kind:14} {s.strength:.2f}  {s.summary}",
            highlight=False,
        )
    if not found:
        stdout.print("No suggestions.")


@app.command("evidence")
def evidence_command(
    ctx: typer.Context,
    ident: Ident,
    code: Annotated[str, typer.Argument(help="Indicator code.")],
    signal_id: Annotated[int, typer.Argument(help="Suggested Signal id.")],
    reject: Annotated[bool, typer.Option("--reject", help="Reject instead of accepting.")] = False,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Accept (or --reject) a suggested Signal as evidence; the rating is not changed.

    Example: `tocsin assess evidence 1 11.3 42`
    """
    from tocsin import assess

    _change(
        ctx,
        ident,
        (lambda a: assess.reject_suggestion(a, code, signal_id))
        if reject
        else (lambda a: assess.accept_suggestion(a, code, signal_id)),
        by=by,
        note=f"{'rejected' if reject else 'accepted'} Signal {signal_id} for {code}",
        as_json=as_json,
    )


@app.command("comment")
def comment_command(
    ctx: typer.Context,
    ident: Ident,
    target: Annotated[str, typer.Argument(help="Indicator code, structure id or 'general'.")],
    text: Annotated[str, typer.Argument(help="The comment.")],
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Comment on an indicator during review.

    Example: `tocsin assess comment 1 9.3 "Which source says the killings were unpunished?"`
    """
    from tocsin import assess
    from tocsin.assess import get_assessment

    with _session(ctx) as session:
        assess.add_comment(session, ident, target, text, author=_who(by), now=_now())
        summary = assess.stored_summary(get_assessment(session, ident))
    if as_json:
        print_json(summary)
    else:
        stdout.print(f"Comment added (version {summary['latest_version']}).")


def _transition(
    ctx: typer.Context, ident: int, step: Transition, by: str | None, note: str, as_json: bool
) -> None:
    from tocsin import assess
    from tocsin.assess import get_assessment
    from tocsin.framework import load_catalogue

    with _session(ctx) as session:
        a = assess.transition(
            session, ident, step, load_catalogue(), author=_who(by), now=_now(), note=note
        )
        summary = assess.stored_summary(get_assessment(session, ident))
    if as_json:
        print_json(summary)
    else:
        stdout.print(f"Assessment {ident} is now {a.status.value}.")


NoteOption = Annotated[str, typer.Option("--note", help="A note kept with the version.")]


@app.command("submit")
def submit_command(
    ctx: typer.Context,
    ident: Ident,
    note: NoteOption = "",
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Submit a draft for review.

    Example: `tocsin assess submit 1`
    """
    _transition(ctx, ident, Transition.SUBMIT, by, note, as_json)


@app.command("approve")
def approve_command(
    ctx: typer.Context,
    ident: Ident,
    note: NoteOption = "",
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Approve an assessment in review (emits analyst_judgement Signals per risk factor).

    Example: `tocsin assess approve 1 --by reviewer`
    """
    _transition(ctx, ident, Transition.APPROVE, by, note, as_json)


@app.command("return")
def return_command(
    ctx: typer.Context,
    ident: Ident,
    note: NoteOption = "",
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Send an assessment in review back to draft.

    Example: `tocsin assess return 1 --note "See comments on 9.3"`
    """
    _transition(ctx, ident, Transition.RETURN, by, note, as_json)


@app.command("history")
def history_command(ctx: typer.Context, ident: Ident, as_json: JsonFlag = False) -> None:
    """List every version of an assessment: who, when, status, what changed.

    Example: `tocsin assess history 1`
    """
    from tocsin.assess import list_assessment_versions

    with _session(ctx) as session:
        versions = list_assessment_versions(session, ident)
    if as_json:
        print_json([asdict(v) for v in versions])
        return
    for v in versions:
        stdout.print(
            f"v{v.number:<3} {v.created_at:%Y-%m-%d %H:%M} {v.status:10} {v.author:15} {v.note}",
            highlight=False,
        )


@app.command("compare")
def compare_command(
    ctx: typer.Context,
    ident: Ident,
    old: Annotated[int, typer.Option("--from", help="Older version (default: 1).")] = 1,
    new: Annotated[
        int | None, typer.Option("--to", help="Newer version (default: latest).")
    ] = None,
    other: Annotated[
        int | None, typer.Option("--other", help="Compare with this assessment instead.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Compare two versions: what was rated up or down, and why.

    Example: `tocsin assess compare 1 --from 3 --to 7`
    """
    from tocsin import assess

    with _session(ctx) as session:
        diff = assess.compare_versions(session, ident, old, new, other_id=other)
    if as_json:
        print_json(diff.as_dict())
        return
    stdout.print(
        f"{len(diff.changes)} change(s); rated up: {len(diff.rated_up)}, "
        f"down: {len(diff.rated_down)}"
    )
    for c in diff.changes:
        why = f" — {c.why}" if c.why and c.field == "rating" else ""
        if c.field in ("rating", "trend", "confidence", "status"):
            stdout.print(
                f"  {c.target:8} {c.field}: {c.before} → {c.after} ({c.movement}){why}",
                highlight=False,
            )
        else:
            stdout.print(f"  {c.target:8} {c.field} changed", highlight=False)


@app.command("export")
def export_command(
    ctx: typer.Context,
    ident: Ident,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
    version: Annotated[int | None, typer.Option("--version", help="Export this version.")] = None,
) -> None:
    """Export an assessment as JSON (the import format; see `tocsin assess schema`).

    Example: `tocsin assess export 1 -o car-2024.json`
    """
    from tocsin import assess

    with _session(ctx) as session:
        text = assess.export_stored(session, ident, version=version)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        stdout.print(f"Wrote {output}")


@app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="An exported assessment (JSON).")] = None,
    example: Annotated[
        str | None, typer.Option("--example", help="Import a shipped example instead (caf).")
    ] = None,
    by: ById = None,
    as_json: JsonFlag = False,
) -> None:
    """Import an assessment; a malformed file is refused whole, with file, line and field.

    Example: `tocsin assess import car-2024.json`
    """
    from tocsin import assess
    from tocsin.assess import get_assessment
    from tocsin.framework import load_catalogue

    if (path is None) == (example is None):
        raise typer.BadParameter("give a FILE or --example NAME (one of them)")
    source = assess.example_path(example) if example else path
    assert source is not None
    from tocsin.store import read_user_file, user_text

    text = user_text(read_user_file(source), source)
    with _session(ctx) as session:
        ident = assess.import_assessment(
            session,
            text,
            load_catalogue(),
            author=_who(by),
            now=_now(),
            path=source,
        )
        summary = assess.stored_summary(get_assessment(session, ident))
    if as_json:
        print_json(summary)
    else:
        stdout.print(f"Imported {source.name} as assessment {ident}.")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the export format.

    Example: `tocsin assess schema > assessment.schema.json`
    """
    from tocsin import assess

    print_json(assess.assessment_json_schema())


@app.command("structures")
def structures_command(as_json: JsonFlag = False) -> None:
    """List the structures of resilience of §§35–64 with their policy options.

    Example: `tocsin assess structures --json`
    """
    from tocsin import assess

    rows: list[dict[str, Any]] = [
        {
            "id": s.id,
            "title": s.title,
            "paragraphs": list(s.paragraphs),
            "policy_options": list(s.option_ids),
            "data": [f"{m.dataset}:{m.variable}" for m in s.measures]
            + (["treaties"] if s.uses_treaties else []),
        }
        for s in assess.STRUCTURES
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        stdout.print(
            f"{row['id']:34} {', '.join(row['policy_options']):9} {row['title']}", highlight=False
        )


def register(root: typer.Typer) -> None:
    """Add the `assess` commands to the root CLI."""
    root.add_typer(app, name="assess")
