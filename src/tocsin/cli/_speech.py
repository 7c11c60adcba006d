"""`tocsin speech`: import, score, classify, train and evaluate; surges and Rabat worksheets.

Raw texts never go to logs or to stderr; `score` writes them out only with `--keep-text`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import pandas as pd

from tocsin.cli._common import print_json, progress, state, stderr, stdout
from tocsin.errors import TocsinError

app = typer.Typer(
    name="speech",
    help="Hate speech and incitement monitoring: import, score, train, evaluate, surges.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DEFAULT_DATA = Path("..") / "shared" / "data" / "speech"
FORMATS = ("csv", "jsonl", "feed")


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values or []:
        key, sep, column = value.partition("=")
        if not sep or not key or not column:
            raise TocsinError(
                f"{option} {value!r} is not FIELD=VALUE", fix=f"e.g. {option} text=body"
            )
        result[key.strip()] = column.strip()
    return result


def _guess_format(source: str) -> str:
    if source.startswith(("http://", "https://")) or source.endswith((".xml", ".rss", ".atom")):
        return "feed"
    if source.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "csv"


def _now() -> datetime:
    return datetime.now(UTC)


@app.command("import")
def import_items(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A CSV or JSON Lines file, or a feed URL.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl or feed (default: from the name).")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--map", "-m", help="FIELD=COLUMN (repeatable), e.g. -m text=body."),
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option("--default", "-d", help="FIELD=VALUE for every row, e.g. -d country=KEN."),
    ] = None,
    country_scheme: Annotated[
        str, typer.Option(help="How the country column is written: iso3, iso2, name, …")
    ] = "iso3",
    delimiter: Annotated[str, typer.Option(help="CSV delimiter.")] = ",",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import speech items from a CSV or JSON Lines file or an RSS/Atom feed.

    A file already imported (same content) changes nothing; items already stored (same id,
    URL or content) are not added twice.

    Example: `tocsin speech import posts.csv -m text=body -m country=cc --country-scheme iso2`
    """
    from tocsin.speech import (
        ColumnMapping,
        fetch_feed,
        import_speech_items,
        parse_feed,
        read_csv_items,
        read_jsonl_items,
    )
    from tocsin.store import Database, UserFileError, user_text

    kind = fmt or _guess_format(source)
    if kind not in FORMATS:
        raise TocsinError(f"unknown format {kind!r}", fix=f"use one of {', '.join(FORMATS)}")
    defaults = _pairs(default, "--default")
    if kind == "feed":
        content = fetch_feed(source) if "://" in source else _read_bytes(Path(source))
        items = parse_feed(content, url=source, defaults=defaults)
    else:
        content = _read_bytes(Path(source))
        columns = _pairs(column, "--map")
        mapping = ColumnMapping(
            **({"columns": columns} if columns else {}),
            defaults=defaults,
            country_scheme=country_scheme,
        )
        text = user_text(content, source)
        import io

        stream = io.StringIO(text, newline="")
        if kind == "csv":
            items = read_csv_items(stream, mapping, path=source, delimiter=delimiter)
        else:
            items = read_jsonl_items(stream, mapping, path=source)
    if not items:
        raise UserFileError(
            f"{source} has no items" + (" (no entries)" if kind == "feed" else ", only a header"),
            fix="give a file with rows (was it exported completely?)",
        )
    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    with db.session() as session:
        result = import_speech_items(
            session,
            items,
            kind=f"speech_{kind}",
            file_name=source,
            sha256=hashlib.sha256(content).hexdigest(),
            now=_now(),
            details={"format": kind},
        )
    payload = {
        "import_id": result.import_id,
        "n_items": len(items),
        "n_new": result.n_new,
        "n_existing": result.n_existing,
        "already_imported": result.already_imported,
    }
    if as_json:
        print_json(payload)
    elif result.already_imported:
        stdout.print(f"{source}: already imported (import {result.import_id}); nothing changed.")
    else:
        stdout.print(
            f"{source}: {result.n_new} new items, {result.n_existing} already stored "
            f"(import {result.import_id})."
        )


