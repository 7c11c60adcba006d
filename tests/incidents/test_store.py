"""The incidents slice stores reports once per key, reads them only through a visibility,
and its revision moves reports stored under the web slice's old tables without loss."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import column, insert, inspect, table, text

from tocsin.bootstrap import country_from_record
from tocsin.countries import get_crosswalk
from tocsin.incidents import (
    AttachmentCreate,
    IncidentReportCreate,
    ReportVisibility,
    add_report_attachment,
    get_incident_report,
    get_report_attachment,
    list_encrypted_values,
    list_incident_reports,
    list_report_attachments,
    replace_encrypted_value,
    save_incident_report,
)
from tocsin.store import Database, UTCDateTime, upsert_countries
from tocsin.web import create_user

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _report(owner_id: int, key: str, **values: object) -> IncidentReportCreate:
    base = IncidentReportCreate(
        public_id=f"r-{key}",
        owner_id=owner_id,
        idempotency_key=key,
        sensitivity="restricted",
        iso3="CAF",
        start_date=date(2026, 11, 30),
        end_date=date(2026, 11, 30),
        event_type="one_sided",
        location="Bambari",
        admin1="Ouaka",
        latitude=5.76,
        longitude=20.67,
        perpetrator="armed group",
        perpetrator_kind="non_state",
        victim_group="Peuhl herders",
        victim_kind="civilians",
        fatalities_best=4,
        civilian_deaths=4,
        narrative="Four herders killed at a market.",
        identities_ciphertext="ciphertext-of-a-witness",
        identities_key_id="k1",
    )
    return replace(base, **values)  # type: ignore[arg-type]


@pytest.fixture
def owners(db: Database) -> tuple[int, int]:
    with db.session() as session:
        upsert_countries(
            session, ((country_from_record(r), r.variants) for r in get_crosswalk().records())
        )
        ids = tuple(
            create_user(
                session,
                username=name,
                display_name=name,
                role="monitor",
                password_hash="not a real hash",
                now=NOW,
            ).id
            for name in ("amina", "jean")
        )
    return ids[0], ids[1]


def test_a_retried_submission_returns_the_first_report(
    db: Database, owners: tuple[int, int]
) -> None:
    amina, _ = owners
    with db.session() as session:
        first, first_is_new = save_incident_report(session, _report(amina, "a1"), now=NOW)
        again, again_is_new = save_incident_report(
            session, _report(amina, "a1", public_id="r-other", narrative="changed"), now=NOW
        )
    assert (first_is_new, again_is_new) == (True, False)
    assert again.public_id == first.public_id == "r-a1"
    assert again.narrative == "Four herders killed at a market."
    assert again.owner_username == ""  # owners' names are added by get_named_report & co.


def test_reads_apply_the_callers_visibility(db: Database, owners: tuple[int, int]) -> None:
    amina, jean = owners
    with db.session() as session:
        save_incident_report(session, _report(amina, "a1"), now=NOW)
        save_incident_report(session, _report(jean, "j1", sensitivity="public"), now=NOW)
        own = ReportVisibility(owner_id=jean)
        assert get_incident_report(session, "r-a1", visibility=own) is None
        assert get_incident_report(session, "r-j1", visibility=own) is not None
        public_only = ReportVisibility(sensitivities=("public",))
        reports, total = list_incident_reports(session, visibility=public_only)
        assert (total, [r.public_id for r in reports]) == (1, ["r-j1"])
        everything, total = list_incident_reports(session, visibility=ReportVisibility())
        assert total == 2
        found, total = list_incident_reports(session, visibility=ReportVisibility(), text="HERDERS")
        assert total == 2
        nothing, total = list_incident_reports(
            session, visibility=ReportVisibility(sensitivities=())
        )
        assert (nothing, total) == ([], 0)


def test_key_rotation_sees_and_replaces_every_ciphertext(
    db: Database, owners: tuple[int, int]
) -> None:
    amina, _ = owners
    with db.session() as session:
        report, _ = save_incident_report(session, _report(amina, "a1"), now=NOW)
        add_report_attachment(
            session,
            AttachmentCreate(
                public_id="att-1",
                report_id=report.id,
                content_type="image/jpeg",
                n_bytes=3,
                key_id="k1",
                sealed="sealed-data-key",
                content=b"\x01\x02\x03",
                created_by=amina,
            ),
            now=NOW,
        )
        values = list_encrypted_values(session)
        assert {(v.table, v.record, v.key_id) for v in values} == {
            ("reports", "r-a1", "k1"),
            ("attachments", "att-1", "k1"),
        }
        for value in values:
            replace_encrypted_value(
                session, value, key_id="k2", ciphertext="re-" + value.ciphertext
            )
        assert {v.key_id for v in list_encrypted_values(session)} == {"k2"}
        attachment = get_report_attachment(session, report.id, "att-1")
        assert attachment is not None
        assert (attachment.sealed, attachment.content) == ("re-sealed-data-key", b"\x01\x02\x03")
        assert [a.public_id for a in list_report_attachments(session, report.id)] == ["att-1"]


def test_upgrade_moves_reports_from_the_old_web_tables(empty_db: Database) -> None:
    """A database migrated before the slice existed keeps its reports and attachments."""
    empty_db.upgrade("web_0002_import_jobs_attachments")
    with empty_db.session() as session:
        upsert_countries(
            session, ((country_from_record(r), r.variants) for r in get_crosswalk().records())
        )
    rows = {
        "web_users": {
            "id": 7,
            "username": "amina",
            "display_name": "Amina",
            "role": "monitor",
            "password_hash": "h",
            "is_active": True,
            "must_change_password": False,
            "updated_at": NOW,
        },
        "web_incident_reports": {
            "id": 41,
            "public_id": "r-old",
            "owner_id": 7,
            "idempotency_key": "k",
            "sensitivity": "restricted",
            "iso3": "CAF",
            "start_date": date(2021, 5, 1),
            "end_date": date(2021, 5, 1),
            "event_type": "one_sided",
            "perpetrator_kind": "state",
            "victim_kind": "civilians",
            "identities_ciphertext": "sealed-identities",
            "identities_key_id": "k1",
        },
        "web_report_attachments": {
            "id": 3,
            "public_id": "att-old",
            "report_id": 41,
            "content_type": "text/plain",
            "n_bytes": 2,
            "key_id": "k1",
            "sealed": "s",
            "content": b"ok",
            "created_by": 7,
        },
    }
    with empty_db.engine.begin() as connection:
        for name, values in rows.items():
            columns = [
                column(key, UTCDateTime()) if key == "updated_at" else column(key) for key in values
            ]
            connection.execute(
                insert(table(name, column("created_at", UTCDateTime()), *columns)),
                [values | {"created_at": NOW}],
            )
    empty_db.upgrade()
    tables = set(inspect(empty_db.engine).get_table_names())
    assert {"incident_reports", "incident_attachments"} <= tables
    assert not {"web_incident_reports", "web_report_attachments"} & tables
    with empty_db.session() as session:
        moved = get_incident_report(session, "r-old", visibility=ReportVisibility())
        assert moved is not None and moved.id == 41
        assert moved.identities_ciphertext == "sealed-identities"
        attachment = get_report_attachment(session, 41, "att-old")
        assert attachment is not None and attachment.content == b"ok"
        # new rows continue after the copied ids
        new, _ = save_incident_report(session, _report(7, "after"), now=NOW)
        assert new.id > 41
    empty_db.downgrade("web_0002_import_jobs_attachments")
    with empty_db.engine.connect() as connection:
        back = connection.execute(text("SELECT public_id FROM web_incident_reports")).scalars()
        assert sorted(back) == ["r-after", "r-old"]
