"""Incident reports: what field monitors report, with identities sealed and files attached.

The capability owns the reports' rules, models and pages as well as their tables, their
queries and their Alembic revisions (``tocsin/incidents/migrations/``): submitting a report
once per idempotency key (:func:`submit_report`, which hands a report that is not
restricted to the events capability without any identity), who may see which report
(:func:`report_visibility`), the identities of witnesses, victims and sources and the
attached files sealed under the kernel's key ring (:class:`tocsin.store.KeyRing`), their
re-encryption when the key is rotated (:func:`reseal_incident_values`, an entry point of
the ``tocsin.sealed`` group), and the web pages and API (:mod:`tocsin.incidents.web`, the
web plug-in ``incidents``). The tables hold ciphertext only, and every read goes through
a :class:`ReportVisibility`.
"""

# Names are loaded on first use (their module is imported then): the tables are imported
# by every migration run and must not load pydantic, the events capability or the web
# layer with them.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
