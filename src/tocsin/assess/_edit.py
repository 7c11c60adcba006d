"""Pure edits of an assessment: start one, rate an indicator, accept or reject evidence.

Every function returns a new :class:`Assessment` and leaves its argument unchanged, so the
caller (the store service, the web app) can keep the old one as the previous version.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from tocsin.assess._model import (
    Assessment,
    AssessmentStatus,
    Confidence,
    EvidenceKind,
    EvidenceLink,
    IndicatorAssessment,
    Rating,
    StepState,
    StructureAssessment,
    Trend,
)
from tocsin.assess._structures import STRUCTURES
from tocsin.errors import TocsinError
from tocsin.framework import Catalogue

__all__ = [
    "AssessmentEditError",
    "EditConflict",
    "indicator_token",
    "accept_suggestion",
    "blank_assessment",
    "rate_indicator",
    "reject_suggestion",
    "require_editable",
    "start_from",
]


class AssessmentEditError(TocsinError):
    """An edit that the assessment's state or the catalogue does not allow."""


class EditConflict(AssessmentEditError):
    """The indicator was saved by someone else since the editor read it: the save is
    refused so that neither judgement is lost without a person choosing."""

    def __init__(self, code: str, current: IndicatorAssessment) -> None:
        super().__init__(
            f"indicator {code} was changed by someone else since you opened it",
            fix="compare both versions and save again with the one you keep",
        )
        self.code = code
        self.current = current


#: The fields a rating form overwrites; evidence is only ever added to, so it is left out
#: of the token (accepting a suggestion does not make another analyst's rationale stale).
TOKEN_FIELDS = ("rating", "trend", "confidence", "rationale")


def indicator_token(item: IndicatorAssessment) -> str:
    """A short digest of what a save of ``item`` would overwrite: the optimistic-concurrency
    token a form carries and :func:`rate_indicator` checks (``expected``).

    >>> a = IndicatorAssessment(code="9.3")
    >>> indicator_token(a) == indicator_token(a.model_copy())
    True
    >>> indicator_token(a) == indicator_token(a.model_copy(update={"rationale": "x"}))
    False
    """
    values = item.model_dump(mode="json", include=set(TOKEN_FIELDS))
    text = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def blank_assessment(
    catalogue: Catalogue,
    *,
    iso3: str,
    title: str,
    period_start: date,
    period_end: date,
    area: str | None = None,
    team: list[str] | None = None,
    structures: list[StructureAssessment] | None = None,
) -> Assessment:
    """A draft with every indicator of the catalogue ``unknown`` and every structure listed.

    ``structures`` (from :func:`prefill_structures`) carries the bundled data; without it
    the structures are listed with no data.

    >>> from datetime import date
    >>> from tocsin.framework import load_catalogue
    >>> a = blank_assessment(load_catalogue(), iso3="CAF", title="t",
    ...                      period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))
    >>> len(a.indicators), a.indicators[0].rating.value, len(a.structures), len(a.steps)
    (143, 'unknown', 15, 7)
    """
    given = {s.id: s for s in structures or []}
    return Assessment(
        iso3=iso3,
        area=area,
        title=title,
        period_start=period_start,
        period_end=period_end,
        team=list(team or []),
        indicators=[
            IndicatorAssessment(code=indicator.id)
            for factor in catalogue.factors
            for indicator in factor.indicators
        ],
        structures=[given.get(s.id, StructureAssessment(id=s.id)) for s in STRUCTURES],
        steps=[StepState(step_id=step.id) for step in catalogue.steps],
    )


def require_editable(assessment: Assessment) -> None:
    if assessment.status is AssessmentStatus.APPROVED:
        raise AssessmentEditError(
            "this assessment is approved and can no longer be rated",
            fix="start a new assessment from it (`tocsin assess new --from ID`)",
        )


