"""The assessment editor's pages: the list, an assessment's page, a risk factor's
indicators to rate, the conflict page and the comparison of versions.

Server-rendered in the app's layout, each GET page with its JSON twin (``page``), each
change a plain form POST (CSRF token in the form) answered with a redirect back to where
it was made, so that the editor works with the keyboard and without script. The small
script ``assess-editor.js`` only keeps unsaved text of a rating form in the browser.

Every change goes through the capability's service functions, so it is kept as a new
version and written to the audit log as any other. A rating form carries the indicator's
:func:`~tocsin.assess.indicator_token`; a save over a rating that someone else saved in
the meantime is refused with 409 and a page that shows both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse
from jinja2 import ChoiceLoader, FileSystemLoader
from pydantic import BaseModel, ValidationError

from tocsin import assess
from tocsin.assess._access import may_read_drafts, readable_assessment, readable_assessments
from tocsin.assess._api import AssessmentSummaryOut, AssessmentViewOut, VersionDiffOut
from tocsin.assess._model import (
    Assessment,
    Comment,
    EvidenceLink,
    IndicatorAssessment,
    VulnerablePopulation,
    factor_number,
)
from tocsin.assess._store import AssessmentVersionInfo, list_assessment_versions, list_assessments
from tocsin.assess._suggest import Suggestion
from tocsin.assess.web import AssessmentIn, _errors, _now, _view
from tocsin.errors import TocsinError
from tocsin.framework import Catalogue, load_catalogue
from tocsin.store import list_countries
from tocsin.web import (
    ContextDep,
    Principal,
    Requires,
    SessionDep,
    add_static_files,
    allowed_sensitivities,
    check_csrf,
    page,
    wants_json,
)

__all__ = ["include_pages", "pages_router"]

HERE = Path(__file__).parent
_MAX_ID = 2_147_483_647

# Routes plugged in by add_capability do not inherit the app's dependencies: the CSRF
# check is declared here (add_capability refuses a router without it).
pages_router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])

Reader = Annotated[Principal, Depends(Requires("watchlist:read"))]
Editor = Annotated[Principal, Depends(Requires("assessment:edit"))]
Approver = Annotated[Principal, Depends(Requires("assessment:approve"))]
Commenter = Annotated[Principal, Depends(Requires("assessment:comment"))]
Ident = Annotated[int, PathParam(ge=1, le=_MAX_ID, description="Assessment id.")]
FactorCode = Annotated[str, PathParam(pattern=r"^RF([1-9]|1[0-4])$")]
IndicatorCode = Annotated[str, PathParam(pattern=r"^([1-9]|1[0-4])\.[1-9][0-9]?$")]
Version = Annotated[int | None, Query(ge=1, le=_MAX_ID)]


async def form_fields(request: Request) -> dict[str, str]:
    """The form's text fields (the CSRF check has read the form already: it is cached)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


Form = Annotated[dict[str, str], Depends(form_fields)]


# ------------------------------------------------------------------ page models


class NewAssessmentForm(BaseModel):
    values: dict[str, str] = {}
    problems: list[str] = []


class ListPage(BaseModel):
    """``/assessments``: the assessments the caller may read, newest first."""

    assessments: list[AssessmentSummaryOut]
    may_create: bool


class StructureRow(BaseModel):
    id: str
    title: str
    paragraphs: str


class StepRow(BaseModel):
    step_id: str
    title: str
    description: str


class AssessmentPage(AssessmentViewOut):
    """``/assessments/{id}``: one version with its profile, options and history."""

    versions: list[AssessmentVersionInfo]
    may: list[str]  # what this caller may do here now: edit, comment, submit, approve, return
    structure_titles: list[StructureRow]
    step_titles: list[StepRow]
    is_latest: bool


class IndicatorEditor(BaseModel):
    code: str
    text: str
    item: IndicatorAssessment
    token: str
    suggestions: list[Suggestion]
    comments: list[Comment]


class FactorPage(BaseModel):
    """``/assessments/{id}/factors/{code}``: a risk factor's indicators, each to rate."""

    assessment: AssessmentSummaryOut
    factor_code: str
    factor_title: str
    factor_description: str
    level: str
    editable: bool
    indicators: list[IndicatorEditor]
    factor_suggestions: list[Suggestion]  # tagged only with the factor: the analyst places them
    previous_factor: str | None
    next_factor: str | None


