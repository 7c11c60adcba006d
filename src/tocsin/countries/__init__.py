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

# Names are loaded on first use, so that a help text listing the code schemes does not
# load the crosswalk's table; the stub beside this file lists them.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
