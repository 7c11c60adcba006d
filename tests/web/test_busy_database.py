"""A write that waits for SQLite's write lock past the busy timeout (a long import holds
it) answers 503 with Retry-After and stores nothing, never a 500."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.web.fixtures import csrf_of, populate, sign_in
from tocsin.incidents import ReportVisibility, list_incident_reports
from tocsin.settings import Settings
from tocsin.store import Database, _database
from tocsin.web import create_app
from tocsin.web._config import WebSettings


def test_a_write_that_waits_past_the_busy_timeout_answers_503(
    tmp_path: Path, migrated_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tocsin.db"
    shutil.copyfile(migrated_sqlite, path)
    url = f"sqlite:///{path}"
    db = Database(url)
    populate(db)
    db.dispose()
    monkeypatch.setattr(_database, "SQLITE_BUSY_TIMEOUT_MS", 300)
    app = create_app(
        Settings(home=tmp_path, database_url=url),
        WebSettings(identity_keys=None, identity_key_file=tmp_path / "keys.json"),
    )
    client = sign_in(app, "analyst")
    csrf = csrf_of(client)
    report = {
        "iso3": "CAF",
        "start_date": "2025-01-10",
        "event_type": "killing",
        "narrative": "written while an import holds the lock",
        "sensitivity": "public",
    }
    headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "busy-database-0001"}

    importer = sqlite3.connect(path, isolation_level=None)  # another process's long import
    importer.execute("BEGIN IMMEDIATE")
    try:
        busy = client.post("/api/v1/reports", json=report, headers=headers)
    finally:
        importer.rollback()
        importer.close()
    assert busy.status_code == 503, busy.text
    assert busy.headers["retry-after"] == "5"
    assert "nothing of this request was stored" in busy.json()["detail"]

    check = Database(url)
    with check.session() as session:
        stored, _total = list_incident_reports(
            session, visibility=ReportVisibility(), text="import holds the lock"
        )
    check.dispose()
    assert stored == []

    again = client.post("/api/v1/reports", json=report, headers=headers)  # the lock is gone
    assert again.status_code == 201, again.text
    app.state.tocsin.db.dispose()