class ConflictPage(BaseModel):
    """The 409 answer of a stale save: both versions of the indicator, for a person to choose."""

    assessment: AssessmentSummaryOut
    code: str
    text: str
    factor_code: str
    mine: dict[str, str]
    theirs: IndicatorAssessment
    token: str  # the current token: saving with it keeps what the form then holds
    changed_by: str
    changed_at: str
    detail: str


class ComparePage(BaseModel):
    assessment: AssessmentSummaryOut
    old: int
    new: int
    versions: list[AssessmentVersionInfo]
    diff: VersionDiffOut


# ------------------------------------------------------------------ helpers


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _change(
    session: SessionDep, ident: int, principal: Principal, note: str, edit: Callable[..., Any]
) -> None:
    """One change through the service (a new version, audited), errors as HTTP answers."""
    try:
        assess.change_assessment(
            session, ident, edit, author=principal.actor, now=_now(), note=note
        )
    except TocsinError as error:
        raise _errors(error) from error
    except ValidationError as error:
        raise HTTPException(422, _problems(error)) from None


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())


def _latest(session: SessionDep, principal: Principal, ident: int) -> Assessment:
    """The latest version, if the caller may read it (404 as for nothing, else)."""
    try:
        return assess.Assessment.model_validate(
            readable_assessment(session, principal, ident).content
        )
    except TocsinError as error:
        raise _errors(error) from error


def _factor_of(catalogue: Catalogue, code: str) -> Any:
    number = factor_number(code) if "." in code else int(code[2:])
    return next(f for f in catalogue.factors if f.number == number)


def _indicator_text(catalogue: Catalogue) -> dict[str, str]:
    return {i.id: i.text for f in catalogue.factors for i in f.indicators}


def _may(principal: Principal, status: str, is_latest: bool) -> list[str]:
    if not is_latest:
        return []
    found = []
    draft = status == assess.AssessmentStatus.DRAFT
    review = status == assess.AssessmentStatus.IN_REVIEW
    if principal.can("assessment:edit") and status != assess.AssessmentStatus.APPROVED:
        found.append("edit")
    if principal.can("assessment:edit"):
        found.append("track")  # actions and the §71 checklist, after approval too
    if principal.can("assessment:comment"):
        found.append("comment")
    if draft and principal.can("assessment:edit"):
        found.append("submit")
    if review and principal.can("assessment:approve"):
        found += ["approve", "return"]
    return found


# ------------------------------------------------------------------ the list


def _list_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    form: NewAssessmentForm,
    status_code: int = 200,
) -> Response:
    stored = readable_assessments(principal, list_assessments(session))
    data = ListPage(
        assessments=[AssessmentSummaryOut.of(s) for s in stored],
        may_create=principal.can("assessment:edit"),
    )
    may_create = data.may_create and not wants_json(request)
    countries = (
        [(c.iso3, c.name) for c in list_countries(session, include_historical=False)]
        if may_create
        else []
    )
    return page(
        request,
        "assess_list.html",
        data,
        title="Assessments",
        status_code=status_code,
        extra={"form": form, "countries": countries, "today": date.today()},
    )


@pages_router.get("/assessments")
def assessments_page(request: Request, session: SessionDep, principal: Reader) -> Response:
    """The assessments the caller may read, and the form to start one (``assessment:edit``);
    ``/assessments.json`` is its JSON twin."""
    return _list_page(request, session, principal, NewAssessmentForm())


@pages_router.post("/assessments")
def create_from_form(
    request: Request, session: SessionDep, context: ContextDep, principal: Editor, fields: Form
) -> Response:
    """Start a draft from the list's form, then show it."""
    values = {k: v.strip() for k, v in fields.items() if k != "csrf_token"}
    try:
        body = AssessmentIn.model_validate(
            {
                "iso3": values.get("iso3", "").upper(),
                "title": values.get("title", ""),
                "period_start": values.get("period_start", ""),
                "period_end": values.get("period_end", ""),
                "area": values.get("area") or None,
                "team": [t.strip() for t in values.get("team", "").split(",") if t.strip()],
                "from_assessment_id": values.get("from_assessment_id") or None,
            }
        )
    except ValidationError as error:
        problems = [_problems(error)]
        return _list_page(
            request, session, principal, NewAssessmentForm(values=values, problems=problems), 422
        )
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
        form = NewAssessmentForm(values=values, problems=[str(error)])
        return _list_page(request, session, principal, form, 422)
    return _back(f"/assessments/{ident}")


