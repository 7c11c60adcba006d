"""Autogenerate an Alembic revision from the difference between the tables and the migrations.

Usage:
    uv run python scripts/new_migration.py "create forecast tables" --branch forecast
    uv run python scripts/new_migration.py "add column x to signals"

A capability's first revision starts its own branch (``--branch NAME``): no parent, labelled
with the capability's name, depending on the core revision 0001. Later revisions of the same
capability go on top of its branch (``--branch NAME`` again finds the branch head); a
capability that owns its tables gets the file in ``src/tocsin/NAME/migrations/``. Without
``--branch`` the revision goes on the core line. Review the generated file before committing.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from tocsin.store import Database
from tocsin.store._database import PACKAGE_DIR

CORE_BASE = "0001"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("message", help="what the revision does, e.g. 'create forecast tables'")
    parser.add_argument("--branch", help="capability name: the revision goes on its branch")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'autogen.db'}")
        db.upgrade()
        config = db._alembic_config()
        script = ScriptDirectory.from_config(config)
        labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
        slug = re.sub(r"[^a-z0-9]+", "_", args.message.lower()).strip("_")
        number = sum(1 for _ in script.walk_revisions()) + 1
        options: dict[str, object] = {"rev_id": f"{number:04d}_{slug}"[:32]}
        if args.branch and args.branch not in labels:
            options |= {"head": "base", "branch_label": args.branch, "depends_on": CORE_BASE}
        elif args.branch:
            options |= {"head": f"{args.branch}@head"}
        else:
            options |= {"head": f"{CORE_BASE}@head" if labels else "head"}
        if args.branch and (PACKAGE_DIR / args.branch / "migrations").is_dir():
            # a capability that owns its tables keeps its revisions in its own package
            options["version_path"] = str(PACKAGE_DIR / args.branch / "migrations")
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message=args.message, autogenerate=True, **options)
        db.dispose()


if __name__ == "__main__":
    main()
