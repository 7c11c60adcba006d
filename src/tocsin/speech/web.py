"""The speech review queue and the Rabat worksheet in the web app: ``/speech`` pages (with
``.json`` twins) and the API under ``/api/v1/speech``.

The web app plugs it in with :func:`include_speech` (one line in ``create_app``). It uses
the web app's own dependencies (a database session per request, the signed-in caller,
permissions), so access rules stay in one place:

* Anyone who may read Signals (every role; API tokens with the ``read`` scope) sees the
  queue of flagged items, their classifier outputs and the worksheet's ratings and decision.
* The raw text, its URL, and the free text written on a worksheet (evidence, notes and
  reasons, which may quote the item) need the ``speech:text`` permission (admin, analyst,
  reviewer; an API token needs the ``identities`` scope besides). Every view of a
  raw text is written to the audit log (who, which item; never the text). Others see
  ``[text withheld: N characters]``.
* Completing a worksheet and deciding needs the ``speech:decide`` permission (admin,
  analyst, reviewer; an API token needs the ``speech:write`` scope besides).
* The worksheet's context part is pre-filled from the country's public and internal risk
  Signals only: a worksheet is a shared record, and restricted Signals never enter it.
"""

from __future__ import annotations

import functools
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from jinja2 import ChoiceLoader, FileSystemLoader
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from tocsin.domain import SignalKind
from tocsin.speech._items import SpeakerRole, redact_item
from tocsin.speech._rabat import (
    RABAT_PARTS,
    RabatDecision,
    RabatPart,
    RabatRating,
    RabatWorksheet,
    suggest_decision,
)
from tocsin.speech._store import (
    SpeechQueueEntry,
    latest_speech_score,
    list_rabat_assessments,
    list_speech_items,
    save_rabat_assessment,
    speech_review_queue,
)
from tocsin.speech._worksheet import prefill_stored_worksheet
from tocsin.store import UnknownReferenceError, audit, list_signals
from tocsin.web import (
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
    page,
    register_country_section,
    register_upload_kind,
)

# The HTML/JSON twin renderer of the web app (same templates, menu and CSRF token).

__all__ = [
    "PartIn",
    "WorksheetIn",
    "include_speech",
    "may_decide",
    "may_read_text",
    "router",
]

HERE = Path(__file__).parent
LABELS = ("hateful", "offensive", "neither", "violence", "dehumanisation")
STATES = ("open", "decided", *(d.value for d in RabatDecision))
WITHHELD = "[withheld: your role may not read texts]"
_MAX_ID = 2_147_483_647
PART_TITLES = {
    "context": "Context",
    "speaker": "Speaker",
    "intent": "Intent",
    "content_form": "Content and form",
    "extent": "Extent of the speech act",
    "likelihood": "Likelihood, including imminence",
}


# Routes plugged in by add_capability do not inherit the app's own dependencies, so the
# CSRF check is declared here (add_capability refuses a router without it).
router = APIRouter(
    tags=["speech"],
    dependencies=[Depends(check_csrf)],
    responses=error_responses(
        {
            401: "Sign in or send a valid API token.",
            403: "Your role or token may not do this.",
            404: "No such speech item.",
            409: "The worksheet cites unknown framework codes.",
            422: "The request or the worksheet is not valid.",
        }
    ),
)
Reader = Annotated[Principal, Depends(Requires("signals:read"))]


def may_read_text(principal: Principal) -> bool:
    """Whether this caller may read raw texts (and analysts' free text about them)."""
    return principal.can("speech:text")


def may_decide(principal: Principal) -> bool:
    """Whether this caller may complete worksheets and decide."""
    return principal.can("speech:decide")


Decider = Annotated[Principal, Depends(Requires("speech:decide"))]


class QueueRow(BaseModel):
    """One flagged item in the queue (never its text)."""

    id: int
    iso3: str | None
    published_date: date | None
    language: str | None
    speaker_role: SpeakerRole
    outlet: str | None
    label: str
    hateful: float
    offensive: float
    violence: float
    dehumanisation: float
    target_groups: list[str]
    flag_strength: float
    worksheet_version: int | None
    decision: str | None


class QueuePage(BaseModel):
    """The review queue: flagged items by score, with the filters applied."""

    total: int
    offset: int
    limit: int
    country: str | None
    label: str | None
    state: str | None
    items: list[QueueRow]


