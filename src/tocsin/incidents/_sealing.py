"""Key rotation of the incident tables: identities of reports, attachments' data keys and
the senders of queued text messages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tocsin.incidents._attachments import attachment_context
from tocsin.incidents._gateway import draft_context
from tocsin.incidents._reports import report_context
from tocsin.incidents._store import list_encrypted_values, replace_encrypted_value
from tocsin.store import KeyRing


def reseal_incident_values(session: Session, ring: KeyRing) -> int:
    """Re-encrypt every sealed value of the incident tables under ``ring.active``
    (each decrypted with the key it names); return how many.

    The incidents slice's resealer (entry point ``incidents`` of the ``tocsin.sealed``
    group), run by :func:`tocsin.web.rotate_identity_key`.
    """
    values = list_encrypted_values(session)
    for value in values:
        if value.table == "reports":
            context = report_context(value.record)
        elif value.table == "drafts":
            context = draft_context(value.record)
        else:
            context = attachment_context(value.record)
        sealed = ring.reseal(value.key_id, value.ciphertext, context=context)
        replace_encrypted_value(session, value, key_id=sealed.key_id, ciphertext=sealed.ciphertext)
    return len(values)