def rate_indicator(
    assessment: Assessment,
    code: str,
    *,
    rating: Rating | None = None,
    trend: Trend | None = None,
    confidence: Confidence | None = None,
    rationale: str | None = None,
    evidence: list[EvidenceLink] | None = None,
    expected: str | None = None,
) -> Assessment:
    """A copy with indicator ``code`` re-rated; arguments left ``None`` keep their value.

    ``evidence`` is added to the indicator's evidence (a link already there is not
    repeated). A rating other than ``unknown`` needs a rationale. With ``expected`` (the
    :func:`indicator_token` the editor read), a save over a rating that has changed since
    raises :class:`EditConflict` instead.
    """
    require_editable(assessment)
    current = _indicator(assessment, code)
    if expected is not None and expected != indicator_token(current):
        raise EditConflict(code, current)
    updated = current.model_copy(deep=True)
    if rating is not None:
        updated.rating = rating
    if trend is not None:
        updated.trend = trend
    if confidence is not None:
        updated.confidence = confidence
    if rationale is not None:
        updated.rationale = rationale
    known = {(e.kind, e.ref) for e in updated.evidence}
    for link in evidence or []:
        if (link.kind, link.ref) not in known:
            updated.evidence.append(link)
            known.add((link.kind, link.ref))
    if updated.rating is not Rating.UNKNOWN and not updated.rationale.strip():
        raise AssessmentEditError(
            f"indicator {code} rated {updated.rating.value} without a rationale",
            fix="say why in a sentence or two (--rationale)",
        )
    return _replace_indicator(assessment, updated)


def _indicator(assessment: Assessment, code: str) -> IndicatorAssessment:
    try:
        return assessment.indicator(code)
    except KeyError as error:
        # a factor code (RF9) included: a suggestion tagged only so is placed by the analyst
        raise AssessmentEditError(
            f"indicator {code!r} is not in this assessment",
            fix="use an indicator code of the catalogue, e.g. 9.3 (see `tocsin framework`)",
        ) from error


def _replace_indicator(assessment: Assessment, updated: IndicatorAssessment) -> Assessment:
    copy = assessment.model_copy(deep=True)
    copy.indicators = [updated if i.code == updated.code else i for i in copy.indicators]
    return copy


def accept_suggestion(
    assessment: Assessment, code: str, signal_id: int, *, note: str = ""
) -> Assessment:
    """A copy with Signal ``signal_id`` linked as evidence for ``code`` (rating untouched)."""
    require_editable(assessment)
    current = _indicator(assessment, code).model_copy(deep=True)
    ref = str(signal_id)
    current.rejected_suggestions = [r for r in current.rejected_suggestions if r != ref]
    if all(not (e.kind is EvidenceKind.SIGNAL and e.ref == ref) for e in current.evidence):
        current.evidence.append(
            EvidenceLink(kind=EvidenceKind.SIGNAL, ref=ref, note=note, suggested=True)
        )
    return _replace_indicator(assessment, current)


def reject_suggestion(assessment: Assessment, code: str, signal_id: int) -> Assessment:
    """A copy where Signal ``signal_id`` is no longer suggested for ``code``."""
    require_editable(assessment)
    current = _indicator(assessment, code).model_copy(deep=True)
    ref = str(signal_id)
    current.evidence = [
        e for e in current.evidence if not (e.kind is EvidenceKind.SIGNAL and e.ref == ref)
    ]
    if ref not in current.rejected_suggestions:
        current.rejected_suggestions.append(ref)
    return _replace_indicator(assessment, current)


def start_from(
    previous: Assessment,
    *,
    title: str,
    period_start: date,
    period_end: date,
    team: list[str] | None = None,
) -> Assessment:
    """A new draft carrying over the ratings, populations, structures and actions of
    ``previous`` (normally the last approved assessment), without its review comments."""
    data = previous.model_dump()
    data |= {
        "title": title,
        "period_start": period_start,
        "period_end": period_end,
        "status": AssessmentStatus.DRAFT,
        "comments": [],
        "is_example": False,
    }
    if team is not None:
        data["team"] = list(team)
    return Assessment.model_validate(data)
