"""Incident reports in the web app: the form for monitors, the list, one report, the
export, attachments (pages with ``.json`` twins), and the API under ``/api/v1/reports``.

The web app plugs it in with :func:`include_incidents` (the web plug-in ``incidents``).
It uses the web app's own dependencies (a database session per request, the signed-in
caller, permissions from the one table), so access rules stay in one place; which
reports a caller sees is :func:`tocsin.incidents.report_visibility`.
"""

from __future__ import annotations

import csv
import io
import secrets
from html import escape
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUploadFile

from tocsin.domain import spreadsheet_safe
from tocsin.events import ActorKind, EventType
from tocsin.incidents._access import report_visibility
from tocsin.incidents._attachments import (
    ALLOWED,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    AttachmentError,
    NewAttachment,
    check_attachments,
    open_attachment,
    store_attachments,
)
from tocsin.incidents._gateway import (
    DraftDecided,
    DraftOut,
    GatewayPayloadError,
    GatewayRefused,
    GatewaySettings,
    draft_out,
    read_gateway_request,
    receive_message,
    reject_draft,
    verify_draft,
)
from tocsin.incidents._named import get_named_report, list_named_reports
from tocsin.incidents._reports import (
    IdempotencyKeyReused,
    IncidentReportIn,
    IncidentReportOut,
    UnknownCountry,
    report_out,
    submit_report,
)
from tocsin.incidents._store import (
    StoredIncidentReport,
    list_incident_drafts,
    list_report_attachments,
)
from tocsin.store import audit, list_countries
from tocsin.web import (
    ContextDep,
    NavItem,
    Page,
    Principal,
    Requires,
    SessionDep,
    WebContext,
    add_capability,
    add_static_files,
    allow_large_bodies,
    check_csrf,
    error_responses,
    page,
    utc_now,
    wants_json,
)

__all__ = ["api_router", "gateway_router", "include_incidents", "router"]

HERE = Path(__file__).parent

# Routes plugged in by add_capability do not inherit the app's own dependencies, so the
# CSRF check is declared here (add_capability refuses a router without it).
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
#: The reports' part of the REST API (tag ``api``, like the rest of ``/api/v1``).
api_router = APIRouter(prefix="/api/v1", tags=["api"], dependencies=[Depends(check_csrf)])

#: The messaging gateway's webhook: no signed-in caller and no browser, so no session
#: and no CSRF token; each request proves it comes from the gateway by its signature
#: (tocsin.incidents._gateway), checked in the route. Not added through add_capability,
#: which rightly refuses a router without the CSRF check.
#: Left out of the OpenAPI document: no API client calls it, only the gateway.
gateway_router = APIRouter(prefix="/api/v1", include_in_schema=False)

CanRead = Annotated[Principal, Depends(Requires("report:read"))]
CanCreate = Annotated[Principal, Depends(Requires("report:create"))]
CanExport = Annotated[Principal, Depends(Requires("report:export"))]


