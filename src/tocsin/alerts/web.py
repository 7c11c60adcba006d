"""Alerts in the web app: the signed-in user's inbox (page ``/alerts`` with its JSON twin,
and ``/api/v1/alerts/inbox``), the team-wide API ``/api/v1/alerts`` (list, show,
acknowledge, act on, dismiss; rules) and the public feeds ``/alerts/feed.cap`` and
``/alerts/feed.atom``.

The web app plugs it in with :func:`include_alerts`. It uses the web app's own
dependencies (database session per request, signed-in caller, permissions), so access
rules stay in one place:

- reading needs ``signals:read``; each alert shows only the Signals of the reader's
  clearance, and alerts resting on non-public evidence are not shown to viewers;
- the inbox holds only the alerts routed to the caller (a recipient linked to their
  username), for every role, admins included; an alert not routed to them is a 404;
- acknowledging, acting on and dismissing need ``alert:respond`` (analysts, reviewers,
  admins; API tokens need the ``alerts:write`` scope); managing rules needs that and the
  analyst or admin role;
- the feeds are public and carry only alerts whose evidence is all public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from jinja2 import ChoiceLoader, FileSystemLoader
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tocsin.alerts._config import AlertSettings
from tocsin.alerts._content import AlertPublic
from tocsin.alerts._lifecycle import AlertLifecycleError
from tocsin.alerts._rules import Rule, RuleCreate
from tocsin.alerts._service import (
    AlertNotFoundError,
    Inbox,
    add_rule,
    alert_details,
    alerts_feed,
    change_alert_status,
    inbox_alert,
    list_alert_details,
    list_rules,
    remove_rule,
    respond_in_inbox,
    user_inbox,
)
from tocsin.alerts._store import list_alerts
from tocsin.errors import TocsinError
from tocsin.store import audit
from tocsin.web import (
    ContextDep,
    CountrySection,
    NavItem,
    Principal,
    Requires,
    SectionLink,
    SectionTable,
    SessionDep,
    add_capability,
    allowed_sensitivities,
    check_csrf,
    page,
    register_country_section,
)

# The HTML/JSON twin renderer of the web app (same base template, menu and CSRF token), as
# docs/web.md tells capabilities that add pages to use.

TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["AlertActionIn", "InboxPage", "include_alerts", "router"]

ACTIONS = {"acknowledge": "acknowledged", "act": "acted", "dismiss": "dismissed"}

# Routes plugged in by add_capability do not inherit the app's own dependencies, so the
# CSRF check every state-changing browser request needs (the inbox's forms, the API called
# with a session cookie) is declared here; bearer-token calls pass it, as in the app.
router = APIRouter(tags=["alerts"], dependencies=[Depends(check_csrf)])
Reader = Annotated[Principal, Depends(Requires("signals:read"))]
# Responding is a permission (alert:respond) so that an API token needs the alerts:write
# scope for it: a token made to read cannot change an alert.
Responder = Annotated[Principal, Depends(Requires("alert:respond"))]


RuleEditor = Annotated[Principal, Depends(Requires("alert:rules"))]


class AlertActionIn(BaseModel):
    """What a response to an alert records."""

    note: str = Field(default="", max_length=2000, description="What was done, or why not.")
    action_ref: str | None = Field(
        default=None, max_length=200, description="The assessment's action, e.g. assess:action:4."
    )


@dataclass(frozen=True)
class LinkSettings:
    """What a request's alerts are written with: where their links point, who signs CAP."""

    base_url: str
    cap_sender: str


def _settings(request: Request, context: ContextDep) -> LinkSettings:
    # Built from the app's settings (not read from the environment per request). Without
    # a configured public address, links point where this page was asked at, so they
    # follow whatever host and port the app is served on. Only the asker sees them:
    # messages to others are written by the alert pass, never from a request's Host.
    alerts: AlertSettings = context.settings.alerts
    base_url = alerts.base_url or str(request.base_url).rstrip("/")
    return LinkSettings(base_url=base_url, cap_sender=alerts.cap_sender)


