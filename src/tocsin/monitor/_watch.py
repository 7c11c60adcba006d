"""One watch cycle: fetch → import → detect → alert, under the watch's lock.

:func:`run_watch_cycle` is the use case `tocsin monitor watch` runs on its schedule; it calls
the capabilities' own functions (the connectors' :func:`sync_sources`, the events
capability's :func:`~tocsin.events.import_event_file` and
:func:`~tocsin.events.run_monitoring_pass`, the speech capability's
:func:`~tocsin.speech.record_speech_surges`, the alerts capability's
:func:`~tocsin.alerts.evaluate_alerts` and :func:`~tocsin.alerts.raise_stale_data_alerts`),
never the CLI. A source that is down is recorded and the cycle goes on with the others; a
step that fails is recorded and the later steps still run, so one broken feed never stops
the alerts of the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tocsin.settings import Settings
from tocsin.store import Database

__all__ = ["STALE_DATA_RULE", "WatchCycle", "ensure_stale_data_rule", "run_watch_cycle"]

Log = Callable[..., None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WatchCycle:
    """What one cycle did. ``ran`` is False when another watch held the lock (``held_by``)."""

    ran: bool
    started_at: datetime
    finished_at: datetime | None = None
    held_by: str | None = None
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    n_new_events: int = 0
    n_detection_signals: int | None = None
    data_end: str | None = None
    n_speech_surge_signals: int | None = None
    alerts: dict[str, int] = field(default_factory=dict)
    stale_sources: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The cycle as JSON-ready values (for the log, /health and the data page)."""
        return {
            "ran": self.ran,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "held_by": self.held_by,
            "sources": self.sources,
            "files": self.files,
            "n_new_events": self.n_new_events,
            "n_detection_signals": self.n_detection_signals,
            "data_end": self.data_end,
            "n_speech_surge_signals": self.n_speech_surge_signals,
            "alerts": self.alerts,
            "stale_sources": self.stale_sources,
            "errors": self.errors,
        }