async def form_fields(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def form_files(request: Request) -> list[NewAttachment]:
    """The files of the form's ``attachments`` field (each read up to one byte past the limit)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return []
    form = await request.form()
    files = []
    for value in form.getlist("attachments"):
        if isinstance(value, StarletteUploadFile):
            if value.filename:
                data = await value.read(MAX_ATTACHMENT_BYTES + 1)
                files.append(NewAttachment(name=value.filename, data=data))
            await value.close()  # its spooled temporary file; the bytes are kept above
    return files


class ReportForm(BaseModel):
    idempotency_key: str
    countries: list[tuple[str, str]]
    event_types: list[str]
    actor_kinds: list[str]
    values: dict[str, str] = {}
    problems: list[str] = []
    attachments_allowed: str = ALLOWED
    max_attachments: int = MAX_ATTACHMENTS
    max_attachment_mb: int = MAX_ATTACHMENT_BYTES // 2**20


def _form(
    request: Request,
    session: SessionDep,
    values: dict[str, str],
    problems: list[str],
    status_code: int = 200,
) -> Response:
    data = ReportForm(
        idempotency_key=values.get("idempotency_key") or secrets.token_hex(16),
        countries=[(c.iso3, c.name) for c in list_countries(session, include_historical=False)],
        event_types=[t.value for t in EventType],
        actor_kinds=[k.value for k in ActorKind],
        values=values,
        problems=problems,
    )
    return page(
        request, "report_form.html", data, title="New incident report", status_code=status_code
    )


@router.get("/reports/new")
def new_report(request: Request, session: SessionDep, _principal: CanCreate) -> Response:
    return _form(request, session, {}, [])


def parse_report(fields: dict[str, Any]) -> IncidentReportIn:
    values = {k: (v if v != "" else None) for k, v in fields.items()}
    values["identities"] = {
        "victims": values.pop("victims", None),
        "witnesses": values.pop("witnesses", None),
        "sources": values.pop("sources", None),
    }
    return IncidentReportIn.model_validate(
        {
            k: v
            for k, v in values.items()
            if k not in {"csrf_token", "idempotency_key", "attachments"}
        }
    )


@router.post("/reports")
def create_report(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    fields: Annotated[dict[str, Any], Depends(form_fields)],
    # Read (and close) the uploaded files before the permission check can refuse.
    files: Annotated[list[NewAttachment], Depends(form_files)],
    principal: CanCreate,
) -> Response:
    key = request.headers.get("idempotency-key") or fields.get("idempotency_key") or ""
    if not 8 <= len(key) <= 80 or "\x00" in key:
        raise HTTPException(400, "an idempotency key of 8 to 80 characters is required")
    try:
        report = parse_report(fields)
        checked = check_attachments(files)
        stored, created = submit_report(
            session, context.key_ring, principal, report, idempotency_key=key, now=utc_now()
        )
        if created:  # a retry carries the files again: they were stored the first time
            store_attachments(session, context.key_ring, principal, stored, checked, now=utc_now())
    except (ValidationError, UnknownCountry, AttachmentError, IdempotencyKeyReused) as error:
        problems = (
            [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
            if isinstance(error, ValidationError)
            else [str(error)]
        )
        status_code = 409 if isinstance(error, IdempotencyKeyReused) else 422
        if wants_json(request):
            raise HTTPException(status_code, problems) from None
        kept = {k: v for k, v in fields.items() if k != "csrf_token"}
        if status_code == 409:
            kept.pop("idempotency_key", None)  # the form shown again sends with a new key
        return _form(request, session, kept, problems, status_code=status_code)
    if wants_json(request):
        out = report_out(session, context.key_ring, principal, stored, now=utc_now(), reveal=False)
        return Response(
            out.model_dump_json(),
            status_code=201 if created else 200,
            media_type="application/json",
        )
    return RedirectResponse(f"/reports/{stored.public_id}", status_code=303)


def listed_reports(
    context: WebContext,
    session: Session,
    principal: Principal,
    *,
    iso3: str | None,
    text: str | None,
    sensitivity: str | None,
    limit: int,
    offset: int,
) -> Page[IncidentReportOut]:
    """One page of the reports the caller may see, without identities (the list page and
    the API's list both show this; restricted ones are audited as listed)."""
    found, total = list_named_reports(
        session,
        visibility=report_visibility(principal),
        iso3=iso3,
        text=text,
        sensitivity=sensitivity,
        limit=limit,
        offset=offset,
    )
    now = utc_now()
    items = [
        report_out(
            session, context.key_ring, principal, r, now=now, reveal=False, action="report.list"
        )
        for r in found
    ]
    return Page[IncidentReportOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/reports")
def reports(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    principal: CanRead,
    iso3: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sensitivity: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    data = listed_reports(
        context,
        session,
        principal,
        iso3=iso3 or None,
        text=q or None,
        sensitivity=sensitivity or None,
        limit=limit,
        offset=offset,
    )
    return page(
        request,
        "reports.html",
        data,
        title="Incident reports",
        extra={"filters": {"iso3": iso3 or "", "q": q or ""}},
    )


EXPORT_COLUMNS = [
    "id",
    "owner",
    "sensitivity",
    "iso3",
    "start_date",
    "end_date",
    "event_type",
    "admin1",
    "location",
    "perpetrator",
    "perpetrator_kind",
    "victim_group",
    "victim_kind",
    "fatalities_best",
    "civilian_deaths",
    "has_identities",
]


@router.get("/reports/export.csv")
def export_reports(
    context: ContextDep,
    session: SessionDep,
    principal: CanExport,
    iso3: str | None = None,
) -> Response:
    """CSV of the reports the caller may see, never with identities; always audited."""
    found, total = list_named_reports(
        session, visibility=report_visibility(principal), iso3=iso3, limit=100_000
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    now = utc_now()
    for report in found:
        out = report_out(
            session,
            context.key_ring,
            principal,
            report,
            now=now,
            reveal=False,
            action="report.export",
        )
        # A monitor's free text (place, summary) could be a formula planted for an analyst.
        writer.writerow({k: spreadsheet_safe(v) for k, v in out.model_dump(mode="json").items()})
    audit(
        session,
        actor=principal.actor,
        action="report.export.csv",
        now=now,
        details={"n_reports": total, "iso3": iso3},
    )
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"content-disposition": "attachment; filename=reports.csv"},
    )


@router.get("/reports/{public_id}")
def report_detail(
    request: Request,
    public_id: str,
    context: ContextDep,
    session: SessionDep,
    principal: CanRead,
    identities: bool = False,
) -> Response:
    report = get_named_report(session, public_id, visibility=report_visibility(principal))
    if report is None:
        raise HTTPException(404, "no such report")
    out = report_out(session, context.key_ring, principal, report, now=utc_now(), reveal=identities)
    return page(
        request,
        "report.html",
        out,
        title="Incident report",
        extra={
            "can_reveal": principal.can("identity:read"),
            "can_attach": may_attach(principal, report) and len(out.attachments) < MAX_ATTACHMENTS,
        },
    )


def may_attach(principal: Principal, report: StoredIncidentReport) -> bool:
    """Who may add files to a report they can see: its author, and admins and analysts."""
    if not principal.can("report:create"):
        return False
    return report.owner_id == principal.user.id or principal.can("identity:read")


@router.post("/reports/{public_id}/attachments")
def add_attachments(
    request: Request,
    public_id: str,
    context: ContextDep,
    session: SessionDep,
    # Read (and close) the uploaded files before the permission check can refuse.
    files: Annotated[list[NewAttachment], Depends(form_files)],
    principal: CanCreate,
) -> Response:
    """Attach more files to a report (its author, or an admin or analyst who can see it)."""
    report = get_named_report(session, public_id, visibility=report_visibility(principal))
    if report is None:
        raise HTTPException(404, "no such report")
    if not may_attach(principal, report):
        raise HTTPException(403, "only the report's author, admins and analysts add files")
    if not files:
        raise HTTPException(422, "choose at least one file to attach")
    already = len(list_report_attachments(session, report.id))
    try:
        checked = check_attachments(files, already=already)
    except AttachmentError as error:
        raise HTTPException(422, str(error)) from None
    now = utc_now()
    store_attachments(session, context.key_ring, principal, report, checked, now=now)
    if wants_json(request):
        out = report_out(session, context.key_ring, principal, report, now=now, reveal=False)
        return Response(out.model_dump_json(), status_code=201, media_type="application/json")
    return RedirectResponse(f"/reports/{public_id}", status_code=303)


@router.get("/reports/{public_id}/attachments/{attachment_id}")
def download_attachment(
    public_id: str,
    attachment_id: str,
    context: ContextDep,
    session: SessionDep,
    principal: CanRead,
) -> Response:
    """One attachment, to whoever may see its report (404 otherwise); always audited."""
    report = get_named_report(session, public_id, visibility=report_visibility(principal))
    found = (
        open_attachment(session, context.key_ring, principal, report, attachment_id, now=utc_now())
        if report is not None
        else None
    )
    if found is None:
        raise HTTPException(404, "no such attachment")
    name, content_type, data = found
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        data,
        media_type=content_type,
        headers={
            # Always a download, never rendered in the app's origin.
            "content-disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name)}",
            "x-content-type-options": "nosniff",
            "content-security-policy": "sandbox; default-src 'none'",
            "cache-control": "no-store",
        },
    )


# --- the API --------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
Iso3 = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3.")]


@api_router.get("/reports", response_model=Page[IncidentReportOut])
def api_reports(
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("report:read"))],
    iso3: Iso3 = None,
    q: Annotated[str | None, Query(max_length=200, description="Search plain text.")] = None,
    sensitivity: Annotated[str | None, Query(pattern="^(public|internal|restricted)$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[IncidentReportOut]:
    """Incident reports you may see (monitors: their own), newest first."""
    return listed_reports(
        context,
        session,
        principal,
        iso3=iso3,
        text=q,
        sensitivity=sensitivity,
        limit=limit,
        offset=offset,
    )


@api_router.post(
    "/reports",
    response_model=IncidentReportOut,
    status_code=201,
    responses={
        200: {"model": IncidentReportOut},
        404: {},
        409: {"description": "The Idempotency-Key was used before for a different report."},
        422: {},
    },
)
def api_create_report(
    report: IncidentReportIn,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("report:create"))],
    idempotency_key: Annotated[str, Header(min_length=8, max_length=80)],
) -> JSONResponse:
    """Submit a report; retrying with the same ``Idempotency-Key`` never duplicates it.

    The first submission answers 201, a retry 200 with the report stored the first time
    (also for copies sent at once); the same key with a different report answers 409.
    """
    try:
        stored, created = submit_report(
            session,
            context.key_ring,
            principal,
            report,
            idempotency_key=idempotency_key,
            now=utc_now(),
        )
    except UnknownCountry as error:
        raise HTTPException(404, str(error)) from None  # the country named does not exist
    except IdempotencyKeyReused as error:
        raise HTTPException(409, str(error)) from None
    out = report_out(session, context.key_ring, principal, stored, now=utc_now(), reveal=False)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


@api_router.get("/reports/{report_id}", response_model=IncidentReportOut, responses={404: {}})
def api_report(
    report_id: str,
    context: ContextDep,
    session: SessionDep,
    principal: Annotated[Principal, Depends(Requires("report:read"))],
    identities: bool = False,
) -> IncidentReportOut:
    """One report, if you may see it (404 otherwise: a guessed id tells nothing)."""
    report = get_named_report(session, report_id, visibility=report_visibility(principal))
    if report is None:
        raise HTTPException(404, "no such report")
    return report_out(
        session, context.key_ring, principal, report, now=utc_now(), reveal=identities
    )


# --- field intake: the gateway's webhook and the verification queue -------------------------


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _gateway_url(settings: GatewaySettings, request: Request) -> str:
    if settings.public_url is None:
        return str(request.url)
    query = f"?{request.url.query}" if request.url.query else ""
    return settings.public_url.rstrip("/") + request.url.path + query


@gateway_router.post(
    "/intake/sms",
    responses={
        200: {
            "description": "The message was queued, was a repeat, or is answered with the "
            "format expected (the reply is in the body: TwiML for Twilio, else JSON)."
        },
        400: {"description": "Signed, but no message in it."},
        403: {"description": "Unsigned, or not signed by a configured gateway."},
    },
)
def intake_sms(
    request: Request,
    context: ContextDep,
    session: SessionDep,
    body: Annotated[bytes, Depends(raw_body)],
) -> Response:
    """A text message from the SMS gateway (RapidPro or Twilio), checked by its signature.

    A message ``REPORT <iso3> <YYYY-MM-DD> <what happened>`` becomes a draft in the
    verification queue, once per message id; any other is answered with the format.
    """
    settings: GatewaySettings = request.app.state.intake_gateway
    headers = {k.lower(): v for k, v in request.headers.items()}
    now = utc_now()
    try:
        message = read_gateway_request(
            settings, headers=headers, body=body, url=_gateway_url(settings, request)
        )
    except GatewayRefused as refused:
        audit(
            session,
            actor=f"gateway:{refused.channel}",
            action="intake.sms.refused",
            now=now,
            details={"reason": str(refused)},
        )
        return JSONResponse({"detail": f"refused: {refused}"}, status_code=403)
    except GatewayPayloadError as error:
        return JSONResponse({"detail": str(error)}, status_code=400)
    outcome = receive_message(session, context.key_ring, message, now=now)
    if message.channel == "twilio":
        twiml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Response><Message>{escape(outcome.reply)}</Message></Response>"
        )
        return Response(twiml, media_type="application/xml")
    return JSONResponse(
        {
            "status": outcome.status,
            "reply": outcome.reply,
            "draft": outcome.draft.public_id if outcome.draft else None,
        }
    )