SettingsDep = Annotated[LinkSettings, Depends(_settings)]


def _public_settings(context: ContextDep) -> LinkSettings:
    # The public feeds are read by anyone, and may be kept by caches for others: their
    # links never come from a request's Host header (which the sender writes), only from
    # the configured address or the one the server noted when it started.
    alerts: AlertSettings = context.settings.alerts
    return LinkSettings(base_url=context.settings.alert_base_url(), cap_sender=alerts.cap_sender)


PublicSettingsDep = Annotated[LinkSettings, Depends(_public_settings)]


@router.get("/api/v1/alerts/rules", response_model=list[Rule])
def api_rules(session: SessionDep, _principal: Reader) -> list[Rule]:
    """The alert rules in force."""
    return list_rules(session)


@router.post("/api/v1/alerts/rules", response_model=Rule, status_code=201)
def api_add_rule(rule: RuleCreate, session: SessionDep, principal: RuleEditor) -> Rule:
    """Add a rule (validated: a bad one is refused with 422 naming the field)."""
    try:
        return add_rule(session, rule, now=datetime.now(UTC), actor=principal.actor)
    except TocsinError as error:
        raise HTTPException(422, str(error)) from error


@router.delete("/api/v1/alerts/rules/{rule_id}", status_code=204)
def api_remove_rule(rule_id: int, session: SessionDep, principal: RuleEditor) -> Response:
    """Retire a rule (its alerts stay)."""
    try:
        remove_rule(session, rule_id, now=datetime.now(UTC), actor=principal.actor)
    except AlertNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    return Response(status_code=204)


# --- the caller's inbox (declared before /api/v1/alerts/{alert_id}, which would match
# "inbox" and refuse it as a number) -------------------------------------------------------


def _clearance(principal: Principal) -> tuple[str, ...]:
    return allowed_sensitivities(principal)


def _audit_restricted(session: Session, principal: Principal, alerts: list[AlertPublic]) -> None:
    """Views of alerts that show restricted Signals go to the audit log (who saw what)."""
    if "restricted" not in _clearance(principal):
        return
    seen = [a.id for a in alerts if not a.is_public and a.signals]
    if seen:
        audit(
            session,
            actor=principal.actor,
            action="alerts.view",
            now=datetime.now(UTC),
            target=",".join(f"alert:{i}" for i in seen),
        )


@router.get("/api/v1/alerts/inbox", response_model=Inbox)
def api_inbox(
    session: SessionDep,
    principal: Reader,
    settings: SettingsDep,
    status: Annotated[str | None, Query(pattern="^(new|acknowledged|acted|dismissed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Alerts per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Alerts to skip.")] = 0,
) -> Inbox:
    """Your inbox: the alerts routed to you (by role, country, region or subscription),
    newest first, each with why it fired, its Signals (those you may see), severity,
    policy options and lifecycle. Admins too see only their own here; the team's alerts
    are at ``/api/v1/alerts``."""
    inbox = user_inbox(
        session,
        principal.user.username,
        base_url=settings.base_url,
        sensitivities=_clearance(principal),
        status=status,
        limit=limit,
        offset=offset,
    )
    _audit_restricted(session, principal, inbox.items)
    return inbox


def _inbox_alert(
    session: Session, principal: Principal, alert_id: int, base_url: str
) -> AlertPublic:
    try:
        alert = inbox_alert(
            session,
            principal.user.username,
            alert_id,
            base_url=base_url,
            sensitivities=_clearance(principal),
        )
    except AlertNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    _audit_restricted(session, principal, [alert])
    return alert


@router.get("/api/v1/alerts/inbox/{alert_id:int}", response_model=AlertPublic)
def api_inbox_alert(
    alert_id: int, session: SessionDep, principal: Reader, settings: SettingsDep
) -> AlertPublic:
    """One alert of your inbox (404 if it was not routed to you)."""
    return _inbox_alert(session, principal, alert_id, settings.base_url)


