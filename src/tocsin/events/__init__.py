"""Events: ingest UCDP, ACLED, GDELT and field reports; link, aggregate, detect escalation.

The analysis is pure: importers take the bytes of a file and return canonical rows
(:class:`ParsedEvents`); :func:`import_events` keeps them in the capability's own tables
(``_store.py``), which is this package's only I/O besides reading files.

Examples
--------
>>> from tocsin.events import EVENT_TYPES, EventType
>>> EVENT_TYPES[EventType.SEXUAL_VIOLENCE].framework_codes
('RF13', '13.17', '7.9')
"""

# Names are loaded on first use (their module is imported then), so that importing
# the package, or one light name of it, does not load every heavy library; the stub
# beside this file lists them for type checkers and for `lazy_loader`.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
