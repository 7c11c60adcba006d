"""The monitoring pass, a use case of the events capability: stored events to Signals.

One function (:func:`run_monitoring_pass`) that ``tocsin monitor run``, the watch loop
(``tocsin monitor watch``) and any worker call, so they all detect and record the same way;
and :func:`import_event_file`, the ingest step they share. I/O at the capability's edge:
the events are read from and the Signals written to the store; the analysis
(:func:`escalation_risks`, :func:`escalation_signals`, :func:`event_signals`) is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from tocsin.errors import TocsinError
from tocsin.events._escalation import EscalationDetector, default_alarm_risk
from tocsin.events._mapping import ColumnMapping
from tocsin.events._readers import parse_events
from tocsin.events._signals import (
    data_end_note,
    escalation_risks,
    escalation_signals,
    event_signals,
)
from tocsin.events._store import EventImportSummary, import_events, load_analysis_frame
from tocsin.store import Database, record_signals

__all__ = ["MonitoringPass", "import_event_file", "run_monitoring_pass"]


@dataclass(frozen=True)
class MonitoringPass:
    """What one monitoring pass found and recorded."""

    risks: pd.DataFrame  # one row per area: its latest week's surge risk, highest first
    signal_ids: list[int]  # the escalation and trigger-event Signals recorded
    data_end: date  # the newest event's start date: the data the Signals rest on
    stale_note: str  # "" if the data are recent, else what the Signals' summaries say
    min_risk: float  # the escalation Signals' level: areas at this risk or above have one

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_note)


def run_monitoring_pass(
    db: Database,
    *,
    now: datetime,
    min_risk: float | None = None,
    internal_events: Callable[[Session], Collection[str]] | None = None,
) -> MonitoringPass:
    """Detect escalation on every stored event and record the Signals, in one transaction.

    Escalation Signals for areas whose risk is at least ``min_risk`` (each with the end
    date of its data; by default the packaged detector's alarm level,
    :func:`default_alarm_risk`: one false alarm per area-year on its training rows), and
    trigger-event Signals for the last four weeks of data. ``internal_events`` gives the
    uids of events that are not public (those of internal incident reports:
    ``tocsin.incidents.hidden_events_of_reports``); a trigger-event Signal resting on one
    is recorded as internal.
    """
    if min_risk is None:
        min_risk = default_alarm_risk()
    with db.session() as session:
        frame = load_analysis_frame(session)
        if frame.empty:
            raise TocsinError("no events in the database", fix="run `tocsin events import` first")
        risks = escalation_risks(frame, EscalationDetector.default())
        last = pd.Timestamp(frame["start_date"].max()).date()
        signals = escalation_signals(risks, min_risk=min_risk, data_end=last, raised=now.date())
        internal = internal_events(session) if internal_events is not None else ()
        signals += event_signals(frame, since=last - timedelta(days=27), internal_uids=internal)
        ids = record_signals(session, signals, now=now)
    return MonitoringPass(
        risks=risks,
        signal_ids=ids,
        data_end=last,
        stale_note=data_end_note(last, now.date()),
        min_risk=min_risk,
    )


def import_event_file(
    db: Database,
    data: bytes,
    fmt: str,
    *,
    file_name: str,
    now: datetime,
    mapping: ColumnMapping | None = None,
) -> EventImportSummary:
    """Parse and store one event file whole, atomically and idempotently.

    A file with bad rows is refused whole (:class:`~tocsin.errors.DataFileError`, every
    row listed) and nothing is stored; the same file again adds nothing.
    """
    parsed = parse_events(data, fmt, file_name=file_name, mapping=mapping)
    with db.session() as session:
        return import_events(session, parsed, now=now)
