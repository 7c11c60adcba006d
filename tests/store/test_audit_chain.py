"""The audit log is append-only on both backends, and its hash chain shows tampering."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import JSON, String, column, delete, insert, table, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from tocsin.cli import build_app
from tocsin.errors import TocsinError
from tocsin.store import AUDIT_GENESIS_HASH, Database, audit, list_audit, verify_audit_chain
from tocsin.store._tables import AuditRow, UTCDateTime

NOW = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=UTC)


def _append(db: Database, n: int, *, start: int = 0) -> None:
    with db.session() as session:
        for i in range(start, start + n):
            audit(
                session,
                actor=f"user{i}",
                action="report.view",
                target=f"report:{i}",
                details={"n": i, "share": 0.25, "codes": ("RF1", "RF9"), "nested": {"a": [1]}},
                now=NOW + timedelta(seconds=i),
            )


def _drop_triggers(db: Database) -> None:
    """What someone with the database owner's rights can do: the chain still tells."""
    with db.engine.begin() as connection:
        if db.backend == "postgresql":
            connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
            connection.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_update_and_delete_of_audit_rows_are_refused(db: Database) -> None:
    _append(db, 2)
    for statement in (
        update(AuditRow).values(actor="someone else"),
        update(AuditRow).where(AuditRow.id == 1).values(details={}),
        delete(AuditRow),
        delete(AuditRow).where(AuditRow.id == 2),
    ):
        with pytest.raises(DBAPIError, match="audit_log is append-only"), db.session() as session:
            session.execute(statement)
    with db.session() as session:
        assert [e.actor for e in list_audit(session)] == ["user1", "user0"]
        assert verify_audit_chain(session).intact


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_truncate_of_the_audit_log_is_refused_on_postgres(db: Database) -> None:
    _append(db, 1)
    with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
        with db.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))


def test_every_row_links_to_the_one_before(db: Database) -> None:
    _append(db, 3)
    _append(db, 2, start=3)
    with db.session() as session:
        rows = session.query(AuditRow).order_by(AuditRow.id).all()
        report = verify_audit_chain(session)
    assert rows[0].prev_hash == AUDIT_GENESIS_HASH
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert report.intact and report.rows == 5 and report.head == rows[-1].row_hash


def test_an_empty_log_verifies(db: Database) -> None:
    with db.session() as session:
        report = verify_audit_chain(session)
    assert report.intact and report.rows == 0 and report.head == AUDIT_GENESIS_HASH


@pytest.mark.parametrize(
    ("tamper", "broken_at", "problem"),
    [
        ("UPDATE audit_log SET actor = 'nobody' WHERE id = 2", 2, "changed"),
        ("UPDATE audit_log SET details = '{}' WHERE id = 3", 3, "changed"),
        ("DELETE FROM audit_log WHERE id = 2", 3, "removed or inserted"),
    ],
    ids=["actor-changed", "details-changed", "row-removed"],
)
def test_a_change_behind_the_triggers_breaks_the_chain(
    db: Database, tamper: str, broken_at: int, problem: str
) -> None:
    _append(db, 4)
    _drop_triggers(db)
    with db.engine.begin() as connection:
        connection.execute(text(tamper))
    with db.session() as session:
        report = verify_audit_chain(session)
    assert not report.intact
    assert report.broken_at == broken_at and problem in (report.problem or "")


def test_a_row_slipped_in_with_a_forged_link_is_found(db: Database) -> None:
    _append(db, 2)
    with db.session() as session:
        last = session.query(AuditRow).order_by(AuditRow.id.desc()).first()
        assert last is not None
        # a copy of the last row's link, with made-up content: its own hash cannot match
        session.add(
            AuditRow(
                at=NOW,
                actor="ghost",
                action="user.create",
                target=None,
                details={},
                prev_hash=last.row_hash,
                row_hash="f" * 64,
            )
        )
    with db.session() as session:
        report = verify_audit_chain(session)
    assert report.broken_at == 3 and report.rows == 2


def test_concurrent_writers_keep_one_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def writer(start: int) -> None:
        try:
            for i in range(start, start + 10):
                _append(db, 1, start=i)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(k * 100,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as session:
        report = verify_audit_chain(session)
    assert report.intact and report.rows == 40


def test_the_migration_links_rows_written_before_it(db: Database) -> None:
    with db.engine.connect() as connection:
        before = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert "0002_append_only_audit_log" in set(before)
    db.downgrade("0002_append_only_audit_log-1")
    old_log = table(
        "audit_log",
        column("at", UTCDateTime()),
        column("actor", String()),
        column("action", String()),
        column("details", JSON()),
    )
    with db.engine.begin() as connection:
        connection.execute(
            insert(old_log),
            [
                {"at": NOW + timedelta(minutes=i), "actor": f"old{i}", "action": "user.create"}
                | {"details": {"k": i}}
                for i in range(3)
            ],
        )
        # the log was mutable before this revision
        connection.execute(text("UPDATE audit_log SET actor = 'edited' WHERE actor = 'old1'"))
    db.upgrade()
    _append(db, 1, start=10)
    with db.session() as session:
        report = verify_audit_chain(session)
        assert report.intact and report.rows == 4
    with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
        session.execute(delete(AuditRow))


def test_the_cli_verifies_the_chain_and_fails_at_a_break(db: Database, tmp_path: Path) -> None:
    _append(db, 3)
    env = {"TOCSIN_DATABASE_URL": db.url, "TOCSIN_HOME": str(tmp_path)}
    command = ["db", "verify-audit", "--json"]
    good = CliRunner().invoke(build_app(), command, env=env)
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout) | {"head": "…"} == {
        "intact": True,
        "rows": 3,
        "head": "…",
        "broken_at": None,
        "problem": None,
    }
    text_run = CliRunner().invoke(build_app(), ["db", "verify-audit"], env=env)
    assert text_run.exit_code == 0 and "3 rows are intact" in text_run.stdout
    _drop_triggers(db)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET target = 'report:other' WHERE id = 2"))
    broken = CliRunner().invoke(build_app(), ["db", "verify-audit"], env=env)
    assert broken.exit_code == 1 and isinstance(broken.exception, TocsinError)
    assert "breaks at row 2, which was changed" in str(broken.exception)
