"""Daily counts, the surge detector, and surge Signals stored through the store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from tocsin.domain import SignalKind
from tocsin.speech import SURGE_CODES, daily_flag_counts, detect_surges, surge_signals
from tocsin.store import Database, list_signals, record_signals


def _scores(flagged_per_day: list[int], start: date = date(2024, 1, 1)) -> pd.DataFrame:
    rows = []
    for offset, n in enumerate(flagged_per_day):
        day = start + timedelta(days=offset)
        rows += [
            {"iso3": "KEN", "published_date": day, "is_flagged": True, "target_groups": "religion"}
        ] * n
        rows += [
            {"iso3": "KEN", "published_date": day, "is_flagged": False, "target_groups": ""}
        ] * 3
    return pd.DataFrame(rows)


def test_a_burst_is_one_surge_in_both_series() -> None:
    rng = np.random.default_rng(0)
    flagged = list(rng.poisson(2, size=40)) + [25, 30, 2, 1]
    surges = detect_surges(daily_flag_counts(_scores(flagged)))
    assert sorted(surges["target_group"]) == ["all", "religion"]
    assert set(surges["start_date"]) == {date(2024, 2, 10)}
    assert set(surges["end_date"]) == {date(2024, 2, 11)}


def test_steady_series_do_not_alarm() -> None:
    rng = np.random.default_rng(1)
    flagged = list(rng.poisson(3, size=200))
    assert detect_surges(daily_flag_counts(_scores(flagged))).empty


def test_surges_become_signals_in_the_store(loaded: Database) -> None:
    flagged = [1] * 30 + [20]
    surges = detect_surges(daily_flag_counts(_scores(flagged)))
    signals = surge_signals(surges, producer="speech-surge@test")
    assert {s.kind for s in signals} == {SignalKind.SPEECH_SURGE}
    assert all(s.framework_codes == list(SURGE_CODES) for s in signals)
    assert all(0 < s.strength <= 1 for s in signals)
    now = datetime(2024, 3, 1, tzinfo=UTC)
    with loaded.session() as session:
        record_signals(session, signals, now=now)
        record_signals(session, signals, now=now)  # re-emitting updates, no duplicates
    with loaded.session() as session:
        stored = list_signals(session, iso3="KEN", kinds=[SignalKind.SPEECH_SURGE], codes=["RF7"])
    assert len(stored) == len(signals) == 2


def test_the_surge_pass_reads_stored_scores_and_records_signals(loaded: Database) -> None:
    """The use case the CLI (`speech surges`) and the worker call: scores of the shipped
    model in the store → surges → Signals, recorded once however often it runs."""
    from tocsin.speech import (
        SpeechItem,
        import_speech_items,
        list_speech_items,
        load_default_classifier,
        record_speech_scores,
        record_speech_surges,
    )

    flagged_per_day = [1] * 30 + [20]
    items = [
        SpeechItem(
            text=f"post {day} {i}", iso3="KEN", published_date=date(2024, 1, 1) + timedelta(day)
        )
        for day, n in enumerate(flagged_per_day)
        for i in range(n)
    ]
    version = load_default_classifier().card_["version"]
    now = datetime(2024, 2, 2, tzinfo=UTC)
    with loaded.session() as session:
        import_speech_items(
            session, items, kind="speech", file_name="posts.csv", sha256="x", now=now
        )
        stored = list_speech_items(session, limit=1000)
        record_speech_scores(
            session,
            ((s.id, {"hateful": 0.9}, ["religion"], True, 0.9) for s in stored),
            model_version=version,
            now=now,
        )
    assert record_speech_surges(loaded, now=now, emit=False)  # found, not recorded
    with loaded.session() as session:
        assert list_signals(session, iso3="KEN", kinds=[SignalKind.SPEECH_SURGE]) == []
    first = record_speech_surges(loaded, now=now)
    again = record_speech_surges(loaded, now=now)
    with loaded.session() as session:
        recorded = list_signals(session, iso3="KEN", kinds=[SignalKind.SPEECH_SURGE])
    assert len(first) == len(again) == len(recorded) >= 1
    assert all(s.end_date == date(2024, 1, 31) for s in recorded)
