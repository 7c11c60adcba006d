"""The assessments API and pages for the web app: ``/api/v1/assessments`` and
``/assessments`` (the editor's pages are :mod:`tocsin.assess._pages`).

A web plug-in: :func:`include_assessments` is the entry point ``assessments`` of the
``tocsin.web`` group, which ``create_app`` loads (the report pages are the ``reports``
plug-in's).
It uses the web app's own dependencies (a database session per request, the signed-in
caller, permissions). Anyone who may read the watchlist may read approved assessments;
drafts, earlier versions and comments only those holding ``assessment:draft:read``
(:func:`tocsin.assess.readable_assessment`); analysts and admins edit them; reviewers and
admins approve or return them; analysts, reviewers and admins comment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Body,
    Depends,
    FastAPI,
    HTTPException,
    Path,
    Query,
    Response,
)
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from tocsin import assess
from tocsin.assess._access import (
    may_read_drafts,
    readable_assessment,
    readable_assessments,
    readable_content,
)
from tocsin.assess._api import (
    AssessmentSummaryOut,
    AssessmentViewOut,
    MonitoringOut,
    PolicyOptionOut,
    VersionDiffOut,
)
from tocsin.assess._model import Confidence, EvidenceLink, Rating, ShortText, Trend
from tocsin.assess._store import (
    AssessmentVersionInfo,
    StoredAssessment,
    list_assessment_versions,
    list_assessments,
)
from tocsin.assess._suggest import Suggestion
from tocsin.assess._workflow import Transition
from tocsin.errors import DataFileError, TocsinError
from tocsin.framework import load_catalogue
from tocsin.store import UnknownReferenceError
from tocsin.web import (
    ContextDep,
    CountrySection,
    NavItem,
    Principal,
    Requires,
    SectionLink,
    SessionDep,
    add_capability,
    allowed_sensitivities,
    check_csrf,
    error_responses,
    register_country_section,
)

__all__ = ["AssessmentIn", "CommentIn", "RatingIn", "include_assessments", "router"]

router = APIRouter(
    tags=["assessments"],
    dependencies=[Depends(check_csrf)],
    responses=error_responses(
        {
            400: "The edit is not allowed (the message says why).",
            401: "Sign in or send a valid API token.",
            403: "Your role or token lacks the permission.",
            404: "No such assessment or version.",
            409: "The assessment's status forbids this step, or the indicator was saved by "
            "someone else since it was read (a stale expected_token).",
            422: "The request does not match its model.",
        }
    ),
)
Reader = Annotated[Principal, Depends(Requires("watchlist:read"))]
_MAX_ID = 2_147_483_647  # ids are 32-bit integers on PostgreSQL
Ident = Annotated[int, Path(ge=1, le=_MAX_ID, description="Assessment id.")]
SignalId = Annotated[int, Path(ge=1, le=_MAX_ID, description="Signal id.")]
Code = Annotated[str, Path(pattern=r"^([1-9]|1[0-4])\.[1-9][0-9]?$", description="Indicator.")]


# Permissions, not roles: an API token needs the assessments:write (or :approve) scope,
# so a token made to read cannot change an assessment.
Editor = Annotated[Principal, Depends(Requires("assessment:edit"))]
Approver = Annotated[Principal, Depends(Requires("assessment:approve"))]
Commenter = Annotated[Principal, Depends(Requires("assessment:comment"))]


class AssessmentIn(BaseModel):
    """A new assessment: blank (with the bundled data), or started from another one."""

    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    title: str = Field(min_length=1, max_length=500)
    period_start: date
    period_end: date
    area: str | None = Field(default=None, max_length=200)
    team: list[ShortText] = Field(default_factory=list)
    from_assessment_id: int | None = Field(default=None, ge=1, le=_MAX_ID)
    from_last_approved: bool = False

    @model_validator(mode="after")
    def _period(self) -> AssessmentIn:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class RatingIn(BaseModel):
    """A rating of one indicator; fields left out keep their value."""

    rating: Rating | None = None
    trend: Trend | None = None
    confidence: Confidence | None = None
    rationale: str | None = Field(default=None, max_length=10_000)
    evidence: list[EvidenceLink] = Field(default_factory=list)
    expected_token: str | None = Field(
        default=None,
        max_length=64,
        description="The indicator's token (indicator_tokens of the assessment) as you read "
        "it: if someone has saved the indicator since, the save is refused with 409.",
    )


class CommentIn(BaseModel):
    target: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=10_000)


def _now() -> datetime:
    return datetime.now(UTC)


def _errors(error: TocsinError) -> HTTPException:
    """404 for a missing assessment, 409 for a step its status forbids, 400 otherwise
    (422 stays FastAPI's, for bodies that do not match their model)."""
    text = str(error)
    if isinstance(error, assess.EditConflict):
        return HTTPException(409, text)
    if isinstance(error, UnknownReferenceError) and text.startswith("no assessment"):
        return HTTPException(404, text)
    if text.startswith("cannot ") or "is approved" in text:
        return HTTPException(409, text)
    return HTTPException(400, text)


def _view(
    session: SessionDep, principal: Principal, ident: int, version: int | None = None
) -> AssessmentViewOut:
    """One version as this caller may read it (a draft: 404 unless they may read drafts)."""
    catalogue = load_catalogue()
    stored = readable_assessment(session, principal, ident, version=version)
    a = readable_content(principal, stored)
    profile, comparison = assess.monitoring_picture(
        session, a, catalogue, sensitivities=allowed_sensitivities(principal)
    )
    return AssessmentViewOut(
        **AssessmentSummaryOut.of(stored).model_dump(),
        assessment=a,
        risk_profile=profile,
        monitoring=MonitoringOut.of(comparison),
        policy_options=[PolicyOptionOut.of(r) for r in assess.rank_policy_options(a, catalogue)],
        indicator_tokens={i.code: assess.indicator_token(i) for i in a.indicators},
    )


@router.get("/api/v1/assessments")
def api_list(
    session: SessionDep,
    principal: Reader,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> list[AssessmentSummaryOut]:
    """Assessments the caller may read, newest first (metadata only)."""
    found = readable_assessments(principal, list_assessments(session, iso3=country))
    return [AssessmentSummaryOut.of(s) for s in found]


@router.post("/api/v1/assessments", status_code=201)
def api_create(
    body: AssessmentIn, session: SessionDep, context: ContextDep, principal: Editor
) -> AssessmentViewOut:
    """Start a draft (structures pre-filled from the bundled data sets)."""
    catalogue = load_catalogue()
    try:
        ident = assess.start_assessment(
            session,
            catalogue,
            **body.model_dump(),
            settings_or_dir=context.settings,
            author=principal.actor,
            now=_now(),
        )
    except TocsinError as error:
        raise _errors(error) from error
    return _view(session, principal, ident)


@router.get("/api/v1/assessments/{ident}")
def api_show(
    ident: Ident,
    session: SessionDep,
    principal: Reader,
    version: Annotated[int | None, Query(ge=1, le=_MAX_ID)] = None,
) -> AssessmentViewOut:
    """An assessment with its risk profile, monitoring comparison and ranked options."""
    try:
        return _view(session, principal, ident, version)
    except TocsinError as error:
        raise _errors(error) from error


@router.put("/api/v1/assessments/{ident}/indicators/{code}")
def api_rate(
    ident: Ident, code: Code, body: RatingIn, session: SessionDep, principal: Editor
) -> AssessmentViewOut:
    """Rate one indicator; a new version is kept. With ``expected_token``, a rating saved by
    someone else since it was read is not overwritten (409), as in the editor's pages."""
    try:
        assess.rate(
            session,
            ident,
            code,
            author=principal.actor,
            now=_now(),
            rating=body.rating,
            trend=body.trend,
            confidence=body.confidence,
            rationale=body.rationale,
            evidence=body.evidence,
            expected=body.expected_token,
        )
    except TocsinError as error:
        raise _errors(error) from error
    return _view(session, principal, ident)


@router.post("/api/v1/assessments/{ident}/comments", status_code=201)
def api_comment(
    ident: Ident, body: CommentIn, session: SessionDep, principal: Commenter
) -> AssessmentViewOut:
    """Comment on an indicator, a structure or ``general``."""
    try:
        assess.add_comment(
            session, ident, body.target, body.text, author=principal.actor, now=_now()
        )
    except TocsinError as error:
        raise _errors(error) from error
    return _view(session, principal, ident)


def _transition(
    session: SessionDep, ident: Ident, step: Transition, principal: Principal
) -> AssessmentViewOut:
    try:
        assess.transition(
            session, ident, step, load_catalogue(), author=principal.actor, now=_now()
        )
    except TocsinError as error:
        raise _errors(error) from error
    return _view(session, principal, ident)


@router.post("/api/v1/assessments/{ident}/submit")
def api_submit(ident: Ident, session: SessionDep, principal: Editor) -> AssessmentViewOut:
    """Draft → in review."""
    return _transition(session, ident, Transition.SUBMIT, principal)


@router.post("/api/v1/assessments/{ident}/approve")
def api_approve(ident: Ident, session: SessionDep, principal: Approver) -> AssessmentViewOut:
    """In review → approved (emits analyst_judgement Signals)."""
    return _transition(session, ident, Transition.APPROVE, principal)


@router.post("/api/v1/assessments/{ident}/return")
def api_return(ident: Ident, session: SessionDep, principal: Approver) -> AssessmentViewOut:
    """In review → back to draft."""
    return _transition(session, ident, Transition.RETURN, principal)


@router.get("/api/v1/assessments/{ident}/versions")
def api_versions(
    ident: Ident, session: SessionDep, principal: Reader
) -> list[AssessmentVersionInfo]:
    """Every version the caller may read: number, status, author, note, time."""
    try:
        readable_assessment(session, principal, ident)
        versions = list_assessment_versions(session, ident)
        if may_read_drafts(principal):
            return versions
        return [v for v in versions if v.status == assess.AssessmentStatus.APPROVED]
    except TocsinError as error:
        raise _errors(error) from error


@router.get("/api/v1/assessments/{ident}/compare")
def api_compare(
    ident: Ident,
    session: SessionDep,
    principal: Reader,
    old: Annotated[int, Query(alias="from", ge=1, le=_MAX_ID)] = 1,
    new: Annotated[int | None, Query(alias="to", ge=1, le=_MAX_ID)] = None,
    other: Annotated[int | None, Query(ge=1, le=_MAX_ID)] = None,
) -> VersionDiffOut:
    """What was rated up or down between two versions (or against another assessment),
    each of which the caller may read."""
    try:
        readable_assessment(session, principal, ident, version=old)
        readable_assessment(session, principal, other or ident, version=new)
        return VersionDiffOut.of(assess.compare_versions(session, ident, old, new, other_id=other))
    except TocsinError as error:
        raise _errors(error) from error


@router.get("/api/v1/assessments/{ident}/suggestions")
def api_suggestions(
    ident: Ident, session: SessionDep, principal: Reader, code: str | None = None
) -> list[Suggestion]:
    """Signals the caller may see tagged with the assessment's indicators, offered as
    evidence."""
    try:
        readable_assessment(session, principal, ident)
        return assess.evidence_suggestions(
            session, ident, code=code, sensitivities=allowed_sensitivities(principal)
        )
    except TocsinError as error:
        raise _errors(error) from error


@router.post("/api/v1/assessments/{ident}/suggestions/{signal_id}/{verdict}")
def api_resolve(
    ident: Ident,
    signal_id: SignalId,
    verdict: Literal["accept", "reject"],
    session: SessionDep,
    principal: Editor,
    code: Annotated[str, Query(min_length=1)],
) -> AssessmentViewOut:
    """Accept or reject a suggested Signal as evidence for indicator ``code``."""
    try:
        assess.resolve_suggestion(
            session,
            ident,
            code,
            signal_id,
            accept=verdict == "accept",
            author=principal.actor,
            now=_now(),
        )
    except TocsinError as error:
        raise _errors(error) from error
    return _view(session, principal, ident)


@router.get(
    "/api/v1/assessments/{ident}/export",
    responses={
        200: {
            "description": "The export file: the assessment in the export format "
            "(docs/methodology/assessment.md), which the import route takes back.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def api_export(ident: Ident, session: SessionDep, principal: Reader) -> Response:
    """The assessment as the JSON export file (as the caller may read it)."""
    try:
        stored = readable_assessment(session, principal, ident)
        text = assess.export_assessment(readable_content(principal, stored))
    except TocsinError as error:
        raise _errors(error) from error
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="assessment-{ident}.json"'},
    )


class ImportProblem(BaseModel):
    field: str | None
    reason: str
    value: str | None


class ImportRefused(BaseModel):
    detail: str
    problems: list[ImportProblem]


@router.post(
    "/api/v1/assessments/import",
    status_code=201,
    responses={400: {"model": ImportRefused, "description": "The file was refused whole."}},
)
def api_import(
    session: SessionDep, principal: Editor, document: Annotated[dict[str, Any], Body()]
) -> Any:
    """Import an exported assessment; a malformed one is refused whole (422, every problem)."""
    import json

    text = json.dumps(document, indent=2, ensure_ascii=False)
    try:
        ident = assess.import_assessment(
            session, text, load_catalogue(), author=principal.actor, now=_now(), path="request body"
        )
    except DataFileError as error:
        return JSONResponse(
            {
                "detail": str(error),
                "problems": [
                    {"field": p.field, "reason": p.reason, "value": p.value} for p in error.problems
                ],
            },
            status_code=400,
        )
    except TocsinError as error:
        raise _errors(error) from error
    return _view(session, principal, ident)


class FactorLevel(BaseModel):
    """One risk factor of the profile: its level (the highest indicator rating) and trend."""

    code: str
    title: str
    level: str
    trend: str | None
    n_rated: int
    n_indicators: int
    drivers: list[str] = Field(description="Indicators rated at the factor's level.")


class CrimeLevel(BaseModel):
    crime: str
    label: str
    level: str
    most_at_risk: bool


class GroupAtRisk(BaseModel):
    """A vulnerable population named by the assessment (a group, never a person)."""

    name: str
    kind: str
    areas: list[str]
    size: int | None
    factor_codes: list[str]


class ResilienceStructure(BaseModel):
    id: str
    title: str
    paragraphs: str
    rating: str
    rationale: str
    n_gaps: int


class AssessmentSection(CountrySection):
    """The country's current assessment on the country page (``sections["assessment"]``)."""

    assessment_id: int
    assessment_title: str
    status: str
    version: int
    period_start: date
    period_end: date
    area: str | None
    is_example: bool
    overall: str
    overall_reason: str
    n_rated: int
    n_indicators: int
    crimes: list[CrimeLevel]
    factors: list[FactorLevel]
    populations: list[GroupAtRisk]
    structures: list[ResilienceStructure]


def current_assessment(
    session: Session, principal: Principal, iso3: str
) -> StoredAssessment | None:
    """The assessment the country page shows: the newest approved one, else the newest.

    National assessments come before sub-national ones. Callers who may not read drafts
    are shown approved assessments only: a draft is the team's unreviewed work.
    """
    found = readable_assessments(principal, list_assessments(session, iso3=iso3))
    ranked = sorted(
        found,
        key=lambda s: (s.status != assess.AssessmentStatus.APPROVED, s.area is not None),
    )  # sorted() is stable, so the newest stays first within each group
    return ranked[0] if ranked else None


def assessment_section(
    session: Session, principal: Principal, iso3: str
) -> AssessmentSection | None:
    """The risk profile by risk factor, groups at risk and structures of resilience."""
    stored = current_assessment(session, principal, iso3)
    if stored is None:
        return None
    a = assess.Assessment.model_validate(stored.content)
    profile = assess.risk_profile(a, load_catalogue())
    structures = []
    for item in a.structures:
        try:
            known = assess.structure(item.id)
            title, paragraphs = known.title, known.paragraph_label
        except KeyError:  # a structure of a newer catalogue: show its id
            title, paragraphs = item.id.replace("_", " "), ""
        structures.append(
            ResilienceStructure(
                id=item.id,
                title=title,
                paragraphs=paragraphs,
                rating=item.rating.value,
                rationale=item.rationale,
                n_gaps=len(item.gaps),
            )
        )
    approved = stored.status == assess.AssessmentStatus.APPROVED
    return AssessmentSection(
        summary=a.summary or None,
        links=[
            SectionLink(label="Assessment report", href=f"/assessments/{stored.id}/report"),
            SectionLink(label="Country brief (PDF)", href=f"/assessments/{stored.id}/brief.pdf"),
            SectionLink(label="All assessments", href="/assessments"),
        ],
        items=[]
        if approved
        else [
            f"Not approved yet: this is version {stored.version}, "
            f"status {stored.status.replace('_', ' ')}."
        ],
        assessment_id=stored.id,
        assessment_title=stored.title,
        status=stored.status,
        version=stored.version,
        period_start=stored.period_start,
        period_end=stored.period_end,
        area=stored.area,
        is_example=a.is_example,
        overall=profile.overall.value,
        overall_reason=profile.overall_reason,
        n_rated=profile.n_rated,
        n_indicators=profile.n_indicators,
        crimes=[
            CrimeLevel(
                crime=c.crime, label=c.label, level=c.level.value, most_at_risk=c.most_at_risk
            )
            for c in profile.crimes
        ],
        factors=[
            FactorLevel(
                code=f.code,
                title=f.title,
                level=f.level.value,
                trend=f.trend.value if f.trend else None,
                n_rated=f.n_rated,
                n_indicators=f.n_indicators,
                drivers=f.drivers,
            )
            for f in profile.factors
        ],
        populations=[
            GroupAtRisk(
                name=p.name,
                kind=p.kind.value,
                areas=list(p.areas),
                size=p.size,
                factor_codes=list(p.factor_codes),
            )
            for p in a.populations
        ],
        structures=structures,
    )


def include_assessments(app: FastAPI) -> None:
    """Add the assessment routes and menu entry to the web app, and the current
    assessment's section to the country page (the web plug-in ``assessments``)."""
    from tocsin.assess._pages import include_pages  # the pages use this module's helpers

    add_capability(
        app,
        router,
        [NavItem("assessments", "Assessments", "/assessments", "watchlist:read", 50)],
    )
    include_pages(app)
    register_country_section(
        app,
        "assessment",
        "Current assessment",
        assessment_section,
        template=FilePath(__file__).parent / "templates" / "country_assessment.html",
        order=30,
    )
    from tocsin.assess._search import include_assessment_search  # the /search page's part

    include_assessment_search(app)
