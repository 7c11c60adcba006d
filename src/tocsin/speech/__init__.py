"""Hate speech and incitement monitoring: items, a multilingual classifier, the Rabat test.

Pure analysis: functions take items, texts and Signals and return scores, worksheets and
Signals. Storage goes through :mod:`tocsin.store`; the CLI is ``tocsin speech``.
"""

from tocsin.speech._batch import score_meta, score_partition
from tocsin.speech._classifier import (
    HATE_CLASSES,
    SCORE_COLUMNS,
    SpeechClassifier,
    detect_languages,
)
from tocsin.speech._corpora import (
    DAVIDSON_FILE,
    GERMEVAL_FILE,
    davidson_holdout,
    file_sha256,
    read_davidson,
    read_germeval,
)
from tocsin.speech._cues import Cues, find_cues
from tocsin.speech._embed import Embedder, UseEmbedder
from tocsin.speech._evaluate import (
    BASELINES,
    SHORTFALL_REASONS,
    TARGETS,
    calibration_figures,
    classification_figures,
    cross_validate_germeval,
    evaluate_cases,
    evaluate_davidson_holdout,
    load_cases,
)
from tocsin.speech._heads import LinearHead, TextHead
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
from tocsin.speech._persist import (
    DEFAULT_MODEL_FILE,
    classifier_bytes,
    load_classifier,
    load_default_classifier,
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
from tocsin.speech._surge import SURGE_CODES, daily_flag_counts, detect_surges, surge_signals
from tocsin.speech._text import normalise_text
from tocsin.speech._train import train_classifier

__all__ = [
    "BASELINES",
    "DAVIDSON_FILE",
    "DECISION_CODES",
    "DEFAULT_MODEL_FILE",
    "GERMEVAL_FILE",
    "HATE_CLASSES",
    "RABAT_PARTS",
    "SCORE_COLUMNS",
    "SHORTFALL_REASONS",
    "SURGE_CODES",
    "TARGETS",
    "TEXT_READER_ROLES",
    "ColumnMapping",
    "Cues",
    "Embedder",
    "FeedError",
    "LinearHead",
    "RabatDecision",
    "RabatPart",
    "RabatRating",
    "RabatWorksheet",
    "SpeakerRole",
    "SpeechClassifier",
    "SpeechItem",
    "TextHead",
    "UseEmbedder",
    "calibration_figures",
    "classification_figures",
    "classifier_bytes",
    "cross_validate_germeval",
    "daily_flag_counts",
    "davidson_holdout",
    "detect_languages",
    "detect_surges",
    "evaluate_cases",
    "evaluate_davidson_holdout",
    "fetch_feed",
    "file_sha256",
    "find_cues",
    "item_key",
    "load_cases",
    "load_classifier",
    "load_default_classifier",
    "normalise_text",
    "parse_feed",
    "prefill_worksheet",
    "read_csv_items",
    "read_davidson",
    "read_germeval",
    "read_jsonl_items",
    "redact_item",
    "score_meta",
    "score_partition",
    "suggest_decision",
    "surge_signals",
    "train_classifier",
]
