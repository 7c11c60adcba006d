"""The restore drill (scripts/restore_drill.sh) as an operator runs it: it passes on a good
backup, restores nothing in place, and fails on a backup it cannot open."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.web.fixtures import populate, populated_home
from tests.web.test_backup import _cli, _seal_values
from tocsin.settings import Settings
from tocsin.store import Database, KeyRing

REPO = Path(__file__).resolve().parents[2]
DRILL = REPO / "scripts" / "restore_drill.sh"


def _drill(*args: str) -> subprocess.CompletedProcess[str]:
    """The restore drill as an operator runs it, with this interpreter's `tocsin`."""
    from tests.cli.running import environment

    tocsin = Path(sys.executable).with_name("tocsin")
    return subprocess.run(
        ["bash", str(DRILL), *args],
        capture_output=True,
        text=True,
        env=environment(TOCSIN=str(tocsin)),
        timeout=180,
        check=False,
    )


def test_the_restore_drill_passes_on_a_good_sqlite_backup_and_fails_on_a_wrong_ring(
    tmp_path: Path,
) -> None:
    home = populated_home(tmp_path / "data")
    settings = Settings(home=home)
    _seal_values(settings)
    database_copy, keys_copy = tmp_path / "copy.db", tmp_path / "usb" / "keys.json"
    keys_copy.parent.mkdir()
    made = _cli(home, "backup", str(database_copy), "--keys", str(keys_copy))
    assert made.returncode == 0, made.stderr
    key_file = settings.web.key_file(settings)
    before = key_file.read_bytes()

    drill = _drill("--keys", str(keys_copy), "--sqlite", str(database_copy))
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "opens all 3 sealed values" in drill.stdout and "restore drill passed" in drill.stdout
    assert key_file.read_bytes() == before  # the machine's own ring is left alone

    other = tmp_path / "other-keys.json"
    other.write_text(KeyRing.generate().to_json())
    failed = _drill("--keys", str(other), "--sqlite", str(database_copy))
    assert failed.returncode != 0 and "restore drill passed" not in failed.stdout
    assert "failed authentication" in failed.stderr


@pytest.mark.postgres
def test_the_restore_drill_restores_a_pg_dump_into_a_scratch_database(
    tmp_path: Path, postgres_schema_url: str, postgres_url: str
) -> None:
    from sqlalchemy import create_engine, text

    db = Database(postgres_schema_url)
    populate(db)
    db.dispose()
    home = tmp_path / "data"
    _seal_values(Settings(home=home, database_url=postgres_schema_url))
    keys_copy = tmp_path / "keys.json"
    made = _cli(home, "backup", "--keys", str(keys_copy), database_url=postgres_schema_url)
    assert made.returncode == 0, made.stderr
    schema = postgres_schema_url.rsplit("%3D", 1)[1]
    libpq = postgres_url.replace("postgresql+psycopg:", "postgresql:")
    dump = tmp_path / "tocsin.pgdump"
    subprocess.run(
        ["pg_dump", "-Fc", "--no-owner", "-n", schema, "-f", str(dump), libpq], check=True
    )
    scratch = f"tocsin_drill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    try:
        base = postgres_url.rsplit("/", 1)[0]
        scratch_url = f"{base}/{scratch}?options=-csearch_path%3D{schema}"
        drill = _drill("--keys", str(keys_copy), "--pg-dump", str(dump), "--pg-url", scratch_url)
        assert drill.returncode == 0, drill.stdout + drill.stderr
        assert "opens all 3 sealed values" in drill.stdout
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        admin.dispose()
