"""Type stub of :mod:`tocsin.framework`: the names it offers, loaded on first use."""

from ._catalogue import (
    CatalogueError,
    catalogue_to_dict,
    default_catalogue_path,
    load_catalogue,
)
from ._languages import TRANSLATED_FIELDS
from ._schema import (
    FACTOR_CODE,
    INDICATOR_CODE,
    Catalogue,
    Indicator,
    LegalInstrument,
    PolicyOption,
    ReportRiskFactor,
    RiskFactor,
    Source,
    Trigger,
)
from ._sections import SECTIONS
from ._translations import (
    LANGUAGE_NAMES,
    PROPER_NAME_FIELDS,
    SOURCE_LANGUAGE,
    Languages,
    UnknownLanguageError,
)
from ._tree import catalogue_tree

__all__ = [
    "FACTOR_CODE",
    "INDICATOR_CODE",
    "LANGUAGE_NAMES",
    "PROPER_NAME_FIELDS",
    "SECTIONS",
    "SOURCE_LANGUAGE",
    "TRANSLATED_FIELDS",
    "Catalogue",
    "CatalogueError",
    "Indicator",
    "Languages",
    "LegalInstrument",
    "PolicyOption",
    "ReportRiskFactor",
    "RiskFactor",
    "Source",
    "Trigger",
    "UnknownLanguageError",
    "catalogue_to_dict",
    "catalogue_tree",
    "default_catalogue_path",
    "load_catalogue",
]
