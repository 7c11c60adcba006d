"""What a caller may see of incident reports: one function, so that pages, API, exports
and search all apply the same rule (the permissions themselves are in the one table,
:data:`tocsin.web.PERMISSIONS`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tocsin.incidents._store import ReportVisibility, hidden_events_of_reports

if TYPE_CHECKING:
    from tocsin.web import Principal


def report_visibility(principal: Principal) -> ReportVisibility:
    """Which incident reports this caller may see.

    Monitors see only their own; reviewers public and internal ones; viewers public
    ones; analysts and admins all. Without ``report:read`` (e.g. a token lacking the
    scope) nothing.
    """
    if not principal.can("report:read"):
        return ReportVisibility(sensitivities=())
    role = principal.user.role
    if role == "monitor":
        return ReportVisibility(owner_id=principal.user.id)
    if role == "reviewer":
        return ReportVisibility(sensitivities=("public", "internal"))
    if role == "viewer":
        return ReportVisibility(sensitivities=("public",))
    return ReportVisibility()


def hidden_report_events(
    session: Session, principal: Principal, *, iso3: str | None = None
) -> frozenset[str]:
    """Uids of the events (``tocsin.events``) this caller may not see: those made from
    internal reports that :func:`report_visibility` hides from them (of one country, or
    all). Every read of events for a caller leaves these out (``hidden=``)."""
    return hidden_events_of_reports(session, visibility=report_visibility(principal), iso3=iso3)


def non_public_report_events(session: Session) -> frozenset[str]:
    """Uids of every event made from a report that is not public (what a reader of public
    reports does not see): Signals resting on them are not public either (the monitoring
    pass's ``internal_events``)."""
    return hidden_events_of_reports(session, visibility=ReportVisibility(sensitivities=("public",)))
