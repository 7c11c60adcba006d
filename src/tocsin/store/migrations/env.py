"""Alembic environment: always runs on a connection handed in by tocsin.store.Database."""

from __future__ import annotations

import importlib

from alembic import context

from tocsin.store._database import slice_table_modules
from tocsin.store._tables import Base

for module in slice_table_modules():  # every table, the kernel's and the slices', into metadata
    importlib.import_module(module)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations through `tocsin db upgrade`, not the alembic CLI")

# Batch mode lets the same migration alter tables on SQLite, which cannot ALTER most things.
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
