"""The named data sets Tocsin bundles: where each comes from, what it holds, how to read it."""

from __future__ import annotations

from tocsin.datasets import _convert, _loaders
from tocsin.datasets._convert import VDEM_INDICES
from tocsin.datasets._spec import Column, DataFile, DatasetSpec
from tocsin.errors import TocsinError

__all__ = ["REGISTRY", "UnknownDatasetError", "get_dataset", "list_datasets"]

_YEAR = Column("year", "int", nullable=False, minimum=1900, maximum=2100)
_EWP_RAW = (
    "https://raw.githubusercontent.com/EarlyWarningProject/2025-Statistical-Risk-Assessment/HEAD"
)
_EWP_CITATION = (
    "Early Warning Project, United States Holocaust Memorial Museum and Dartmouth College. "
    "2025 Statistical Risk Assessment (replication files). "
    "https://github.com/EarlyWarningProject/2025-Statistical-Risk-Assessment"
)
_EWP_LICENCE = (
    "No licence stated; public replication files of the USHMM Early Warning Project, bundled "
    "for replication with attribution. Underlying sources (V-Dem, UCDP, WDI, UN WPP, …) "
    "keep their own terms."
)


def _bounded(name: str, low: float, high: float, kind: str = "int") -> Column:
    return Column(name, "int" if kind == "int" else "float", minimum=low, maximum=high)


# --- Political Terror Scale -------------------------------------------------------------

_PTS_LEVEL = {"pts_amnesty": "PTS_A", "pts_hrw": "PTS_H", "pts_state": "PTS_S"}
_PTS = DatasetSpec(
    name="pts",
    title="Political Terror Scale",
    publisher="Political Terror Scale project (Gibney, Cornett, Wood, Haschke, Arnon, Pisanò, "
    "Barrett, Park), University of North Carolina Asheville",
    source_url="https://www.politicalterrorscale.org/Data/Download.html",
    licence="Free to use with citation (© Political Terror Scale project).",
    citation="Gibney, M., Cornett, L., Wood, R., Haschke, P., Arnon, D., Pisanò, A., Barrett, "
    "G., and Park, B. (2024). The Political Terror Scale 1976-2023. "
    "http://www.politicalterrorscale.org",
    data_years=(1976, 2023),
    release_date="2024-09-23",
    description="Levels 1 (secure rule of law) to 5 (terror extends to the whole population) "
    "of state violence against physical integrity, coded from Amnesty International, Human "
    "Rights Watch and US State Department reports.",
    files=(
        DataFile(
            name="PTS-2024.csv",
            sha256="aaa7e93c2320689ae454247709b3086a0b072759fea102b216fa9231f6e1f72a",
            rows=10220,
            update_url="https://www.politicalterrorscale.org/Data/Files/PTS-2024.xlsx",
            encodings=("utf-8-sig", "cp1252"),
            columns=(
                Column("Country", nullable=False),
                Column("Country_OLD", required=False),
                Column("Year", "int", nullable=False, minimum=1900, maximum=2100),
                Column("COW_Code_A", required=False),
                _bounded("COW_Code_N", 1, 1000),
                Column("WordBank_Code_A", required=False),
                _bounded("UN_Code_N", 1, 999),
                Column("Region", required=False),
                *(_bounded(raw, 1, 5) for raw in _PTS_LEVEL.values()),
                *(_bounded(f"NA_Status_{s}", 0, 99) for s in "AHS"),
            ),
            unique=("Country", "Year"),
            min_rows=5000,
            convert=_convert.xlsx_to_csv,
        ),
    ),
    key=("iso3", "year"),
    output_columns={
        "iso3": "string",
        "year": "Int64",
        "country": "string",
        "country_old": "string",
        "cow_code": "Int64",
        "cow_letter": "string",
        "wb_code": "string",
        "un_code": "Int64",
        "region": "string",
        "pts_amnesty": "Int64",
        "pts_hrw": "Int64",
        "pts_state": "Int64",
        "na_status_amnesty": "Int64",
        "na_status_hrw": "Int64",
        "na_status_state": "Int64",
    },
    rows=10220,
    loader=_loaders.load_pts,
    source_id_columns=("country", "cow_code", "un_code"),
    update_note="Downloads the PTS workbook (xlsx) and converts its first sheet to the CSV "
    "layout; a CSV in the same layout given with --url is taken as is (cp1252 or UTF-8).",
)