# ------------------------------------------------------------------ an assessment


@pages_router.get("/assessments/{ident}")
def assessment_page(
    request: Request, ident: Ident, session: SessionDep, principal: Reader, version: Version = None
) -> Response:
    """An assessment: risk profile, workflow, comments, populations, structures, options,
    the §71 checklist and its versions (``?version=N`` shows an earlier one)."""
    try:
        view = _view(session, principal, ident, version)
        versions = list_assessment_versions(session, ident)
    except TocsinError as error:
        raise _errors(error) from error
    if not may_read_drafts(principal):
        versions = [v for v in versions if v.status == assess.AssessmentStatus.APPROVED]
    catalogue = load_catalogue()
    is_latest = view.version == view.latest_version
    data = AssessmentPage(
        **view.model_dump(),
        versions=versions,
        may=_may(principal, view.status, is_latest),
        structure_titles=[
            StructureRow(id=s.id, title=s.title, paragraphs=s.paragraph_label)
            for s in assess.STRUCTURES
        ],
        step_titles=[
            StepRow(step_id=s.id, title=s.title, description=s.description) for s in catalogue.steps
        ],
        is_latest=is_latest,
    )
    return page(
        request,
        "assess_page.html",
        data,
        title=f"{view.title} ({view.iso3})",
        extra={
            "indicator_codes": [i.code for i in view.assessment.indicators],
            "population_kinds": [k.value for k in assess.PopulationKind],
            "structure_ratings": [r.value for r in assess.StructureRating],
            "step_statuses": [s.value for s in assess.StepStatus],
            "decisions": [d.value for d in assess.OptionDecision],
        },
    )


def _transition(
    session: SessionDep, ident: int, step: assess.Transition, principal: Principal
) -> None:
    try:
        assess.transition(
            session, ident, step, load_catalogue(), author=principal.actor, now=_now()
        )
    except TocsinError as error:
        raise _errors(error) from error


@pages_router.post("/assessments/{ident}/submit")
def submit_form(ident: Ident, session: SessionDep, principal: Editor) -> Response:
    """Draft → in review."""
    _transition(session, ident, assess.Transition.SUBMIT, principal)
    return _back(f"/assessments/{ident}#workflow")


@pages_router.post("/assessments/{ident}/approve")
def approve_form(ident: Ident, session: SessionDep, principal: Approver) -> Response:
    """In review → approved."""
    _transition(session, ident, assess.Transition.APPROVE, principal)
    return _back(f"/assessments/{ident}#workflow")


@pages_router.post("/assessments/{ident}/return")
def return_form(ident: Ident, session: SessionDep, principal: Approver, fields: Form) -> Response:
    """In review → back to draft, with the reviewer's comment saying what to change.

    The step is checked first (pure), so that no comment is left on an assessment that
    cannot be returned. Returning is the approver's step, and the comment belongs to it
    (every role that may approve may comment, in the one permission table)."""
    text = fields.get("text", "").strip()
    if not text:
        raise HTTPException(400, "say what to change: a return needs a comment")
    target = fields.get("target", "general") or "general"
    try:
        assess.apply_transition(_latest(session, principal, ident), assess.Transition.RETURN)
        assess.add_comment(session, ident, target, text, author=principal.actor, now=_now())
    except TocsinError as error:
        raise _errors(error) from error
    _transition(session, ident, assess.Transition.RETURN, principal)
    return _back(f"/assessments/{ident}#workflow")


@pages_router.post("/assessments/{ident}/comments")
def comment_form(
    request: Request, ident: Ident, session: SessionDep, principal: Commenter, fields: Form
) -> Response:
    """Comment on an indicator, a structure or the whole (``general``)."""
    text = fields.get("text", "").strip()
    if not text:
        raise HTTPException(400, "a comment needs some text")
    target = fields.get("target", "general") or "general"
    try:
        assess.add_comment(session, ident, target, text, author=principal.actor, now=_now())
    except TocsinError as error:
        raise _errors(error) from error
    back = fields.get("back", "")
    return _back(
        back if back.startswith(f"/assessments/{ident}") else f"/assessments/{ident}#comments"
    )


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]


