"""The crosswalk on the bundled table: codes, names, years, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tocsin.countries import (
    CODE_SCHEMES,
    CountryRecord,
    UnknownCountryError,
    get_crosswalk,
)
from tocsin.countries._table import bundled_table_path
from tocsin.errors import DataFileError


@pytest.mark.parametrize(
    ("value", "scheme", "year", "expected"),
    [
        # COW numbers whose state changed over time
        (260, "cow", 1970, "DEU"),
        (255, "cow", 1970, "DEU"),
        (265, "cow", 1970, "DDR"),
        (365, "cow", 1980, "SUN"),
        (365, "cow", 1992, "RUS"),
        (345, "cow", 1985, "YUG"),
        (345, "cow", 1999, "SCG"),
        (345, "cow", 2010, "SRB"),
        (315, "cow", 1990, "CSK"),
        (316, "cow", 2000, "CZE"),
        (317, "cow", 2000, "SVK"),
        (678, "cow", 1985, "YEM"),
        (680, "cow", 1985, "YMD"),
        (679, "cow", 1995, "YEM"),
        (817, "cow", 1970, "RVN"),
        (816, "cow", 1970, "VNM"),
        (347, "cow", 2010, "XKX"),
        # EWP's variant and GW
        (255, "ewp_ccode", 1970, "DEU"),
        (678, "ewp_ccode", 1985, "YEM"),
        (679, "ewp_ccode", 2000, "YEM"),
        (678, "gw", 2000, "YEM"),
        (260, "gw", 2000, "DEU"),
        (340, "gw", 2010, "SRB"),
        (345, "gw", 2010, "SRB"),
        (316, "gw", 2010, "CZE"),
        (816, "gw", 2010, "VNM"),
        # letters, FIPS, World Bank, ISO numeric
        ("GFR", "cow_letter", 1970, "DEU"),
        ("UKG", "cow_letter", None, "GBR"),
        ("CG", "fips", None, "COD"),
        ("CF", "fips", None, "COG"),
        ("UK", "fips", None, "GBR"),
        ("RI", "fips", None, "SRB"),
        ("KV", "fips", None, "XKX"),
        ("ROM", "wb", None, "ROU"),
        ("ZAR", "wb", None, "COD"),
        ("TMP", "wb", None, "TLS"),
        ("KSV", "wb", None, "XKX"),
        ("ADO", "wb", None, "AND"),
        ("WBG", "wb", None, "PSE"),
        (729, "isonum", None, "SDN"),
        (736, "isonum", 2000, "SDN"),
        ("887", "isonum", None, "YEM"),
        (0, "isonum", 2022, "XKX"),
        ("GB", "iso2", None, "GBR"),
        ("GR", "iso2", None, "GRC"),
        # Polity and PITF letter codes
        (364, "polity", 1980, "SUN"),
        (342, "polity", 2010, "SRB"),
        (529, "polity", 2000, "ETH"),
        (626, "polity", 2015, "SDN"),
        ("ZAI", "pitf", 1990, "COD"),
        ("YGS", "pitf", 1999, "SCG"),
        ("SSU", "pitf", 2015, "SSD"),
    ],
)
def test_codes_map_by_year(value: str | int, scheme: str, year: int | None, expected: str) -> None:
    assert get_crosswalk().to_iso3(value, scheme, year=year) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Côte d'Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Cote D’Ivoire", "CIV"),
        ("Congo, Dem. Rep.", "COD"),
        ("Congo, Rep.", "COG"),
        ("Korea, North", "PRK"),
        ("Korea, South", "KOR"),
        ("Burma/Myanmar", "MMR"),
        ("Swaziland", "SWZ"),
        ("Eswatini", "SWZ"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Czech Republic", "CZE"),
        ("Macedonia", "MKD"),
        ("Kyrgystan", "KGZ"),
        ("Democratic Republic of Vietnam", "VNM"),
        ("Republic of Vietnam", "RVN"),
        ("Germany, E.", "DDR"),
        ("Yemen, S.", "YMD"),
    ],
)
def test_name_variants(name: str, expected: str) -> None:
    assert get_crosswalk().to_iso3(name, "name") == expected


@pytest.mark.parametrize(
    ("name", "year", "expected"),
    [
        ("Russia (Soviet Union)", 1980, "SUN"),
        ("Russia (Soviet Union)", 2000, "RUS"),
        ("Serbia", 1985, "YUG"),
        ("Serbia", 2000, "SCG"),
        ("Serbia", 2010, "SRB"),
        ("Yugoslavia", 1985, "YUG"),
        ("Yugoslavia", 1999, "SCG"),
        ("Yugoslavia", 2010, "SRB"),
        ("Czech Republic", 1980, "CSK"),
        ("Germany", 1970, "DEU"),
        ("East Germany", 1995, None),  # a former state cannot hold later data
        ("Zanzibar", 1980, None),
    ],
)
def test_names_by_year(name: str, year: int, expected: str | None) -> None:
    assert get_crosswalk().to_iso3(name, "name", year=year) == expected


@pytest.mark.parametrize(
    "name", ["World", "Somaliland", "Gaza (Hamas)", "Korea", "Atlantis", "", "   "]
)
def test_refused_and_unknown_names(name: str) -> None:
    assert get_crosswalk().to_iso3(name, "name") is None


def test_without_year_the_current_state_wins() -> None:
    cw = get_crosswalk()
    assert cw.to_iso3(345, "cow") == "SRB"
    assert cw.to_iso3(365, "cow") == "RUS"
    assert cw.to_iso3("Yugoslavia", "name") == "YUG"


def test_numeric_codes_accept_strings_and_floats() -> None:
    cw = get_crosswalk()
    assert cw.to_iso3("2", "cow") == cw.to_iso3(2.0, "cow") == cw.to_iso3(2, "cow") == "USA"
    assert cw.to_iso3("2.5", "cow") is None
    assert cw.to_iso3(float("nan"), "cow") is None


def test_unknown_scheme_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown code scheme"):
        get_crosswalk().to_iso3("X", "klingon")  # type: ignore[arg-type]


def test_require_iso3_names_value_scheme_and_close_matches() -> None:
    with pytest.raises(UnknownCountryError) as caught:
        get_crosswalk().require_iso3("Tunesia", "name", year=2000)
    error = caught.value
    assert error.value == "Tunesia" and error.scheme == "name" and error.year == 2000
    assert "Tunisia (TUN)" in error.close_matches
    assert "'Tunesia' in 2000" in str(error) and "Tunisia (TUN)" in str(error)


def test_series_mapping_keeps_index_and_marks_unknown() -> None:
    values = pd.Series([365, 365, None, 999, 345], index=[10, 11, 12, 13, 14])
    years = pd.Series([1980, 2000, 2000, 2000, 1999], index=values.index)
    mapped = get_crosswalk().to_iso3_series(values, "cow", years=years)
    assert list(mapped.index) == [10, 11, 12, 13, 14]
    assert str(mapped.dtype) == "string"
    assert mapped.tolist() == ["SUN", "RUS", pd.NA, pd.NA, "SCG"]


def test_records_and_country() -> None:
    cw = get_crosswalk()
    records = cw.records()
    assert [r.iso3 for r in records] == sorted(r.iso3 for r in records)
    assert len({r.iso3 for r in records}) == len(records)
    germany = cw.country("deu")
    assert isinstance(germany, CountryRecord)
    assert (germany.cow, germany.gw, germany.fips, germany.isonum) == (255, 260, "GM", 276)
    assert germany.un_region == "Europe" and not germany.is_historical
    ussr = cw.country("SUN")
    assert ussr.is_historical and ussr.end_year == 1991
    assert cw.country("RUS").predecessor == "SUN"
    with pytest.raises(UnknownCountryError):
        cw.country("XXX")


def test_every_un_member_has_iso_and_region() -> None:
    members = [r for r in get_crosswalk().records() if r.cow is not None and not r.is_historical]
    assert len(members) >= 190
    for record in members:
        assert record.iso2 and record.un_region and record.fips, record


def test_every_scheme_is_indexed() -> None:
    cw = get_crosswalk()
    for scheme in CODE_SCHEMES:
        assert cw.close_matches("A", scheme) is not None


def test_a_custom_table_path_is_read(tmp_path: Path) -> None:
    table = tmp_path / "countries.csv"
    shutil.copy(bundled_table_path(), table)
    cw = get_crosswalk(table)
    assert cw is not get_crosswalk()
    # no aliases file beside it: the table's own codes still work, aliases do not
    assert cw.to_iso3(365, "cow", year=1980) == "SUN"
    assert cw.to_iso3("ROM", "wb") is None


def test_a_bad_table_is_refused_naming_line_and_field(tmp_path: Path) -> None:
    table = tmp_path / "countries.csv"
    lines = bundled_table_path().read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[0], "xx", 1)
    lines[5] = ",".join(["ZZZ", "", "notanumber", "Z"] + lines[5].split(",")[4:])
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        get_crosswalk(table)
    text = str(caught.value)
    assert ":4: field 'iso3'" in text and ":6: field 'isonum'" in text
