"""Hate speech and incitement monitoring: items, a multilingual classifier, the Rabat test.

Pure analysis: functions take items, texts and Signals and return scores, worksheets and
Signals. Storage goes through :mod:`tocsin.store`; the CLI is ``tocsin speech``.
"""

from tocsin.speech._importers import (
    ColumnMapping,
    FeedError,
    fetch_feed,
    parse_feed,
    read_csv_items,
    read_jsonl_items,
)
from tocsin.speech._items import (
    TEXT_READER_ROLES,
    SpeakerRole,
    SpeechItem,
    item_key,
    redact_item,
)
from tocsin.speech._rabat import (
    DECISION_CODES,
    RABAT_PARTS,
    RabatDecision,
    RabatPart,
    RabatRating,
    RabatWorksheet,
    prefill_worksheet,
    suggest_decision,
)

__all__ = [
    "DECISION_CODES",
    "RABAT_PARTS",
    "TEXT_READER_ROLES",
    "ColumnMapping",
    "FeedError",
    "RabatDecision",
    "RabatPart",
    "RabatRating",
    "RabatWorksheet",
    "SpeakerRole",
    "SpeechItem",
    "fetch_feed",
    "item_key",
    "parse_feed",
    "read_csv_items",
    "read_jsonl_items",
    "redact_item",
    "prefill_worksheet",
    "suggest_decision",
]