@pages_router.post("/assessments/{ident}/populations")
def population_form(ident: Ident, session: SessionDep, principal: Editor, fields: Form) -> Response:
    """Add a vulnerable population, or replace the one of the same name."""
    try:
        population = VulnerablePopulation(
            name=fields.get("name", "").strip(),
            kind=fields.get("kind", ""),  # pydantic parses the enum
            areas=_split(fields.get("areas", "")),
            size=int(fields["size"]) if fields.get("size", "").strip() else None,
            size_note=fields.get("size_note", ""),
            factor_codes=[c.replace(" ", "") for c in _split(fields.get("factor_codes", ""))],
            description=fields.get("description", ""),
        )
    except ValidationError as error:
        raise HTTPException(422, _problems(error)) from None
    except ValueError as error:
        raise HTTPException(422, f"size: {error}") from None
    _change(
        session,
        ident,
        principal,
        f"population {population.name}",
        lambda a: assess.set_population(a, population),
    )
    return _back(f"/assessments/{ident}#populations")


@pages_router.post("/assessments/{ident}/populations/remove")
def remove_population_form(
    ident: Ident, session: SessionDep, principal: Editor, fields: Form
) -> Response:
    name = fields.get("name", "")
    _change(
        session,
        ident,
        principal,
        f"removed population {name}",
        lambda a: assess.remove_population(a, name),
    )
    return _back(f"/assessments/{ident}#populations")


@pages_router.post("/assessments/{ident}/structures/{structure_id}")
def structure_form(
    ident: Ident,
    structure_id: Annotated[str, PathParam(pattern=r"^[a-z][a-z_]{0,80}$")],
    session: SessionDep,
    principal: Editor,
    fields: Form,
) -> Response:
    """Rate a structure of resilience (its bundled data stay as they are)."""
    try:
        rating = assess.StructureRating(fields.get("rating", ""))
    except ValueError:
        raise HTTPException(422, "rating: not a structure rating") from None
    _change(
        session,
        ident,
        principal,
        f"rated structure {structure_id} {rating.value}",
        lambda a: assess.rate_structure(
            a, structure_id, rating=rating, rationale=fields.get("rationale", "")
        ),
    )
    return _back(f"/assessments/{ident}#structure-{structure_id}")


@pages_router.post("/assessments/{ident}/options/{option_id}")
def option_form(
    ident: Ident,
    option_id: Annotated[str, PathParam(pattern=r"^P[1-9][0-9]?$")],
    session: SessionDep,
    principal: Editor,
    fields: Form,
) -> Response:
    """Adopt, reject or re-propose a ranked policy option."""
    try:
        decision = assess.OptionDecision(fields.get("decision", ""))
    except ValueError:
        raise HTTPException(422, "decision: adopted, rejected or proposed") from None
    catalogue = load_catalogue()
    _change(
        session,
        ident,
        principal,
        f"option {option_id} {decision.value}",
        lambda a: assess.decide_option(
            a, catalogue, option_id, decision, reason=fields.get("reason", "")
        ),
    )
    return _back(f"/assessments/{ident}#options")


@pages_router.post("/assessments/{ident}/steps/{step_id}")
def step_form(
    ident: Ident,
    step_id: Annotated[str, PathParam(pattern=r"^S71[a-g]$")],
    session: SessionDep,
    principal: Editor,
    fields: Form,
) -> Response:
    """Where the country stands on one step of the §71 checklist (after approval too)."""
    try:
        status = assess.StepStatus(fields.get("status", ""))
    except ValueError:
        raise HTTPException(422, "status: not_started, in_progress or done") from None
    _change(
        session,
        ident,
        principal,
        f"step {step_id} {status.value}",
        lambda a: assess.set_step(a, step_id, status, note=fields.get("note", "")),
    )
    return _back(f"/assessments/{ident}#checklist")


