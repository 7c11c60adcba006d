"""Alert tables: rules, recipients, alerts with their Signals and history, inbox, outbox.

The rule definitions are stored as validated JSON (the alerts package owns their schema);
the outbox is what makes delivery survive crashes: a message is written in the same
transaction as its alert, claimed with a lease, and marked sent only after the channel
accepted it. Its idempotency key is unique, so enqueuing twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from tocsin.alerts._lifecycle import (
    CLOSING,
    AlertLifecycleError,
    check_transition,
)
from tocsin.store import Base, SignalRow, StoredSignal, UTCDateTime, stored_signal

__all__ = [
    "AlertCreate",
    "AlertEvent",
    "AlertState",
    "OutboxMessage",
    "RecipientCreate",
    "StoredAlert",
    "StoredRecipient",
    "StoredRule",
    "add_alert_rule",
    "add_recipient",
    "add_to_inbox",
    "alert_outbox_counts",
    "claim_outbox",
    "create_alert",
    "enqueue_outbox",
    "get_alert",
    "get_recipient",
    "list_alert_rules",
    "list_alerts",
    "latest_alert_states",
    "linked_signal_ids",
    "list_awaiting_ack",
    "list_inbox",
    "list_user_inbox",
    "in_user_inbox",
    "list_alert_signals",
    "renew_outbox_lease",
    "list_outbox",
    "list_recipients",
    "mark_outbox_failed",
    "mark_outbox_sent",
    "merge_into_alert",
    "latest_alert_for",
    "record_alert_event",
    "remove_alert_rule",
    "remove_recipient",
    "set_alert_status",
    "set_escalation_level",
]


class AlertRuleRow(Base):
    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertRecipientRow(Base):
    __tablename__ = "alert_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    rule_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_severity: Mapped[str] = mapped_column(String(20))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    # The web user whose in-app inbox this is. A name, not a foreign key: users belong to
    # the web capability's tables, which alerts never reference (see ARCHITECTURE.md).
    username: Mapped[str | None] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_rule_iso3", "rule_id", "iso3"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id"))
    iso3: Mapped[str] = mapped_column(ForeignKey("countries.iso3"))
    status: Mapped[str] = mapped_column(String(20), default="new")
    severity: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    framework_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    n_matches: Mapped[int] = mapped_column(Integer, default=1)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertSignalRow(Base):
    __tablename__ = "alert_signals"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True
    )


class AlertEventRow(Base):
    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AlertInboxRow(Base):
    __tablename__ = "alert_inbox"
    __table_args__ = (UniqueConstraint("recipient_id", "alert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("alert_recipients.id"))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AlertOutboxRow(Base):
    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("alert_recipients.id"))
    channel: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRule:
    """A rule as stored: its id and its validated definition (see tocsin.alerts.Rule)."""

    id: int
    definition: dict[str, Any]
    created_at: datetime


def add_alert_rule(session: Session, definition: dict[str, Any], *, now: datetime) -> int:
    """Store a rule definition (validated by the caller); return its id."""
    row = AlertRuleRow(name=str(definition["name"]), definition=definition, created_at=now)
    session.add(row)
    session.flush()
    return row.id


def list_alert_rules(session: Session, *, removed: bool = False) -> list[StoredRule]:
    """The rules in force (not removed; with ``removed``, those too), oldest first."""
    query = select(AlertRuleRow).order_by(AlertRuleRow.id)
    if not removed:
        query = query.where(AlertRuleRow.removed_at.is_(None))
    rows = session.scalars(query)
    return [StoredRule(r.id, r.definition, r.created_at) for r in rows]


def remove_alert_rule(session: Session, rule_id: int, *, now: datetime) -> bool:
    """Retire a rule (its alerts stay); False if there is no such rule in force."""
    row = session.get(AlertRuleRow, rule_id)
    if row is None or row.removed_at is not None:
        return False
    row.removed_at = now
    return True


# --- recipients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientCreate:
    """Someone (or a system) to notify, the area they cover and how to reach them."""

    name: str
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    roles: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    rule_ids: list[int] = field(default_factory=list)
    channels: list[str] = field(default_factory=lambda: ["inbox"])
    min_severity: str = "minor"
    escalation_level: int = 0
    username: str | None = None  # the web user who reads this recipient's in-app inbox


@dataclass(frozen=True)
class StoredRecipient(RecipientCreate):
    id: int = 0


def add_recipient(session: Session, recipient: RecipientCreate, *, now: datetime) -> int:
    values = {k: getattr(recipient, k) for k in RecipientCreate.__dataclass_fields__}
    row = AlertRecipientRow(created_at=now, **values)
    session.add(row)
    session.flush()
    return row.id


def list_recipients(session: Session) -> list[StoredRecipient]:
    rows = session.scalars(
        select(AlertRecipientRow)
        .where(AlertRecipientRow.removed_at.is_(None))
        .order_by(AlertRecipientRow.id)
    )
    fields = list(RecipientCreate.__dataclass_fields__)
    return [StoredRecipient(id=r.id, **{k: getattr(r, k) for k in fields}) for r in rows]


def get_recipient(session: Session, recipient_id: int) -> StoredRecipient | None:
    """A recipient by id, removed or not (queued messages still reach them)."""
    row = session.get(AlertRecipientRow, recipient_id)
    if row is None:
        return None
    fields = list(RecipientCreate.__dataclass_fields__)
    return StoredRecipient(id=row.id, **{k: getattr(row, k) for k in fields})


def remove_recipient(session: Session, recipient_id: int, *, now: datetime) -> bool:
    row = session.get(AlertRecipientRow, recipient_id)
    if row is None or row.removed_at is not None:
        return False
    row.removed_at = now
    return True


# --- alerts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertCreate:
    rule_id: int
    iso3: str
    severity: str
    title: str
    reason: str
    value: float
    signal_ids: list[int]
    framework_codes: list[str]
    policy_options: list[dict[str, Any]]
    is_public: bool = True


@dataclass(frozen=True)
class AlertEvent:
    at: datetime
    actor: str
    action: str
    note: str
    details: dict[str, Any]


@dataclass(frozen=True)
class StoredAlert:
    """An alert with its evidence (Signal ids) and its history."""

    id: int
    rule_id: int
    iso3: str
    status: str
    severity: str
    title: str
    reason: str
    value: float
    framework_codes: list[str]
    policy_options: list[dict[str, Any]]
    is_public: bool
    n_matches: int
    escalation_level: int
    notified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    signal_ids: list[int]
    events: list[AlertEvent]


def _stored_alert(session: Session, row: AlertRow) -> StoredAlert:
    signal_ids = session.scalars(
        select(AlertSignalRow.signal_id)
        .where(AlertSignalRow.alert_id == row.id)
        .order_by(AlertSignalRow.signal_id)
    )
    events = session.scalars(
        select(AlertEventRow).where(AlertEventRow.alert_id == row.id).order_by(AlertEventRow.id)
    )
    columns = [c.key for c in AlertRow.__table__.columns]
    return StoredAlert(
        **{k: getattr(row, k) for k in columns},
        signal_ids=list(signal_ids),
        events=[AlertEvent(e.at, e.actor, e.action, e.note, e.details) for e in events],
    )


def _link_signals(session: Session, alert_id: int, signal_ids: list[int]) -> None:
    known = set(
        session.scalars(select(AlertSignalRow.signal_id).where(AlertSignalRow.alert_id == alert_id))
    )
    for signal_id in dict.fromkeys(signal_ids):
        if signal_id not in known:
            session.add(AlertSignalRow(alert_id=alert_id, signal_id=signal_id))


def create_alert(session: Session, alert: AlertCreate, *, now: datetime) -> int:
    """Store a new alert with its Signals and a 'created' event; return its id."""
    values = {k: getattr(alert, k) for k in AlertCreate.__dataclass_fields__}
    signal_ids = values.pop("signal_ids")
    row = AlertRow(status="new", created_at=now, updated_at=now, **values)
    session.add(row)
    session.flush()
    _link_signals(session, row.id, signal_ids)
    record_alert_event(session, row.id, actor="tocsin", action="created", now=now)
    return row.id


def merge_into_alert(
    session: Session,
    alert_id: int,
    *,
    signal_ids: list[int],
    reason: str,
    value: float,
    now: datetime,
) -> bool:
    """Add a repeated match to an existing alert; True if it brought new Signals."""
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise AlertLifecycleError(f"no alert {alert_id}")
    before = set(
        session.scalars(select(AlertSignalRow.signal_id).where(AlertSignalRow.alert_id == alert_id))
    )
    _link_signals(session, alert_id, signal_ids)
    is_new = bool(set(signal_ids) - before)
    row.n_matches += 1
    if is_new or value != row.value:
        row.reason, row.value, row.updated_at = reason, value, now
    return is_new


@dataclass(frozen=True)
class AlertState:
    """The few columns the alert pass needs to decide (without Signals or history)."""

    id: int
    rule_id: int
    iso3: str
    status: str
    severity: str
    escalation_level: int
    notified_at: datetime | None
    closed_at: datetime | None


_STATE_COLUMNS = (
    AlertRow.id,
    AlertRow.rule_id,
    AlertRow.iso3,
    AlertRow.status,
    AlertRow.severity,
    AlertRow.escalation_level,
    AlertRow.notified_at,
    AlertRow.closed_at,
)


def latest_alert_for(session: Session, rule_id: int, iso3: str) -> AlertState | None:
    """The state of the latest alert of ``rule_id`` for ``iso3``, if any."""
    row = session.execute(
        select(*_STATE_COLUMNS)
        .where(AlertRow.rule_id == rule_id, AlertRow.iso3 == iso3)
        .order_by(AlertRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else AlertState(*row)


def latest_alert_states(session: Session) -> dict[tuple[int, str], AlertState]:
    """The state of the latest alert of every (rule, country), with the Signal ids linked to
    the open ones (for the alert pass to decide in memory what is new)."""
    latest = (
        select(func.max(AlertRow.id).label("id"))
        .group_by(AlertRow.rule_id, AlertRow.iso3)
        .subquery()
    )
    rows = session.execute(select(*_STATE_COLUMNS).join(latest, latest.c.id == AlertRow.id))
    return {(row.rule_id, row.iso3): AlertState(*row) for row in rows}


def linked_signal_ids(session: Session, alert_ids: list[int]) -> dict[int, set[int]]:
    """The Signal ids linked to each of ``alert_ids``."""
    linked: dict[int, set[int]] = {i: set() for i in alert_ids}
    for start in range(0, len(alert_ids), 500):
        chunk = alert_ids[start : start + 500]
        rows = session.execute(
            select(AlertSignalRow.alert_id, AlertSignalRow.signal_id).where(
                AlertSignalRow.alert_id.in_(chunk)
            )
        )
        for alert_id, signal_id in rows:
            linked[alert_id].add(signal_id)
    return linked


def list_awaiting_ack(session: Session, *, notified_before: datetime) -> list[AlertState]:
    """New (unacknowledged) alerts last notified at or before ``notified_before``."""
    rows = session.execute(
        select(*_STATE_COLUMNS)
        .where(AlertRow.status == "new", AlertRow.notified_at <= notified_before)
        .order_by(AlertRow.id)
    )
    return [AlertState(*row) for row in rows]


def list_alert_signals(session: Session, alert_id: int) -> list[StoredSignal]:
    """The Signals behind one alert (only those: reading every Signal of its country to
    pick them out would make each alert shown cost a scan of the country's evidence)."""
    rows = session.scalars(
        select(SignalRow)
        .join(AlertSignalRow, AlertSignalRow.signal_id == SignalRow.id)
        .where(AlertSignalRow.alert_id == alert_id)
        .order_by(SignalRow.end_date.desc(), SignalRow.id.desc())
    )
    return [stored_signal(row) for row in rows]


def get_alert(session: Session, alert_id: int) -> StoredAlert | None:
    row = session.get(AlertRow, alert_id)
    return None if row is None else _stored_alert(session, row)


def list_alerts(
    session: Session,
    *,
    status: str | None = None,
    iso3: str | None = None,
    public_only: bool = False,
    limit: int = 100,
) -> list[StoredAlert]:
    """Alerts, newest first."""
    query = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit)
    if status:
        query = query.where(AlertRow.status == status)
    if iso3:
        query = query.where(AlertRow.iso3 == iso3)
    if public_only:
        query = query.where(AlertRow.is_public.is_(True))
    return [_stored_alert(session, row) for row in session.scalars(query)]


