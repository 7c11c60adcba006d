"""Incident reports from field monitors: submit once, read only what you may, audit the rest.

Names of victims, witnesses and sources are encrypted before they reach the store and
decrypted only for callers holding ``identity:read``; every such reading, every view of
a restricted report and every export is written to the audit log. A report that is not
restricted is also handed to the events capability (``record_field_events``) without
any identity, so it counts in the country's event timeline and escalation detection.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from tocsin.events import (
    EARLIEST_EVENT_DATE,
    LATEST_EVENT_DATE,
    Act,
    Actor,
    ActorKind,
    Event,
    EventType,
    Fatalities,
    SourceReference,
    record_field_events,
)
from tocsin.incidents._attachments import AttachmentOut, attachments_of
from tocsin.incidents._named import save_named_report
from tocsin.incidents._store import (
    IncidentReportCreate,
    StoredIncidentReport,
    set_report_event_uid,
)
from tocsin.store import KeyRing, audit, get_country

if TYPE_CHECKING:
    from tocsin.web import Principal


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store it; the form's multipart body reaches this model unchecked
    if "\x00" in value:
        raise ValueError("must not contain NUL characters (\\u0000)")
    return value


def _lines(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else value
    return [_no_nul(item.strip()) for item in items if item and item.strip()]


class Identities(BaseModel):
    """Who was harmed, who saw it, who told us: stored encrypted, shown to few."""

    model_config = ConfigDict(extra="forbid")

    victims: list[str] = Field(default_factory=list, max_length=500)
    witnesses: list[str] = Field(default_factory=list, max_length=500)
    sources: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("victims", "witnesses", "sources", mode="before")
    @classmethod
    def _split(cls, value: list[str] | str | None) -> list[str]:
        return _lines(value)

    def is_empty(self) -> bool:
        return not (self.victims or self.witnesses or self.sources)


class IncidentReportIn(BaseModel):
    """What a monitor submits (the form's fields and the API's body)."""

    model_config = ConfigDict(extra="forbid")

    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    start_date: date = Field(ge=EARLIEST_EVENT_DATE, le=LATEST_EVENT_DATE)
    end_date: date | None = Field(default=None, ge=EARLIEST_EVENT_DATE, le=LATEST_EVENT_DATE)
    event_type: EventType
    location: str | None = Field(default=None, max_length=500)
    admin1: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    perpetrator: str | None = Field(default=None, max_length=500)
    perpetrator_kind: ActorKind = ActorKind.UNKNOWN
    victim_group: str | None = Field(default=None, max_length=500)
    victim_kind: ActorKind = ActorKind.CIVILIANS
    fatalities_best: int | None = Field(default=None, ge=0, le=1_000_000)
    civilian_deaths: int | None = Field(default=None, ge=0, le=1_000_000)
    narrative: str | None = Field(
        default=None, max_length=20_000, description="What happened. Name nobody here."
    )
    sensitivity: str = Field(default="restricted", pattern="^(public|internal|restricted)$")
    identities: Identities = Field(default_factory=Identities)

    @field_validator("location", "admin1", "perpetrator", "victim_group", "narrative")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return _no_nul(value).strip() or None if value is not None else None

    @model_validator(mode="after")
    def _span(self) -> IncidentReportIn:
        if self.end_date is None:
            self.end_date = self.start_date
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class IncidentReportOut(BaseModel):
    """A report as shown; ``identities`` only for callers allowed to read them."""

    id: str
    owner: str
    sensitivity: str
    iso3: str
    start_date: date
    end_date: date
    event_type: str
    location: str | None
    admin1: str | None
    latitude: float | None
    longitude: float | None
    perpetrator: str | None
    perpetrator_kind: str
    victim_group: str | None
    victim_kind: str
    fatalities_best: int | None
    civilian_deaths: int | None
    narrative: str | None
    has_identities: bool
    identities: Identities | None = None
    event_uid: str | None
    created_at: datetime | None
    attachments: list[AttachmentOut] = Field(
        default_factory=list,
        description="Files attached (shown with one report, not in lists or exports).",
    )


class UnknownCountry(ValueError):
    """The report names a country the database does not hold."""


class IdempotencyKeyReused(ValueError):
    """The idempotency key was used before for a different report (answered 409)."""


#: What decides whether a submission repeats a stored report (the rest is made anew on
#: each: its id and its identities' ciphertext, whose plaintext is compared instead).
_COMPARED_FIELDS = [
    name
    for name in IncidentReportCreate.__dataclass_fields__
    if name not in {"public_id", "identities_ciphertext", "identities_key_id"}
]


def _same_report(
    key_ring: KeyRing,
    stored: StoredIncidentReport,
    new: IncidentReportCreate,
    identities: Identities,
) -> bool:
    if any(getattr(stored, name) != getattr(new, name) for name in _COMPARED_FIELDS):
        return False
    if stored.identities_ciphertext is None or stored.identities_key_id is None:
        return identities.is_empty()
    kept = key_ring.decrypt(
        stored.identities_key_id,
        stored.identities_ciphertext,
        context=report_context(stored.public_id),
    )
    return Identities(**kept) == identities


def report_context(public_id: str) -> str:
    """What a report's identities are bound to (AES-GCM associated data)."""
    return f"incident-report:{public_id}"


