"""The assessment report and the country brief in the web app: HTML and PDF.

A web plug-in (entry point ``reports`` of the ``tocsin.web`` group): the assessment pages
link to ``/assessments/{id}/report``, ``/assessments/{id}/report.pdf`` and
``/assessments/{id}/brief.pdf``, which this router serves to anyone who may read the
watchlist, as the assessments themselves are: drafts only to those who may read drafts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Response
from fastapi.responses import HTMLResponse

from tocsin.assess import readable_assessment
from tocsin.errors import TocsinError
from tocsin.framework import load_catalogue
from tocsin.reports._content import Report
from tocsin.reports._html import render_html
from tocsin.reports._service import assessment_report
from tocsin.store import UnknownReferenceError
from tocsin.web import (
    ContextDep,
    Principal,
    Requires,
    SessionDep,
    add_capability,
    allowed_sensitivities,
    check_csrf,
)

__all__ = ["include_reports", "router"]

router = APIRouter(tags=["reports"], dependencies=[Depends(check_csrf)])
Reader = Annotated[Principal, Depends(Requires("watchlist:read"))]
Ident = Annotated[int, Path(ge=1, le=2_147_483_647, description="Assessment id.")]


def _report(session: SessionDep, context: ContextDep, principal: Principal, ident: int) -> Report:
    """The report of an assessment this caller may read (a draft only if they may read
    drafts: :func:`tocsin.assess.readable_assessment`), with the Signals they may see."""
    try:
        readable_assessment(session, principal, ident)
        return assessment_report(
            session,
            load_catalogue(),
            ident,
            now=datetime.now(UTC),
            settings_or_dir=context.settings,
            sensitivities=allowed_sensitivities(principal),
        )
    except UnknownReferenceError as error:
        raise HTTPException(404, str(error)) from error
    except TocsinError as error:
        raise HTTPException(400, str(error)) from error


@router.get("/assessments/{ident}/report", response_class=HTMLResponse, include_in_schema=False)
def report_page(ident: Ident, session: SessionDep, context: ContextDep, principal: Reader) -> str:
    """The assessment report, as a self-contained HTML page."""
    return render_html(_report(session, context, principal, ident))


@router.get("/assessments/{ident}/report.pdf", include_in_schema=False)
def report_pdf(
    ident: Ident, session: SessionDep, context: ContextDep, principal: Reader
) -> Response:
    """The assessment report as PDF."""
    from tocsin.reports._pdf import render_pdf  # fpdf2 and matplotlib: loaded when asked

    report = _report(session, context, principal, ident)
    return Response(render_pdf(report), media_type="application/pdf")


@router.get("/assessments/{ident}/brief.pdf", include_in_schema=False)
def brief_pdf(
    ident: Ident, session: SessionDep, context: ContextDep, principal: Reader
) -> Response:
    """The one-page country brief as PDF."""
    from tocsin.reports._pdf import render_brief_pdf

    return Response(
        render_brief_pdf(_report(session, context, principal, ident)), media_type="application/pdf"
    )


def include_reports(app: FastAPI) -> None:
    """Add the report pages to the web app (they have no menu entry of their own)."""
    add_capability(app, router, [])
