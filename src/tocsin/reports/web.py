"""The assessment report and the country brief in the web app: HTML and PDF.

A web plug-in (entry point ``reports`` of the ``tocsin.web`` group): the assessment pages
link to ``/assessments/{id}/report``, ``/assessments/{id}/report.pdf`` and
``/assessments/{id}/brief.pdf``, which this router serves to anyone who may read the
watchlist, as the assessments themselves are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Response
from fastapi.responses import HTMLResponse

from tocsin.errors import TocsinError
from tocsin.framework import load_catalogue
from tocsin.reports._content import Report
from tocsin.reports._html import render_html
from tocsin.reports._service import assessment_report
from tocsin.store import UnknownReferenceError
from tocsin.web import ContextDep, Principal, Requires, SessionDep, add_capability, check_csrf

__all__ = ["include_reports", "router"]

router = APIRouter(tags=["reports"], dependencies=[Depends(check_csrf)])
Reader = Annotated[Principal, Depends(Requires("watchlist:read"))]
Ident = Annotated[int, Path(ge=1, le=2_147_483_647, description="Assessment id.")]


def _report(session: SessionDep, context: ContextDep, ident: int) -> Report:
    try:
        return assessment_report(
            session,
            load_catalogue(),
            ident,
            now=datetime.now(UTC),
            settings_or_dir=context.settings,
        )
    except UnknownReferenceError as error:
        raise HTTPException(404, str(error)) from error
    except TocsinError as error:
        raise HTTPException(400, str(error)) from error


@router.get("/assessments/{ident}/report", response_class=HTMLResponse, include_in_schema=False)
def report_page(ident: Ident, session: SessionDep, context: ContextDep, _principal: Reader) -> str:
    """The assessment report, as a self-contained HTML page."""
    return render_html(_report(session, context, ident))


@router.get("/assessments/{ident}/report.pdf", include_in_schema=False)
def report_pdf(
    ident: Ident, session: SessionDep, context: ContextDep, _principal: Reader
) -> Response:
    """The assessment report as PDF."""
    from tocsin.reports._pdf import render_pdf  # fpdf2 and matplotlib: loaded when asked

    return Response(render_pdf(_report(session, context, ident)), media_type="application/pdf")


@router.get("/assessments/{ident}/brief.pdf", include_in_schema=False)
def brief_pdf(
    ident: Ident, session: SessionDep, context: ContextDep, _principal: Reader
) -> Response:
    """The one-page country brief as PDF."""
    from tocsin.reports._pdf import render_brief_pdf

    return Response(
        render_brief_pdf(_report(session, context, ident)), media_type="application/pdf"
    )


def include_reports(app: FastAPI) -> None:
    """Add the report pages to the web app (they have no menu entry of their own)."""
    add_capability(app, router, [])
