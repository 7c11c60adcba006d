"""Incident reports' tables and queries: the reports field monitors file, and their
encrypted attachments.

The tables keep what the capability's rules hand them and never decrypt anything:
identities of witnesses, victims and sources arrive as ciphertext with the id of the key
that made it (sealed by :func:`tocsin.incidents.submit_report` under the kernel's key
ring). Reading a report always goes through a :class:`ReportVisibility`, so a query cannot
forget to apply the caller's access rules. The reports' owners are accounts of the web
slice (``owner_id``); ``owner_username`` is empty here, and filled by the reads that ask
the web slice for names (:func:`tocsin.incidents.get_named_report` and its siblings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, defer, mapped_column

from tocsin.store import SENSITIVITIES, Base, EncryptedValue, UTCDateTime


class IncidentReportRow(Base):
    """A field monitor's report; identities only as ciphertext with their key id."""

    __tablename__ = "incident_reports"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key"),
        CheckConstraint(f"sensitivity IN {SENSITIVITIES}", name="sensitivity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    sensitivity: Mapped[str] = mapped_column(String(20), default="restricted")
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    event_type: Mapped[str] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(Text)
    admin1: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    perpetrator: Mapped[str | None] = mapped_column(Text)
    perpetrator_kind: Mapped[str] = mapped_column(String(20))
    victim_group: Mapped[str | None] = mapped_column(Text)
    victim_kind: Mapped[str] = mapped_column(String(20))
    fatalities_best: Mapped[int | None] = mapped_column(Integer)
    civilian_deaths: Mapped[int | None] = mapped_column(Integer)
    narrative: Mapped[str | None] = mapped_column(Text)
    identities_ciphertext: Mapped[str | None] = mapped_column(Text)
    identities_key_id: Mapped[str | None] = mapped_column(String(40))
    event_uid: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ReportAttachmentRow(Base):
    """A file attached to an incident report, encrypted (envelope encryption).

    ``content`` is the file encrypted under a random data key; ``sealed`` is that data key
    and the file's name, encrypted under the key ring (``key_id``), so rotating
    the ring re-encrypts a few bytes per file, not the files.
    """

    __tablename__ = "incident_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("incident_reports.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(100))
    n_bytes: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(40))
    sealed: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[int] = mapped_column(ForeignKey("web_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- incident reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentReportCreate:
    """A report to store. ``identities_*`` are already encrypted (``submit_report``)."""

    public_id: str
    owner_id: int
    idempotency_key: str
    sensitivity: str
    iso3: str
    start_date: date
    end_date: date
    event_type: str
    perpetrator_kind: str
    victim_kind: str
    location: str | None = None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    perpetrator: str | None = None
    victim_group: str | None = None
    fatalities_best: int | None = None
    civilian_deaths: int | None = None
    narrative: str | None = None
    identities_ciphertext: str | None = None
    identities_key_id: str | None = None


@dataclass(frozen=True)
class StoredIncidentReport(IncidentReportCreate):
    id: int = 0
    owner_username: str = ""
    event_uid: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ReportVisibility:
    """Which reports a caller may see: only their own, and/or only some sensitivities.

    ``owner_id=None`` and ``sensitivities=None`` mean no limit on that axis; the empty
    tuple of sensitivities means nothing at all.
    """

    owner_id: int | None = None
    sensitivities: tuple[str, ...] | None = field(default=None)

    def admits(self, *, owner_id: int, sensitivity: str) -> bool:
        """Whether a report of this owner and sensitivity is visible (as :func:`_visible`)."""
        if self.owner_id is not None and owner_id != self.owner_id:
            return False
        return self.sensitivities is None or sensitivity in self.sensitivities


_REPORT_FIELDS = list(IncidentReportCreate.__dataclass_fields__)


def _report(row: IncidentReportRow) -> StoredIncidentReport:
    values = {name: getattr(row, name) for name in _REPORT_FIELDS}
    return StoredIncidentReport(
        **values,
        id=row.id,
        event_uid=row.event_uid,
        created_at=row.created_at,
    )


def _visible(query: Any, visibility: ReportVisibility) -> Any:
    if visibility.owner_id is not None:
        query = query.where(IncidentReportRow.owner_id == visibility.owner_id)
    if visibility.sensitivities is not None:
        query = query.where(IncidentReportRow.sensitivity.in_(list(visibility.sensitivities)))
    return query


def save_incident_report(
    session: Session, report: IncidentReportCreate, *, now: datetime
) -> tuple[StoredIncidentReport, bool]:
    """Store a report once per (owner, idempotency key); return it and whether it is new.

    A retried submission with the same key returns the report stored the first time,
    also when the copies arrive at once: the row is inserted unless the key is taken
    (``ON CONFLICT DO NOTHING``, which waits for a concurrent insert of the same key to
    commit or roll back), and a copy that finds the key taken reads the stored report.
    Checking first and inserting after would let two copies both insert, and the second
    fail on the unique key.
    """
    insert = _dialect_insert(session)
    new_id = session.scalar(
        insert(IncidentReportRow)
        .values(**{n: getattr(report, n) for n in _REPORT_FIELDS}, created_at=now)
        .on_conflict_do_nothing(index_elements=["owner_id", "idempotency_key"])
        .returning(IncidentReportRow.id)
    )
    if new_id is not None:
        row = session.get(IncidentReportRow, new_id)
        assert row is not None
        return _report(row), True
    # read committed (PostgreSQL), or under the one write lock (SQLite): the row that
    # took the key is visible to this statement
    existing = session.scalar(
        select(IncidentReportRow).where(
            IncidentReportRow.owner_id == report.owner_id,
            IncidentReportRow.idempotency_key == report.idempotency_key,
        )
    )
    if existing is None:
        raise RuntimeError("the idempotency key is taken by a report that cannot be read")
    return _report(existing), False


def _dialect_insert(session: Session) -> Any:
    """The backend's ``insert``, which has ``on_conflict_do_nothing``."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def set_report_event_uid(session: Session, report_id: int, event_uid: str) -> None:
    row = session.get(IncidentReportRow, report_id)
    if row is not None:
        row.event_uid = event_uid
        session.flush()


def hidden_events_of_reports(
    session: Session, *, visibility: ReportVisibility, iso3: str | None = None
) -> frozenset[str]:
    """Uids of the events made from non-public reports that ``visibility`` does not admit.

    A public report's event is public data (it counts in every caller's events); an
    internal one's carries the report's place, date, type and deaths, so it is seen only
    by those who may see the report. Restricted reports never become events.
    """
    query = select(
        IncidentReportRow.event_uid, IncidentReportRow.owner_id, IncidentReportRow.sensitivity
    ).where(IncidentReportRow.event_uid.is_not(None), IncidentReportRow.sensitivity != "public")
    if iso3 is not None:
        query = query.where(IncidentReportRow.iso3 == iso3)
    return frozenset(
        uid
        for uid, owner_id, sensitivity in session.execute(query)
        if uid is not None and not visibility.admits(owner_id=owner_id, sensitivity=sensitivity)
    )


def get_incident_report(
    session: Session, public_id: str, *, visibility: ReportVisibility
) -> StoredIncidentReport | None:
    """The report if it exists AND the caller may see it; None in both other cases."""
    query = _visible(
        select(IncidentReportRow).where(IncidentReportRow.public_id == public_id),
        visibility,
    )
    found = session.scalar(query)
    return _report(found) if found is not None else None


def list_incident_reports(
    session: Session,
    *,
    visibility: ReportVisibility,
    iso3: str | None = None,
    sensitivity: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[StoredIncidentReport], int]:
    """Visible reports (newest first) and how many match in all.

    ``text`` searches the plain-text fields only (location, perpetrator, victim group,
    narrative); identities are ciphertext and never searched.
    """
    query = _visible(select(IncidentReportRow), visibility)
    if iso3:
        query = query.where(IncidentReportRow.iso3 == iso3)
    if sensitivity:
        query = query.where(IncidentReportRow.sensitivity == sensitivity)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                *(
                    func.lower(func.coalesce(column, "")).like(pattern)
                    for column in (
                        IncidentReportRow.location,
                        IncidentReportRow.perpetrator,
                        IncidentReportRow.victim_group,
                        IncidentReportRow.narrative,
                    )
                )
            )
        )
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(
        query.order_by(IncidentReportRow.created_at.desc(), IncidentReportRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_report(row) for row in rows], total


# --- attachments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentCreate:
    """An attachment to store; ``sealed`` and ``content`` are already encrypted."""

    public_id: str
    report_id: int
    content_type: str
    n_bytes: int
    key_id: str
    sealed: str
    content: bytes
    created_by: int


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment's metadata (``content`` only when asked for)."""

    id: int
    public_id: str
    report_id: int
    content_type: str
    n_bytes: int
    key_id: str
    sealed: str
    created_by: int
    created_at: datetime
    content: bytes | None = None


def _attachment(row: ReportAttachmentRow, *, with_content: bool) -> StoredAttachment:
    return StoredAttachment(
        id=row.id,
        public_id=row.public_id,
        report_id=row.report_id,
        content_type=row.content_type,
        n_bytes=row.n_bytes,
        key_id=row.key_id,
        sealed=row.sealed,
        created_by=row.created_by,
        created_at=row.created_at,
        content=row.content if with_content else None,
    )


def add_report_attachment(
    session: Session, attachment: AttachmentCreate, *, now: datetime
) -> StoredAttachment:
    row = ReportAttachmentRow(**vars(attachment), created_at=now)
    session.add(row)
    session.flush()
    return _attachment(row, with_content=False)


def list_report_attachments(session: Session, report_id: int) -> list[StoredAttachment]:
    """A report's attachments, oldest first, without their content.

    Callers check first that the report is visible (:func:`get_incident_report`).
    """
    rows = session.scalars(
        select(ReportAttachmentRow)
        .where(ReportAttachmentRow.report_id == report_id)
        .order_by(ReportAttachmentRow.id)
        .options(defer(ReportAttachmentRow.content))
    )
    return [_attachment(row, with_content=False) for row in rows]


def get_report_attachment(
    session: Session, report_id: int, public_id: str
) -> StoredAttachment | None:
    """One attachment of a report, with its (encrypted) content."""
    row = session.scalar(
        select(ReportAttachmentRow).where(
            ReportAttachmentRow.report_id == report_id,
            ReportAttachmentRow.public_id == public_id,
        )
    )
    return _attachment(row, with_content=True) if row is not None else None


# --- key rotation ---------------------------------------------------------------------------


def list_encrypted_values(session: Session) -> list[EncryptedValue]:
    """Every ciphertext the incident tables hold, with the record it belongs to."""
    values = [
        EncryptedValue("reports", r.id, r.public_id, r.identities_key_id, r.identities_ciphertext)
        for r in session.scalars(
            select(IncidentReportRow).where(IncidentReportRow.identities_ciphertext.is_not(None))
        )
        if r.identities_key_id and r.identities_ciphertext
    ]
    values += [
        EncryptedValue("attachments", a.id, a.public_id, a.key_id, a.sealed)
        for a in session.scalars(
            select(ReportAttachmentRow).options(defer(ReportAttachmentRow.content))
        )
    ]
    values += [
        EncryptedValue("drafts", d.id, d.public_id, d.sender_key_id, d.sender_ciphertext)
        for d in session.scalars(select(IncidentDraftRow))
    ]
    return values


def replace_encrypted_value(
    session: Session, value: EncryptedValue, *, key_id: str, ciphertext: str
) -> None:
    """Store a re-encrypted value of the incident tables in place of ``value``."""
    if value.table == "reports":
        report = session.get(IncidentReportRow, value.row_id)
        if report is not None:
            report.identities_key_id, report.identities_ciphertext = key_id, ciphertext
    elif value.table == "attachments":
        attachment = session.get(
            ReportAttachmentRow, value.row_id, options=[defer(ReportAttachmentRow.content)]
        )
        if attachment is not None:
            attachment.key_id, attachment.sealed = key_id, ciphertext
    elif value.table == "drafts":
        draft = session.get(IncidentDraftRow, value.row_id)
        if draft is not None:
            draft.sender_key_id, draft.sender_ciphertext = key_id, ciphertext
    else:
        raise ValueError(f"not an incident table: {value.table!r}")
    session.flush()


# --- field intake: pulled forms and the messaging gateway's queue --------------------------


class IntakeCursorRow(Base):
    """Where the last pull of one form stopped: its newest submission time, as the server
    wrote it (handed back to the server's own filter on the next pull)."""

    __tablename__ = "incident_intake_cursors"
    __table_args__ = (UniqueConstraint("source", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    form_key: Mapped[str] = mapped_column(String(500))
    last_submission_time: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


#: A draft's states: waiting for a verifier, made into a report, or turned down.
DRAFT_STATUSES = ("pending", "verified", "rejected")


class IncidentDraftRow(Base):
    """A report sent by text message, waiting in the verification queue.

    Only verifiers read it (it is no report yet: no event, no list of reports shows it);
    the sender's number is an identity, kept as ciphertext with its key id.
    """

    __tablename__ = "incident_drafts"
    __table_args__ = (
        UniqueConstraint("channel", "message_id"),
        CheckConstraint(f"status IN {DRAFT_STATUSES}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), index=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"))
    start_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    sender_ciphertext: Mapped[str] = mapped_column(Text)
    sender_key_id: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    report_id: Mapped[int | None] = mapped_column(ForeignKey("incident_reports.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("web_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def get_intake_cursor(session: Session, source: str, form_key: str) -> str | None:
    """The newest submission time stored for this form, or None before its first pull."""
    return session.scalar(
        select(IntakeCursorRow.last_submission_time).where(
            IntakeCursorRow.source == source, IntakeCursorRow.form_key == form_key
        )
    )


def set_intake_cursor(
    session: Session, source: str, form_key: str, last_submission_time: str, *, now: datetime
) -> None:
    row = session.scalar(
        select(IntakeCursorRow).where(
            IntakeCursorRow.source == source, IntakeCursorRow.form_key == form_key
        )
    )
    if row is None:
        session.add(
            IntakeCursorRow(
                source=source,
                form_key=form_key,
                last_submission_time=last_submission_time,
                updated_at=now,
            )
        )
    else:
        row.last_submission_time, row.updated_at = last_submission_time, now
    session.flush()


def report_owner_of_key(session: Session, idempotency_key: str) -> int | None:
    """The owner of a report stored under this idempotency key by anyone, if one is."""
    return session.scalar(
        select(IncidentReportRow.owner_id)
        .where(IncidentReportRow.idempotency_key == idempotency_key)
        .limit(1)
    )


@dataclass(frozen=True)
class DraftCreate:
    """A message's draft to queue; ``sender_*`` already sealed."""

    public_id: str
    channel: str
    message_id: str
    iso3: str
    start_date: date
    text: str
    sender_ciphertext: str
    sender_key_id: str


@dataclass(frozen=True)
class StoredDraft(DraftCreate):
    id: int = 0
    status: str = "pending"
    received_at: datetime | None = None
    report_id: int | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None


_DRAFT_FIELDS = list(DraftCreate.__dataclass_fields__)


def _draft(row: IncidentDraftRow) -> StoredDraft:
    return StoredDraft(
        **{name: getattr(row, name) for name in _DRAFT_FIELDS},
        id=row.id,
        status=row.status,
        received_at=row.received_at,
        report_id=row.report_id,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


def save_incident_draft(
    session: Session, draft: DraftCreate, *, now: datetime
) -> tuple[StoredDraft, bool]:
    """Queue a draft once per (channel, message id); return it and whether it is new.

    A gateway retries a delivery it thinks failed, and may deliver twice: the insert is
    skipped when the message id is taken (as :func:`save_incident_report` does).
    """
    insert = _dialect_insert(session)
    new_id = session.scalar(
        insert(IncidentDraftRow)
        .values(**{n: getattr(draft, n) for n in _DRAFT_FIELDS}, status="pending", received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        .returning(IncidentDraftRow.id)
    )
    if new_id is not None:
        row = session.get(IncidentDraftRow, new_id)
        assert row is not None
        return _draft(row), True
    existing = session.scalar(
        select(IncidentDraftRow).where(
            IncidentDraftRow.channel == draft.channel,
            IncidentDraftRow.message_id == draft.message_id,
        )
    )
    if existing is None:
        raise RuntimeError("the message id is taken by a draft that cannot be read")
    return _draft(existing), False


def list_incident_drafts(
    session: Session, *, status: str | None = "pending", limit: int = 50, offset: int = 0
) -> tuple[list[StoredDraft], int]:
    """Drafts (oldest first: the queue's order) and how many match in all."""
    query = select(IncidentDraftRow)
    if status is not None:
        query = query.where(IncidentDraftRow.status == status)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(
        query.order_by(IncidentDraftRow.received_at, IncidentDraftRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [_draft(row) for row in rows], total


def get_incident_draft(session: Session, public_id: str) -> StoredDraft | None:
    row = session.scalar(select(IncidentDraftRow).where(IncidentDraftRow.public_id == public_id))
    return _draft(row) if row is not None else None


def decide_incident_draft(
    session: Session,
    draft_id: int,
    *,
    status: str,
    decided_by: int,
    now: datetime,
    report_id: int | None = None,
) -> None:
    """Mark a pending draft verified (with the report made of it) or rejected."""
    if status not in DRAFT_STATUSES[1:]:
        raise ValueError(f"a draft is decided as verified or rejected, not {status!r}")
    row = session.get(IncidentDraftRow, draft_id, with_for_update=True)
    if row is None or row.status != "pending":
        raise ValueError("the draft was decided already")
    row.status, row.decided_by, row.decided_at, row.report_id = status, decided_by, now, report_id
    session.flush()
