"""The store: SQLite by default, PostgreSQL for multi-user deployments.

The kernel every capability shares: :class:`Database` (engine, sessions, the migration
runner over every capability's migrations), the declarative :class:`Base` with its naming
convention and column types, and the core tables (countries, framework codes, sources,
Signals, imports, dataset versions, audit) with their queries, and the AES-GCM key ring
that seals values at rest (:class:`KeyRing`). A capability keeps its own
tables and queries in ``tocsin.<capability>._store`` and its Alembic revisions in
``tocsin/<capability>/migrations/`` (found by convention).
"""

# Names are loaded on first use (their module is imported then), so that importing
# the package, or one light name of it, does not load every heavy library; the stub
# beside this file lists them for type checkers and for `lazy_loader`.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