class ItemOut(BaseModel):
    """A speech item as this caller may see it."""

    id: int
    text: str
    text_withheld: bool
    language: str | None
    published_date: date | None
    iso3: str | None
    outlet: str | None
    platform: str | None
    speaker: str | None
    speaker_role: SpeakerRole
    reach: int | None
    url: str | None
    import_id: int | None


class ScoreOut(BaseModel):
    """The classifier's outputs for the item (newest model that scored it)."""

    model_version: str
    scores: dict[str, Any]
    target_groups: list[str]
    is_flagged: bool
    flag_strength: float


class VersionOut(BaseModel):
    version: int
    analyst: str
    saved_at: datetime
    decision: str | None


class ItemPage(BaseModel):
    """An item, its scores, its worksheet (latest saved version, else pre-filled) and history."""

    item: ItemOut
    score: ScoreOut | None
    worksheet: RabatWorksheet
    worksheet_version: int | None
    suggested_decision: RabatDecision | None
    versions: list[VersionOut]
    can_decide: bool
    free_text_withheld: bool


class PartIn(BaseModel):
    """One part as the analyst completes it."""

    rating: RabatRating | None = None
    evidence: str = Field(default="", max_length=5000)
    notes: str = Field(default="", max_length=5000)


class WorksheetIn(BaseModel):
    """A new version of an item's worksheet: parts left out keep their current value.

    With a ``decision``, every part must be rated and ``reasons`` given.
    """

    context: PartIn | None = None
    speaker: PartIn | None = None
    intent: PartIn | None = None
    content_form: PartIn | None = None
    extent: PartIn | None = None
    likelihood: PartIn | None = None
    is_imminent: bool | None = None
    decision: RabatDecision | None = None
    reasons: str = Field(default="", max_length=10_000)


def _now() -> datetime:
    return datetime.now(UTC)


def _queue_row(entry: SpeechQueueEntry) -> QueueRow:
    scores = entry.score.scores
    item = entry.item.item
    return QueueRow(
        id=entry.item.id,
        iso3=item.iso3,
        published_date=item.published_date,
        language=item.language or scores.get("language") or None,
        speaker_role=item.speaker_role,
        outlet=item.outlet,
        label=str(scores.get("label", "")),
        hateful=float(scores.get("hateful", 0.0)),
        offensive=float(scores.get("offensive", 0.0)),
        violence=float(scores.get("violence", 0.0)),
        dehumanisation=float(scores.get("dehumanisation", 0.0)),
        target_groups=entry.score.target_groups,
        flag_strength=entry.score.flag_strength,
        worksheet_version=entry.worksheet_version,
        decision=entry.decision,
    )


@functools.cache
def _output_thresholds() -> dict[str, float]:
    """The shipped model's decision thresholds (chosen on validation; speech methodology)."""
    from tocsin.speech._persist import load_default_classifier

    return load_default_classifier().thresholds


def _matches(row: QueueRow, label: str | None, state: str | None) -> bool:
    # "violence" and "dehumanisation" filter by the model's own decision thresholds, not a
    # fixed 0.5: the outputs are calibrated probabilities of rare events.
    if label in ("violence", "dehumanisation"):
        thresholds = _output_thresholds()
        threshold = min(thresholds.get(label, 0.5), thresholds.get(f"fast.{label}", 1.0))
        if getattr(row, label) < threshold:
            return False
    if label in ("hateful", "offensive", "neither") and row.label != label:
        return False
    if state == "open":
        return row.decision is None
    if state == "decided":
        return row.decision is not None
    return state is None or row.decision == state


def _queue(
    session: Session,
    country: str | None,
    label: str | None,
    state: str | None,
    offset: int,
    limit: int,
) -> QueuePage:
    rows = [_queue_row(e) for e in speech_review_queue(session, iso3=country)]
    kept = [r for r in rows if _matches(r, label, state)]
    return QueuePage(
        total=len(kept),
        offset=offset,
        limit=limit,
        country=country,
        label=label,
        state=state,
        items=kept[offset : offset + limit],
    )


def _prefilled(session: Session, item_id: int) -> RabatWorksheet:
    return prefill_stored_worksheet(session, item_id, today=None)


def _withhold_free_text(sheet: RabatWorksheet) -> RabatWorksheet:
    # Tool-written evidence carries scores and Signal summaries only; what an analyst wrote
    # may quote the item, so it follows the raw text's rule.
    values = sheet.model_dump()
    for name in RABAT_PARTS:
        part = values[name]
        if not part["prefilled"]:
            part["evidence"] = WITHHELD if part["evidence"] else ""
        part["notes"] = WITHHELD if part["notes"] else ""
    if values["reasons"]:
        values["reasons"] = WITHHELD
    return RabatWorksheet.model_validate(values)


