"""Speech monitoring tables: items, their classifier scores, and Rabat worksheets.

Imports are idempotent twice over: a file already imported (same kind and checksum) is
skipped whole, and an item already stored (same :func:`~tocsin.speech.item_key`) is not
added again, so overlapping feed polls add only new entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.speech._items import SpeakerRole, SpeechItem, item_key
from tocsin.speech._rabat import RabatWorksheet
from tocsin.store import (
    Base,
    CountryRow,
    FrameworkCodeRow,
    ImportRow,
    UnknownReferenceError,
    UTCDateTime,
    hold_import_lock,
)

ROLES = "('official', 'politician', 'religious_leader', 'media', 'unknown')"


class SpeechItemRow(Base):
    __tablename__ = "speech_items"
    __table_args__ = (
        UniqueConstraint("item_key"),
        CheckConstraint(f"speaker_role IN {ROLES}", name="speaker_role"),
        Index("ix_speech_items_country_date", "iso3", "published_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(12))
    published_date: Mapped[date | None] = mapped_column(Date)
    iso3: Mapped[str | None] = mapped_column(ForeignKey("countries.iso3"))
    outlet: Mapped[str | None] = mapped_column(String(300))
    platform: Mapped[str | None] = mapped_column(String(100))
    speaker: Mapped[str | None] = mapped_column(String(300))
    speaker_role: Mapped[str] = mapped_column(String(20), default="unknown")
    reach: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(300))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SpeechScoreRow(Base):
    __tablename__ = "speech_scores"
    __table_args__ = (UniqueConstraint("item_id", "model_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("speech_items.id", ondelete="CASCADE"))
    model_version: Mapped[str] = mapped_column(String(80))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_flagged: Mapped[bool] = mapped_column(default=False)
    flag_strength: Mapped[float] = mapped_column(Float, default=0.0)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RabatAssessmentRow(Base):
    """One version of an analyst's Rabat worksheet for one item; versions are never edited."""

    __tablename__ = "speech_rabat_assessments"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("speech_items.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    worksheet: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(30))
    framework_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    analyst: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class SpeechImportResult:
    """What an import did: its id, and how many items were new or already stored."""

    import_id: int
    n_new: int
    n_existing: int
    already_imported: bool


@dataclass(frozen=True)
class StoredSpeechItem:
    """A stored item with its database id."""

    id: int
    item: SpeechItem
    stored_at: datetime


@dataclass(frozen=True)
class StoredSpeechScore:
    """A stored classifier score, with the item fields that surge detection groups on."""

    item_id: int
    model_version: str
    iso3: str | None
    published_date: date | None
    scores: dict[str, Any]
    target_groups: list[str]
    is_flagged: bool
    flag_strength: float


@dataclass(frozen=True)
class StoredRabatAssessment:
    """One saved version of a Rabat worksheet."""

    item_id: int
    version: int
    worksheet: RabatWorksheet
    analyst: str
    saved_at: datetime


def _check_countries(session: Session, items: Sequence[SpeechItem]) -> None:
    wanted = {i.iso3 for i in items if i.iso3}
    if not wanted:
        return
    known = set(session.scalars(select(CountryRow.iso3).where(CountryRow.iso3.in_(wanted))))
    if wanted - known:
        raise UnknownReferenceError(
            f"unknown countries {sorted(wanted - known)}; nothing was stored",
            fix="run `tocsin up` to load the country list, or correct the codes",
        )


def import_speech_items(
    session: Session,
    items: Iterable[SpeechItem],
    *,
    kind: str,
    file_name: str,
    sha256: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> SpeechImportResult:
    """Store items from one file or feed poll, with its import record, in this transaction.

    A file seen before (same ``kind`` and ``sha256``) changes nothing. Items already
    stored (same key) are counted as existing and left as they are.
    """
    hold_import_lock(session, kind, sha256)  # the same file at once: wait, not fail
    previous = session.scalar(
        select(ImportRow).where(ImportRow.kind == kind, ImportRow.sha256 == sha256)
    )
    if previous is not None:
        return SpeechImportResult(previous.id, 0, previous.n_rows, already_imported=True)
    batch = list(items)
    _check_countries(session, batch)
    record = ImportRow(
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        n_rows=len(batch),
        started_at=now,
        finished_at=now,
        details=details or {},
    )
    session.add(record)
    session.flush()
    keys = {item_key(i): i for i in batch}
    existing: set[str] = set()
    key_list = list(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        existing |= set(
            session.scalars(select(SpeechItemRow.item_key).where(SpeechItemRow.item_key.in_(chunk)))
        )
    for key, item in keys.items():
        if key in existing:
            continue
        values = item.model_dump()
        values["import_id"] = record.id
        session.add(SpeechItemRow(item_key=key, stored_at=now, **values))
    session.flush()
    n_new = len(keys) - len(existing)
    return SpeechImportResult(record.id, n_new, len(batch) - n_new, already_imported=False)


def _item(row: SpeechItemRow) -> StoredSpeechItem:
    item = SpeechItem(
        text=row.text,
        language=row.language,
        published_date=row.published_date,
        iso3=row.iso3,
        outlet=row.outlet,
        platform=row.platform,
        speaker=row.speaker,
        speaker_role=SpeakerRole(row.speaker_role),
        reach=row.reach,
        url=row.url,
        external_id=row.external_id,
        import_id=row.import_id,
    )
    return StoredSpeechItem(id=row.id, item=item, stored_at=row.stored_at)


def list_speech_items(
    session: Session,
    *,
    iso3: str | None = None,
    since: date | None = None,
    until: date | None = None,
    ids: Sequence[int] | None = None,
    unscored_for: str | None = None,
    limit: int | None = None,
) -> list[StoredSpeechItem]:
    """Stored items, oldest id first; ``unscored_for`` keeps those without a score by that model."""
    query = select(SpeechItemRow).order_by(SpeechItemRow.id)
    if iso3 is not None:
        query = query.where(SpeechItemRow.iso3 == iso3)
    if since is not None:
        query = query.where(SpeechItemRow.published_date >= since)
    if until is not None:
        query = query.where(SpeechItemRow.published_date <= until)
    if ids is not None:
        query = query.where(SpeechItemRow.id.in_(list(ids)))
    if unscored_for is not None:
        scored = select(SpeechScoreRow.item_id).where(SpeechScoreRow.model_version == unscored_for)
        query = query.where(SpeechItemRow.id.not_in(scored))
    if limit is not None:
        query = query.limit(limit)
    return [_item(row) for row in session.scalars(query)]


def count_speech_items(session: Session) -> int:
    """How many items are stored."""
    return int(session.scalar(select(func.count()).select_from(SpeechItemRow)) or 0)


def record_speech_scores(
    session: Session,
    scores: Iterable[tuple[int, dict[str, Any], list[str], bool, float]],
    *,
    model_version: str,
    now: datetime,
) -> int:
    """Store ``(item_id, scores, target_groups, is_flagged, flag_strength)`` per item.

    Re-scoring with the same model version replaces the previous score.
    """
    n = 0
    for item_id, values, groups, is_flagged, strength in scores:
        row = session.scalar(
            select(SpeechScoreRow).where(
                SpeechScoreRow.item_id == item_id, SpeechScoreRow.model_version == model_version
            )
        )
        if row is None:
            row = SpeechScoreRow(item_id=item_id, model_version=model_version)
            session.add(row)
        row.scores = dict(values)
        row.target_groups = list(groups)
        row.is_flagged = bool(is_flagged)
        row.flag_strength = float(strength)
        row.scored_at = now
        n += 1
    session.flush()
    return n


def list_speech_scores(
    session: Session,
    *,
    model_version: str | None = None,
    iso3: str | None = None,
    flagged_only: bool = False,
) -> list[StoredSpeechScore]:
    """Stored scores joined with their item's country and date."""
    query = (
        select(SpeechScoreRow, SpeechItemRow.iso3, SpeechItemRow.published_date)
        .join(SpeechItemRow, SpeechItemRow.id == SpeechScoreRow.item_id)
        .order_by(SpeechScoreRow.item_id)
    )
    if model_version is not None:
        query = query.where(SpeechScoreRow.model_version == model_version)
    if iso3 is not None:
        query = query.where(SpeechItemRow.iso3 == iso3)
    if flagged_only:
        query = query.where(SpeechScoreRow.is_flagged.is_(True))
    return [
        StoredSpeechScore(
            item_id=row.item_id,
            model_version=row.model_version,
            iso3=item_iso3,
            published_date=published,
            scores=dict(row.scores),
            target_groups=list(row.target_groups),
            is_flagged=row.is_flagged,
            flag_strength=row.flag_strength,
        )
        for row, item_iso3, published in session.execute(query)
    ]


def save_rabat_assessment(
    session: Session, worksheet: RabatWorksheet, *, analyst: str, now: datetime
) -> int:
    """Store a new version of the worksheet for its item; returns the version number (1, 2, …)."""
    if session.get(SpeechItemRow, worksheet.item_id) is None:
        raise UnknownReferenceError(
            f"no speech item {worksheet.item_id}", fix="import the item before assessing it"
        )
    codes = set(worksheet.framework_codes)
    known = set(
        session.scalars(select(FrameworkCodeRow.code).where(FrameworkCodeRow.code.in_(codes)))
    )
    if codes - known:
        raise UnknownReferenceError(
            f"unknown framework codes {sorted(codes - known)}; nothing was stored",
            fix="run `tocsin up` to load the catalogue, or use codes from `tocsin framework`",
        )
    latest = session.scalar(
        select(func.max(RabatAssessmentRow.version)).where(
            RabatAssessmentRow.item_id == worksheet.item_id
        )
    )
    version = int(latest or 0) + 1
    session.add(
        RabatAssessmentRow(
            item_id=worksheet.item_id,
            version=version,
            worksheet=worksheet.model_dump(mode="json"),
            decision=worksheet.decision.value if worksheet.decision else None,
            framework_codes=list(worksheet.framework_codes),
            analyst=analyst,
            saved_at=now,
        )
    )
    session.flush()
    return version


def list_rabat_assessments(session: Session, item_id: int) -> list[StoredRabatAssessment]:
    """Every saved version of the item's worksheet, oldest first."""
    rows = session.scalars(
        select(RabatAssessmentRow)
        .where(RabatAssessmentRow.item_id == item_id)
        .order_by(RabatAssessmentRow.version)
    )
    return [
        StoredRabatAssessment(
            item_id=row.item_id,
            version=row.version,
            worksheet=RabatWorksheet.model_validate(row.worksheet),
            analyst=row.analyst,
            saved_at=row.saved_at,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class SpeechQueueEntry:
    """One flagged item in the review queue: its latest score and its worksheet's state."""

    item: StoredSpeechItem
    score: StoredSpeechScore
    worksheet_version: int | None
    decision: str | None


def _latest_scores(
    session: Session, item_ids: Sequence[int] | Select[Any]
) -> dict[int, SpeechScoreRow]:
    # An item may carry scores from several model versions: the queue uses the newest.
    query = select(SpeechScoreRow).order_by(SpeechScoreRow.scored_at, SpeechScoreRow.id)
    wanted = item_ids if isinstance(item_ids, Select) else list(item_ids)
    query = query.where(SpeechScoreRow.item_id.in_(wanted))
    latest: dict[int, SpeechScoreRow] = {}
    for row in session.scalars(query):
        latest[row.item_id] = row
    return latest


def latest_speech_score(session: Session, item_id: int) -> StoredSpeechScore | None:
    """The newest stored score of one item, whatever the model version."""
    row = _latest_scores(session, [item_id]).get(item_id)
    item = session.get(SpeechItemRow, item_id)
    if row is None or item is None:
        return None
    return _score(row, item.iso3, item.published_date)


def _score(row: SpeechScoreRow, iso3: str | None, published: date | None) -> StoredSpeechScore:
    return StoredSpeechScore(
        item_id=row.item_id,
        model_version=row.model_version,
        iso3=iso3,
        published_date=published,
        scores=dict(row.scores),
        target_groups=list(row.target_groups),
        is_flagged=row.is_flagged,
        flag_strength=row.flag_strength,
    )


def speech_review_queue(session: Session, *, iso3: str | None = None) -> list[SpeechQueueEntry]:
    """Items whose newest score flags them, strongest first, with their latest worksheet.

    Label and decision filters are the caller's (they read the JSON scores and the
    worksheet state, which differ by backend in SQL); the country filter runs in SQL.
    """
    # Sub-queries, not lists of ids: a long queue must not hit the backends' limits on
    # bound parameters (PostgreSQL: 65,535).
    flagged_items = select(SpeechScoreRow.item_id).where(SpeechScoreRow.is_flagged.is_(True))
    wanted = select(SpeechItemRow.id).where(SpeechItemRow.id.in_(flagged_items))
    if iso3 is not None:
        wanted = wanted.where(SpeechItemRow.iso3 == iso3)
    items = {
        row.id: row
        for row in session.scalars(select(SpeechItemRow).where(SpeechItemRow.id.in_(wanted)))
    }
    if not items:
        return []
    scores = _latest_scores(session, wanted)
    latest_version = (
        select(RabatAssessmentRow.item_id, func.max(RabatAssessmentRow.version).label("v"))
        .group_by(RabatAssessmentRow.item_id)
        .subquery()
    )
    states = {
        item_id: (version, decision)
        for item_id, version, decision in session.execute(
            select(
                RabatAssessmentRow.item_id, RabatAssessmentRow.version, RabatAssessmentRow.decision
            )
            .join(
                latest_version,
                (latest_version.c.item_id == RabatAssessmentRow.item_id)
                & (latest_version.c.v == RabatAssessmentRow.version),
            )
            .where(RabatAssessmentRow.item_id.in_(wanted))
        )
    }
    entries = []
    for item_id, row in items.items():
        score = scores.get(item_id)
        if score is None or not score.is_flagged:
            continue  # flagged by an older model only
        version, decision = states.get(item_id, (None, None))
        entries.append(
            SpeechQueueEntry(
                item=_item(row),
                score=_score(score, row.iso3, row.published_date),
                worksheet_version=version,
                decision=decision,
            )
        )
    entries.sort(key=lambda e: (-e.score.flag_strength, e.item.id))
    return entries
