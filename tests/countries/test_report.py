"""crosswalk_report on small real slices (runs without ../shared)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tocsin.countries import crosswalk_report

DATA = Path(__file__).resolve().parents[1] / "data" / "countries"


def test_ewp_name_sheet_maps_completely() -> None:
    sheet = pd.read_csv(DATA / "ewp_countrynamesheet_complete.csv")
    for column, scheme in [("country", "name"), ("ewp_name", "name"), ("ccode", "ewp_ccode")]:
        report = crosswalk_report(sheet, column, scheme)  # type: ignore[arg-type]
        assert report.n_rows == 174 and report.unmatched.empty, report.unmatched


def test_pts_slice_explains_former_states_and_non_states() -> None:
    pts = pd.read_csv(DATA / "pts_slice.csv", na_values=["NA"])
    names = crosswalk_report(pts, "Country", "name", year_column="Year")
    reasons = dict(zip(names.unmatched["value"], names.unmatched["reason"], strict=True))
    assert set(reasons) == {
        "European Union",
        "Somaliland",
        "German Democratic Republic",
        "Soviet Union",
        "Yemen People's Republic",
        "Yugoslavia, Federal Republic of",
        "Yugoslavia, Socialist Federal Republic of",
    }
    assert reasons["Somaliland"].startswith("not carried")
    assert reasons["Soviet Union"].startswith("a former state")
    assert reasons["European Union"].startswith("no country")
    for column, scheme in [("COW_Code_N", "cow"), ("WordBank_Code_A", "wb")]:
        report = crosswalk_report(pts, column, scheme, year_column="Year")  # type: ignore[arg-type]
        assert report.n_matched > 0
        assert set(report.unmatched["reason"].str[:14]) <= {"a former state"}


def test_ucdp_comma_lists_are_split() -> None:
    brd = pd.read_csv(DATA / "ucdp_brd_slice.csv", dtype=str)
    report = crosswalk_report(brd, "gwno_battle", "gw", year_column="year", list_separator=",")
    assert report.n_rows > len(brd)  # lists became one row per code
    assert report.unmatched.empty


def test_gdelt_fips_and_cameo_codes() -> None:
    names = (DATA / "gdelt1_events_column_names.tsv").read_text().strip().split("\t")
    events = pd.read_csv(
        DATA / "gdelt1_events_slice.tsv", sep="\t", header=None, names=names, dtype=str
    )
    geo = crosswalk_report(events, "actiongeo_countrycode", "fips", year_column="year")
    assert geo.n_rows > 0 and geo.unmatched.empty
    actors = crosswalk_report(events, "actor1countrycode", "cameo", year_column="year")
    assert actors.unmatched_values <= {"AFR", "EUR", "MEA", "WST"}