# --- Freedom House ----------------------------------------------------------------------

_FH = DatasetSpec(
    name="freedom_house",
    title="Freedom in the World: country ratings and status",
    publisher="Freedom House",
    source_url="https://freedomhouse.org/report/freedom-world",
    licence="© Freedom House; free for non-commercial use with citation (bundled copy via the "
    "CC0 R package 'freedomhouse' 0.4.0).",
    citation="Freedom House (2024). Freedom in the World 2024: Country and Territory Ratings "
    "and Statuses, 1973-2024. https://freedomhouse.org/report/freedom-world",
    data_years=(1972, 2023),
    release_date="2024-02-29",
    description="Political rights and civil liberties, each rated 1 (most free) to 7 (least "
    "free), and the Free / Partly Free / Not Free status, by year under review.",
    files=(
        DataFile(
            name="fh_country_rating_status_1972-2023.csv",
            sha256="62121ffc65de23458c7114f7ce9510ea3a6477db157da07805b7603163833579",
            rows=9238,
            update_url="https://freedomhouse.org/sites/default/files/2024-02/"
            "Country_and_Territory_Ratings_and_Statuses_FIW_1973-2024.xlsx",
            na_values=frozenset(),
            columns=(
                _YEAR,
                Column("country", nullable=False),
                Column("iso3c", required=False),
                Column("continent", required=False),
                _bounded("political_rights", 1, 7),
                _bounded("civil_liberties", 1, 7),
                Column(
                    "status",
                    allowed=frozenset({"Free", "Partially Free", "Partly Free", "Not Free"}),
                ),
            ),
            unique=("country", "year"),
            min_rows=4000,
            convert=_convert.freedom_house_xlsx_to_csv,
        ),
    ),
    key=("iso3", "year"),
    output_columns={
        "iso3": "string",
        "year": "Int64",
        "country": "string",
        "source_iso3": "string",
        "continent": "string",
        "political_rights": "Int64",
        "civil_liberties": "Int64",
        "status": "string",
    },
    rows=9238,
    loader=_loaders.load_freedom_house,
    source_id_columns=("country", "source_iso3"),
    update_note="Downloads Freedom House's ratings workbook (xlsx, wide by edition) and "
    "reshapes the country sheet to one row per country and year under review; a CSV in the "
    "bundled layout given with --url is taken as is.",
)

# --- V-Dem ------------------------------------------------------------------------------


_VDEM = DatasetSpec(
    name="vdem",
    title="Varieties of Democracy (V-Dem) v14, resilience subset",
    publisher="V-Dem Institute, University of Gothenburg",
    source_url="https://v-dem.net/data/the-v-dem-dataset/",
    licence="CC BY-SA 4.0",
    citation="Coppedge, M., Gerring, J., Knutsen, C. H., Lindberg, S. I., Teorell, J., et al. "
    "(2024). V-Dem [Country-Year/Country-Date] Dataset v14. Varieties of Democracy (V-Dem) "
    "Project. https://doi.org/10.23696/mcwt-fr58",
    data_years=(1970, 2023),
    release_date="2024-03-07",
    description="34 V-Dem indices and indicators on rule of law, courts, civil liberties, "
    "physical integrity, civil society, media, discrimination and corruption, 1970-2023 "
    "(values rounded to 4 significant digits).",
    files=(
        DataFile(
            name="vdem_v14_resilience_subset_1970-2023.csv",
            sha256="54c2eb4fc0cdf85ba78eedae4f09a08813e553246c41aa9ae1176f8b6afd698a",
            rows=9170,
            update_url=None,
            columns=(
                Column("country_name", nullable=False),
                Column("country_text_id", nullable=False),
                _bounded("country_id", 1, 1000),
                _YEAR,
                *(
                    _bounded(tag, 0, 1, "float")
                    if tag.startswith("v2x")
                    else _bounded(tag, -8, 8, "float")
                    for tag in VDEM_INDICES
                ),
            ),
            unique=("country_text_id", "year"),
            min_rows=4000,
            convert=_convert.vdem_to_subset,
        ),
        DataFile(
            name="vdemlite_variable_lookup.csv",
            sha256="01d37c58ece01a1e8724cadb25b8394b2cf8c9733b81a8edde932894615cb208",
            rows=558,
            # A tag appears once per place in V-Dem's hierarchy, so it may repeat.
            columns=(Column("tag", nullable=False), Column("name", nullable=False)),
            min_rows=100,
        ),
    ),
    key=("iso3", "year"),
    output_columns={
        "iso3": "string",
        "year": "Int64",
        "country": "string",
        "vdem_text_id": "string",
        "vdem_country_id": "Int64",
        **dict.fromkeys(VDEM_INDICES, "float64"),
    },
    rows=9170,
    loader=_loaders.load_vdem,
    source_id_columns=("country", "vdem_text_id"),
    update_note="V-Dem's download form issues no stable file address, so there is no default "
    "URL: pass --url to the country-year CSV or its zip (V-Dem-CY-Full+Others or -Core); the "
    "34 columns are picked from it and years before 1970 dropped. The variable lookup is "
    "carried over.",
)