def record_alert_event(
    session: Session,
    alert_id: int,
    *,
    actor: str,
    action: str,
    now: datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AlertEventRow(
            alert_id=alert_id, at=now, actor=actor, action=action, note=note, details=details or {}
        )
    )


def set_alert_status(
    session: Session,
    alert_id: int,
    status: str,
    *,
    actor: str,
    now: datetime,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> StoredAlert:
    """Move an alert along new → acknowledged → acted / dismissed, recording who and why."""
    row = session.get(AlertRow, alert_id, with_for_update=True)
    if row is None:
        raise AlertLifecycleError(f"no alert {alert_id}", fix="list them with `tocsin alerts list`")
    check_transition(alert_id, row.status, status, note=note)
    if row.acknowledged_at is None:
        row.acknowledged_at = now
    if status in CLOSING:
        row.closed_at = now
    row.status, row.updated_at = status, now
    record_alert_event(
        session, alert_id, actor=actor, action=status, now=now, note=note, details=details
    )
    session.flush()
    return _stored_alert(session, row)


def set_escalation_level(session: Session, alert_id: int, level: int, *, now: datetime) -> None:
    row = session.get(AlertRow, alert_id)
    if row is not None:
        row.escalation_level, row.notified_at = level, now


# --- inbox and outbox ----------------------------------------------------------------------


def add_to_inbox(session: Session, recipient_id: int, alert_id: int, *, now: datetime) -> bool:
    exists = session.scalar(
        select(AlertInboxRow.id).where(
            AlertInboxRow.recipient_id == recipient_id, AlertInboxRow.alert_id == alert_id
        )
    )
    if exists is not None:
        return False
    session.add(AlertInboxRow(recipient_id=recipient_id, alert_id=alert_id, created_at=now))
    return True


def list_inbox(session: Session, recipient_id: int, *, limit: int = 100) -> list[StoredAlert]:
    """The alerts in one recipient's in-app inbox, newest first."""
    rows = session.scalars(
        select(AlertRow)
        .join(AlertInboxRow, AlertInboxRow.alert_id == AlertRow.id)
        .where(AlertInboxRow.recipient_id == recipient_id)
        .order_by(AlertRow.id.desc())
        .limit(limit)
    )
    return [_stored_alert(session, row) for row in rows]


def _user_inbox_ids(username: str) -> Any:
    """The ids of the alerts delivered to the inbox of any recipient linked to ``username``
    (removed recipients included: what reached an inbox stays there)."""
    recipients = select(AlertRecipientRow.id).where(AlertRecipientRow.username == username)
    return select(AlertInboxRow.alert_id).where(AlertInboxRow.recipient_id.in_(recipients))


def list_user_inbox(
    session: Session,
    username: str,
    *,
    status: str | None = None,
    public_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[StoredAlert], int]:
    """One web user's inbox, newest first, and how many alerts it holds with these filters.

    An alert routed to two of the user's recipients (say, level 0 and, escalated, level 1)
    appears once.
    """
    query = select(AlertRow).where(AlertRow.id.in_(_user_inbox_ids(username)))
    if status:
        query = query.where(AlertRow.status == status)
    if public_only:
        query = query.where(AlertRow.is_public.is_(True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AlertRow.id.desc()).limit(limit).offset(offset))
    return [_stored_alert(session, row) for row in rows], int(total)


def in_user_inbox(session: Session, username: str, alert_id: int) -> bool:
    """Whether alert ``alert_id`` was routed to the inbox of ``username``."""
    found = session.scalar(
        select(AlertInboxRow.id)
        .join(AlertRecipientRow, AlertRecipientRow.id == AlertInboxRow.recipient_id)
        .where(AlertInboxRow.alert_id == alert_id, AlertRecipientRow.username == username)
        .limit(1)
    )
    return found is not None


@dataclass(frozen=True)
class OutboxMessage:
    """One message to deliver on one channel to one recipient."""

    idempotency_key: str
    alert_id: int
    recipient_id: int
    channel: str
    payload: dict[str, Any]
    id: int = 0
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None


def enqueue_outbox(session: Session, messages: list[OutboxMessage], *, now: datetime) -> int:
    """Queue messages; one whose idempotency key is already queued is skipped. Returns
    how many were added."""
    keys = [m.idempotency_key for m in messages]
    known = set(
        session.scalars(
            select(AlertOutboxRow.idempotency_key).where(AlertOutboxRow.idempotency_key.in_(keys))
        )
    )
    added = 0
    for m in messages:
        if m.idempotency_key in known:
            continue
        known.add(m.idempotency_key)
        session.add(
            AlertOutboxRow(
                idempotency_key=m.idempotency_key,
                alert_id=m.alert_id,
                recipient_id=m.recipient_id,
                channel=m.channel,
                payload=m.payload,
                status="pending",
                next_attempt_at=now,
                created_at=now,
            )
        )
        added += 1
    return added


def _message(row: AlertOutboxRow) -> OutboxMessage:
    return OutboxMessage(
        row.idempotency_key,
        row.alert_id,
        row.recipient_id,
        row.channel,
        row.payload,
        row.id,
        row.status,
        row.attempts,
        row.last_error,
    )


def claim_outbox(
    session: Session, *, worker: str, now: datetime, lease: timedelta, limit: int = 20
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due messages to ``worker``: pending ones whose next attempt is
    due, and ones whose previous worker's lease ran out (it died mid-delivery).

    The UPDATE repeats the conditions: on SQLite, where ``FOR UPDATE SKIP LOCKED`` does not
    exist, two workers can select the same rows, but only the first UPDATE still finds them
    due; the other claims nothing (PostgreSQL skips the locked rows already at the SELECT).
    """
    due = or_(
        (AlertOutboxRow.status == "pending") & (AlertOutboxRow.next_attempt_at <= now),
        (AlertOutboxRow.status == "sending") & (AlertOutboxRow.lease_until < now),
    )
    candidates = list(
        session.scalars(
            select(AlertOutboxRow.id)
            .where(due)
            .order_by(AlertOutboxRow.next_attempt_at, AlertOutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not candidates:
        return []
    claimed = list(
        session.scalars(
            update(AlertOutboxRow)
            .where(AlertOutboxRow.id.in_(candidates), due)
            .values(
                status="sending",
                claimed_by=worker,
                lease_until=now + lease,
                attempts=AlertOutboxRow.attempts + 1,
            )
            .returning(AlertOutboxRow.id)
            .execution_options(synchronize_session=False)
        )
    )
    rows = session.scalars(
        select(AlertOutboxRow)
        .where(AlertOutboxRow.id.in_(claimed))
        .order_by(AlertOutboxRow.next_attempt_at, AlertOutboxRow.id)
        .execution_options(populate_existing=True)
    )
    return [_message(row) for row in rows]


def renew_outbox_lease(
    session: Session, message_id: int, *, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Extend ``worker``'s lease on a message just before sending it; False when the lease
    is no longer its own (it ran out and another worker claimed the message, or the
    message was sent meanwhile), in which case the caller must not send it."""
    result = session.execute(
        update(AlertOutboxRow)
        .where(
            AlertOutboxRow.id == message_id,
            AlertOutboxRow.status == "sending",
            AlertOutboxRow.claimed_by == worker,
            AlertOutboxRow.lease_until >= now,
        )
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def mark_outbox_sent(session: Session, message_id: int, *, now: datetime) -> None:
    row = session.get(AlertOutboxRow, message_id)
    if row is not None:
        row.status, row.sent_at, row.lease_until, row.last_error = "sent", now, None, None


def mark_outbox_failed(
    session: Session, message_id: int, *, error: str, retry_at: datetime
) -> None:
    """Put a message back in the queue for a later attempt (it is never dropped)."""
    row = session.get(AlertOutboxRow, message_id)
    if row is not None and row.status != "sent":
        row.status, row.next_attempt_at, row.lease_until = "pending", retry_at, None
        row.last_error = error[:2000]


def list_outbox(
    session: Session, *, status: str | None = None, limit: int = 1000
) -> list[OutboxMessage]:
    query = select(AlertOutboxRow).order_by(AlertOutboxRow.id).limit(limit)
    if status:
        query = query.where(AlertOutboxRow.status == status)
    return [_message(row) for row in session.scalars(query)]


def alert_outbox_counts(session: Session) -> dict[str, int]:
    """How many outbox messages are pending, sending and sent."""
    counts = {"pending": 0, "sending": 0, "sent": 0}
    rows = session.execute(
        select(AlertOutboxRow.status, func.count()).group_by(AlertOutboxRow.status)
    )
    for status, n in rows:
        counts[status] = n
    return counts
