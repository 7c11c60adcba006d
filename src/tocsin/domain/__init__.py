"""The shared domain model: countries, sources and Signals.

Every capability produces or consumes these; none reaches into another's tables.
"""

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

__all__ = [
    "FRAMEWORK_CODE_PATTERN",
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
]