# --- UN human-rights treaties -----------------------------------------------------------

_TREATY_RAW = (
    "https://raw.githubusercontent.com/world-politics-datalab/"
    "humanrights-treaties-ratification-status/HEAD"
)
_TREATY_SHA = {
    "cat": "1c5c7d14a104611739d517bba119c8f3f8de55fdd3dbfaea59a92ca271527d5d",
    "cedaw": "17af30c8373a9af44d8c00f66c9bd56e0b6d9ddf8aece8fc7115d0317b920072",
    "cped": "dbd568315c2a2fa31966aeb2f8b4733f5c2678752753510e0229e75fea807c64",
    "crc": "298f5228d4d458d282e35e8c8ab2f8e6f37935bb22470206de3897ac3d39eb4c",
    "crpd": "c058b8e23e5fbf4be1377dc1296cb17cb3257568a6357b97a99afd8405a9bcd8",
    "iccpr": "2a453be1b583a09e2a97a501b2e5c97f3f02e71d63bfddcbc3429f50993bbaea",
    "iccpr_op1": "6f014a8b862a464f0a0582083810e1d1b39d0f1b4f1e6512b89d3981829a1a59",
    "iccpr_op2": "b8ab2f6f3ff7438fc5fc825191069572b06e5612eddcf2086eac74268163183c",
    "icerd": "790ef13f3240df4ef69de4de3ead9af3c903de2cb16701224aad907126e0e751",
    "icescr": "0ab40a2b01a169b9eac54bf04775de91349a8cd6c3d3eea4edb56a3d4b1d18d2",
    "icescr_op": "e52e741eb37c6b115435d7f398a93c281caa63b741fddb68fc258024dc2d56d4",
    "icmw": "8a982bec96de3be93ec32636375bf566f749f51aa2e00a2809a418b3b1201468",
    "op_cedaw": "2c342fc89a939c0ea83b97eaeabcc57cea4a1b5b8ef1f00ce0db15729acd2a12",
    "op_crc_ac": "4b758070873d6404a2cd2988e7a10de3a2ed7bea097fbdce8794ef637d54f96e",
    "op_crc_ic": "97b32b755625313a04408e92ee4adeccf13ae8614ae62c8efdb31d13d1c60553",
    "op_crc_sc": "8d083ffafd24785970d72b28be466230f9cde64ee34ae02210b19d0c8cad6bbc",
    "op_crpd": "4366ffe3139b465b3be3db3b02f097d1eee6bd7b2c91a29ef20c0fdf5532b1de",
    "opcat": "ec292bd7ef99b0be1f0834d9c165b96014d062758729b98495971d779aa181e2",
}
_FLAG = frozenset({"0", "1"})
_TREATY_COLUMNS = (
    Column("iso2", nullable=False),
    Column("member", nullable=False),
    Column("state party", nullable=False, allowed=_FLAG),
    _bounded("year ratification or accession", 1945, 2100),
    Column("signatory", allowed=_FLAG),
    Column("status", allowed=frozenset({"state party", "signatory state", "no action"})),
)