def _item_page(
    session: Session, item_id: int, principal: Principal, *, action: str = "speech.text.view"
) -> ItemPage:
    found = list_speech_items(session, ids=[item_id])
    if not found:
        raise HTTPException(404, f"no speech item {item_id}")
    stored = found[0]
    reader = may_read_text(principal)
    shown = stored.item if reader else redact_item(stored.item, role=None)
    if reader:
        audit(
            session,
            actor=principal.actor,
            action=action,
            target=f"speech_item:{item_id}",
            now=_now(),
            details={"iso3": stored.item.iso3},
        )
    saved = list_rabat_assessments(session, item_id)
    sheet = saved[-1].worksheet if saved else _prefilled(session, item_id)
    suggestion = suggest_decision(sheet)
    if not reader:
        sheet = _withhold_free_text(sheet)
    score = latest_speech_score(session, item_id)
    return ItemPage(
        item=ItemOut(
            id=item_id,
            text=shown.text,
            text_withheld=not reader,
            language=shown.language,
            published_date=shown.published_date,
            iso3=shown.iso3,
            outlet=shown.outlet,
            platform=shown.platform,
            speaker=shown.speaker,
            speaker_role=shown.speaker_role,
            reach=shown.reach,
            url=shown.url,
            import_id=shown.import_id,
        ),
        score=ScoreOut(
            model_version=score.model_version,
            scores=score.scores,
            target_groups=score.target_groups,
            is_flagged=score.is_flagged,
            flag_strength=score.flag_strength,
        )
        if score
        else None,
        worksheet=sheet,
        worksheet_version=saved[-1].version if saved else None,
        suggested_decision=suggestion,
        versions=[
            VersionOut(
                version=v.version,
                analyst=v.analyst,
                saved_at=v.saved_at,
                decision=v.worksheet.decision.value if v.worksheet.decision else None,
            )
            for v in saved
        ],
        can_decide=may_decide(principal),
        free_text_withheld=not reader,
    )


def _save(session: Session, item_id: int, body: WorksheetIn, principal: Principal) -> int:
    """Apply the analyst's input to the current worksheet and store it as a new version."""
    if not list_speech_items(session, ids=[item_id]):
        raise HTTPException(404, f"no speech item {item_id}")
    saved = list_rabat_assessments(session, item_id)
    current = saved[-1].worksheet if saved else _prefilled(session, item_id)
    values = current.model_dump()
    for name in RABAT_PARTS:
        given: PartIn | None = getattr(body, name)
        if given is None:
            continue
        before = current.part(name)
        unchanged = given.rating == before.rating and given.evidence == before.evidence
        values[name] = RabatPart(
            rating=given.rating,
            evidence=given.evidence,
            notes=given.notes,
            prefilled=before.prefilled and unchanged,
        ).model_dump()
    values.update(
        is_imminent=body.is_imminent if body.is_imminent is not None else current.is_imminent,
        decision=None,
        reasons=body.reasons,
        framework_codes=[],
    )
    try:
        sheet = RabatWorksheet.model_validate(values)
        if body.decision is not None:
            sheet = sheet.decide(body.decision, reasons=body.reasons)
    except ValidationError as error:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise HTTPException(422, problems) from error
    try:
        version = save_rabat_assessment(session, sheet, analyst=principal.actor, now=_now())
    except UnknownReferenceError as error:
        raise HTTPException(409, str(error)) from error
    # which parts of the worksheet were edited, never the free text written in them
    changed = [
        f"{name}.{field}"
        for name in RABAT_PARTS
        for field in ("rating", "evidence", "notes")
        if getattr(sheet.part(name), field) != getattr(current.part(name), field)
    ] + [
        name
        for name in ("is_imminent", "reasons")
        if getattr(sheet, name) != getattr(current, name)
    ]
    audit(
        session,
        actor=principal.actor,
        action="speech.worksheet.save",
        target=f"speech_item:{item_id}",
        now=_now(),
        details={
            "version": version,
            "changed": changed,
            "decision": sheet.decision.value if sheet.decision else None,
        },
    )
    return version


# ----------------------------------------------------------------------------- API