@pages_router.get("/assessments/{ident}/compare")
def compare_page(
    request: Request,
    ident: Ident,
    session: SessionDep,
    principal: Reader,
    old: Annotated[int, Query(alias="from", ge=1, le=_MAX_ID)] = 1,
    new: Annotated[int | None, Query(alias="to", ge=1, le=_MAX_ID)] = None,
) -> Response:
    """What changed between two versions the caller may read."""
    try:
        readable_assessment(session, principal, ident, version=old)
        stored = readable_assessment(session, principal, ident, version=new)
        diff = assess.compare_versions(session, ident, old, stored.version)
        versions = list_assessment_versions(session, ident)
    except TocsinError as error:
        raise _errors(error) from error
    if not may_read_drafts(principal):
        versions = [v for v in versions if v.status == assess.AssessmentStatus.APPROVED]
    data = ComparePage(
        assessment=AssessmentSummaryOut.of(stored),
        old=old,
        new=stored.version,
        versions=versions,
        diff=VersionDiffOut.of(diff),
    )
    return page(request, "assess_compare.html", data, title=f"Compare versions: {stored.title}")


# ------------------------------------------------------------------ rating indicators


def _factor_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    ident: int,
    code: str,
    *,
    problems: dict[str, str] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        stored = readable_assessment(session, principal, ident)
    except TocsinError as error:
        raise _errors(error) from error
    a = assess.readable_content(principal, stored)
    catalogue = load_catalogue()
    factor = _factor_of(catalogue, code)
    profile = assess.risk_profile(a, catalogue)
    editable = principal.can("assessment:edit") and stored.status != "approved"
    suggestions: list[Suggestion] = []
    if editable:
        try:
            suggestions = assess.evidence_suggestions(
                session, ident, sensitivities=allowed_sensitivities(principal)
            )
        except TocsinError as error:
            raise _errors(error) from error
    texts = _indicator_text(catalogue)
    codes = [i.id for i in factor.indicators]
    items = {i.code: i for i in a.indicators}
    numbers = [f.number for f in catalogue.factors]
    at = numbers.index(factor.number)
    data = FactorPage(
        assessment=AssessmentSummaryOut.of(stored),
        factor_code=factor.id,
        factor_title=factor.title,
        factor_description=factor.description,
        level=profile.factor(factor.id).level.value,
        editable=editable,
        indicators=[
            IndicatorEditor(
                code=c,
                text=texts.get(c, ""),
                item=items[c],
                token=assess.indicator_token(items[c]),
                suggestions=[s for s in suggestions if s.code == c],
                comments=[m for m in a.comments if m.target == c],
            )
            for c in codes
            if c in items
        ],
        factor_suggestions=[s for s in suggestions if s.code == factor.id],
        previous_factor=f"RF{numbers[at - 1]}" if at > 0 else None,
        next_factor=f"RF{numbers[at + 1]}" if at + 1 < len(numbers) else None,
    )
    return page(
        request,
        "assess_factor.html",
        data,
        title=f"{factor.id} {factor.title}: {stored.title}",
        status_code=status_code,
        extra={
            "problems": problems or {},
            "values": values or {},
            "saved": saved,
            "ratings": [r.value for r in assess.Rating],
            "trends": [t.value for t in assess.Trend],
            "confidences": [c.value for c in assess.Confidence],
            "evidence_kinds": [k.value for k in assess.EvidenceKind],
            "may_comment": principal.can("assessment:comment"),
        },
    )


