"""The alerts API for the web app: ``/api/v1/alerts`` (list, show, acknowledge, act on,
dismiss; rules) and the public feeds ``/alerts/feed.cap`` and ``/alerts/feed.atom``.

The web app plugs it in with :func:`include_alerts`. It uses the web app's own
dependencies (database session per request, signed-in caller, permissions), so access
rules stay in one place. Reading needs ``signals:read``; alerts resting on non-public
evidence are shown to analysts, reviewers and admins only; responding to an alert needs
one of those roles too, and managing rules needs admin or analyst. The feeds are public
and carry only alerts whose evidence is all public.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Response
from pydantic import BaseModel, Field

from tocsin.alerts._config import AlertSettings
from tocsin.alerts._content import AlertPublic
from tocsin.alerts._rules import Rule, RuleCreate
from tocsin.alerts._service import (
    AlertNotFoundError,
    add_rule,
    alert_details,
    alerts_feed,
    change_alert_status,
    list_alert_details,
    list_rules,
    remove_rule,
)
from tocsin.errors import TocsinError
from tocsin.store import AlertLifecycleError
from tocsin.web import Principal, Requires, SessionDep, add_capability

__all__ = ["AlertActionIn", "include_alerts", "router"]

RESPONDERS = frozenset({"admin", "analyst", "reviewer"})
RULE_EDITORS = frozenset({"admin", "analyst"})

router = APIRouter(tags=["alerts"])
Reader = Annotated[Principal, Depends(Requires("signals:read"))]


def _responder(principal: Reader) -> Principal:
    if principal.user.role not in RESPONDERS:
        raise HTTPException(403, "responding to alerts needs the analyst, reviewer or admin role")
    return principal


def _rule_editor(principal: Reader) -> Principal:
    if principal.user.role not in RULE_EDITORS:
        raise HTTPException(403, "managing alert rules needs the analyst or admin role")
    return principal


Responder = Annotated[Principal, Depends(_responder)]
RuleEditor = Annotated[Principal, Depends(_rule_editor)]


class AlertActionIn(BaseModel):
    """What a response to an alert records."""

    note: str = Field(default="", max_length=2000, description="What was done, or why not.")
    action_ref: str | None = Field(
        default=None, max_length=200, description="The assessment's action, e.g. assess:action:4."
    )


def _settings() -> AlertSettings:
    return AlertSettings()


SettingsDep = Annotated[AlertSettings, Depends(_settings)]


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
    return list_alert_details(
        session,
        base_url=settings.base_url,
        status=status,
        iso3=country,
        public_only=principal.user.role not in RESPONDERS,
        limit=limit,
    )


@router.get("/api/v1/alerts/{alert_id}", response_model=AlertPublic)
def api_alert(
    alert_id: int, session: SessionDep, principal: Reader, settings: SettingsDep
) -> AlertPublic:
    """One alert with its Signals, policy options and history."""
    try:
        alert = alert_details(session, alert_id, base_url=settings.base_url)
    except AlertNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    if not alert.is_public and principal.user.role not in RESPONDERS:
        raise HTTPException(404, f"no alert {alert_id}")
    return alert


def _respond(
    session: SessionDep,
    alert_id: int,
    status: str,
    body: AlertActionIn,
    principal: Principal,
    settings: AlertSettings,
) -> AlertPublic:
    try:
        return change_alert_status(
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


@router.post("/api/v1/alerts/{alert_id}/acknowledge", response_model=AlertPublic)
def api_acknowledge(
    alert_id: int,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
    body: AlertActionIn | None = None,
) -> AlertPublic:
    """Acknowledge an alert (stops its escalation)."""
    return _respond(session, alert_id, "acknowledged", body or AlertActionIn(), principal, settings)


@router.post("/api/v1/alerts/{alert_id}/act", response_model=AlertPublic)
def api_act(
    alert_id: int,
    body: AlertActionIn,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
) -> AlertPublic:
    """Record that the alert was acted on, and what was done."""
    return _respond(session, alert_id, "acted", body, principal, settings)


@router.post("/api/v1/alerts/{alert_id}/dismiss", response_model=AlertPublic)
def api_dismiss(
    alert_id: int,
    body: AlertActionIn,
    session: SessionDep,
    principal: Responder,
    settings: SettingsDep,
) -> AlertPublic:
    """Dismiss the alert; ``note`` is the reason and is required."""
    return _respond(session, alert_id, "dismissed", body, principal, settings)


def _feed(session: SessionDep, settings: AlertSettings, fmt: str) -> Response:
    text = alerts_feed(
        session, fmt, base_url=settings.base_url, sender=settings.cap_sender, now=datetime.now(UTC)
    )
    return Response(text, media_type="application/atom+xml; charset=utf-8")


@router.get("/alerts/feed.cap", response_class=Response)
def cap_feed_route(session: SessionDep, settings: SettingsDep) -> Response:
    """Public feed: an Atom feed whose entries each carry a CAP 1.2 alert."""
    return _feed(session, settings, "cap")


@router.get("/alerts/feed.atom", response_class=Response)
def atom_feed_route(session: SessionDep, settings: SettingsDep) -> Response:
    """Public Atom feed of alerts."""
    return _feed(session, settings, "atom")


def include_alerts(app: FastAPI) -> None:
    """Add the alerts routes to the web app (before its placeholder pages)."""
    add_capability(app, router, [])