_TREATIES = DatasetSpec(
    name="treaties",
    title="UN core human-rights treaties: ratification status",
    publisher="United Nations Treaty Collection (chapter IV), scraped by world-politics-datalab",
    source_url="https://treaties.un.org/Pages/Treaties.aspx?id=4&subid=A&clang=_en",
    licence="Facts from the UN Treaty Collection; the scraping repository states no licence.",
    citation="United Nations Treaty Collection, Chapter IV: Human Rights, status as of June "
    "2022 (via github.com/world-politics-datalab/humanrights-treaties-ratification-status).",
    data_years=(1966, 2022),
    release_date="2022-08-25",
    description="Whether each of the 193 UN member states is party to 18 core human-rights "
    "treaties and optional protocols, the year of ratification or accession, and signature.",
    files=tuple(
        DataFile(
            name=f"hr_status_{code}.csv",
            sha256=_TREATY_SHA[code],
            rows=193,
            update_url=f"{_TREATY_RAW}/hr_status_{code}.csv",
            na_values=frozenset(),
            columns=_TREATY_COLUMNS,
            unique=("iso2",),
            min_rows=150,
        )
        for code in _loaders.TREATIES
    ),
    key=("iso3", "treaty"),
    output_columns={
        "iso3": "string",
        "treaty": "string",
        "iso2": "string",
        "country": "string",
        "is_party": "boolean",
        "ratification_year": "Int64",
        "is_signatory": "boolean",
        "status": "string",
    },
    rows=3474,
    loader=_loaders.load_treaties,
    source_id_columns=("country", "iso2"),
    update_note="Downloads the 18 files from the scraping repository; --url names a folder "
    "(base URL) holding hr_status_<treaty>.csv files in the same layout.",
)

# --- Early Warning Project --------------------------------------------------------------

_EWP_PANEL = DatasetSpec(
    name="ewp_panel",
    title="Early Warning Project 2025 modelling panel",
    publisher="Early Warning Project (US Holocaust Memorial Museum and Dartmouth College)",
    source_url="https://earlywarningproject.ushmm.org/",
    licence=_EWP_LICENCE,
    citation=_EWP_CITATION,
    data_years=(1960, 2024),
    release_date="2025-09-03",
    description="One row per country-year (173 states, 1960-2024): the 39 predictors of the "
    "2025 statistical risk assessment and the mass-killing onset outcomes.",
    files=(
        DataFile(
            name="sra2025_prepared2024predictors_2025-09-03.csv",
            sha256="92ade125d6e2d41742d373169c81a14bd623f48b4d865c72433f5f0296bf1780",
            rows=9463,
            update_url=f"{_EWP_RAW}/3.Modeling/prepared2024predictors-2025-09-03.csv",
            columns=(
                Column("ewp_name", nullable=False),
                _YEAR,
                _bounded("ccode", 1, 1000),
                _bounded("freediscussion", 0, 1, "float"),
                _bounded("efindex", 0, 1, "float"),
                _bounded("discrimpop", 0, 1, "float"),
                Column("popsize.log2", "float"),
                Column("gdppcgrowth", "float"),
                Column("battledeaths.log2", "float"),
                *(_bounded(c, 0, 1) for c in _loaders.EWP_OUTCOMES),
            ),
            unique=("ccode", "year"),
            min_rows=5000,
        ),
    ),
    key=("iso3", "year"),
    output_columns={"iso3": "string", "year": "Int64", "ccode": "Int64", "ewp_name": "string"},
    rows=9463,
    loader=_loaders.load_ewp_panel,
    source_id_columns=("ewp_name", "ccode"),
    update_note="Downloads the panel from the EWP repository; a newer edition lives in a new "
    "repository (YYYY-Statistical-Risk-Assessment): pass its raw file with --url.",
)

