"""The connectors' sync state: its table and migration on both backends, staleness."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect

from tests.monitor.servers import NOW
from tocsin.errors import TocsinError
from tocsin.monitor import (
    CONNECTORS,
    EXPECTED_UPDATE_INTERVALS,
    expected_update_interval,
    get_connector,
    get_sync_state,
    list_sync_states,
    record_sync_failure,
    record_sync_success,
    stale_sources,
    sync_source,
)
from tocsin.monitor.migrations import monitor_0001_sync_state as revision
from tocsin.settings import Settings
from tocsin.store import Database


def test_the_revision_starts_the_monitor_branch_as_a_root_after_the_kernels_first() -> None:
    assert revision.revision == "monitor_0001_sync_state"
    assert revision.branch_labels == ("monitor",)
    assert revision.down_revision is None and revision.depends_on == "0001"


def test_the_table_is_made_by_the_migration_and_undone_by_its_downgrade(db: Database) -> None:
    assert "monitor_sync_state" in inspect(db.engine).get_table_names()
    while "monitor_" in (db.current_revision() or ""):  # the branch's revisions, one by one
        db.downgrade("monitor@-1")
    assert "0002_append_only_audit_log" in (db.current_revision() or "")
    assert "monitor_sync_state" not in inspect(db.engine).get_table_names()
    assert "audit_log" in inspect(db.engine).get_table_names()  # the kernel's stay
    db.upgrade()
    columns = {c["name"] for c in inspect(db.engine).get_columns("monitor_sync_state")}
    assert columns == {
        "source",
        "cursor",
        "last_attempt_at",
        "last_success_at",
        "last_new_data_at",
        "data_end",
        "last_error",
        "n_items",
    }


def test_success_and_failure_are_recorded_and_read_back(db: Database) -> None:
    later = NOW + timedelta(hours=1)
    with db.session() as session:
        assert get_sync_state(session, "gdelt") is None
        record_sync_success(
            session,
            "gdelt",
            cursor={"timestamp": "20261204173000"},
            data_end=date(2026, 12, 4),
            n_items=12,
            now=NOW,
        )
    with db.session() as session:
        record_sync_failure(session, "gdelt", error="gdelt: HTTP 503", now=later)
        record_sync_success(session, "acled", cursor=None, data_end=None, n_items=0, now=NOW)
    with db.session() as session:
        gdelt = get_sync_state(session, "gdelt")
        names = [s.source for s in list_sync_states(session)]
    assert names == ["acled", "gdelt"]
    assert gdelt is not None
    assert gdelt.cursor == {"timestamp": "20261204173000"}  # a failure keeps the cursor
    assert gdelt.last_attempt_at == later and gdelt.last_success_at == NOW
    assert gdelt.last_new_data_at == NOW and gdelt.last_error == "gdelt: HTTP 503"
    assert gdelt.data_end == date(2026, 12, 4) and gdelt.n_items == 12
    with db.session() as session:  # a success with nothing new keeps the data end
        record_sync_success(session, "gdelt", cursor={"t": 1}, data_end=None, n_items=0, now=later)
        again = get_sync_state(session, "gdelt")
    assert again is not None and again.last_error is None and again.n_items == 12
    assert again.data_end == date(2026, 12, 4) and again.last_new_data_at == NOW


def test_every_connector_has_a_name_and_an_update_interval() -> None:
    assert set(CONNECTORS) == {"ucdp_ged", "ucdp_candidate", "acled", "gdelt", "reliefweb"}
    for name, connector in CONNECTORS.items():
        assert connector.name == name
        assert connector.expected_update_interval == expected_update_interval(name)
    assert expected_update_interval("gdelt") == timedelta(hours=1)
    assert expected_update_interval("ucdp_ged") > expected_update_interval("ucdp_candidate")
    assert set(EXPECTED_UPDATE_INTERVALS) == set(CONNECTORS)


def test_an_unknown_source_is_refused_with_the_known_names() -> None:
    db = Database("sqlite://")  # refused before any query
    with pytest.raises(TocsinError, match="use one of ucdp_ged, ucdp_candidate"):
        get_connector("gedlt")
    with pytest.raises(TocsinError, match="unknown source 'gedlt'"):
        sync_source(db, "gedlt", Settings(), now=NOW)
    with pytest.raises(TocsinError, match="unknown source"):
        expected_update_interval("gedlt")


def test_a_source_is_stale_once_it_brought_nothing_new_for_longer_than_it_publishes(
    db: Database,
) -> None:
    with db.session() as session:
        for name in ("gdelt", "acled"):
            record_sync_success(session, name, cursor={}, data_end=NOW.date(), n_items=3, now=NOW)
        # ReliefWeb is synced without error but brings nothing, ever
        record_sync_success(session, "reliefweb", cursor={}, data_end=None, n_items=0, now=NOW)
    assert [s.source for s in stale_sources(db, now=NOW + timedelta(minutes=50))] == ["reliefweb"]
    # gdelt then fails for two hours: its last new data are older than an hour
    with db.session() as session:
        record_sync_failure(session, "gdelt", error="gdelt: HTTP 500", now=NOW + timedelta(hours=2))
    stale = stale_sources(db, now=NOW + timedelta(hours=2))
    assert [s.source for s in stale] == ["gdelt", "reliefweb"]
    gdelt = stale[0]
    assert gdelt.last_update == NOW and gdelt.expected_every == timedelta(hours=1)
    assert gdelt.data_end == NOW.date() and gdelt.last_error == "gdelt: HTTP 500"
    assert gdelt.reason(NOW + timedelta(hours=2)) == (
        "gdelt: no new data for 2 h (expected every 1 h); last error: gdelt: HTTP 500"
    )
    assert stale[1].reason(NOW) == "reliefweb: never brought data (expected every 48 h)"
    # ACLED publishes weekly: 15 days without new events is late
    assert "acled" in [s.source for s in stale_sources(db, now=NOW + timedelta(days=15))]
    # a source named but never synced is stale; one without a schedule is not judged
    named = stale_sources(db, now=NOW, names=["ucdp_candidate", "no_such_source"])
    assert [(s.source, s.last_update) for s in named] == [("ucdp_candidate", None)]