def _failure(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def run_watch_cycle(
    db: Database,
    settings: Settings,
    *,
    owner: str,
    clock: Callable[[], datetime] = _utc_now,
    event_files: Sequence[Path] = (),
    event_format: str = "ucdp",
    speech: bool = True,
    log: Log | None = None,
    client: Any = None,
) -> WatchCycle:
    """Run one cycle, unless another watch is running one (then nothing is done).

    Steps, each recorded in the returned :class:`WatchCycle` and in the database (the data
    page and ``/health`` show the last cycle):

    1. the connectors named in ``settings.monitor.sources`` fetch what is new (each
       source on its own: one that is down is an entry of ``errors``, not the end);
    2. ``event_files`` are imported again (imports are idempotent: an unchanged file adds
       nothing);
    3. when events arrived (or files are watched), escalation is detected on every
       stored event and its Signals recorded;
    4. when speech items are stored, their surges become Signals;
    5. the alert rules are evaluated on the Signals;
    6. sources that have not brought data within their expected time raise the
       ``stale_data`` rules' alerts.

    The lock is renewed between steps; its lease (``settings.monitor.lock_seconds``) frees
    it if this process dies mid-cycle.
    """
    from tocsin.monitor._state import hold_watch_lock, read_watch_state, record_watch_cycle

    say: Log = log or (lambda event, **fields: None)
    lease = timedelta(seconds=settings.monitor.lock_seconds)
    started = clock()
    cycle = WatchCycle(ran=True, started_at=started)
    with hold_watch_lock(db, owner, lease=lease, now=started) as lock:
        if lock is None:
            with db.session() as session:
                state = read_watch_state(session)
            cycle.ran, cycle.held_by = False, state.owner if state else None
            cycle.finished_at = clock()
            say("cycle_skipped", held_by=cycle.held_by)
            return cycle

        def step(name: str, run: Callable[[], None]) -> None:
            try:
                run()
            except Exception as error:  # one failing step must not stop the others
                cycle.errors.append(f"{name}: {_failure(error)}")
                say("step_failed", step=name, error=_failure(error))
            lock.renew(clock())

        step("fetch", lambda: _fetch(db, settings, cycle, clock=clock, say=say, client=client))
        step(
            "files",
            lambda: _import_files(db, event_files, event_format, cycle, clock=clock, say=say),
        )
        if cycle.n_new_events or event_files:
            step("detect", lambda: _detect(db, cycle, clock=clock))
        if speech:
            step("speech", lambda: _speech(db, cycle, clock=clock))
        step("alerts", lambda: _alerts(db, settings, cycle, clock=clock))
        step("stale", lambda: _stale(db, settings, cycle, clock=clock, say=say))
        cycle.finished_at = clock()
        record_watch_cycle(
            db,
            started_at=started,
            finished_at=cycle.finished_at,
            result=cycle.summary(),
            error="; ".join(cycle.errors) or None,
        )
    return cycle


def _fetch(
    db: Database,
    settings: Settings,
    cycle: WatchCycle,
    *,
    clock: Callable[[], datetime],
    say: Log,
    client: Any,
) -> None:
    if not settings.monitor.sources:
        return
    from tocsin.monitor._connectors import sync_source

    for name in settings.monitor.sources:
        try:
            result = sync_source(db, name, settings, now=clock(), client=client)
        except Exception as error:  # a source down is news for the data page, not a crash
            cycle.sources[name] = {"error": _failure(error)}
            cycle.errors.append(f"{name}: {_failure(error)}")
            say("fetch_failed", source=name, error=_failure(error))
            continue
        summary = result.to_dict()
        cycle.sources[name] = summary
        cycle.n_new_events += int(summary.get("n_new_events", 0) or 0)
        if summary.get("error"):
            cycle.errors.append(f"{name}: {summary['error']}")
        say("fetched", **summary)


def _import_files(
    db: Database,
    paths: Sequence[Path],
    fmt: str,
    cycle: WatchCycle,
    *,
    clock: Callable[[], datetime],
    say: Log,
) -> None:
    from tocsin.events import import_event_file
    from tocsin.store import read_user_file

    for path in paths:
        summary = import_event_file(
            db, read_user_file(path), fmt, file_name=str(path), now=clock()
        ).to_dict()
        cycle.files.append({"file": str(path), **summary})
        cycle.n_new_events += int(summary.get("n_added", 0)) + int(summary.get("n_updated", 0))
        say("ingest", file=str(path), summary=summary)


def _detect(db: Database, cycle: WatchCycle, *, clock: Callable[[], datetime]) -> None:
    from tocsin.events import run_monitoring_pass
    from tocsin.incidents import non_public_report_events

    detected = run_monitoring_pass(db, now=clock(), internal_events=non_public_report_events)
    cycle.n_detection_signals = len(detected.signal_ids)
    cycle.data_end = detected.data_end.isoformat()


def _speech(db: Database, cycle: WatchCycle, *, clock: Callable[[], datetime]) -> None:
    from tocsin.speech import count_speech_items, record_speech_surges

    with db.session() as session:
        if count_speech_items(session) == 0:
            return
    cycle.n_speech_surge_signals = len(record_speech_surges(db, now=clock()))


def _alerts(
    db: Database, settings: Settings, cycle: WatchCycle, *, clock: Callable[[], datetime]
) -> None:
    from tocsin.alerts import evaluate_alerts

    report = evaluate_alerts(db, now=clock(), base_url=settings.alert_base_url())
    cycle.alerts = {
        "n_created": len(report.created),
        "n_merged": len(report.merged),
        "n_escalated": len(report.escalated),
        "n_queued": report.n_queued,
    }


def _stale(
    db: Database,
    settings: Settings,
    cycle: WatchCycle,
    *,
    clock: Callable[[], datetime],
    say: Log,
) -> None:
    if not settings.monitor.sources:
        return
    from tocsin.alerts import StaleFeed, raise_stale_data_alerts
    from tocsin.monitor._sync import stale_sources

    now = clock()
    stale = stale_sources(db, now=now, names=settings.monitor.sources)
    cycle.stale_sources = [s.source for s in stale]
    if not stale:
        return
    feeds = [StaleFeed(s.source, s.last_update, s.expected_every) for s in stale]
    report = raise_stale_data_alerts(
        db,
        feeds,
        countries=settings.monitor.countries,
        now=now,
        base_url=settings.alert_base_url(),
    )
    cycle.alerts["n_stale_created"] = len(report.created)
    cycle.alerts["n_queued"] = cycle.alerts.get("n_queued", 0) + report.n_queued
    say("stale_data", sources=cycle.stale_sources, n_alerts=len(report.created))


STALE_DATA_RULE = "Stale data"


def ensure_stale_data_rule(db: Database, *, now: datetime) -> bool:
    """Add the default ``stale_data`` rule unless some rule of that kind exists (removed
    rules included: a user who removed it meant it). True if it was added.

    Its alerts go to the countries the watch monitors (``TOCSIN_MONITOR_COUNTRIES``); with
    none, a stale source raises nothing but its entry on the data page and ``/health``.
    """
    from tocsin.alerts import RuleCreate, StaleData, add_rule, list_rules

    with db.session() as session:
        if any(isinstance(r.condition, StaleData) for r in list_rules(session, removed=True)):
            return False
        add_rule(
            session,
            RuleCreate(
                name=STALE_DATA_RULE,
                description="A monitored source has not brought new data in its expected time: "
                "what Tocsin shows of the countries it covers is out of date.",
                condition=StaleData(),
                cooldown_hours=24,
            ),
            now=now,
            actor="monitor.watch",
        )
    return True