_EWP_FORECASTS = DatasetSpec(
    name="ewp_forecasts",
    title="Early Warning Project 2025 forecasts",
    publisher=_EWP_PANEL.publisher,
    source_url="https://earlywarningproject.ushmm.org/ranking-of-all-countries",
    licence=_EWP_LICENCE,
    citation=_EWP_CITATION,
    data_years=(2024, 2024),
    release_date="2025-09-03",
    description="Published probability of a new mass killing starting in 2025 or 2026 for "
    "168 countries, with its rank, the one-year variant and the 2024 predictor values.",
    files=(
        DataFile(
            name="sra2025_final_forecasts_data_3Sep2025.csv",
            sha256="1f6bb285e934aff927eb9cb414882e92d22fb8ffb041e3a70fb3da53efc5cb5d",
            rows=168,
            update_url=f"{_EWP_RAW}/3.Modeling/final_forecasts_data_3Sep2025.csv",
            columns=(
                Column("ewp_name", nullable=False),
                _bounded("risk.2025and2026.from2024", 0, 1, "float"),
                _bounded("rank.2025and2026.from2025", 1, 300),
                _YEAR,
                _bounded("ccode", 1, 1000),
            ),
            unique=("ccode",),
            min_rows=100,
        ),
    ),
    key=("iso3", "year"),
    output_columns={"iso3": "string", "year": "Int64", "ccode": "Int64", "ewp_name": "string"},
    rows=168,
    loader=_loaders.load_ewp_forecasts,
    source_id_columns=("ewp_name", "ccode"),
    update_note=_EWP_PANEL.update_note,
)

_MASS_KILLING = DatasetSpec(
    name="mass_killing",
    title="Early Warning Project mass-killing country-years",
    publisher=_EWP_PANEL.publisher,
    source_url="https://earlywarningproject.ushmm.org/",
    licence=_EWP_LICENCE,
    citation=_EWP_CITATION,
    data_years=(1934, 2024),
    release_date="2025-08-04",
    description="One row per country-year (173 states, 1934-2024): onset, offset and ongoing "
    "counts of state- and non-state-led mass killings, location/responsible-ever flags, "
    "episode codes and targeting.",
    files=(
        DataFile(
            name="ewp_mass_killing_country_year_1934_2024.csv",
            sha256="917721d5c44e3956ddccba2266c51279fadf817b57bd0ced4f34aa343ba3097d",
            rows=11313,
            update_url=f"{_EWP_RAW}/1.Buildcountryyears_and_mk_data/basedata2025_4august2025.csv",
            columns=(
                _YEAR,
                Column("country", nullable=False),
                _bounded("ccode", 1, 1000),
                *(
                    _bounded(c, 0, 50)
                    for c in ("mk_onset_count", "mk_offset_count", "mk_ongoing_count")
                ),
                *(_bounded(c, 0, 1) for c in ("mk_ongoing", "mk_onset", "mk_offset")),
                Column("ewp_name", required=False),
            ),
            unique=("ccode", "year"),
            min_rows=5000,
        ),
    ),
    key=("iso3", "year"),
    output_columns={
        "iso3": "string",
        "year": "Int64",
        "ccode": "Int64",
        "country": "string",
        "mk_onset": "Int64",
        "mk_ongoing": "Int64",
        "mk_offset": "Int64",
    },
    rows=11313,
    loader=_loaders.load_mass_killing,
    source_id_columns=("country", "ccode"),
    update_note=_EWP_PANEL.update_note,
)

REGISTRY: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (_PTS, _FH, _VDEM, _TREATIES, _EWP_PANEL, _EWP_FORECASTS, _MASS_KILLING)
}
"""Every named data set, by name."""


class UnknownDatasetError(TocsinError, KeyError):
    """No data set has this name."""

    def __init__(self, name: str) -> None:
        TocsinError.__init__(
            self,
            f"no data set called {name!r}",
            fix=f"use one of {', '.join(REGISTRY)} (see `tocsin data list`)",
        )

    def __str__(self) -> str:
        return TocsinError.__str__(self)


def get_dataset(name: str) -> DatasetSpec:
    """The spec of the data set called ``name``.

    Examples
    --------
    >>> get_dataset("pts").key
    ('iso3', 'year')
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownDatasetError(name) from None


def list_datasets() -> list[DatasetSpec]:
    """Every registered data set, in registry order.

    Examples
    --------
    >>> [spec.name for spec in list_datasets()][:3]
    ['pts', 'freedom_house', 'vdem']
    """
    return list(REGISTRY.values())
