"""The store's reading and writing of the shared domain model, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from tocsin.domain import (
    Country,
    Provenance,
    Signal,
    SignalKind,
    Source,
    SourceGrade,
    SourceKind,
)
from tocsin.store import (
    Database,
    DatasetVersion,
    FrameworkCode,
    UnknownReferenceError,
    audit,
    count_rows,
    get_country,
    get_source,
    list_audit,
    list_countries,
    list_dataset_versions,
    list_signals,
    record_dataset_version,
    record_signals,
    sync_framework_codes,
    upsert_countries,
    upsert_source,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CAF = Country(iso3="CAF", name="Central African Republic", iso2="CF", isonum=140, gw=482, cow=482)
MMR = Country(iso3="MMR", name="Myanmar", iso2="MM", isonum=104, gw=775, cow=775)
CODES = [
    FrameworkCode("RF1", "risk_factor", "Armed conflict or instability", "RF1"),
    FrameworkCode("1.1", "indicator", "International or non-international armed conflict", "RF1"),
    FrameworkCode("RF9", "risk_factor", "Intergroup tensions", "RF9"),
    FrameworkCode("9.3", "indicator", "Denial of a protected group's existence", "RF9"),
]


@pytest.fixture
def loaded(db: Database) -> Database:
    with db.session() as session:
        upsert_countries(session, [(CAF, ["Centrafrique"]), (MMR, ["Burma"])])
        sync_framework_codes(session, CODES, version="test")
        upsert_source(
            session,
            Source(key="dataset:pts", name="Political Terror Scale", kind=SourceKind.DATASET),
            now=NOW,
        )
    return db


def make_signal(**changes: object) -> Signal:
    values: dict[str, object] = {
        "iso3": "CAF",
        "kind": SignalKind.FORECAST,
        "start_date": date(2025, 1, 1),
        "end_date": date(2026, 12, 31),
        "framework_codes": ["RF1", "1.1"],
        "strength": 0.2,
        "summary": "20% risk of a new mass killing",
        "provenance": Provenance(capability="forecast", producer="test-model@1"),
    }
    values.update(changes)
    return Signal.model_validate(values)


def test_countries_upsert_is_idempotent(loaded: Database) -> None:
    with loaded.session() as session:
        assert upsert_countries(session, [(CAF, ["Centrafrique"])]) == 0
        renamed = CAF.model_copy(update={"name": "Central African Rep."})
        assert upsert_countries(session, [(renamed, ["Centrafrique"])]) == 1
    with loaded.session() as session:
        assert [c.iso3 for c in list_countries(session)] == ["CAF", "MMR"]
        assert get_country(session, "CAF") == renamed
        assert get_country(session, "XXX") is None


def test_sources_keep_their_grade(loaded: Database) -> None:
    source = Source(key="outlet:radio-x", name="Radio X", grade=SourceGrade.parse("B2"))
    with loaded.session() as session:
        first = upsert_source(session, source, now=NOW)
        assert upsert_source(session, source, now=NOW) == first
    with loaded.session() as session:
        stored = get_source(session, "outlet:radio-x")
    assert stored is not None and stored.grade.code == "B2"


def test_signal_round_trip_keeps_every_field(loaded: Database) -> None:
    signal = make_signal(
        area="Ouham",
        provenance=Provenance(
            capability="events",
            producer="escalation@1",
            source_key="dataset:pts",
            details={"window_days": 30},
        ),
    )
    with loaded.session() as session:
        (signal_id,) = record_signals(session, [signal], now=NOW)
    with loaded.session() as session:
        (stored,) = list_signals(session, iso3="CAF")
    assert stored.id == signal_id
    assert stored.stored_at == NOW
    as_read = stored.model_dump(exclude={"id", "stored_at", "observed_at"})
    assert as_read == signal.model_dump(exclude={"observed_at"})


def test_same_evidence_twice_updates_instead_of_duplicating(loaded: Database) -> None:
    with loaded.session() as session:
        first = record_signals(session, [make_signal()], now=NOW)
        again = record_signals(session, [make_signal(strength=0.4, summary="40%")], now=NOW)
    assert first == again
    with loaded.session() as session:
        (stored,) = list_signals(session)
    assert stored.strength == pytest.approx(0.4)


def test_unknown_reference_refuses_the_whole_batch(loaded: Database) -> None:
    good = make_signal()
    bad_country = make_signal(iso3="ZZZ")
    bad_code = make_signal(framework_codes=["RF2"])
    for bad in (bad_country, bad_code):
        with pytest.raises(UnknownReferenceError, match="ZZZ|RF2"), loaded.session() as session:
            record_signals(session, [good, bad], now=NOW)
    with loaded.session() as session:
        assert list_signals(session) == []


def test_filter_by_factor_matches_its_indicators(loaded: Database) -> None:
    with loaded.session() as session:
        record_signals(
            session,
            [
                make_signal(framework_codes=["9.3"], kind=SignalKind.SPEECH_SURGE),
                make_signal(iso3="MMR", framework_codes=["RF1"]),
            ],
            now=NOW,
        )
    with loaded.session() as session:
        by_factor = list_signals(session, codes=["RF9"])
        by_kind = list_signals(session, kinds=[SignalKind.FORECAST])
        in_2030 = list_signals(session, overlapping=(date(2030, 1, 1), date(2030, 12, 31)))
    assert [s.framework_codes for s in by_factor] == [["9.3"]]
    assert [s.iso3 for s in by_kind] == ["MMR"]
    assert in_2030 == []


def test_catalogue_sync_keeps_codes_that_signals_cite(loaded: Database) -> None:
    with loaded.session() as session:
        record_signals(session, [make_signal(framework_codes=["9.3"])], now=NOW)
        sync_framework_codes(session, CODES[:2], version="next")
        remaining = session.execute(text("select code from framework_codes")).scalars().all()
    assert set(remaining) == {"RF1", "1.1", "9.3"}


def test_dataset_version_is_recorded_once(loaded: Database) -> None:
    version = DatasetVersion("pts", "a" * 64, "bundled", "2024", 10220, 1976, 2023)
    with loaded.session() as session:
        assert record_dataset_version(session, version, now=NOW) is True
        assert record_dataset_version(session, version, now=NOW) is False
        newer = DatasetVersion("pts", "b" * 64, "updated", "2025", 10400, 1976, 2024)
        assert record_dataset_version(session, newer, now=NOW) is True
    with loaded.session() as session:
        (current,) = list_dataset_versions(session)
        history = list_dataset_versions(session, current_only=False)
    assert current.sha256 == "b" * 64
    assert len(history) == 2


def test_audit_log_redacts_secrets(loaded: Database) -> None:
    with loaded.session() as session:
        audit(
            session,
            actor="admin",
            action="user.create",
            target="user:7",
            details={"password": "hunter2", "role": "analyst", "nested": {"api_token": "t"}},
            now=NOW,
        )
    with loaded.session() as session:
        (entry,) = list_audit(session)
        counts = count_rows(session)
    assert entry.details == {
        "password": "[redacted]",
        "role": "analyst",
        "nested": {"api_token": "[redacted]"},
    }
    assert counts["audit_log"] == 1 and counts["countries"] == 2


def test_failed_transaction_leaves_nothing(loaded: Database) -> None:
    with pytest.raises(RuntimeError), loaded.session() as session:
        upsert_countries(session, [(Country(iso3="SSD", name="South Sudan"), [])])
        raise RuntimeError("crash in the middle of an import")
    with loaded.session() as session:
        assert get_country(session, "SSD") is None
