"""What a caller may read of assessments: one rule for the API, the list page, the country
page's section and the report pages (:mod:`tocsin.reports.web`).

A draft (any version not approved) is the team's unreviewed work, and comments are the
team's discussion of it: both are read only by those holding ``assessment:draft:read``
(the roles that edit, review or comment; the permission is in the table
:data:`tocsin.web.PERMISSIONS`). Everyone else reads approved versions, without comments,
and what they read of Signals is limited to the sensitivities they may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from tocsin.assess._kinds import AssessmentStatus
from tocsin.assess._model import Assessment
from tocsin.assess._store import StoredAssessment, get_assessment
from tocsin.store import UnknownReferenceError

if TYPE_CHECKING:
    from tocsin.web import Principal

#: The permission that opens drafts, earlier versions and comments.
DRAFT_PERMISSION = "assessment:draft:read"


def may_read_drafts(principal: Principal) -> bool:
    """Whether this caller reads drafts and comments (else approved versions only)."""
    return principal.can(DRAFT_PERMISSION)


def readable_assessment(
    session: Session, principal: Principal, assessment_id: int, *, version: int | None = None
) -> StoredAssessment:
    """The assessment (at ``version``, default the latest) if this caller may read it.

    A version the caller may not read raises the same error as one that does not exist,
    so the answer does not tell a draft from nothing.
    """
    stored = get_assessment(session, assessment_id, version=version)
    if stored.status != AssessmentStatus.APPROVED and not may_read_drafts(principal):
        raise UnknownReferenceError(
            f"no assessment {assessment_id}", fix="list them with `tocsin assess list`"
        )
    return stored


def readable_content(principal: Principal, stored: StoredAssessment) -> Assessment:
    """The content of a readable version as this caller may see it: without the team's
    comments unless they may read drafts."""
    assessment = Assessment.model_validate(stored.content)
    if not may_read_drafts(principal):
        assessment = assessment.model_copy(update={"comments": []})
    return assessment


def readable_assessments(
    principal: Principal, stored: list[StoredAssessment]
) -> list[StoredAssessment]:
    """Those of ``stored`` (latest versions) this caller may list."""
    if may_read_drafts(principal):
        return stored
    return [s for s in stored if s.status == AssessmentStatus.APPROVED]