Country = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3.")]
Label = Annotated[Literal[LABELS] | None, Query(description="Classifier label.")]  # type: ignore[valid-type]
State = Annotated[Literal[STATES] | None, Query(description="Decision state.")]  # type: ignore[valid-type]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/api/v1/speech", response_model=QueuePage)
def api_queue(
    session: SessionDep,
    _principal: Reader,
    country: Country = None,
    label: Label = None,
    state: State = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> QueuePage:
    """Flagged items, strongest flag first (no texts), filtered by country, label and state."""
    return _queue(session, country, label, state, offset, limit)


@router.get("/api/v1/speech/{item_id}", response_model=ItemPage)
def api_item(item_id: int, session: SessionDep, principal: Reader) -> ItemPage:
    """One item with its scores and worksheet; the text only for roles that may read it
    (each such view is audited)."""
    _check_id(item_id)
    return _item_page(session, item_id, principal)


@router.post("/api/v1/speech/{item_id}/worksheet", response_model=ItemPage, status_code=201)
def api_save(item_id: int, body: WorksheetIn, session: SessionDep, principal: Decider) -> ItemPage:
    """Save a new version of the item's worksheet, with a decision and its reasons or not."""
    _check_id(item_id)
    _save(session, item_id, body, principal)
    return _item_page(session, item_id, principal)


@router.get("/api/v1/speech/{item_id}/worksheets", response_model=list[RabatWorksheet])
def api_versions(item_id: int, session: SessionDep, principal: Reader) -> list[RabatWorksheet]:
    """Every saved version of the worksheet, oldest first."""
    _check_id(item_id)
    if not list_speech_items(session, ids=[item_id]):
        raise HTTPException(404, f"no speech item {item_id}")
    sheets = [v.worksheet for v in list_rabat_assessments(session, item_id)]
    if not may_read_text(principal):
        sheets = [_withhold_free_text(s) for s in sheets]
    return sheets


def _check_id(item_id: int) -> None:
    if not 1 <= item_id <= _MAX_ID:
        raise HTTPException(404, f"no speech item {item_id}")


# --------------------------------------------------------------------------- pages


@router.get("/speech", include_in_schema=False)
def queue_page(
    request: Request,
    session: SessionDep,
    _principal: Reader,
    country: Annotated[str | None, Query()] = None,
    label: Annotated[str | None, Query()] = None,
    state: Annotated[str | None, Query()] = None,
    offset: Offset = 0,
) -> Response:
    """The review queue; ``/speech.json`` is its JSON twin. Empty filters mean none."""
    country = (country or "").strip().upper() or None
    if country is not None and (len(country) != 3 or not country.isalpha()):
        raise HTTPException(422, f"country: {country!r} is not an ISO 3166 alpha-3 code")
    label = label or None
    state = state or None
    if label is not None and label not in LABELS:
        raise HTTPException(422, f"label: use one of {', '.join(LABELS)}")
    if state is not None and state not in STATES:
        raise HTTPException(422, f"state: use one of {', '.join(STATES)}")
    data = _queue(session, country, label, state, offset, 50)
    return page(
        request,
        "speech_queue.html",
        data,
        title="Speech review",
        extra={"labels": LABELS, "states": STATES},
    )


@router.get("/speech/{item_id}", include_in_schema=False)
def item_page(request: Request, item_id: int, session: SessionDep, principal: Reader) -> Response:
    """One item and its Rabat worksheet; ``/speech/{id}.json`` is its JSON twin."""
    _check_id(item_id)
    data = _item_page(session, item_id, principal)
    return page(
        request,
        "speech_item.html",
        data,
        title=f"Speech item {item_id}",
        extra={
            "parts": [(name, PART_TITLES[name]) for name in RABAT_PARTS],
            "ratings": list(RabatRating),
            "decisions": list(RabatDecision),
        },
    )


@router.post("/speech/{item_id}/worksheet", include_in_schema=False)
async def save_page(
    request: Request, item_id: int, session: SessionDep, principal: Decider
) -> Response:
    """The worksheet form: save a version, then show the item again."""
    _check_id(item_id)
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    parts: dict[str, Any] = {}
    for name in RABAT_PARTS:
        if not any(f"{name}_{key}" in form for key in ("rating", "evidence", "notes")):
            continue  # a part the form does not carry keeps its value
        rating = field(f"{name}_rating")
        parts[name] = {
            "rating": int(rating) if rating.isdigit() else None,
            "evidence": field(f"{name}_evidence"),
            "notes": field(f"{name}_notes"),
        }
    imminent = field("is_imminent")
    try:
        body = WorksheetIn.model_validate(
            parts
            | {
                "is_imminent": {"yes": True, "no": False}.get(imminent),
                "decision": field("decision") or None,
                "reasons": field("reasons"),
            }
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise HTTPException(422, problems) from error
    _save(session, item_id, body, principal)
    return RedirectResponse(f"/speech/{item_id}", status_code=303)


# ------------------------------------------------------------------ country page

TREND_WEEKS = 12
TREND_DAYS = 28


class WeekCount(BaseModel):
    """Flagged items in one week (starting Monday), in total and by target group."""

    week: date
    total: int
    by_group: dict[str, int]


class DayCount(BaseModel):
    day: date
    total: int


class SurgeOut(BaseModel):
    """A ``speech_surge`` Signal about the country."""

    start_date: date
    end_date: date
    strength: float
    summary: str


class SpeechTrends(CountrySection):
    """Flagged speech about a country: weekly and daily volume by target group, and surges.

    Counts use each item's newest score; periods end at the newest flagged item's date
    (speech is often imported after the fact), and say so.
    """

    period_end: date | None = None
    n_flagged: int = 0
    groups: list[str] = []
    weekly: list[WeekCount] = []
    daily: list[DayCount] = []
    surges: list[SurgeOut] = []


def speech_trends(session: Session, principal: Principal, iso3: str) -> SpeechTrends | None:
    """The country page's speech section: None when nothing about the country is flagged and
    no surge Signal is visible to the caller. Counts only, never texts."""
    dated = [
        (e.item.item.published_date, e.score.target_groups)
        for e in speech_review_queue(session, iso3=iso3)
        if e.item.item.published_date is not None
    ]
    allowed = set(allowed_sensitivities(principal))
    surges = [
        SurgeOut(
            start_date=s.start_date, end_date=s.end_date, strength=s.strength, summary=s.summary
        )
        for s in list_signals(session, iso3=iso3, kinds=[SignalKind.SPEECH_SURGE], limit=200)
        if s.sensitivity.value in allowed
    ][:5]
    if not dated and not surges:
        return None
    links = [SectionLink(label="Review queue for this country", href=f"/speech?country={iso3}")]
    if not dated:
        return SpeechTrends(
            summary="No dated flagged items in the store.", surges=surges, links=links
        )
    end = max(day for day, _ in dated if day is not None)
    last_monday = end - timedelta(days=end.weekday())
    weeks = [last_monday - timedelta(weeks=k) for k in range(TREND_WEEKS - 1, -1, -1)]
    per_week: dict[date, Counter[str]] = {w: Counter() for w in weeks}
    per_day: Counter[date] = Counter()
    week_totals: Counter[date] = Counter()
    totals: Counter[str] = Counter()
    for day, groups in dated:
        assert day is not None
        monday = day - timedelta(days=day.weekday())
        if monday in per_week:
            week_totals[monday] += 1
            for group in groups:
                per_week[monday][group] += 1
                totals[group] += 1
        if (end - day).days < TREND_DAYS:
            per_day[day] += 1
    days = [end - timedelta(days=k) for k in range(TREND_DAYS - 1, -1, -1)]
    return SpeechTrends(
        summary=f"{len(dated)} flagged item(s) about the country in the store; "
        f"the {TREND_WEEKS} weeks to {end}, the newest flagged item.",
        period_end=end,
        n_flagged=len(dated),
        groups=[g for g, _ in totals.most_common()],
        weekly=[
            WeekCount(
                week=w,
                total=week_totals[w],
                by_group=dict(per_week[w]),
            )
            for w in weeks
        ],
        daily=[DayCount(day=d, total=per_day[d]) for d in days],
        surges=surges,
        links=links,
    )


def include_speech(app: FastAPI) -> None:
    """Add the speech review pages, API and menu entry to the web app, this package's
    templates to the app's template search path, the speech trends section to the country
    page and speech files to the data page's uploads (the web plug-in ``speech``)."""
    from tocsin.speech._uploads import SPEECH_UPLOADS

    register_upload_kind(app, SPEECH_UPLOADS)
    env = app.state.tocsin.templates.env
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(HERE / "templates")])
    add_capability(app, router, [NavItem("speech", "Speech review", "/speech", "signals:read", 30)])
    register_country_section(
        app,
        "speech",
        "Speech trends",
        speech_trends,
        template=HERE / "templates" / "country_speech.html",
        order=40,
        permission="signals:read",
    )
    from tocsin.speech._search import include_speech_search  # the /search page's part

    include_speech_search(app)
