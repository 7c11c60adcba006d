"""Type stub of :mod:`tocsin.framework`: the names it offers, loaded on first use."""

from ._catalogue import (
    CatalogueError,
    catalogue_to_dict,
    default_catalogue_path,
    load_catalogue,
)
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
from ._tree import catalogue_tree

__all__ = [
    "FACTOR_CODE",
    "INDICATOR_CODE",
    "SECTIONS",
    "Catalogue",
    "CatalogueError",
    "Indicator",
    "LegalInstrument",
    "PolicyOption",
    "ReportRiskFactor",
    "RiskFactor",
    "Source",
    "Trigger",
    "catalogue_to_dict",
    "catalogue_tree",
    "default_catalogue_path",
    "load_catalogue",
]
