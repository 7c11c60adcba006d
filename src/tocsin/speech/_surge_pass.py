"""The surge pass, a use case the command line and the worker share: read the stored
scores of the shipped classifier, find surges of flagged items, record them as Signals."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tocsin.domain import Signal
    from tocsin.store import Database


def record_speech_surges(
    db: Database,
    *,
    now: datetime,
    window_days: int = 28,
    alpha: float = 0.001,
    emit: bool = True,
) -> list[Signal]:
    """Surges of flagged items per country and target group, as ``speech_surge`` Signals
    (recorded in the store when ``emit``), from the scores of the classifier now shipped.

    A surge is a day whose count of flagged items is improbable under a Poisson baseline of
    the ``window_days`` before it (tail probability under ``alpha``); see
    :func:`tocsin.speech.detect_surges`.
    """
    import pandas as pd

    from tocsin.speech._persist import load_default_classifier
    from tocsin.speech._store import list_speech_scores
    from tocsin.speech._surge import daily_flag_counts, detect_surges, surge_signals
    from tocsin.store import record_signals

    version = load_default_classifier().card_["version"]
    with db.session() as session:
        scores = list_speech_scores(session, model_version=version)
    frame = pd.DataFrame(
        {
            "iso3": [s.iso3 for s in scores],
            "published_date": [s.published_date for s in scores],
            "is_flagged": [s.is_flagged for s in scores],
            "target_groups": [";".join(s.target_groups) for s in scores],
        }
    )
    if not len(frame):
        return []
    found = detect_surges(daily_flag_counts(frame), window_days=window_days, alpha=alpha)
    if not len(found):
        return []
    signals = surge_signals(found, producer=f"speech-surge@poisson-{window_days}d")
    if emit and signals:
        with db.session() as session:
            record_signals(session, signals, now=now)
    return signals
