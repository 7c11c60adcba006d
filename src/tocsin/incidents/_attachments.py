"""Files attached to incident reports: checked, encrypted at rest, shown as the report is.

Each file is encrypted with AES-256-GCM under a fresh data key, bound to its report and
its own id; the data key and the file's name are sealed by the identity key ring
(:class:`tocsin.store.KeyRing`), so key rotation re-encrypts those few bytes and never the
files. Who may list or download an attachment is exactly who may see its report
(:func:`tocsin.incidents.report_visibility`); every download is in the audit log.

Types are told from the file's first bytes, not from what the browser claims: photos
(JPEG, PNG, WebP, GIF), PDF, plain text, Word and OpenDocument documents.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tocsin.incidents._store import (
    AttachmentCreate,
    StoredIncidentReport,
    add_report_attachment,
    get_report_attachment,
    list_report_attachments,
)
from tocsin.store import KeyRing, audit

if TYPE_CHECKING:
    from tocsin.web import Principal

#: Largest file accepted, and most files per report.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
_NONCE = 12
ALLOWED = "photos (JPEG, PNG, WebP, GIF), PDF, plain text, Word (.docx) or OpenDocument (.odt)"
_ZIPPED = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}


class AttachmentError(ValueError):
    """An attached file was refused (too large, too many, or of a type not accepted)."""


@dataclass(frozen=True)
class NewAttachment:
    """A file as uploaded: its name and bytes."""

    name: str
    data: bytes


class AttachmentOut(BaseModel):
    id: str
    name: str
    content_type: str
    n_bytes: int
    url: str
    created_at: datetime


def attachment_context(public_id: str) -> str:
    """What an attachment's sealed data key is bound to (AES-GCM associated data)."""
    return f"report-attachment:{public_id}"


def _content_context(report_id: str, public_id: str) -> bytes:
    return f"report-attachment-content:{report_id}:{public_id}".encode()


def sniff(name: str, data: bytes) -> str | None:
    """The media type told by the file's first bytes, or None if it is not accepted.

    >>> sniff("a.jpg", bytes.fromhex("ffd8ffe0") + b"rest")
    'image/jpeg'
    >>> sniff("notes.txt", "witness said…".encode()), sniff("x.exe", b"MZ\\x90\\x00")
    ('text/plain; charset=utf-8', None)
    """
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if head.startswith(b"PK\x03\x04") and suffix in _ZIPPED:
        return _ZIPPED[suffix]
    if suffix in {".txt", ".text", ".md"} and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain; charset=utf-8"
    return None


def safe_name(name: str) -> str:
    """The file's base name, without path or control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip() or "attachment"
    return cleaned[-200:]


def check_attachments(
    files: list[NewAttachment], *, already: int = 0
) -> list[tuple[NewAttachment, str]]:
    """Each file with its media type; :class:`AttachmentError` naming every refused file.

    ``already`` is how many files the report holds before these.
    """
    problems = []
    if already + len(files) > MAX_ATTACHMENTS:
        held = f" (the report holds {already})" if already else ""
        problems.append(f"{len(files)} files attached{held}: at most {MAX_ATTACHMENTS} per report")
    checked = []
    for file in files:
        if len(file.data) > MAX_ATTACHMENT_BYTES:
            problems.append(
                f"attachment {file.name!r} is larger than {MAX_ATTACHMENT_BYTES // 2**20} MB"
            )
            continue
        if not file.data:
            problems.append(f"attachment {file.name!r} is empty")
            continue
        kind = sniff(file.name, file.data)
        if kind is None:
            problems.append(f"attachment {file.name!r}: not an accepted type; attach {ALLOWED}")
            continue
        checked.append((file, kind))
    if problems:
        raise AttachmentError("; ".join(problems))
    return checked


def store_attachments(
    session: Session,
    key_ring: KeyRing,
    principal: Principal,
    report: StoredIncidentReport,
    files: list[tuple[NewAttachment, str]],
    *,
    now: datetime,
) -> int:
    """Encrypt and store checked files on ``report``; return how many."""
    for file, content_type in files:
        public_id = secrets.token_hex(12)
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = secrets.token_bytes(_NONCE)
        content = nonce + AESGCM(data_key).encrypt(
            nonce, file.data, _content_context(report.public_id, public_id)
        )
        sealed = key_ring.encrypt(
            {"key": base64.b64encode(data_key).decode(), "name": safe_name(file.name)},
            context=attachment_context(public_id),
        )
        add_report_attachment(
            session,
            AttachmentCreate(
                public_id=public_id,
                report_id=report.id,
                content_type=content_type,
                n_bytes=len(file.data),
                key_id=sealed.key_id,
                sealed=sealed.ciphertext,
                content=content,
                created_by=principal.user.id,
            ),
            now=now,
        )
    if files:
        audit(
            session,
            actor=principal.actor,
            action="report.attachment.add",
            target=report.public_id,
            now=now,
            details={"n_files": len(files)},
        )
    return len(files)


def attachments_of(
    session: Session, key_ring: KeyRing, report: StoredIncidentReport
) -> list[AttachmentOut]:
    """The attachments of a report the caller may see (check that first)."""
    found = []
    for item in list_report_attachments(session, report.id):
        secret = key_ring.decrypt(
            item.key_id, item.sealed, context=attachment_context(item.public_id)
        )
        found.append(
            AttachmentOut(
                id=item.public_id,
                name=str(secret["name"]),
                content_type=item.content_type,
                n_bytes=item.n_bytes,
                url=f"/reports/{report.public_id}/attachments/{item.public_id}",
                created_at=item.created_at,
            )
        )
    return found


def open_attachment(
    session: Session,
    key_ring: KeyRing,
    principal: Principal,
    report: StoredIncidentReport,
    public_id: str,
    *,
    now: datetime,
) -> tuple[str, str, bytes] | None:
    """Name, media type and bytes of one attachment of a visible report (audited), or None."""
    item = get_report_attachment(session, report.id, public_id)
    if item is None or item.content is None:
        return None
    secret = key_ring.decrypt(item.key_id, item.sealed, context=attachment_context(public_id))
    data_key = base64.b64decode(secret["key"])
    content = item.content
    data = AESGCM(data_key).decrypt(
        content[:_NONCE], content[_NONCE:], _content_context(report.public_id, public_id)
    )
    audit(
        session,
        actor=principal.actor,
        action="report.attachment.download",
        target=f"{report.public_id}/{public_id}",
        now=now,
        details={"sensitivity": report.sensitivity},
    )
    return str(secret["name"]), item.content_type, data