def _respond_in_inbox(
    session: Session,
    principal: Principal,
    alert_id: int,
    action: str,
    body: AlertActionIn,
    settings: LinkSettings,
) -> AlertPublic:
    try:
        return respond_in_inbox(
            session,
            principal.user.username,
            alert_id,
            ACTIONS[action],
            actor=principal.actor,
            now=datetime.now(UTC),
            sensitivities=_clearance(principal),
            base_url=settings.base_url,
            note=body.note,
            action_ref=body.action_ref,
        )
    except AlertNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    except AlertLifecycleError as error:
        raise HTTPException(409, str(error)) from error


@router.post("/api/v1/alerts/inbox/{alert_id:int}/acknowledge", response_model=AlertPublic)
def api_inbox_acknowledge(
    alert_id: int,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
    body: AlertActionIn | None = None,
) -> AlertPublic:
    """Acknowledge an alert of your inbox (stops its escalation)."""
    return _respond_in_inbox(
        session, principal, alert_id, "acknowledge", body or AlertActionIn(), settings
    )


@router.post("/api/v1/alerts/inbox/{alert_id:int}/act", response_model=AlertPublic)
def api_inbox_act(
    alert_id: int, body: AlertActionIn, session: SessionDep, principal: Responder,
    settings: SettingsDep,
) -> AlertPublic:  # fmt: skip
    """Record that an alert of your inbox was acted on: ``note`` says what was done,
    ``action_ref`` may link the assessment's action (``assess:action:12``)."""
    return _respond_in_inbox(session, principal, alert_id, "act", body, settings)


@router.post("/api/v1/alerts/inbox/{alert_id:int}/dismiss", response_model=AlertPublic)
def api_inbox_dismiss(
    alert_id: int, body: AlertActionIn, session: SessionDep, principal: Responder,
    settings: SettingsDep,
) -> AlertPublic:  # fmt: skip
    """Dismiss an alert of your inbox; ``note`` is the reason and is required."""
    return _respond_in_inbox(session, principal, alert_id, "dismiss", body, settings)


