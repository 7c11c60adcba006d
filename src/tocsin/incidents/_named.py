"""Reports with their owners' names: the owners are accounts of the web slice, whose
names it gives through :func:`tocsin.web.usernames` (its tables are never read here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tocsin.incidents._store import (
    IncidentReportCreate,
    ReportVisibility,
    StoredIncidentReport,
    get_incident_report,
    list_incident_reports,
    save_incident_report,
)
from tocsin.web import get_user, usernames


def _named(session: Session, reports: list[StoredIncidentReport]) -> list[StoredIncidentReport]:
    names = usernames(session, {r.owner_id for r in reports})
    return [replace(r, owner_username=names.get(r.owner_id, "")) for r in reports]


def save_named_report(
    session: Session, report: IncidentReportCreate, *, now: datetime
) -> tuple[StoredIncidentReport, bool]:
    """:func:`save_incident_report`, for an existing user, with the owner's name."""
    if get_user(session, report.owner_id) is None:
        raise LookupError(f"no user {report.owner_id}")
    stored, is_new = save_incident_report(session, report, now=now)
    return _named(session, [stored])[0], is_new


def get_named_report(
    session: Session, public_id: str, *, visibility: ReportVisibility
) -> StoredIncidentReport | None:
    """:func:`get_incident_report`, with the owner's name."""
    found = get_incident_report(session, public_id, visibility=visibility)
    return _named(session, [found])[0] if found is not None else None


def list_named_reports(
    session: Session, *, visibility: ReportVisibility, **filters: Any
) -> tuple[list[StoredIncidentReport], int]:
    """:func:`list_incident_reports`, with the owners' names."""
    reports, total = list_incident_reports(session, visibility=visibility, **filters)
    return _named(session, reports), total