@pages_router.get("/assessments/{ident}/factors/{code}")
def factor_page(
    request: Request,
    ident: Ident,
    code: FactorCode,
    session: SessionDep,
    principal: Reader,
    saved: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """A risk factor's indicators, each with its rating form and suggested evidence."""
    return _factor_page(request, session, principal, ident, code, saved=saved)


def _evidence(fields: dict[str, str]) -> list[EvidenceLink]:
    ref = fields.get("evidence_ref", "").strip()
    if not ref:
        return []
    return [
        EvidenceLink(
            kind=fields.get("evidence_kind", "document"),
            ref=ref,
            note=fields.get("evidence_note", ""),
            grade=fields.get("evidence_grade", "").strip().upper() or None,
        )
    ]


@pages_router.post("/assessments/{ident}/indicators/{code}")
def rate_form(
    request: Request,
    ident: Ident,
    code: IndicatorCode,
    session: SessionDep,
    principal: Editor,
    fields: Form,
) -> Response:
    """Save one indicator's rating form; a stale token answers 409 with both versions."""
    factor = f"RF{factor_number(code)}"
    mine = {k: v for k, v in fields.items() if k != "csrf_token"}
    try:
        rating = assess.Rating(mine.get("rating", "unknown"))
        trend = assess.Trend(mine["trend"]) if mine.get("trend") else None
        confidence = assess.Confidence(mine["confidence"]) if mine.get("confidence") else None
        evidence = _evidence(mine)
    except (ValueError, ValidationError) as error:
        text = _problems(error) if isinstance(error, ValidationError) else str(error)
        return _factor_page(
            request,
            session,
            principal,
            ident,
            factor,
            problems={code: text},
            values={code: mine},
            status_code=422,
        )
    try:
        assess.rate(
            session,
            ident,
            code,
            author=principal.actor,
            now=_now(),
            rating=rating,
            trend=trend,
            confidence=confidence,
            rationale=mine.get("rationale", ""),
            evidence=evidence,
            expected=mine.get("token") or None,
        )
    except assess.EditConflict as conflict:
        return _conflict(request, session, principal, ident, code, mine, conflict)
    except assess.AssessmentEditError as error:
        if "approved" in str(error):
            raise _errors(error) from error
        return _factor_page(
            request,
            session,
            principal,
            ident,
            factor,
            problems={code: str(error)},
            values={code: mine},
            status_code=422,
        )
    except TocsinError as error:
        raise _errors(error) from error
    if wants_json(request):
        item = assess.load_assessment(session, ident).indicator(code)
        return Response(
            IndicatorEditor(
                code=code,
                text=_indicator_text(load_catalogue()).get(code, ""),
                item=item,
                token=assess.indicator_token(item),
                suggestions=[],
                comments=[],
            ).model_dump_json(),
            media_type="application/json",
        )
    return _back(f"/assessments/{ident}/factors/{factor}?saved={code}#ind-{code}")


def _conflict(
    request: Request,
    session: SessionDep,
    principal: Principal,
    ident: int,
    code: str,
    mine: dict[str, str],
    conflict: assess.EditConflict,
) -> Response:
    stored = readable_assessment(session, principal, ident)
    last = list_assessment_versions(session, ident)[-1]
    data = ConflictPage(
        assessment=AssessmentSummaryOut.of(stored),
        code=code,
        text=_indicator_text(load_catalogue()).get(code, ""),
        factor_code=f"RF{factor_number(code)}",
        mine={k: v for k, v in mine.items() if k != "token"},
        theirs=conflict.current,
        token=assess.indicator_token(conflict.current),
        changed_by=last.author,
        changed_at=last.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        detail=str(conflict),
    )
    return page(
        request,
        "assess_conflict.html",
        data,
        title=f"Indicator {code} was changed meanwhile",
        status_code=409,
        extra={
            "ratings": [r.value for r in assess.Rating],
            "trends": [t.value for t in assess.Trend],
            "confidences": [c.value for c in assess.Confidence],
        },
    )


@pages_router.post("/assessments/{ident}/indicators/{code}/suggestions/{signal_id}")
def suggestion_form(
    ident: Ident,
    code: Annotated[str, PathParam(pattern=r"^(RF([1-9]|1[0-4])|([1-9]|1[0-4])\.[1-9][0-9]?)$")],
    signal_id: Annotated[int, PathParam(ge=1, le=_MAX_ID)],
    session: SessionDep,
    principal: Editor,
    fields: Form,
) -> Response:
    """Accept (``verdict=accept``) or reject a suggested Signal as evidence; one suggested
    for the factor only is placed on the indicator the form names (``place``)."""
    verdict = fields.get("verdict", "")
    if verdict not in {"accept", "reject"}:
        raise HTTPException(422, "verdict: accept or reject")
    target = fields.get("place") or code
    try:
        assess.resolve_suggestion(
            session,
            ident,
            target,
            signal_id,
            accept=verdict == "accept",
            author=principal.actor,
            now=_now(),
            note=fields.get("note", ""),
        )
    except TocsinError as error:
        raise _errors(error) from error
    factor = f"RF{code[2:]}" if code.startswith("RF") else f"RF{factor_number(code)}"
    return _back(f"/assessments/{ident}/factors/{factor}#ind-{target}")


def include_pages(app: FastAPI) -> None:
    """Add the editor's pages, their templates and their script to the web app."""
    from tocsin.web import add_capability

    env = app.state.tocsin.templates.env
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")])
    add_static_files(app, HERE / "static")
    add_capability(app, pages_router, [])