@router.get("/api/v1/alerts", response_model=list[AlertPublic])
def api_alerts(
    session: SessionDep,
    principal: Reader,
    settings: SettingsDep,
    status: Annotated[str | None, Query(pattern="^(new|acknowledged|acted|dismissed)$")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AlertPublic]:
    """Alerts, newest first, each with why it fired (its Signals, linked)."""
    found = list_alert_details(
        session,
        base_url=settings.base_url,
        status=status,
        iso3=country,
        public_only=not principal.can("alert:internal"),
        limit=limit,
        sensitivities=_clearance(principal),
    )
    _audit_restricted(session, principal, found)  # the team's list shows them as the inbox does
    return found


@router.get("/api/v1/alerts/{alert_id:int}", response_model=AlertPublic)
def api_alert(
    alert_id: int, session: SessionDep, principal: Reader, settings: SettingsDep
) -> AlertPublic:
    """One alert with its Signals, policy options and history."""
    try:
        alert = alert_details(
            session, alert_id, base_url=settings.base_url, sensitivities=_clearance(principal)
        )
    except AlertNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    if not alert.is_public and not principal.can("alert:internal"):
        raise HTTPException(404, f"no alert {alert_id}")
    _audit_restricted(session, principal, [alert])
    return alert


def _respond(
    session: SessionDep,
    alert_id: int,
    status: str,
    body: AlertActionIn,
    principal: Principal,
    settings: LinkSettings,
) -> AlertPublic:
    try:
        change_alert_status(
            session,
            alert_id,
            status,
            actor=principal.actor,
            now=datetime.now(UTC),
            note=body.note,
            action_ref=body.action_ref,
            base_url=settings.base_url,
        )
    except AlertLifecycleError as error:
        code = 404 if str(error).startswith("no alert") else 409
        raise HTTPException(code, str(error)) from error
    # Answer with what this caller may see (a reviewer is not shown restricted Signals).
    return alert_details(
        session, alert_id, base_url=settings.base_url, sensitivities=_clearance(principal)
    )


@router.post("/api/v1/alerts/{alert_id:int}/acknowledge", response_model=AlertPublic)
def api_acknowledge(
    alert_id: int,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
    body: AlertActionIn | None = None,
) -> AlertPublic:
    """Acknowledge an alert (stops its escalation)."""
    return _respond(session, alert_id, "acknowledged", body or AlertActionIn(), principal, settings)


@router.post("/api/v1/alerts/{alert_id:int}/act", response_model=AlertPublic)
def api_act(
    alert_id: int,
    body: AlertActionIn,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
) -> AlertPublic:
    """Record that the alert was acted on, and what was done."""
    return _respond(session, alert_id, "acted", body, principal, settings)


@router.post("/api/v1/alerts/{alert_id:int}/dismiss", response_model=AlertPublic)
def api_dismiss(
    alert_id: int,
    body: AlertActionIn,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
) -> AlertPublic:
    """Dismiss the alert; ``note`` is the reason and is required."""
    return _respond(session, alert_id, "dismissed", body, principal, settings)


def _feed(session: SessionDep, settings: LinkSettings, fmt: str) -> Response:
    text = alerts_feed(
        session, fmt, base_url=settings.base_url, sender=settings.cap_sender, now=datetime.now(UTC)
    )
    return Response(text, media_type="application/atom+xml; charset=utf-8")


@router.get("/alerts/feed.cap", response_class=Response)
def cap_feed_route(session: SessionDep, settings: PublicSettingsDep) -> Response:
    """Public feed: an Atom feed whose entries each carry a CAP 1.2 alert."""
    return _feed(session, settings, "cap")


@router.get("/alerts/feed.atom", response_class=Response)
def atom_feed_route(session: SessionDep, settings: PublicSettingsDep) -> Response:
    """Public Atom feed of alerts."""
    return _feed(session, settings, "atom")


# --- pages: the inbox and one alert, each with its JSON twin ---------------------------------


class InboxPage(BaseModel):
    """The inbox page: one page of the caller's alerts and what they may do with them."""

    inbox: Inbox
    can_respond: bool
    statuses: list[str]
    previous_offset: int | None
    next_offset: int | None


class AlertPage(BaseModel):
    alert: AlertPublic
    can_respond: bool


@router.get("/alerts", include_in_schema=False)
def inbox_page(
    request: Request,
    session: SessionDep,
    principal: Reader,
    settings: SettingsDep,
    status: Annotated[str | None, Query(pattern="^(new|acknowledged|acted|dismissed|)$")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Your alerts inbox (``/alerts.json`` is its JSON twin)."""
    limit = 20
    inbox = api_inbox(session, principal, settings, status or None, limit, offset)
    data = InboxPage(
        inbox=inbox,
        can_respond=principal.can("alert:respond"),
        statuses=list(ACTIONS.values()),
        previous_offset=max(offset - limit, 0) if offset else None,
        next_offset=offset + limit if offset + limit < inbox.total else None,
    )
    return page(request, "alerts_inbox.html", data, title="Alerts")


@router.get("/alerts/{alert_id:int}", include_in_schema=False)
def alert_page(
    request: Request, alert_id: int, session: SessionDep, principal: Reader, settings: SettingsDep
) -> Response:
    """One alert of your inbox (the link in alert emails), with its JSON twin."""
    alert = _inbox_alert(session, principal, alert_id, settings.base_url)
    data = AlertPage(alert=alert, can_respond=principal.can("alert:respond"))
    return page(request, "alerts_alert.html", data, title=alert.title)


@router.post("/alerts/{alert_id:int}/{action}", include_in_schema=False)
def respond_form(
    request: Request,
    alert_id: int,
    action: str,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
    note: Annotated[str, Form(max_length=2000)] = "",
    action_ref: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """The inbox's buttons (forms with the CSRF token): acknowledge, act, dismiss."""
    if action not in ACTIONS:
        raise HTTPException(404, f"no action {action!r}: use {', '.join(ACTIONS)}")
    body = AlertActionIn(note=note.strip(), action_ref=action_ref.strip() or None)
    alert = _respond_in_inbox(session, principal, alert_id, action, body, settings)
    if getattr(request.state, "want_json", False) or "application/json" in request.headers.get(
        "accept", ""
    ):
        return page(request, "alerts_alert.html", AlertPage(alert=alert, can_respond=True),
                    title=alert.title)  # fmt: skip
    # Back to where the form was (a local path only: never an open redirect).
    target = back if back.startswith("/alerts") and "//" not in back else f"/alerts/{alert_id}"
    return RedirectResponse(f"{target}#alert-{alert_id}", status_code=303)


# --- the country page's section --------------------------------------------------------------

#: How many closed alerts (acted on, dismissed) the country page lists under the open ones,
#: among the country's latest SECTION_ALERTS alerts.
RECENT_CLOSED = 5
SECTION_ALERTS = 30


def country_alerts_section(
    session: Session, principal: Principal, iso3: str
) -> CountrySection | None:
    """The "Open alerts and actions" section of a country page: the country's open alerts
    and the last responses recorded (what was done, linked assessment action).

    Team-wide, not the caller's inbox: country pages are cached per clearance, so the
    section depends on nothing else about the caller. Viewers see public alerts only; no
    Signal is shown (only titles and reasons, as in the alert list), so no view is audited.
    """
    public_only = not principal.can("alert:internal")
    found = list_alerts(session, iso3=iso3, public_only=public_only, limit=SECTION_ALERTS)
    if not found:
        return None
    open_alerts = [a for a in found if a.status in ("new", "acknowledged")]
    closed = [a for a in found if a.status in ("acted", "dismissed")][:RECENT_CLOSED]
    tables = []
    if open_alerts:
        tables.append(
            SectionTable(
                caption="Open alerts",
                columns=["#", "severity", "status", "what fired", "why", "opened"],
                rows=[
                    [a.id, a.severity, a.status, a.title, a.reason, a.created_at.date().isoformat()]
                    for a in open_alerts
                ],
            )
        )
    if closed:
        rows: list[list[str | int | float | None]] = []
        for a in closed:
            last = next((e for e in reversed(a.events) if e.action == a.status), None)
            ref = str(last.details.get("action_ref", "")) if last else ""
            when = last.at.date().isoformat() if last else ""
            rows.append([a.id, a.title, a.status, last.note if last else "", ref, when])
        tables.append(
            SectionTable(
                caption="Latest responses",
                columns=["#", "alert", "outcome", "action taken or reason", "assessment action",
                         "on"],
                rows=rows,
            )
        )  # fmt: skip
    summary = (
        f"{len(open_alerts)} open alert(s) for this country."
        if open_alerts
        else "No open alert for this country."
    )
    return CountrySection(
        summary=summary,
        tables=tables,
        links=[SectionLink(label="Your alerts inbox", href="/alerts")],
    )


def include_alerts(app: FastAPI) -> None:
    """Add the alerts routes, the inbox's menu entry (replacing the placeholder), the
    inbox templates and the country page's alerts section to the web app."""
    env = app.state.tocsin.templates.env
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(TEMPLATES)])
    add_capability(app, router, [NavItem("alerts", "Alerts", "/alerts", "signals:read", 40)])
    register_country_section(
        app, "alerts", "Open alerts and actions", country_alerts_section, order=40,
        permission="signals:read",
    )  # fmt: skip
