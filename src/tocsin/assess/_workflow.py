"""The review workflow: draft → in review → approved, and back to draft from review."""

from __future__ import annotations

from tocsin.assess._edit import AssessmentEditError
from tocsin.assess._kinds import Transition
from tocsin.assess._model import Assessment, AssessmentStatus

__all__ = ["Transition", "apply_transition"]


_ALLOWED = {
    Transition.SUBMIT: (AssessmentStatus.DRAFT, AssessmentStatus.IN_REVIEW),
    Transition.APPROVE: (AssessmentStatus.IN_REVIEW, AssessmentStatus.APPROVED),
    Transition.RETURN: (AssessmentStatus.IN_REVIEW, AssessmentStatus.DRAFT),
}


def apply_transition(assessment: Assessment, transition: Transition) -> Assessment:
    """A copy in the status ``transition`` leads to; an error if it does not start here.

    >>> from datetime import date
    >>> a = Assessment(iso3="CAF", title="t", period_start=date(2024, 1, 1),
    ...                period_end=date(2024, 12, 31))
    >>> apply_transition(a, Transition.SUBMIT).status.value
    'in_review'
    """
    source, target = _ALLOWED[transition]
    if assessment.status is not source:
        raise AssessmentEditError(
            f"cannot {transition.value} an assessment that is {assessment.status.value} "
            f"(only one that is {source.value})",
            fix={
                AssessmentStatus.DRAFT: "submit it for review first",
                AssessmentStatus.IN_REVIEW: "approve it or return it to draft",
                AssessmentStatus.APPROVED: "start a new assessment from it",
            }[assessment.status],
        )
    if transition is Transition.SUBMIT:
        unexplained = [
            i.code for i in assessment.indicators if i.rating.value != "unknown" and not i.rationale
        ]
        if unexplained:
            raise AssessmentEditError(
                f"indicators rated without a rationale: {', '.join(unexplained)}",
                fix="add a rationale to each before submitting",
            )
    copy = assessment.model_copy(deep=True)
    copy.status = target
    return copy
