"""Every country column of every shared data set maps to iso3, or is explained here.

Skipped where ``<repo>/../shared`` is absent. A new unmatched value fails the
test: either teach the crosswalk (variant, alias) or add it below with why.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from tests.countries.shared_sources import COLUMNS, Column
from tocsin.countries import crosswalk_report

# Units that are not states anywhere in Tocsin (FH territories, PTS special units).
_FH_DISPUTED = {
    "Abkhazia", "Crimea", "Eastern Donbas", "Nagorno-Karabakh", "South Ossetia", "Tibet",
    "Transnistria", "Somaliland", "Northern Cyprus", "Indian Kashmir", "Pakistani Kashmir",
    # Gaza-only unit: Tocsin's PSE is the West Bank / Palestinian Authority unit.
    "Gaza Strip",
}  # fmt: skip
# Pre-1945 states in Polity's 1800- panel that Tocsin does not carry (German and
# Italian states before unification, Orange Free State, Gran Colombia, Central
# America's United Province, the Korean Empire before 1910).
_POLITY_OLD_NAMES = {
    "Baden", "Bavaria", "Gran Colombia", "Korea", "Modena", "Orange Free State", "Papal States",
    "Parma", "Prussia", "Sardinia", "Saxony", "Tuscany", "Two Sicilies", "United Province CA",
    "Wuerttemburg",
}  # fmt: skip
_POLITY_OLD_CODES = {"245", "267", "269", "271", "324", "327", "329", "332", "335", "337", "564",
                     "730", "89", "99"}  # fmt: skip
_POLITY_OLD_LETTERS = {"BAD", "BAV", "GCL", "KOR", "MOD", "OFS", "PAP", "PMA", "SAR", "SAX",
                       "SIC", "TUS", "UPC", "WRT"}  # fmt: skip
# CAMEO region codes, not countries: Africa, Europe, Middle East, the West.
_CAMEO_REGIONS = {"AFR", "EUR", "MEA", "WST"}

ALLOWED: dict[str, set[str]] = {
    # PTS keeps a row per year (scores NA) for former states long after they ended,
    # and rates units that are not states (EU, Crimea, occupied areas, Gaza, Israel's
    # two special units, Somaliland).
    "pts Country": {
        "Crimea",
        "European Union",
        "Gaza (Hamas)",
        "Israel in Occupied Territories",
        "Israel in pre-1967 borders",
        "Russia-Occupied Areas (Ukraine)",
        "Somaliland",
        "Czechoslovakia",
        "German Democratic Republic",
        "Soviet Union",
        "Yemen People's Republic",
        "Yugoslavia, Federal Republic of",
        "Yugoslavia, Socialist Federal Republic of",
    },  # fmt: skip
    "pts COW_Code_N": {
        "265.0",
        "315.0",
        "680.0",
    },  # GDR, Czechoslovakia, South Yemen after they ended
    "pts COW_Code_A": {"CZE", "GDR", "YPR"},  # the same three, as COW abbreviations
    "pts WordBank_Code_A": {"YUG"},  # Yugoslavia's rows after 2006
    "freedom_house xlsx territories": _FH_DISPUTED
    | {"Chechnya", "Kurdistan", "Northern Ireland", "West Papua", "Israeli-Occupied Territories"},
    "freedom_house xlsx FIW13-24": _FH_DISPUTED,
    # V-Dem's sub-national units; VDR is V-Dem's id for *South* Vietnam, while ISO 3166-3
    # VDR is *North* Vietnam, so V-Dem must be mapped by name (which works).
    "vdem country_name": {"Palestine/Gaza", "Somaliland", "Zanzibar"},
    "vdem country_text_id": {"PSG", "SML", "VDR", "ZZB"},
    # The Netherlands Antilles were dissolved in 2010; WGI keeps empty rows to 2019.
    "wgi Code": {"ANT"},
    "wgi Country/Territory": {"Netherlands Antilles (former)"},
    "polity ccode": _POLITY_OLD_CODES,
    "polity scode": _POLITY_OLD_LETTERS,
    # ... and Polity's last "Serbia and Montenegro" year, 2006: the union ended in June
    # 2006 and Tocsin files 2006 under Serbia (SRB) and Montenegro (MNE).
    "polity country": _POLITY_OLD_NAMES | {"Serbia and Montenegro"},
    "treaties hr_status_op_crc_ic iso2": {"S"},  # a stray cell in the OHCHR export
    "gdelt actor1countrycode": _CAMEO_REGIONS,
    "gdelt actor2countrycode": _CAMEO_REGIONS - {"WST"},
    # Episode lists name a region (Chechnya, in Russia) or just "Korea" (the 1948
    # Jeju/Yeosu killings, South Korea): left for the episode loader to resolve.
    "mass_killing events country": {"Korea"},
    "mass_killing ended Country": {"Chechnya", "Korea"},
}


@cache
def _frame(root: Path, column: Column) -> pd.DataFrame:
    return column.load(root)


@pytest.mark.parametrize("column", COLUMNS, ids=[c.label for c in COLUMNS])
def test_every_value_maps_or_is_explained(shared_dir: Path, column: Column) -> None:
    root = shared_dir / "data"
    if not (root / column.path).exists():
        pytest.skip(f"{column.path} is not in this copy of shared/")
    report = crosswalk_report(
        _frame(root, column),
        column.column,
        column.scheme,
        year_column=column.year_column,
        list_separator=column.list_separator,
    )
    assert report.n_rows > 0
    assert report.unmatched_values == ALLOWED.get(column.label, set()), report.unmatched.to_string()
