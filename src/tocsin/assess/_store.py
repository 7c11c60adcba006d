"""Assessment tables: one row per assessment and one per version of its content.

Every change to an assessment (a rating, a comment, a status change) is saved as a new
version holding the whole content as JSON, so nothing is ever overwritten: any two
versions can be compared and the history read back. The content's shape belongs to
``tocsin.assess``; this module stores it as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.store import Base, CountryRow, UnknownReferenceError, UTCDateTime

__all__ = [
    "AssessmentVersionInfo",
    "StoredAssessment",
    "create_assessment",
    "get_assessment",
    "latest_approved_assessment",
    "list_assessment_versions",
    "list_assessments",
    "save_assessment",
]


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), index=True)
    area: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssessmentVersionRow(Base):
    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as stored: its metadata and the content of one version."""

    id: int
    iso3: str
    area: str | None
    title: str
    period_start: date
    period_end: date
    status: str
    version: int  # the version whose content this is
    latest_version: int
    based_on_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    content: dict[str, Any]


@dataclass(frozen=True)
class AssessmentVersionInfo:
    number: int
    status: str
    author: str
    note: str
    created_at: datetime


def _check_country(session: Session, iso3: str) -> None:
    if session.get(CountryRow, iso3) is None:
        raise UnknownReferenceError(
            f"unknown country {iso3!r}",
            fix="use an ISO 3166 alpha-3 code, and run `tocsin up` to load the countries",
        )


def _apply(row: AssessmentRow, content: dict[str, Any]) -> None:
    row.area = content.get("area")
    row.title = content["title"]
    row.period_start = date.fromisoformat(str(content["period_start"]))
    row.period_end = date.fromisoformat(str(content["period_end"]))
    row.status = content.get("status", "draft")


def create_assessment(
    session: Session,
    content: dict[str, Any],
    *,
    author: str,
    now: datetime,
    based_on_id: int | None = None,
    note: str = "created",
) -> int:
    """Store a new assessment (JSON-ready ``content``) as its version 1; return its id."""
    _check_country(session, content["iso3"])
    row = AssessmentRow(
        iso3=content["iso3"],
        version=1,
        based_on_id=based_on_id,
        created_by=author,
        created_at=now,
        updated_at=now,
    )
    _apply(row, content)
    session.add(row)
    session.flush()
    session.add(
        AssessmentVersionRow(
            assessment_id=row.id,
            number=1,
            status=row.status,
            author=author,
            note=note,
            content=content,
            created_at=now,
        )
    )
    session.flush()
    return row.id


def _row(session: Session, assessment_id: int) -> AssessmentRow:
    row = session.get(AssessmentRow, assessment_id)
    if row is None:
        raise UnknownReferenceError(
            f"no assessment {assessment_id}", fix="list them with `tocsin assess list`"
        )
    return row


def save_assessment(
    session: Session,
    assessment_id: int,
    content: dict[str, Any],
    *,
    author: str,
    now: datetime,
    note: str = "",
) -> int:
    """Keep ``content`` as the next version of the assessment; return the version number."""
    row = _row(session, assessment_id)
    if content["iso3"] != row.iso3:
        raise UnknownReferenceError(
            f"assessment {assessment_id} is of {row.iso3}, not {content['iso3']}",
            fix="start a new assessment for another country",
        )
    row.version += 1
    row.updated_at = now
    _apply(row, content)
    session.add(
        AssessmentVersionRow(
            assessment_id=row.id,
            number=row.version,
            status=row.status,
            author=author,
            note=note,
            content=content,
            created_at=now,
        )
    )
    session.flush()
    return row.version


def _stored(row: AssessmentRow, version: AssessmentVersionRow) -> StoredAssessment:
    return StoredAssessment(
        id=row.id,
        iso3=row.iso3,
        area=row.area,
        title=row.title,
        period_start=row.period_start,
        period_end=row.period_end,
        status=version.status,
        version=version.number,
        latest_version=row.version,
        based_on_id=row.based_on_id,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        content=dict(version.content),
    )


def get_assessment(
    session: Session, assessment_id: int, *, version: int | None = None
) -> StoredAssessment:
    """The assessment with the content of ``version`` (default: the latest)."""
    row = _row(session, assessment_id)
    number = row.version if version is None else version
    found = session.scalar(
        select(AssessmentVersionRow).where(
            AssessmentVersionRow.assessment_id == assessment_id,
            AssessmentVersionRow.number == number,
        )
    )
    if found is None:
        raise UnknownReferenceError(
            f"assessment {assessment_id} has no version {number} (it has 1 to {row.version})",
            fix="list the versions with `tocsin assess history ID`",
        )
    return _stored(row, found)


def list_assessments(
    session: Session, *, iso3: str | None = None, status: str | None = None
) -> list[StoredAssessment]:
    """Assessments (latest content of each), newest first."""
    query = select(AssessmentRow, AssessmentVersionRow).join(
        AssessmentVersionRow,
        (AssessmentVersionRow.assessment_id == AssessmentRow.id)
        & (AssessmentVersionRow.number == AssessmentRow.version),
    )
    if iso3:
        query = query.where(AssessmentRow.iso3 == iso3)
    if status:
        query = query.where(AssessmentRow.status == status)
    query = query.order_by(AssessmentRow.updated_at.desc(), AssessmentRow.id.desc())
    return [_stored(row, version) for row, version in session.execute(query)]


def list_assessment_versions(session: Session, assessment_id: int) -> list[AssessmentVersionInfo]:
    """Every version of an assessment, oldest first (who, when, status, note)."""
    _row(session, assessment_id)
    rows = session.scalars(
        select(AssessmentVersionRow)
        .where(AssessmentVersionRow.assessment_id == assessment_id)
        .order_by(AssessmentVersionRow.number)
    )
    return [AssessmentVersionInfo(r.number, r.status, r.author, r.note, r.created_at) for r in rows]


def latest_approved_assessment(
    session: Session, iso3: str, *, area: str | None = None
) -> StoredAssessment | None:
    """The most recent approved assessment of a country (and area), if any."""
    query = (
        select(AssessmentRow)
        .where(AssessmentRow.iso3 == iso3, AssessmentRow.status == "approved")
        .where(AssessmentRow.area.is_(None) if area is None else AssessmentRow.area == area)
        .order_by(AssessmentRow.period_end.desc(), AssessmentRow.updated_at.desc())
    )
    row = session.scalar(query)
    return None if row is None else get_assessment(session, row.id)
