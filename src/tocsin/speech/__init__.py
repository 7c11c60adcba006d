"""Hate speech and incitement monitoring: items, a multilingual classifier, the Rabat test.

Pure analysis: functions take items, texts and Signals and return scores, worksheets and
Signals. Storage goes through :mod:`tocsin.store`; the CLI is ``tocsin speech``.
"""

from tocsin.speech._batch import score_meta, score_partition
from tocsin.speech._classifier import (
    BINARY_OUTPUTS,
    HATE_CLASSES,
    SCORE_COLUMNS,
    TARGET_CATEGORIES,
    SpeechClassifier,
    detect_languages,
)
from tocsin.speech._corpora import (
    DAVIDSON_FILE,
    GERMEVAL_FILE,
    HATEXPLAIN_FILES,
    MLMA_FILES,
    davidson_holdout,
    file_sha256,
    read_davidson,
    read_germeval,
    read_hatexplain,
    read_mlma,
    three_way_split,
)
from tocsin.speech._embed import Embedder, UseEmbedder, cached_embeddings
from tocsin.speech._evaluate import (
    BASELINES,
    SHORTFALL_REASONS,
    TARGETS,
    calibration_figures,
    classification_figures,
    cross_validate_germeval,
    evaluate_corpora,
    evaluate_suite,
    target_gaps,
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
from tocsin.speech._outputs import LogisticOutput
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
from tocsin.speech._suite import FUNCTIONALITIES, SUITE_LANGUAGES, Functionality, load_suite
from tocsin.speech._surge import SURGE_CODES, daily_flag_counts, detect_surges, surge_signals
from tocsin.speech._text import normalise_text
from tocsin.speech._train import (
    TrainingSettings,
    assemble_training_data,
    data_card,
    embed_training_data,
    has_training_data,
    train_classifier,
)
from tocsin.speech._worksheet import (
    WORKSHEET_SENSITIVITIES,
    prefill_stored_worksheet,
    worksheet_signals,
)

__all__ = [
    "BASELINES",
    "BINARY_OUTPUTS",
    "DAVIDSON_FILE",
    "DECISION_CODES",
    "DEFAULT_MODEL_FILE",
    "FUNCTIONALITIES",
    "GERMEVAL_FILE",
    "HATEXPLAIN_FILES",
    "HATE_CLASSES",
    "MLMA_FILES",
    "RABAT_PARTS",
    "SCORE_COLUMNS",
    "SHORTFALL_REASONS",
    "SUITE_LANGUAGES",
    "SURGE_CODES",
    "TARGETS",
    "TARGET_CATEGORIES",
    "TEXT_READER_ROLES",
    "ColumnMapping",
    "Embedder",
    "FeedError",
    "Functionality",
    "LinearHead",
    "LogisticOutput",
    "RabatDecision",
    "RabatPart",
    "RabatRating",
    "RabatWorksheet",
    "SpeakerRole",
    "SpeechClassifier",
    "SpeechItem",
    "TextHead",
    "TrainingSettings",
    "WORKSHEET_SENSITIVITIES",
    "UseEmbedder",
    "assemble_training_data",
    "cached_embeddings",
    "calibration_figures",
    "classification_figures",
    "classifier_bytes",
    "cross_validate_germeval",
    "daily_flag_counts",
    "data_card",
    "davidson_holdout",
    "detect_languages",
    "detect_surges",
    "embed_training_data",
    "evaluate_corpora",
    "evaluate_suite",
    "fetch_feed",
    "has_training_data",
    "file_sha256",
    "item_key",
    "load_classifier",
    "load_default_classifier",
    "load_suite",
    "normalise_text",
    "parse_feed",
    "prefill_stored_worksheet",
    "prefill_worksheet",
    "read_csv_items",
    "read_davidson",
    "read_germeval",
    "read_hatexplain",
    "read_jsonl_items",
    "read_mlma",
    "redact_item",
    "score_meta",
    "score_partition",
    "suggest_decision",
    "surge_signals",
    "target_gaps",
    "three_way_split",
    "train_classifier",
    "worksheet_signals",
]
