"""The country columns of every data set in ``<repo>/../shared/data``, ready to check.

Each :class:`Column` names a file, the column holding countries, how to read it
and the year column if any. ``load`` reads just what a check needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tocsin.countries import CodeScheme

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@dataclass(frozen=True)
class Column:
    """One country column of one data set."""

    label: str
    path: str
    column: str
    scheme: CodeScheme
    year_column: str | None = None
    list_separator: str | None = None
    reader: str = "csv"

    def load(self, root: Path) -> pd.DataFrame:
        """Read the file under ``root`` (the shared data folder)."""
        return _READERS[self.reader](root / self.path)


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=True, na_values=["NA"])


def _csv_latin1(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="latin-1", na_values=["NA"])


def _gdelt(path: Path) -> pd.DataFrame:
    names = (path.parent / "gdelt1_events_column_names.tsv").read_text().strip().split("\t")
    return pd.read_csv(
        path, sep="\t", header=None, names=names, dtype=str, keep_default_na=False, na_values=[""]
    )


def _geojson(path: Path) -> pd.DataFrame:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return pd.DataFrame([f["properties"] for f in features])


def _fh_sheet(path: Path, sheet: str) -> pd.DataFrame:
    frame = pd.read_excel(path, sheet_name=sheet, header=None, skiprows=3, usecols=[0])
    return frame.rename(columns={0: "country"})


def _fh_countries(path: Path) -> pd.DataFrame:
    return _fh_sheet(path, "Country Ratings, Statuses ")


def _fh_territories(path: Path) -> pd.DataFrame:
    return _fh_sheet(path, "Territory Ratings, Statuses")


def _fh_all(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="FIW13-24", header=1, usecols=[0, 2, 3])


_READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "csv": _csv,
    "csv_latin1": _csv_latin1,
    "gdelt": _gdelt,
    "geojson": _geojson,
    "fh_countries": _fh_countries,
    "fh_territories": _fh_territories,
    "fh_all": _fh_all,
}

_EWP = "ewp/"
_MK = "events/mass_killing/"

COLUMNS: list[Column] = [
    # Early Warning Project replication files
    Column(
        "ewp sra2018 COW",
        _EWP + "sra2018_sortedrisk_2017based_1and2yr_15Oct2018.csv",
        "COW",
        "ewp_ccode",
    ),
    Column(
        "ewp sra2018 SFTGcode",
        _EWP + "sra2018_sortedrisk_2017based_1and2yr_15Oct2018.csv",
        "SFTGcode",
        "pitf",
    ),
    Column(
        "ewp sra2018 country",
        _EWP + "sra2018_sortedrisk_2017based_1and2yr_15Oct2018.csv",
        "country",
        "name",
    ),
    Column(
        "ewp sra2020 panel COWcode",
        _EWP + "sra2020_prepared2019predictors-2020-08-10.csv",
        "COWcode",
        "ewp_ccode",
        "year",
    ),
    Column(
        "ewp sra2020 panel sftgcode",
        _EWP + "sra2020_prepared2019predictors-2020-08-10.csv",
        "sftgcode",
        "pitf",
        "year",
    ),
    Column(
        "ewp sra2020 panel country_name",
        _EWP + "sra2020_prepared2019predictors-2020-08-10.csv",
        "country_name",
        "name",
        "year",
    ),
    Column(
        "ewp sra2022 run country", _EWP + "sra2022_base2021-run-2022-09-30.csv", "country", "name"
    ),
    Column(
        "ewp sra2022 mkl country_name",
        _EWP + "sra2022_mkl_data.csv",
        "country_name",
        "name",
        "year",
    ),
    Column("ewp sra2022 mkl sftgcode", _EWP + "sra2022_mkl_data.csv", "sftgcode", "pitf", "year"),
    Column(
        "ewp sra2023 FOOS ccode",
        _EWP + "sra2023_FOOSforecasts_9Nov_hackregion.csv",
        "ccode",
        "ewp_ccode",
        "year",
    ),
    Column(
        "ewp sra2023 FOOS country",
        _EWP + "sra2023_FOOSforecasts_9Nov_hackregion.csv",
        "country",
        "name",
        "year",
    ),
    Column(
        "ewp sra2023 final country",
        _EWP + "sra2023_final_forecasts_data_9Nov_hackregion.csv",
        "country",
        "name",
    ),
    Column(
        "ewp sra2024 panel ccode",
        _EWP + "sra2024_prepared2023predictors_2024-10-10.csv",
        "ccode",
        "ewp_ccode",
        "year",
    ),
    Column(
        "ewp sra2024 panel ewp_name",
        _EWP + "sra2024_prepared2023predictors_2024-10-10.csv",
        "ewp_name",
        "name",
        "year",
    ),
    Column(
        "ewp sra2025 panel ewp_name",
        _EWP + "sra2025_prepared2024predictors_2025-09-03.csv",
        "ewp_name",
        "name",
        "year",
    ),
    Column(
        "ewp sra2025 FOOS ccode",
        _EWP + "sra2025_FOOSforecasts_3Sep2025.csv",
        "ccode",
        "ewp_ccode",
        "year",
    ),
    Column(
        "ewp sra2025 final ewp_name",
        _EWP + "sra2025_final_forecasts_data_3Sep2025.csv",
        "ewp_name",
        "name",
    ),
    Column(
        "ewp ulfelder2015 forecasts country",
        _EWP + "ulfelder2015_ewp.forecasts.2015.csv",
        "country",
        "name",
    ),
    Column(
        "ewp ulfelder2015 forecasts sftgcode",
        _EWP + "ulfelder2015_ewp.forecasts.2015.csv",
        "sftgcode",
        "pitf",
    ),
    Column(
        "ewp ulfelder2015 mkl sftgcode", _EWP + "ulfelder2015_mkl.csv", "sftgcode", "pitf", "year"
    ),
    Column(
        "ewp ulfelder2015 history country",
        _EWP + "ulfelder2015_ewp.exante.forecast.history.2015.csv",
        "country",
        "name",
        "forecast.year",
    ),
    Column(
        "resilience/ewp countrynamesheet country",
        "resilience/ewp/countrynamesheet_complete.csv",
        "country",
        "name",
    ),
    Column(
        "resilience/ewp countrynamesheet ewp_name",
        "resilience/ewp/countrynamesheet_complete.csv",
        "ewp_name",
        "name",
    ),
    Column(
        "resilience/ewp countrynamesheet ccode",
        "resilience/ewp/countrynamesheet_complete.csv",
        "ccode",
        "ewp_ccode",
    ),
    Column(
        "resilience/ewp forecasts ewp_name",
        "resilience/ewp/forecasts3Sep2025.csv",
        "ewp_name",
        "name",
    ),
    Column(
        "resilience/ewp iccpr country", "resilience/ewp/iccpr-data.csv", "country", "name", "year"
    ),
    Column(
        "resilience/ewp iccpr ccode", "resilience/ewp/iccpr-data.csv", "ccode", "ewp_ccode", "year"
    ),
    # Political Terror Scale
    Column("pts Country", "resilience/pts/PTS-2024.csv", "Country", "name", "Year"),
    Column("pts COW_Code_N", "resilience/pts/PTS-2024.csv", "COW_Code_N", "cow", "Year"),
    Column("pts COW_Code_A", "resilience/pts/PTS-2024.csv", "COW_Code_A", "cow_letter", "Year"),
    Column("pts WordBank_Code_A", "resilience/pts/PTS-2024.csv", "WordBank_Code_A", "wb", "Year"),
    Column("pts UN_Code_N", "resilience/pts/PTS-2024.csv", "UN_Code_N", "isonum", "Year"),
    # Freedom House
    Column(
        "freedom_house csv country",
        "resilience/freedom_house/fh_country_rating_status_1972-2023.csv",
        "country",
        "name",
        "year",
    ),
    Column(
        "freedom_house csv iso2c",
        "resilience/freedom_house/fh_country_rating_status_1972-2023.csv",
        "iso2c",
        "iso2",
        "year",
    ),
    Column(
        "freedom_house csv iso3c",
        "resilience/freedom_house/fh_country_rating_status_1972-2023.csv",
        "iso3c",
        "iso3",
        "year",
    ),
    Column(
        "freedom_house xlsx countries",
        "resilience/freedom_house/Country_and_Territory_Ratings_and_Statuses_FIW_1973-2024.xlsx",
        "country",
        "name",
        reader="fh_countries",
    ),
    Column(
        "freedom_house xlsx territories",
        "resilience/freedom_house/Country_and_Territory_Ratings_and_Statuses_FIW_1973-2024.xlsx",
        "country",
        "name",
        reader="fh_territories",
    ),
    Column(
        "freedom_house xlsx FIW13-24",
        "resilience/freedom_house/All_data_FIW_2013-2024.xlsx",
        "Country/Territory",
        "name",
        "Edition",
        reader="fh_all",
    ),
    # V-Dem, WGI, Polity, treaties
    Column(
        "vdem country_name",
        "resilience/vdem/vdem_v14_resilience_subset_1970-2023.csv",
        "country_name",
        "name",
        "year",
    ),
    Column(
        "vdem country_text_id",
        "resilience/vdem/vdem_v14_resilience_subset_1970-2023.csv",
        "country_text_id",
        "iso3",
        "year",
    ),
    Column(
        "wgi Code",
        "resilience/wgi/2020_Worldwide_Governance_Indicators_1996-2019.csv",
        "Code",
        "wb",
        "Year",
        reader="csv_latin1",
    ),
    Column(
        "wgi Country/Territory",
        "resilience/wgi/2020_Worldwide_Governance_Indicators_1996-2019.csv",
        "Country/Territory",
        "name",
        "Year",
        reader="csv_latin1",
    ),
    Column("polity ccode", "resilience/polity/p5v2018.csv", "ccode", "polity", "year"),
    Column("polity scode", "resilience/polity/p5v2018.csv", "scode", "pitf", "year"),
    Column("polity country", "resilience/polity/p5v2018.csv", "country", "name", "year"),
    *[
        Column(f"treaties {p.stem} iso2", f"resilience/treaties/{p.name}", "iso2", "iso2")
        for p in sorted((SHARED / "resilience" / "treaties").glob("*.csv"))
    ],
    *[
        Column(f"treaties {p.stem} member", f"resilience/treaties/{p.name}", "member", "name")
        for p in sorted((SHARED / "resilience" / "treaties").glob("*.csv"))
    ],
    # Events
    Column(
        "ucdp ged country",
        "events/ucdp/ged231_central_african_republic.geojson",
        "country",
        "name",
        "year",
        reader="geojson",
    ),
    Column(
        "ucdp ged country_id",
        "events/ucdp/ged231_central_african_republic.geojson",
        "country_id",
        "gw",
        "year",
        reader="geojson",
    ),
    Column(
        "ucdp brd gwno_loc",
        "events/ucdp/ucdp_battle_related_deaths_v25_1.csv",
        "gwno_loc",
        "gw",
        "year",
        ",",
    ),
    Column(
        "ucdp brd gwno_battle",
        "events/ucdp/ucdp_battle_related_deaths_v25_1.csv",
        "gwno_battle",
        "gw",
        "year",
        ",",
    ),
    Column(
        "ucdp brd gwno_a",
        "events/ucdp/ucdp_battle_related_deaths_v25_1.csv",
        "gwno_a",
        "gw",
        "year",
        ",",
    ),
    Column(
        "ucdp brd gwno_b",
        "events/ucdp/ucdp_battle_related_deaths_v25_1.csv",
        "gwno_b",
        "gw",
        "year",
        ",",
    ),
    Column(
        "ucdp brd location_inc",
        "events/ucdp/ucdp_battle_related_deaths_v25_1.csv",
        "location_inc",
        "name",
        "year",
        ",",
    ),
    Column(
        "acled country", "events/acled/acled_sample_2022h1_global.csv", "country", "name", "year"
    ),
    Column("acled iso", "events/acled/acled_sample_2022h1_global.csv", "iso", "isonum", "year"),
    Column(
        "gdelt actor1countrycode",
        "events/gdelt/gdelt1_events_sample.tsv",
        "actor1countrycode",
        "cameo",
        "year",
        reader="gdelt",
    ),
    Column(
        "gdelt actor2countrycode",
        "events/gdelt/gdelt1_events_sample.tsv",
        "actor2countrycode",
        "cameo",
        "year",
        reader="gdelt",
    ),
    Column(
        "gdelt actiongeo_countrycode",
        "events/gdelt/gdelt1_events_sample.tsv",
        "actiongeo_countrycode",
        "fips",
        "year",
        reader="gdelt",
    ),
    Column(
        "gdelt actor1geo_countrycode",
        "events/gdelt/gdelt1_events_sample.tsv",
        "actor1geo_countrycode",
        "fips",
        "year",
        reader="gdelt",
    ),
    Column(
        "gdelt actor2geo_countrycode",
        "events/gdelt/gdelt1_events_sample.tsv",
        "actor2geo_countrycode",
        "fips",
        "year",
        reader="gdelt",
    ),
    Column(
        "mass_killing country-year country",
        _MK + "ewp_mass_killing_country_year_1934_2024.csv",
        "country",
        "name",
        "year",
    ),
    Column(
        "mass_killing country-year ccode",
        _MK + "ewp_mass_killing_country_year_1934_2024.csv",
        "ccode",
        "ewp_ccode",
        "year",
    ),
    Column(
        "mass_killing country-year ewp_name",
        _MK + "ewp_mass_killing_country_year_1934_2024.csv",
        "ewp_name",
        "name",
        "year",
    ),
    Column(
        "mass_killing events country",
        _MK + "ewp_mk_events_2025.csv",
        "country",
        "name",
        "startyear",
    ),
    Column(
        "mass_killing events mk_location_cow",
        _MK + "ewp_mk_events_2025.csv",
        "mk_location_cow",
        "cow",
        "startyear",
    ),
    Column(
        "mass_killing ended Country",
        _MK + "ewp_mk_ended_2022.csv",
        "Country",
        "name",
        "Start Year ",
    ),
    Column(
        "mass_killing ongoing Country",
        _MK + "ewp_mk_ongoing_2022.csv",
        "Country",
        "name",
        "Start Year",
    ),
    Column(
        "pitf genocide COUNTRY",
        _MK + "pitf_genocide_politicide_2014.csv",
        "COUNTRY",
        "name",
        "YEAR",
    ),
    Column(
        "pitf genocide SCODE", _MK + "pitf_genocide_politicide_2014.csv", "SCODE", "pitf", "YEAR"
    ),
    Column(
        "pitf genocide CCODE", _MK + "pitf_genocide_politicide_2014.csv", "CCODE", "polity", "YEAR"
    ),
]
