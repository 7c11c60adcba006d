"""Type stub of :mod:`tocsin.countries`: the names it offers, loaded on first use."""

from ._crosswalk import Crosswalk, get_crosswalk
from ._records import CODE_SCHEMES, CodeScheme, CountryRecord, UnknownCountryError
from ._report import CrosswalkReport, crosswalk_report

__all__ = [
    "CODE_SCHEMES",
    "CodeScheme",
    "CountryRecord",
    "Crosswalk",
    "CrosswalkReport",
    "UnknownCountryError",
    "crosswalk_report",
    "get_crosswalk",
]
