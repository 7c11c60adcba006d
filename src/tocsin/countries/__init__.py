"""Countries: one table of states and a crosswalk from every code our sources use.

Tocsin identifies a country by its ISO 3166-1 alpha-3 code (``iso3``); former
states use ISO 3166-3 codes (``SUN``, ``YUG``, ``DDR``, ``CSK``, ``YMD``,
``SCG``) or the documented customary codes in ``docs/countries.md``.

Examples
--------
>>> from tocsin.countries import get_crosswalk
>>> cw = get_crosswalk()
>>> cw.to_iso3("Burma", "name"), cw.to_iso3("CG", "fips"), cw.to_iso3(679, "ewp_ccode")
('MMR', 'COD', 'YEM')
"""

from tocsin.countries._crosswalk import Crosswalk, get_crosswalk
from tocsin.countries._records import CODE_SCHEMES, CodeScheme, CountryRecord, UnknownCountryError
from tocsin.countries._report import CrosswalkReport, crosswalk_report

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
