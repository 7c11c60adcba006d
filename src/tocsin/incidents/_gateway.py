"""Reports by text message: the gateway's webhook, its signatures, the grammar, the queue.

An SMS or messaging gateway (RapidPro, Twilio) forwards each message it receives to
``POST /api/v1/intake/sms``. The request is trusted only if the gateway signed it:

- Twilio: ``X-Twilio-Signature``, the base64 HMAC-SHA1, keyed by the account's auth
  token, of the URL Twilio called followed by each form parameter's name and value in
  the names' order (:func:`twilio_signature`);
- RapidPro and others: ``X-Tocsin-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw
  body under a shared secret (:func:`body_signature`).

A message in the grammar (:func:`parse_sms`) becomes a *draft* in the verification
queue, once per gateway message id, with the sender's number sealed (it identifies a
person); a verifier makes it a report (:func:`verify_draft`) or turns it down. A draft is
no report: it makes no event and no list of reports shows it. Any other message is
answered with the format expected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, SecretStr
from sqlalchemy.orm import Session

from tocsin.incidents._store import (
    DraftCreate,
    StoredDraft,
    StoredIncidentReport,
    decide_incident_draft,
    get_incident_draft,
    save_incident_draft,
)
from tocsin.settings import IntakeSettings
from tocsin.store import KeyRing, audit, get_country

if TYPE_CHECKING:
    from tocsin.incidents._reports import IncidentReportIn
    from tocsin.web import Principal

#: The words a message starts with (English, French): one grammar, two languages.
KEYWORDS = ("REPORT", "RAPPORT")
#: The header of the body's HMAC-SHA256 (RapidPro and any gateway that can sign).
SIGNATURE_HEADER = "X-Tocsin-Signature"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
EXPECTED_FORMAT = (
    "Send: REPORT <country code> <date YYYY-MM-DD> <what happened>, "
    "e.g. REPORT CAF 2026-11-30 Bossangoa attack on village, 12 killed"
)
MAX_TEXT = 1600  # ten concatenated SMS


@dataclass(frozen=True)
class GatewaySettings:
    """The secrets the gateways sign with, and the URL they call (for Twilio's signature).

    ``public_url`` is the server's address as the gateway sees it (behind a proxy the
    request's own URL differs, and Twilio signs the one it called).
    """

    twilio_auth_token: str | None = field(default=None, repr=False)
    shared_secret: str | None = field(default=None, repr=False)
    public_url: str | None = None

    @classmethod
    def from_settings(cls, settings: IntakeSettings) -> GatewaySettings:
        """From the ``TOCSIN_INTAKE_*`` settings (an unset secret: that gateway is refused).

        Examples
        --------
        >>> GatewaySettings.from_settings(IntakeSettings(gateway_secret="s"))
        GatewaySettings(public_url=None)
        """

        def secret(value: SecretStr | None) -> str | None:
            return value.get_secret_value() or None if value is not None else None

        return cls(
            twilio_auth_token=secret(settings.twilio_auth_token),
            shared_secret=secret(settings.gateway_secret),
            public_url=settings.public_url or None,
        )


class GatewayRefused(Exception):
    """The request is not signed by a configured gateway (answered 403, audited)."""

    def __init__(self, reason: str, channel: str = "unknown") -> None:
        super().__init__(reason)
        self.channel = channel


class GatewayPayloadError(ValueError):
    """A signed request that does not carry a message (answered 400)."""


class SmsNotUnderstood(ValueError):
    """The message is not in the grammar; the text says what is wrong and what to send."""


@dataclass(frozen=True)
class IncomingMessage:
    """A message as the gateway delivered it (``sender`` is an identity: never logged)."""

    channel: str
    message_id: str
    sender: str = field(repr=False)
    text: str
    sent_at: datetime | None = None


@dataclass(frozen=True)
class SmsReport:
    """What a message in the grammar says."""

    iso3: str
    start_date: date
    text: str


def twilio_signature(auth_token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """Twilio's signature of a form POST to ``url``.

    Examples
    --------
    The worked example of Twilio's guide to validating requests:

    >>> twilio_signature(
    ...     "12345",
    ...     "https://mycompany.com/myapp.php?foo=1&bar=2",
    ...     [
    ...         ("To", "+18005551212"),
    ...         ("CallSid", "CA1234567890ABCDE"),
    ...         ("Digits", "1234"),
    ...         ("From", "+12349013030"),
    ...         ("Caller", "+12349013030"),
    ...     ],
    ... )
    '0/KCTR6DLpKmkAf8muzZqo1nDgQ='
    """
    payload = url + "".join(name + value for name, value in sorted(params))
    mac = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def body_signature(secret: str, body: bytes) -> str:
    """The ``X-Tocsin-Signature`` value of ``body``: ``sha256=`` and the hex HMAC.

    Examples
    --------
    The HMAC-SHA256 example of Wikipedia's article on HMAC:

    >>> body_signature("key", b"The quick brown fox jumps over the lazy dog")
    'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'
    """
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _first(values: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = values.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _sent_at(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def read_gateway_request(
    settings: GatewaySettings,
    *,
    headers: Mapping[str, str],
    body: bytes,
    url: str,
) -> IncomingMessage:
    """The message of a gateway's request, once its signature is checked.

    ``headers`` are looked up in lower case; ``url`` is the URL the gateway called.
    Raises :class:`GatewayRefused` when the request is unsigned or badly signed.
    """
    content_type = headers.get("content-type", "")
    is_form = content_type.startswith("application/x-www-form-urlencoded")
    twilio = headers.get(TWILIO_SIGNATURE_HEADER.lower())
    signed = headers.get(SIGNATURE_HEADER.lower())
    try:
        text_body = body.decode("utf-8")
    except UnicodeDecodeError:
        raise GatewayRefused("the body is not UTF-8") from None
    if twilio is not None:
        if not settings.twilio_auth_token:
            raise GatewayRefused("no Twilio auth token is configured", "twilio")
        params = parse_qsl(text_body, keep_blank_values=True) if is_form else []
        expected = twilio_signature(settings.twilio_auth_token, url, params)
        if not hmac.compare_digest(expected, twilio):
            raise GatewayRefused("bad Twilio signature", "twilio")
        values: dict[str, Any] = dict(params)
        message = IncomingMessage(
            channel="twilio",
            message_id=_first(values, "MessageSid", "SmsSid"),
            sender=_first(values, "From"),
            text=_first(values, "Body"),
        )
    elif signed is not None:
        if not settings.shared_secret:
            raise GatewayRefused("no gateway secret is configured", "rapidpro")
        if not hmac.compare_digest(body_signature(settings.shared_secret, body), signed):
            raise GatewayRefused("bad signature", "rapidpro")
        try:
            values = dict(parse_qsl(text_body)) if is_form else json.loads(text_body or "{}")
        except json.JSONDecodeError:
            raise GatewayPayloadError("the body is neither JSON nor a form") from None
        if not isinstance(values, dict):
            raise GatewayPayloadError("the body must be a JSON object")
        urn = _first(values, "urn", "from")
        message = IncomingMessage(
            channel="rapidpro",
            message_id=_first(values, "id", "uuid", "message_id"),
            sender=urn.split(":", 1)[1] if urn.startswith(("tel:", "whatsapp:")) else urn,
            text=_first(values, "text", "body"),
            sent_at=_sent_at(_first(values, "date", "sent_on", "created_on")),
        )
    else:
        raise GatewayRefused("unsigned request")
    if not message.message_id or len(message.message_id) > 200:
        raise GatewayPayloadError("the message id (id, uuid or MessageSid) is missing")
    if not message.sender:
        raise GatewayPayloadError("the sender (urn, from or From) is missing")
    if "\x00" in message.message_id + message.sender + message.text:
        # PostgreSQL cannot store it
        raise GatewayPayloadError("the message holds a NUL character (\\u0000)")
    return message


_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 2, 1)),  # day first
)


def _parse_date(word: str) -> date | None:
    for pattern, (y, m, d) in _DATE_FORMS:
        found = pattern.match(word)
        if found:
            try:
                return date(int(found.group(y)), int(found.group(m)), int(found.group(d)))
            except ValueError:
                return None
    return None


def parse_sms(text: str, *, is_country: Any, today: date) -> SmsReport:
    """Read ``REPORT <iso3> <date> <what happened>``; raise :class:`SmsNotUnderstood`.

    The keyword and code are read in any case; the date is ``YYYY-MM-DD`` or
    ``DD/MM/YYYY`` and not after ``today``; ``is_country(iso3)`` says whether the
    database holds the country.

    Examples
    --------
    >>> found = parse_sms(
    ...     "report caf 30/11/2026 Bossangoa: attack on village, 12 killed",
    ...     is_country=lambda code: code == "CAF",
    ...     today=date(2026, 12, 1),
    ... )
    >>> found.iso3, found.start_date.isoformat(), found.text
    ('CAF', '2026-11-30', 'Bossangoa: attack on village, 12 killed')
    """
    words = text.strip().split(maxsplit=3)
    if not words or words[0].upper() not in KEYWORDS:
        raise SmsNotUnderstood(f"The message must start with REPORT. {EXPECTED_FORMAT}")
    if len(words) < 4:
        raise SmsNotUnderstood(f"Country, date or description is missing. {EXPECTED_FORMAT}")
    _keyword, code, when, what = words
    iso3 = code.upper()
    if not re.fullmatch(r"[A-Z]{3}", iso3) or not is_country(iso3):
        raise SmsNotUnderstood(
            f"Unknown country code {code[:10]!r}: use the 3-letter code. {EXPECTED_FORMAT}"
        )
    start_date = _parse_date(when)
    if start_date is None:
        raise SmsNotUnderstood(f"The date {when[:12]!r} is not a date. {EXPECTED_FORMAT}")
    if start_date > today:
        raise SmsNotUnderstood(f"The date {when} is in the future. {EXPECTED_FORMAT}")
    if len(what.strip()) < 3:
        raise SmsNotUnderstood(f"Say what happened. {EXPECTED_FORMAT}")
    return SmsReport(iso3=iso3, start_date=start_date, text=what.strip()[:MAX_TEXT])


def draft_context(public_id: str) -> str:
    """What a draft's sealed sender is bound to (AES-GCM associated data)."""
    return f"incident-draft:{public_id}"


@dataclass(frozen=True)
class GatewayOutcome:
    """What became of a message, and the reply to send back to its sender."""

    status: str  # "queued" | "duplicate" | "not_understood"
    reply: str
    draft: StoredDraft | None = None


def receive_message(
    session: Session, key_ring: KeyRing, message: IncomingMessage, *, now: datetime
) -> GatewayOutcome:
    """Queue a message's draft once per (channel, message id), or say what to send."""
    today = (message.sent_at or now).date() + timedelta(days=1)  # the sender's day may be ahead
    try:
        parsed = parse_sms(
            message.text,
            is_country=lambda iso3: get_country(session, iso3) is not None,
            today=today,
        )
    except SmsNotUnderstood as problem:
        audit(
            session,
            actor=f"gateway:{message.channel}",
            action="intake.sms.not_understood",
            target=message.message_id,
            now=now,
        )
        return GatewayOutcome("not_understood", str(problem))
    public_id = secrets.token_hex(12)
    sealed = key_ring.encrypt({"sender": message.sender}, context=draft_context(public_id))
    draft, created = save_incident_draft(
        session,
        DraftCreate(
            public_id=public_id,
            channel=message.channel,
            message_id=message.message_id,
            iso3=parsed.iso3,
            start_date=parsed.start_date,
            text=parsed.text,
            sender_ciphertext=sealed.ciphertext,
            sender_key_id=sealed.key_id,
        ),
        now=now,
    )
    reply = f"Thank you: report {draft.public_id[:8]} received; it will be verified."
    if not created:
        return GatewayOutcome("duplicate", reply, draft)
    audit(
        session,
        actor=f"gateway:{message.channel}",
        action="intake.sms.queued",
        target=draft.public_id,
        now=now,
        details={"iso3": draft.iso3},
    )
    return GatewayOutcome("queued", reply, draft)


class DraftOut(BaseModel):
    """A draft as verifiers see it in the queue (never its sender)."""

    id: str
    channel: str
    status: str
    iso3: str
    start_date: date
    text: str
    received_at: datetime | None
    report_id: str | None = None


def draft_out(draft: StoredDraft, report_public_id: str | None = None) -> DraftOut:
    return DraftOut(
        id=draft.public_id,
        channel=draft.channel,
        status=draft.status,
        iso3=draft.iso3,
        start_date=draft.start_date,
        text=draft.text,
        received_at=draft.received_at,
        report_id=report_public_id,
    )


class DraftDecided(ValueError):
    """The draft does not exist or was verified or rejected already (answered 409/404)."""


def draft_sender(key_ring: KeyRing, draft: StoredDraft) -> str:
    opened = key_ring.decrypt(
        draft.sender_key_id, draft.sender_ciphertext, context=draft_context(draft.public_id)
    )
    return str(opened["sender"])


def verify_draft(
    session: Session,
    key_ring: KeyRing,
    principal: Principal,
    public_id: str,
    report: IncidentReportIn,
    *,
    now: datetime,
) -> StoredIncidentReport:
    """Make a pending draft the report a verifier wrote from it; return the report.

    The sender's number joins the report's sources (sealed with its identities); the
    report is submitted as any other (:func:`tocsin.incidents.submit_report`), once.
    """
    from tocsin.incidents._reports import submit_report

    draft = get_incident_draft(session, public_id)
    if draft is None or draft.status != "pending":
        raise DraftDecided("no pending draft of that id")
    sender = draft_sender(key_ring, draft)
    identities = report.identities.model_copy(
        update={"sources": [*report.identities.sources, sender]}
    )
    stored, _created = submit_report(
        session,
        key_ring,
        principal,
        report.model_copy(update={"identities": identities}),
        idempotency_key=f"sms-draft:{draft.public_id}",
        now=now,
    )
    try:
        decide_incident_draft(
            session,
            draft.id,
            status="verified",
            decided_by=principal.user.id,
            now=now,
            report_id=stored.id,
        )
    except ValueError:
        # another verifier's decision committed first: this transaction, and the report
        # made in it, roll back
        raise DraftDecided("the draft was decided meanwhile") from None
    audit(
        session,
        actor=principal.actor,
        action="intake.draft.verify",
        target=draft.public_id,
        now=now,
        details={"report": stored.public_id},
    )
    return stored


def reject_draft(session: Session, principal: Principal, public_id: str, *, now: datetime) -> None:
    """Turn a pending draft down (it stays in the table, marked rejected)."""
    draft = get_incident_draft(session, public_id)
    if draft is None or draft.status != "pending":
        raise DraftDecided("no pending draft of that id")
    try:
        decide_incident_draft(
            session, draft.id, status="rejected", decided_by=principal.user.id, now=now
        )
    except ValueError:
        raise DraftDecided("the draft was decided meanwhile") from None
    audit(session, actor=principal.actor, action="intake.draft.reject", target=public_id, now=now)