def submit_report(
    session: Session,
    key_ring: KeyRing,
    principal: Principal,
    report: IncidentReportIn,
    *,
    idempotency_key: str,
    now: datetime,
) -> tuple[StoredIncidentReport, bool]:
    """Store a report once per idempotency key; return it and whether it is new.

    A repeat of a stored report (the same key and the same content: a retry, or copies
    sent at once) returns the stored one; the same key with another content raises
    :class:`IdempotencyKeyReused`, rather than dropping the new report unseen.
    """
    if get_country(session, report.iso3) is None:
        raise UnknownCountry(f"no country {report.iso3!r}")
    public_id = secrets.token_hex(12)
    sealed = None
    if not report.identities.is_empty():
        sealed = key_ring.encrypt(report.identities.model_dump(), context=report_context(public_id))
    assert report.end_date is not None
    wanted = IncidentReportCreate(
        public_id=public_id,
        owner_id=principal.user.id,
        idempotency_key=idempotency_key,
        sensitivity=report.sensitivity,
        iso3=report.iso3,
        start_date=report.start_date,
        end_date=report.end_date,
        event_type=report.event_type.value,
        perpetrator_kind=report.perpetrator_kind.value,
        victim_kind=report.victim_kind.value,
        location=report.location,
        admin1=report.admin1,
        latitude=report.latitude,
        longitude=report.longitude,
        perpetrator=report.perpetrator,
        victim_group=report.victim_group,
        fatalities_best=report.fatalities_best,
        civilian_deaths=report.civilian_deaths,
        narrative=report.narrative,
        identities_ciphertext=sealed.ciphertext if sealed else None,
        identities_key_id=sealed.key_id if sealed else None,
    )
    stored, created = save_named_report(session, wanted, now=now)
    if not created:
        if not _same_report(key_ring, stored, wanted, report.identities):
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different report: "
                "send a new report with a new key"
            )
        return stored, False
    if stored.sensitivity != "restricted":
        event = Event(
            dataset="field",
            source_event_id=stored.public_id,
            start_date=stored.start_date,
            end_date=stored.end_date,
            iso3=stored.iso3,
            admin1=stored.admin1,
            location=stored.location,
            latitude=stored.latitude,
            longitude=stored.longitude,
            acts=[
                Act(
                    type=EventType(stored.event_type),
                    perpetrator=Actor(
                        name=stored.perpetrator, kind=ActorKind(stored.perpetrator_kind)
                    ),
                    victim=Actor(kind=ActorKind(stored.victim_kind), group=stored.victim_group),
                    fatalities=Fatalities(
                        best=stored.fatalities_best, civilians=stored.civilian_deaths
                    ),
                )
            ],
            sources=[SourceReference(name="Tocsin field monitor report")],
        )
        record_field_events(session, [event], now=now, reporter="web")
        set_report_event_uid(session, stored.id, event.uid)
        stored = replace(stored, event_uid=event.uid)  # answered as a retry will be
    audit(
        session,
        actor=principal.actor,
        action="report.submit",
        target=stored.public_id,
        now=now,
        details={"sensitivity": stored.sensitivity, "iso3": stored.iso3},
    )
    return stored, True


def report_out(
    session: Session,
    key_ring: KeyRing,
    principal: Principal,
    report: StoredIncidentReport,
    *,
    now: datetime,
    reveal: bool,
    action: str = "report.view",
    with_attachments: bool | None = None,
) -> IncidentReportOut:
    """The public shape of a report; identities only if ``reveal`` and allowed (audited).

    Its attachments are listed when one report is viewed (``with_attachments`` defaults
    to ``action == "report.view"``); the caller has checked that the report is visible.
    """
    if with_attachments is None:
        with_attachments = action == "report.view"
    identities = None
    if reveal and principal.can("identity:read") and report.identities_ciphertext:
        assert report.identities_key_id is not None
        identities = Identities(
            **key_ring.decrypt(
                report.identities_key_id,
                report.identities_ciphertext,
                context=report_context(report.public_id),
            )
        )
        audit(
            session,
            actor=principal.actor,
            action="report.identities.view",
            target=report.public_id,
            now=now,
        )
    elif report.sensitivity == "restricted":
        audit(session, actor=principal.actor, action=action, target=report.public_id, now=now)
    return IncidentReportOut(
        id=report.public_id,
        # a monitor's account name can identify someone in the field: shown only to the
        # monitor and to those who may read identities, never to viewers of public reports
        owner=report.owner_username
        if principal.can("identity:read") or principal.user.id == report.owner_id
        else "",
        sensitivity=report.sensitivity,
        iso3=report.iso3,
        start_date=report.start_date,
        end_date=report.end_date,
        event_type=report.event_type,
        location=report.location,
        admin1=report.admin1,
        latitude=report.latitude,
        longitude=report.longitude,
        perpetrator=report.perpetrator,
        perpetrator_kind=report.perpetrator_kind,
        victim_group=report.victim_group,
        victim_kind=report.victim_kind,
        fatalities_best=report.fatalities_best,
        civilian_deaths=report.civilian_deaths,
        narrative=report.narrative,
        has_identities=report.identities_ciphertext is not None,
        identities=identities,
        event_uid=report.event_uid,
        created_at=report.created_at,
        attachments=attachments_of(session, key_ring, report) if with_attachments else [],
    )
