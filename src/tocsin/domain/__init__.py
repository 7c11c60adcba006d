"""The shared domain model: countries, sources and Signals; and CSV cells made safe to open
in a spreadsheet (``spreadsheet_safe``); how old a Signal's data are (``data_end``,
``is_stale``).

Every capability produces or consumes these; none reaches into another's tables.
"""

from tocsin.domain._freshness import STALE_DATA_AFTER, data_end, is_stale
from tocsin.domain._model import (
    FRAMEWORK_CODE_PATTERN,
    Country,
    Credibility,
    Direction,
    Provenance,
    Reliability,
    Sensitivity,
    Signal,
    SignalKind,
    Source,
    SourceGrade,
    SourceKind,
)
from tocsin.domain._spreadsheet import (
    FORMULA_STARTS,
    spreadsheet_safe,
    spreadsheet_safe_csv,
    spreadsheet_safe_frame,
)

__all__ = [
    "FORMULA_STARTS",
    "FRAMEWORK_CODE_PATTERN",
    "STALE_DATA_AFTER",
    "Country",
    "Credibility",
    "Direction",
    "Provenance",
    "Reliability",
    "Sensitivity",
    "Signal",
    "SignalKind",
    "Source",
    "SourceGrade",
    "SourceKind",
    "data_end",
    "is_stale",
    "spreadsheet_safe",
    "spreadsheet_safe_csv",
    "spreadsheet_safe_frame",
]