CanVerify = Annotated[Principal, Depends(Requires("report:verify"))]


@api_router.get(
    "/intake/drafts",
    response_model=Page[DraftOut],
    responses=error_responses({422: "A parameter is not valid."}),
)
def api_drafts(
    session: SessionDep,
    _principal: CanVerify,
    status: Annotated[str, Query(pattern="^(pending|verified|rejected)$")] = "pending",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[DraftOut]:
    """The verification queue: reports sent by text message, oldest first (no senders)."""
    found, total = list_incident_drafts(session, status=status, limit=limit, offset=offset)
    return Page[DraftOut](
        items=[draft_out(d) for d in found], total=total, limit=limit, offset=offset
    )


@api_router.post(
    "/intake/drafts/{draft_id}/verify",
    response_model=IncidentReportOut,
    status_code=201,
    responses=error_responses(
        {
            404: "The report names a country the database does not hold.",
            409: "The draft was verified or rejected already, or never was.",
            422: "The report is not valid.",
        }
    ),
)
def api_verify_draft(
    draft_id: str,
    report: IncidentReportIn,
    context: ContextDep,
    session: SessionDep,
    principal: CanVerify,
) -> JSONResponse:
    """Make a draft the report written from it (its sender joins the sealed sources)."""
    try:
        stored = verify_draft(session, context.key_ring, principal, draft_id, report, now=utc_now())
    except DraftDecided as error:
        raise HTTPException(409, str(error)) from None
    except UnknownCountry as error:
        raise HTTPException(404, str(error)) from None
    named = get_named_report(session, stored.public_id, visibility=report_visibility(principal))
    assert named is not None  # verifiers read every report
    out = report_out(session, context.key_ring, principal, named, now=utc_now(), reveal=False)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@api_router.post(
    "/intake/drafts/{draft_id}/reject",
    status_code=204,
    responses=error_responses(
        {
            409: "The draft was verified or rejected already, or never was.",
            422: "The draft id is not valid.",
        }
    ),
)
def api_reject_draft(draft_id: str, session: SessionDep, principal: CanVerify) -> Response:
    """Turn a draft down."""
    try:
        reject_draft(session, principal, draft_id, now=utc_now())
    except DraftDecided as error:
        raise HTTPException(409, str(error)) from None
    return Response(status_code=204)


def include_incidents(app: FastAPI) -> None:
    """Add the incident report pages, their API and menu entries, this package's templates
    and its static files (the report form's script) to the web app (the web plug-in
    ``incidents``)."""
    env = app.state.tocsin.templates.env
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")])
    add_static_files(app, HERE / "static")
    # every file a report may carry, and the report's own fields beside them
    largest = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 2**20
    for path in ("/reports", "/reports/{public_id}/attachments"):
        allow_large_bodies(app, "POST", path, largest)
    add_capability(app, api_router, [])
    # the gateway's secrets are the app's settings (TOCSIN_INTAKE_*); tests replace them
    app.state.intake_gateway = GatewaySettings.from_settings(app.state.tocsin.settings.intake)
    app.router.routes[:0] = gateway_router.routes
    add_capability(
        app,
        router,
        [
            NavItem("reports", "Incident reports", "/reports", "report:read", 20),
            NavItem("new-report", "New report", "/reports/new", "report:create", 21),
        ],
    )
    from tocsin.incidents._search import include_report_search  # the /search page's part

    include_report_search(app)