def _read_bytes(path: Path) -> bytes:
    from tocsin.store import read_user_file

    return read_user_file(path)


def _load_model(model: Path | None) -> Any:
    from tocsin.speech import load_classifier, load_default_classifier

    return load_classifier(model) if model else load_default_classifier()


def _chunks(path: Path, text_column: str, size: int) -> Iterator[pd.DataFrame]:
    import io

    import pandas as pd

    from tocsin.errors import DataFileError, RowProblem
    from tocsin.store import read_user_file, table_problems, user_text

    text = user_text(read_user_file(path), path)
    if path.suffix in {".jsonl", ".ndjson"}:
        try:
            lines = io.BytesIO(text.encode("utf-8"))
            yield from pd.read_json(lines, lines=True, chunksize=size, dtype=False)
        except ValueError as error:
            raise DataFileError(
                str(path), [RowProblem(None, None, f"not JSON Lines: {error}")]
            ) from error
        return
    # pandas pads a row cut short and names no line for a quote left open: the csv
    # module checks the rows first (scoring is far slower than this pass)
    found = table_problems(text, path)
    if found.problems[0].line is not None:
        raise found
    try:
        yield from pd.read_csv(io.StringIO(text), chunksize=size, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataFileError(str(path), [RowProblem(None, None, str(error))]) from error


@app.command("score")
def score(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV or JSON Lines with a text column.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    out_format: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "csv",
    text_column: Annotated[str, typer.Option(help="The column holding the text.")] = "text",
    fast: Annotated[
        bool, typer.Option("--fast", help="Fast path only (no embedding model).")
    ] = False,
    keep_text: Annotated[
        bool, typer.Option("--keep-text", help="Copy the raw text into the output.")
    ] = False,
    model: Annotated[
        Path | None, typer.Option(help="A classifier from `speech train --output`.")
    ] = None,
    chunk_size: Annotated[int, typer.Option(help="Texts per batch.")] = 1000,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Score the batches on this Dask scheduler (tcp://HOST:8786); needs "
            "tocsin[scale]. The same scores as without."
        ),
    ] = None,
) -> None:
    """Score every text of a file, streaming in batches, and write the scores.

    Columns: the input's own (text dropped unless `--keep-text`), then hateful, offensive,
    neither, label, violence, dehumanisation, counter_speech, target_groups, language,
    stage, is_flagged and flag_strength.

    Example: `tocsin speech score posts.csv --format jsonl -o scores.jsonl`
    (with `--scheduler tcp://10.0.0.5:8786` the batches run on a Dask cluster)
    """
    from tocsin.domain import spreadsheet_safe_frame
    from tocsin.speech import UseEmbedder, score_partition

    if out_format not in {"csv", "jsonl"}:
        raise TocsinError(f"unknown output format {out_format!r}", fix="use csv or jsonl")
    chunks = _chunks(path, text_column, chunk_size)
    first_chunk = next(chunks, None)  # the file is checked before the model is loaded
    if first_chunk is None or first_chunk.empty:
        raise TocsinError(
            f"{path} has no rows to score", fix="give a file with a header line and rows"
        )
    classifier = _load_model(model)
    embedder = None if fast or scheduler else UseEmbedder()
    sink = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    n_rows, n_flagged, first = 0, 0, True
    try:
        every: Iterator[pd.DataFrame] = itertools.chain([first_chunk], chunks)
        if scheduler is not None:
            import pandas as pd

            # Dask: the whole file in one go, its batches the cluster's tasks
            every = iter([pd.concat(list(every))])
        for chunk in progress(every, total=None, description="Scoring", quiet=state(ctx).quiet):
            if text_column not in chunk.columns:
                raise TocsinError(
                    f"{path}: no column {text_column!r}",
                    fix=f"pass --text-column, one of {', '.join(map(str, chunk.columns))}",
                )
            if scheduler is not None:
                from tocsin.speech import score_on_dask

                scored = score_on_dask(
                    chunk,
                    classifier,
                    scheduler=scheduler,
                    chunk_size=chunk_size,
                    text_column=text_column,
                    embed=not fast,
                    keep_text=keep_text,
                )
            else:
                scored = score_partition(
                    chunk,
                    classifier,
                    text_column=text_column,
                    embedder=embedder,
                    keep_text=keep_text,
                )
            if out_format == "csv":
                # the items' text is anyone's: it must not run as a formula when opened
                spreadsheet_safe_frame(scored).to_csv(sink, header=first, index=False)
            else:
                scored.to_json(sink, orient="records", lines=True, force_ascii=False)
            first = False
            n_rows += len(scored)
            n_flagged += int(scored["is_flagged"].sum())
    finally:
        if output:
            sink.close()
    stderr.print(f"Scored {n_rows:,} texts; {n_flagged:,} flagged.")


