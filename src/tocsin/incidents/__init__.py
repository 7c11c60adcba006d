"""Incident reports: what field monitors report, with identities sealed and files attached.

The capability owns the reports' tables, their queries and their Alembic revisions
(``tocsin/incidents/migrations/``). It stores ciphertext only: identities of witnesses,
victims and sources, and attached files, are sealed by the web layer's key ring before
they arrive, and every read goes through a :class:`ReportVisibility`. The web pages and
the API that take reports in are in :mod:`tocsin.web`.
"""

from tocsin.incidents._store import (
    AttachmentCreate,
    IncidentReportCreate,
    IncidentReportRow,
    ReportAttachmentRow,
    ReportVisibility,
    StoredAttachment,
    StoredIncidentReport,
    add_report_attachment,
    get_incident_report,
    get_report_attachment,
    list_encrypted_values,
    list_incident_reports,
    list_report_attachments,
    replace_encrypted_value,
    save_incident_report,
    set_report_event_uid,
)

__all__ = [
    "AttachmentCreate",
    "IncidentReportCreate",
    "IncidentReportRow",
    "ReportAttachmentRow",
    "ReportVisibility",
    "StoredAttachment",
    "StoredIncidentReport",
    "add_report_attachment",
    "get_incident_report",
    "get_report_attachment",
    "list_encrypted_values",
    "list_incident_reports",
    "list_report_attachments",
    "replace_encrypted_value",
    "save_incident_report",
    "set_report_event_uid",
]
