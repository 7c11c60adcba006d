"""`tocsin speech`: import, score, classify, train and evaluate; surges and Rabat worksheets.

Raw texts never go to logs or to stderr; `score` writes them out only with `--keep-text`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from tocsin.cli._common import print_json, progress, state, stderr, stdout
from tocsin.errors import TocsinError

app = typer.Typer(
    name="speech",
    help="Hate speech and incitement monitoring: import, score, train, evaluate, surges.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
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
        parse_feed,
        read_csv_items,
        read_jsonl_items,
    )
    from tocsin.store import Database, import_speech_items

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
        text = content.decode("utf-8-sig")
        import io

        stream = io.StringIO(text, newline="")
        if kind == "csv":
            items = read_csv_items(stream, mapping, path=source, delimiter=delimiter)
        else:
            items = read_jsonl_items(stream, mapping, path=source)
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
    try:
        return path.read_bytes()
    except OSError as error:
        raise TocsinError(f"cannot read {path}: {error.strerror}", fix="check the path") from error


def _load_model(model: Path | None) -> Any:
    from tocsin.speech import load_classifier, load_default_classifier

    return load_classifier(model) if model else load_default_classifier()


def _chunks(path: Path, text_column: str, size: int) -> Iterator[pd.DataFrame]:
    if path.suffix in {".jsonl", ".ndjson"}:
        yield from pd.read_json(path, lines=True, chunksize=size, dtype=False)
    else:
        yield from pd.read_csv(path, chunksize=size, dtype=str, keep_default_na=False)


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
) -> None:
    """Score every text of a file, streaming in batches, and write the scores.

    Columns: the input's own (text dropped unless `--keep-text`), then hateful, offensive,
    neither, label, violence, dehumanisation, counter_speech, target_groups, language,
    stage, is_flagged and flag_strength.

    Example: `tocsin speech score posts.csv --format jsonl -o scores.jsonl`
    """
    from tocsin.speech import UseEmbedder, score_partition

    if out_format not in {"csv", "jsonl"}:
        raise TocsinError(f"unknown output format {out_format!r}", fix="use csv or jsonl")
    if not path.is_file():
        raise TocsinError(f"no file {path}", fix="check the path")
    classifier = _load_model(model)
    embedder = None if fast else UseEmbedder()
    sink = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    n_rows, n_flagged, first = 0, 0, True
    try:
        chunks = _chunks(path, text_column, chunk_size)
        for chunk in progress(chunks, total=None, description="Scoring", quiet=state(ctx).quiet):
            if text_column not in chunk.columns:
                raise TocsinError(
                    f"{path}: no column {text_column!r}",
                    fix=f"pass --text-column, one of {', '.join(map(str, chunk.columns))}",
                )
            scored = score_partition(
                chunk, classifier, text_column=text_column, embedder=embedder, keep_text=keep_text
            )
            if out_format == "csv":
                scored.to_csv(sink, header=first, index=False)
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
    from tocsin.speech import UseEmbedder, load_default_classifier
    from tocsin.store import Database, list_speech_items, record_speech_scores

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


def _embeddings(
    frame: pd.DataFrame, sha256: str, cache: Path | None, quiet: bool
) -> np.ndarray[Any, Any]:
    from tocsin.speech import UseEmbedder

    embedder = UseEmbedder()
    target = cache / f"{sha256[:16]}-{embedder.name}.npy" if cache else None
    if target is not None and target.is_file():
        loaded: np.ndarray[Any, Any] = np.load(target)
        if len(loaded) == len(frame):
            return loaded
    texts = frame["text"].tolist()
    parts = [
        embedder.embed(texts[i : i + 256])
        for i in progress(
            range(0, len(texts), 256), total=None, description="Embedding", quiet=quiet
        )
    ]
    values = np.vstack(parts)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        np.save(target, values)
    return values


def _corpora(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    from tocsin.speech import (
        DAVIDSON_FILE,
        GERMEVAL_FILE,
        file_sha256,
        read_davidson,
        read_germeval,
    )

    paths = {"davidson": data / DAVIDSON_FILE, "germeval": data / GERMEVAL_FILE}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise TocsinError(
            f"training data not found: {', '.join(missing)}",
            fix="pass --data DIR (the shared data/speech folder on a developer machine)",
        )
    card = {name: {"file": path.name, "sha256": file_sha256(path)} for name, path in paths.items()}
    return read_davidson(paths["davidson"]), read_germeval(paths["germeval"]), card


DataOption = Annotated[
    Path, typer.Option("--data", help="Folder with the Davidson and GermEval files.")
]
CacheOption = Annotated[
    Path | None,
    typer.Option("--embedding-cache", help="Folder to keep and reuse training embeddings."),
]


@app.command("train")
def train(
    ctx: typer.Context,
    data: DataOption = DEFAULT_DATA,
    seed: Annotated[int, typer.Option(help="Seed of every split.")] = 42,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write (default: the packaged model)."),
    ] = None,
    no_embeddings: Annotated[
        bool, typer.Option("--no-embeddings", help="Fast path only: no embedding stage.")
    ] = False,
    embedding_cache: CacheOption = None,
) -> None:
    """Train the classifier from the shared data (same data and seed give the same model).

    Leaves Davidson's 10 % hold-out out of training. Embedding the ~39,000 training texts
    takes about ten minutes on 2 cores; `--embedding-cache` keeps them for the next run.

    Example: `tocsin speech train --data ../shared/data/speech --embedding-cache /tmp/emb`
    """
    from importlib import resources

    from tocsin.speech import DEFAULT_MODEL_FILE, classifier_bytes, train_classifier

    davidson, germeval, card = _corpora(data)
    quiet = state(ctx).quiet
    dav_e = ger_e = None
    if not no_embeddings:
        dav_e = _embeddings(davidson, card["davidson"]["sha256"], embedding_cache, quiet)
        ger_e = _embeddings(germeval, card["germeval"]["sha256"], embedding_cache, quiet)
    classifier = train_classifier(
        davidson,
        germeval,
        davidson_embeddings=dav_e,
        germeval_embeddings=ger_e,
        random_state=seed,
        data_card=card,
    )
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
    ctx: typer.Context,
    data: DataOption = DEFAULT_DATA,
    model: Annotated[
        Path | None, typer.Option(help="A classifier from `speech train --output`.")
    ] = None,
    fast: Annotated[
        bool, typer.Option("--fast", help="Fast path only (no embedding model).")
    ] = False,
    embedding_cache: CacheOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")] = False,
) -> None:
    """Accuracy figures with their baselines and targets: Davidson hold-out, GermEval 5-fold
    cross-validation, and the hand-written cases (counter-speech must not be flagged).

    Example: `tocsin speech evaluate --json --embedding-cache /tmp/emb`
    """
    from tocsin.speech import (
        BASELINES,
        SHORTFALL_REASONS,
        TARGETS,
        UseEmbedder,
        cross_validate_germeval,
        evaluate_cases,
        evaluate_davidson_holdout,
        load_cases,
    )

    classifier = _load_model(model)
    davidson, germeval, card = _corpora(data)
    embedder = None if fast else UseEmbedder()
    quiet = state(ctx).quiet
    holdout = evaluate_davidson_holdout(
        classifier, davidson, embedder=embedder, routes=("fast", "auto", "embedding")
    )
    ger_e = (
        None if fast else _embeddings(germeval, card["germeval"]["sha256"], embedding_cache, quiet)
    )
    germeval_cv = cross_validate_germeval(germeval, embeddings=ger_e)
    cases = evaluate_cases(classifier, load_cases(), embedder=embedder)
    best = holdout.get("auto", holdout["fast"])
    ger_best = germeval_cv.get("auto", germeval_cv["fast"])
    shortfall = {
        "davidson_macro_f1": round(best["macro_f1"] - TARGETS["davidson_macro_f1"], 3),
        "davidson_hate_f1": round(best["hate_f1"] - TARGETS["davidson_hate_f1"], 3),
        "germeval_violent_f1": round(ger_best["violent_f1"] - TARGETS["germeval_violent_f1"], 3),
    }
    result = {
        "model": classifier.card_.get("version"),
        "data": card,
        "targets": TARGETS,
        "difference_from_target": shortfall,
        "targets_met": all(gap >= 0 for gap in shortfall.values()),
        "why_short": {k: SHORTFALL_REASONS[k] for k, gap in shortfall.items() if gap < 0},
        "baselines": BASELINES,
        "davidson_holdout": holdout,
        "germeval_cv": germeval_cv,
        "cases": cases,
    }
    if as_json:
        print_json(result)
        return
    stdout.print(f"Model {result['model']}")
    for route in ("fast", "auto", "embedding"):
        if route in holdout:
            f = holdout[route]
            stdout.print(
                f"Davidson hold-out ({route}): macro-F1 {f['macro_f1']:.3f}, "
                f"hate F1 {f['hate_f1']:.3f}"
            )
    for route in ("fast", "embedding", "auto"):
        if route in germeval_cv:
            stdout.print(
                f"GermEval 5-fold ({route}): violent F1 {germeval_cv[route]['violent_f1']:.3f}"
            )
    stdout.print(
        f"Cases: harmful recall {cases['harmful_recall']:.2f}, counter-speech flagged "
        f"{cases['counter_speech_false_flag_rate']:.2f}"
    )
    stdout.print("Difference from targets: " + json.dumps(shortfall))
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
    from tocsin.speech import daily_flag_counts, detect_surges, surge_signals
    from tocsin.store import Database, list_speech_scores, record_signals

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    from tocsin.speech import load_default_classifier

    version = load_default_classifier().card_["version"]
    with db.session() as session:
        scores = list_speech_scores(session, model_version=version)
    frame = pd.DataFrame(
        {
            "iso3": [s.iso3 for s in scores],
            "published_date": [s.published_date for s in scores],
            "is_flagged": [s.is_flagged for s in scores],
            "target_groups": [";".join(s.target_groups) for s in scores],
        }
    )
    found = (
        detect_surges(daily_flag_counts(frame), window_days=window_days, alpha=alpha)
        if len(frame)
        else pd.DataFrame()
    )
    signals = (
        surge_signals(found, producer=f"speech-surge@poisson-{window_days}d") if len(found) else []
    )
    if emit and signals:
        with db.session() as session:
            record_signals(session, signals, now=_now())
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
    from tocsin.domain import SignalKind
    from tocsin.speech import load_default_classifier, prefill_worksheet, suggest_decision
    from tocsin.store import (
        Database,
        list_rabat_assessments,
        list_signals,
        list_speech_items,
        list_speech_scores,
    )

    db = Database.from_settings(state(ctx).settings)
    db.require_current()
    version = load_default_classifier().card_["version"]
    with db.session() as session:
        found = list_speech_items(session, ids=[item_id])
        if not found:
            raise TocsinError(f"no speech item {item_id}", fix="see `tocsin speech import`")
        stored = found[0]
        saved = list_rabat_assessments(session, item_id)
        if saved:
            sheet = saved[-1].worksheet
        else:
            scores = [
                s
                for s in list_speech_scores(session, model_version=version)
                if s.item_id == item_id
            ]
            kinds = [k for k in SignalKind if k is not SignalKind.SPEECH_SURGE]
            signals = (
                list_signals(session, iso3=stored.item.iso3, kinds=kinds)
                if stored.item.iso3
                else []
            )
            sheet = prefill_worksheet(
                item_id,
                stored.item,
                scores=scores[0].scores if scores else {},
                target_groups=scores[0].target_groups if scores else [],
                country_signals=signals,
                today=stored.item.published_date or date.today(),
            )
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