@app.command("classify")
def classify(
    ctx: typer.Context,
    fast: Annotated[bool, typer.Option("--fast", help="Fast path only.")] = False,
    rescore: Annotated[
        bool, typer.Option("--rescore", help="Score every item again, not only new ones.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score the stored items that the current classifier has not scored yet, and store it.

    Example: `tocsin speech classify --json`
    """
    from tocsin.speech import (
        UseEmbedder,
        list_speech_items,
        load_default_classifier,
        record_speech_scores,
    )
    from tocsin.store import Database

    classifier = load_default_classifier()
    version = classifier.card_["version"]
    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    with db.session() as session:
        items = list_speech_items(session, unscored_for=None if rescore else version)
    embedder = None if fast else UseEmbedder()
    n_flagged = 0
    batch = 500
    for start in progress(
        range(0, len(items), batch), total=None, description="Classifying", quiet=state(ctx).quiet
    ):
        part = items[start : start + batch]
        known = [s.item.language for s in part]
        languages = [lang for lang in known if lang]
        scores = classifier.score(
            [s.item.text for s in part],
            languages=languages if len(languages) == len(part) else None,
            embedder=embedder,
        )
        rows = []
        for stored, (_, row) in zip(part, scores.iterrows(), strict=True):
            values = {k: row[k] for k in ("hateful", "offensive", "neither", "violence")}
            values |= {
                "dehumanisation": row["dehumanisation"],
                "counter_speech": row["counter_speech"],
                "label": row["label"],
                "language": row["language"],
                "stage": row["stage"],
            }
            groups = [g for g in str(row["target_groups"]).split(";") if g]
            rows.append((stored.id, values, groups, bool(row["is_flagged"]), row["flag_strength"]))
            n_flagged += bool(row["is_flagged"])
        with db.session() as session:
            record_speech_scores(session, rows, model_version=version, now=_now())
    payload = {"model_version": version, "n_scored": len(items), "n_flagged": n_flagged}
    if as_json:
        print_json(payload)
    else:
        stdout.print(f"Scored {len(items):,} items with {version}; {n_flagged:,} flagged.")


def _training_frame(data: Path, *, required: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The corpora and the suite (or, where ``data`` lacks the corpora, the suite alone)."""
    from tocsin.speech import assemble_training_data, data_card, has_training_data

    if has_training_data(data):
        return assemble_training_data(data), data_card(data)
    if required:
        raise TocsinError(
            f"training data not found in {data}",
            fix="pass --data DIR (the shared data/speech folder on a developer machine)",
        )
    return assemble_training_data(None), {}


DataOption = Annotated[
    Path, typer.Option("--data", help="Folder with the speech corpora (shared data/speech).")
]
CacheOption = Annotated[
    Path | None,
    typer.Option("--embedding-cache", help="Folder to keep and reuse training embeddings."),
]


@app.command("train")
def train(
    data: DataOption = DEFAULT_DATA,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write (default: the packaged model)."),
    ] = None,
    C: Annotated[float, typer.Option("--C", help="Inverse L2 strength of the heads.")] = 4.0,
    suite_weight: Annotated[
        float, typer.Option(help="Weight of a functional-suite training case.")
    ] = 10.0,
    hidden: Annotated[
        int, typer.Option(help="Hidden units of the main outputs (0: logistic regression).")
    ] = 0,
    stacked: Annotated[
        bool, typer.Option(help="Let the heads read the fast path's probabilities too.")
    ] = False,
    stack_by_template: Annotated[
        bool,
        typer.Option(
            "--stack-by-template/--stack-by-row",
            help="With --stacked: out-of-fold fast scores keep a suite template in one fold.",
        ),
    ] = True,
    separate_label: Annotated[
        bool, typer.Option(help="Give the three-way label its own validation thresholds.")
    ] = False,
    counter_ratio: Annotated[
        bool,
        typer.Option(help="Withhold a flag only if counter-speech is a share of its strength."),
    ] = False,
    embedding_cache: CacheOption = None,
) -> None:
    """Train the classifier from the shared corpora and the suite's training templates.

    Same data and settings give the same model. Embedding the ~73,000 texts takes about
    five minutes on 2 cores; `--embedding-cache` keeps them for the next run. The defaults
    are the settings chosen on validation (docs/methodology/speech.md, design record).

    Example: `tocsin speech train --data ../shared/data/speech --embedding-cache /tmp/emb`
    """
    from importlib import resources

    from tocsin.speech import (
        DEFAULT_MODEL_FILE,
        TrainingSettings,
        UseEmbedder,
        classifier_bytes,
        embed_training_data,
        train_classifier,
    )

    frame, card = _training_frame(data, required=True)
    embeddings = embed_training_data(frame, UseEmbedder(), embedding_cache)
    settings = TrainingSettings(
        C=C,
        suite_weight=suite_weight,
        hidden=hidden,
        stacked=stacked,
        stack_by_template=stack_by_template,
        separate_label=separate_label,
        counter_ratio=counter_ratio,
    )
    classifier = train_classifier(frame, embeddings, settings, data_card=card)
    target = output or Path(
        str(resources.files("tocsin.speech").joinpath("model", DEFAULT_MODEL_FILE))
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    content = classifier_bytes(classifier)
    target.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    stdout.print(f"Wrote {target} ({len(content) / 1e6:.1f} MB, sha256 {digest[:12]}).")


@app.command("evaluate")
def evaluate(
    data: DataOption = DEFAULT_DATA,
    model: Annotated[
        Path | None, typer.Option(help="A classifier from `speech train --output`.")
    ] = None,
    embedding_cache: CacheOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")] = False,
) -> None:
    """Test figures with their targets, baselines and gaps: Davidson hold-out, HateXplain
    test split, MLMA test parts, GermEval 5-fold cross-validation, and the functional
    suite's test templates in seven languages. Without the shared corpora (a user's
    machine) only the suite is scored.

    Example: `tocsin speech evaluate --json --embedding-cache /tmp/emb`
    """
    from tocsin.speech import (
        BASELINES,
        SHORTFALL_REASONS,
        TARGETS,
        TrainingSettings,
        UseEmbedder,
        cross_validate_germeval,
        embed_training_data,
        evaluate_corpora,
        evaluate_suite,
        target_gaps,
    )

    classifier = _load_model(model)
    frame, card = _training_frame(data, required=False)
    embeddings = embed_training_data(frame, UseEmbedder(), embedding_cache)
    corpora = evaluate_corpora(classifier, frame, embeddings)
    settings = TrainingSettings(
        **{
            k: v
            for k, v in classifier.card_.get("settings", {}).items()
            if k in {"C", "suite_weight", "hidden", "stacked", "stack_by_template", "fast_C"}
        }
    )
    germeval = (
        cross_validate_germeval(frame, embeddings, settings)
        if (frame["source"] == "germeval").any()
        else None
    )
    suite = {
        route: evaluate_suite(classifier, frame, embeddings, route=route)
        for route in ("auto", "embedding")
    }
    gaps = target_gaps(corpora, germeval, suite["auto"], "auto")
    result = {
        "model": classifier.card_.get("version"),
        "data": card or "shared corpora not found: functional suite only",
        "targets": TARGETS,
        "difference_from_target": gaps,
        "targets_met": all(gap >= 0 for gap in gaps.values()),
        "why_short": {k: SHORTFALL_REASONS[k] for k, gap in gaps.items() if gap < 0},
        "baselines": BASELINES,
        "corpora": corpora,
        "germeval_cv": germeval,
        "suite": suite,
        "validation": classifier.card_.get("validation", {}),
    }
    if as_json:
        print_json(result)
        return
    stdout.print(f"Model {result['model']}")
    for source, figures in corpora.items():
        for route in ("embedding", "auto", "fast"):
            if route in figures:
                f = figures[route]
                stdout.print(
                    f"{source} test ({route}): macro-F1 {f['macro_f1']:.3f}, "
                    f"hate F1 {f['hate_f1']:.3f}"
                )
    if germeval is not None:
        stdout.print(f"GermEval 5-fold: violent F1 {germeval['violent_f1']:.3f}")
    for language, f in suite["auto"].get("by_language", {}).items():
        stdout.print(
            f"suite {language}: accuracy {f['accuracy']:.2f}, counter-speech "
            f"{f['counter_speech']:.2f}, negation {f['negation']:.2f}"
        )
    stdout.print("Difference from targets: " + json.dumps(gaps))
    for key, reason in result["why_short"].items():
        stdout.print(f"  short on {key}: {reason}")


@app.command("surges")
def surges(
    ctx: typer.Context,
    emit: Annotated[bool, typer.Option("--emit", help="Record the surges as Signals.")] = False,
    window_days: Annotated[int, typer.Option(help="Days of baseline.")] = 28,
    alpha: Annotated[float, typer.Option(help="Poisson tail probability for an alarm.")] = 0.001,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Detect surges of flagged items per country and target group; `--emit` stores Signals.

    Example: `tocsin speech surges --emit --json`
    """
    from tocsin.speech import record_speech_surges
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    signals = record_speech_surges(db, now=_now(), window_days=window_days, alpha=alpha, emit=emit)
    payload = [s.model_dump(mode="json") for s in signals]
    if as_json:
        print_json({"n_surges": len(signals), "emitted": emit, "signals": payload})
    else:
        stdout.print(f"{len(signals)} surges{' recorded as Signals' if emit and signals else ''}.")
        for s in signals:
            stdout.print(f"  {s.iso3} {s.start_date}–{s.end_date}: {s.summary}")


@app.command("worksheet")
def worksheet(
    ctx: typer.Context,
    item_id: Annotated[int, typer.Argument(help="The stored item's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show the latest Rabat worksheet of an item, or a pre-filled one if none is saved.

    Example: `tocsin speech worksheet 42 --json`
    """
    from tocsin.speech import list_rabat_assessments, prefill_stored_worksheet, suggest_decision
    from tocsin.store import Database

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    with db.session() as session:
        saved = list_rabat_assessments(session, item_id)
        if saved:
            sheet = saved[-1].worksheet
        else:
            try:
                sheet = prefill_stored_worksheet(session, item_id)
            except LookupError as error:
                raise TocsinError(str(error), fix="see `tocsin speech import`") from error
    payload = sheet.model_dump(mode="json")
    suggestion = suggest_decision(sheet)
    payload["suggested_decision"] = suggestion.value if suggestion else None
    if as_json:
        print_json(payload)
        return
    for name in ("context", "speaker", "intent", "content_form", "extent", "likelihood"):
        part = payload[name]
        rating = part["rating"] if part["rating"] is not None else "—"
        stdout.print(f"{name:<13} {rating}  {part['evidence']}")
    stdout.print(f"decision: {payload['decision'] or 'not decided'}")


def register(root: typer.Typer) -> None:
    """Add the `speech` commands to the root CLI."""
    root.add_typer(app, name="speech")
