"""`tocsin monitor watch`, `sync` and `status`: live monitoring (issue 17).

`tocsin monitor` belongs to the events CLI (tocsin.cli._events), which registers these
commands under it, so that the lazily loaded `monitor` group has them.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from tocsin.cli._alerts import _database, _stop_on_signals
from tocsin.cli._common import print_json, state, stdout

__all__ = ["status_command", "sync_command", "watch_command"]

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _now() -> datetime:
    return datetime.now(UTC)


def watch_command(
    ctx: typer.Context,
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            help="How often to run a cycle, e.g. 15m or 1h (default: TOCSIN_MONITOR_EVERY).",
        ),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="Connector to fetch each cycle (ucdp_ged, ucdp_candidate, acled, gdelt, "
            "reliefweb); repeat. Default: TOCSIN_MONITOR_SOURCES.",
        ),
    ] = None,
    events: Annotated[
        list[Path] | None, typer.Option("--events", help="Event file to (re-)import each cycle.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Format of --events files.")] = "ucdp",
    health_port: Annotated[int, typer.Option(help="Port of GET /health (0: any).")] = 8765,
    max_passes: Annotated[int | None, typer.Option(help="Stop after this many cycles.")] = None,
    speech: Annotated[
        bool, typer.Option("--speech/--no-speech", help="Look for speech surges each cycle.")
    ] = True,
) -> None:
    """Keep the picture current: fetch, import, detect, alert, on a schedule.

    Each cycle the connectors fetch only what is new from their sources (TOCSIN_MONITOR_SOURCES
    or --source), the --events files are imported again (imports are idempotent), escalation
    is detected when events arrived, the surges of flagged speech items become Signals, the
    alert rules are evaluated, and a source that has not brought data in its expected time
    raises the `stale_data` rules' alerts (a default rule is added the first time). Between
    cycles, the alert outbox is delivered and failed deliveries retried. A source that is
    down is logged and shown on /health and the data page; the watch goes on.

    Only one cycle runs at a time, across every watch on the database (a lease in the
    database, renewed during the cycle: a crashed watch frees it after
    TOCSIN_MONITOR_LOCK_SECONDS).

    Logs are JSON lines on stderr; GET http://127.0.0.1:PORT/health reports the last cycle.

    Example: `tocsin monitor watch --every 15m --source gdelt --source ucdp_candidate`
    """
    from tocsin.alerts import (
        Health,
        JsonLog,
        alert_outbox_counts,
        delivery_config,
        drain_outbox,
        health_server,
        parse_duration,
        watch_loop,
    )
    from tocsin.monitor import ensure_stale_data_rule, run_watch_cycle

    settings = state(ctx).settings
    if source:
        settings = settings.model_copy(
            update={"monitor": settings.monitor.model_copy(update={"sources": list(source)})}
        )
    every = every or settings.monitor.every
    period = parse_duration(every)
    db = _database(ctx)
    log = JsonLog(sys.stderr, component="monitor.watch")
    stop = _stop_on_signals()
    health = Health(period)
    worker = f"{os.uname().nodename}:{os.getpid()}"
    if settings.monitor.sources and ensure_stale_data_rule(db, now=_now()):
        log("rule_added", rule="Stale data", condition="stale_data")

    def step() -> dict[str, Any]:
        cycle = run_watch_cycle(
            db,
            settings,
            owner=worker,
            event_files=list(events or []),
            event_format=fmt,
            speech=speech,
            log=log,
        )
        result = cycle.summary()
        with db.session() as session:
            result["outbox"] = alert_outbox_counts(session)
        if cycle.errors:
            # shown by /health as the last error, while the cycle's results stay visible
            result["errors"] = cycle.errors
        return result

    def deliver() -> None:
        drain_outbox(db, delivery_config(settings.alerts), worker=worker, log=log)

    with health_server(health, health_port) as port:
        log(
            "watch_started",
            every=every,
            sources=settings.monitor.sources,
            health=f"http://127.0.0.1:{port}/health",
        )
        watch_loop(
            step,
            every=period,
            stop=stop,
            health=health,
            log=log,
            between=deliver,
            max_passes=max_passes,
        )
    log("watch_stopped", n_passes=health.n_passes)


def sync_command(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Argument(
            help="Connectors to fetch now (ucdp_ged, ucdp_candidate, acled, gdelt, "
            "reliefweb). Default: TOCSIN_MONITOR_SOURCES."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Fetch what is new from sources once, and import it (no detection, no alerts).

    What `tocsin monitor watch` does first in each cycle; the next sync fetches only what
    is newer. A failed or corrupt download changes nothing stored.

    Example: `tocsin monitor sync gdelt`
    """
    from tocsin.errors import TocsinError
    from tocsin.monitor import sync_source

    settings = state(ctx).settings
    names = list(source or settings.monitor.sources)
    if not names:
        raise TocsinError(
            "no source to fetch",
            fix="name one (e.g. `tocsin monitor sync gdelt`) or set TOCSIN_MONITOR_SOURCES",
        )
    db = _database(ctx)
    results = {}
    for name in names:
        results[name] = sync_source(db, name, settings, now=_now()).to_dict()
    if as_json:
        print_json(results)
        return
    for name, result in results.items():
        stdout.print(f"{name}: {result}")


def status_command(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Say how current the monitored data is: the watch's last cycle and each source.

    Example: `tocsin monitor status`
    """
    from tocsin.monitor import monitor_status

    db = _database(ctx)
    status = monitor_status(db, now=_now())
    if as_json:
        print_json(status)
        return
    watch = status["watch"]
    if watch is None:
        stdout.print("No watch has run on this database (start one: tocsin monitor watch).")
    else:
        stdout.print(
            f"watch: last cycle {watch['last_started_at']} to {watch['last_finished_at']}"
            + (f"; running now ({watch['owner']})" if watch["running"] else "")
        )
        if watch["last_error"]:
            stdout.print(f"  errors: {watch['last_error']}")
    for row in status["sources"]:
        flag = "STALE" if row["stale"] else "ok"
        stdout.print(
            f"{row['source']}: {flag}; last new data {row['last_new_data_at'] or 'never'}; "
            f"data up to {row['data_end'] or '?'}; expected every {row['expected_every']}"
            + (f"; last error: {row['last_error']}" if row["last_error"] else "")
        )
