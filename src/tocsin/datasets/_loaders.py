"""Turn the files of one release into the tidy frame each data set promises.

Every loader keeps all source rows: a country the crosswalk cannot place gets
``iso3`` ``<NA>`` and keeps the source's own name/code columns, so ``unmatched``
can show it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from tocsin.datasets._mapping import map_iso3
from tocsin.datasets._validate import decode

__all__ = [
    "TREATIES",
    "load_ewp_forecasts",
    "load_ewp_panel",
    "load_freedom_house",
    "load_mass_killing",
    "load_pts",
    "load_treaties",
    "load_vdem",
    "read_raw",
]

TREATIES: dict[str, str] = {
    "icerd": "International Convention on the Elimination of All Forms of Racial Discrimination",
    "iccpr": "International Covenant on Civil and Political Rights",
    "iccpr_op1": "First Optional Protocol to the ICCPR (individual complaints)",
    "iccpr_op2": "Second Optional Protocol to the ICCPR (abolition of the death penalty)",
    "icescr": "International Covenant on Economic, Social and Cultural Rights",
    "icescr_op": "Optional Protocol to the ICESCR",
    "cedaw": "Convention on the Elimination of All Forms of Discrimination against Women",
    "op_cedaw": "Optional Protocol to CEDAW",
    "cat": "Convention against Torture",
    "opcat": "Optional Protocol to the Convention against Torture",
    "crc": "Convention on the Rights of the Child",
    "op_crc_ac": "Optional Protocol to the CRC on children in armed conflict",
    "op_crc_sc": "Optional Protocol to the CRC on the sale of children",
    "op_crc_ic": "Optional Protocol to the CRC on a communications procedure",
    "icmw": "International Convention on the Protection of the Rights of All Migrant Workers",
    "cped": (
        "International Convention for the Protection of All Persons from Enforced Disappearance"
    ),
    "crpd": "Convention on the Rights of Persons with Disabilities",
    "op_crpd": "Optional Protocol to the CRPD",
}
"""Short code (as in the file names ``hr_status_<code>.csv``) -> treaty title."""


def read_raw(
    path: Path,
    *,
    encodings: Sequence[str] = ("utf-8-sig",),
    na_values: Sequence[str] = ("NA",),
) -> pd.DataFrame:
    """Read a CSV as text columns; only the empty field and ``na_values`` become missing."""
    text, _ = decode(path.read_bytes(), tuple(encodings))
    if text is None:
        raise ValueError(f"{path}: not text in any of {', '.join(encodings)}")
    return pd.read_csv(
        io.StringIO(text),
        dtype=str,
        keep_default_na=False,
        na_values=list(na_values),
    )


def _int(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Int64")


def _float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string")


def _only(files: Mapping[str, Path]) -> Path:
    return next(iter(files.values()))


_PTS_VALUES = ("pts_amnesty", "pts_hrw", "pts_state")


def load_pts(files: Mapping[str, Path]) -> pd.DataFrame:
    """Political Terror Scale: one row per country-year, levels 1–5 by report source."""
    raw = read_raw(_only(files), encodings=("utf-8-sig", "cp1252"))
    frame = pd.DataFrame(
        {
            "year": _int(raw["Year"]),
            "country": _text(raw["Country"]),
            "country_old": _text(raw["Country_OLD"]),
            "cow_code": _int(raw["COW_Code_N"]),
            "cow_letter": _text(raw["COW_Code_A"]),
            "wb_code": _text(raw["WordBank_Code_A"]),
            "un_code": _int(raw["UN_Code_N"]),
            "region": _text(raw["Region"]),
            "pts_amnesty": _int(raw["PTS_A"]),
            "pts_hrw": _int(raw["PTS_H"]),
            "pts_state": _int(raw["PTS_S"]),
            "na_status_amnesty": _int(raw["NA_Status_A"]),
            "na_status_hrw": _int(raw["NA_Status_H"]),
            "na_status_state": _int(raw["NA_Status_S"]),
        }
    )
    # M49 numbers equal ISO numeric codes for states; COW and names catch the rest
    # (Soviet Union, Serbia before 2006 and other rows without a UN code).
    iso3 = map_iso3(
        frame,
        [("un_code", "isonum"), ("cow_code", "cow"), ("country", "name")],
        year_column="year",
        value_columns=list(_PTS_VALUES),
    )
    return frame.assign(iso3=iso3)[["iso3", *frame.columns]]


_FH_STATUS = {"Partially Free": "Partly Free"}
# Freedom House's short names for divided states, spelled as the crosswalk knows them
# (the source's ISO3 column gives both Germanys "DEU" and both Yemens "YEM").
_FH_DIVIDED = {
    "Germany, E.": "East Germany",
    "Germany, W.": "Germany",
    "Vietnam, N.": "Vietnam",
    "Vietnam, S.": "South Vietnam",
    "Yemen, N.": "Yemen",
    "Yemen, S.": "South Yemen",
}


def load_freedom_house(files: Mapping[str, Path]) -> pd.DataFrame:
    """Freedom in the World: political-rights and civil-liberties ratings 1–7 and status."""
    raw = read_raw(_only(files))
    frame = pd.DataFrame(
        {
            "year": _int(raw["year"]),
            "country": _text(raw["country"]),
            "source_iso3": _text(raw["iso3c"]) if "iso3c" in raw else pd.NA,
            "continent": _text(raw["continent"]) if "continent" in raw else pd.NA,
            "political_rights": _int(raw["political_rights"]),
            "civil_liberties": _int(raw["civil_liberties"]),
            # Freedom House's own wording is "Partly Free"; the R package wrote "Partially".
            "status": _text(raw["status"].replace(_FH_STATUS)),
        }
    ).astype({"source_iso3": "string", "continent": "string"})
    divided = frame["country"].map(_FH_DIVIDED).astype("string")
    iso3 = map_iso3(
        frame.assign(divided=divided),
        [("divided", "name"), ("source_iso3", "iso3"), ("country", "name")],
        year_column="year",
        value_columns=["political_rights", "civil_liberties"],
    )
    return frame.assign(iso3=iso3)[["iso3", *frame.columns]]


VDEM_ID_COLUMNS = ("country_name", "country_text_id", "country_id", "year")


def load_vdem(files: Mapping[str, Path]) -> pd.DataFrame:
    """V-Dem v14 subset: 34 indices per country-year, columns named by their V-Dem tags."""
    path = next(p for name, p in files.items() if name.startswith("vdem_"))
    raw = read_raw(path)
    frame = pd.DataFrame(
        {
            "year": _int(raw["year"]),
            "country": _text(raw["country_name"]),
            "vdem_text_id": _text(raw["country_text_id"]),
            "vdem_country_id": _int(raw["country_id"]),
        }
    )
    indices = {c: _float(raw[c]) for c in raw.columns if c not in VDEM_ID_COLUMNS}
    frame = pd.concat([frame, pd.DataFrame(indices)], axis=1)
    iso3 = map_iso3(
        frame,
        [("vdem_text_id", "iso3"), ("country", "name")],
        year_column="year",
        value_columns=list(indices),
    )
    return frame.assign(iso3=iso3)[["iso3", *frame.columns]]


def load_treaties(files: Mapping[str, Path]) -> pd.DataFrame:
    """UN core human-rights treaties: one row per UN member state and treaty."""
    parts = []
    for name, path in files.items():
        code = name.removeprefix("hr_status_").removesuffix(".csv")
        # "NA" is Namibia's alpha-2 code here, never a missing value.
        raw = read_raw(path, na_values=())
        parts.append(
            pd.DataFrame(
                {
                    "treaty": code,
                    "iso2": _text(raw["iso2"]),
                    "country": _text(raw["member"]),
                    "is_party": _int(raw["state party"]).eq(1).astype("boolean"),
                    "ratification_year": _int(raw["year ratification or accession"]),
                    "is_signatory": _int(raw["signatory"]).eq(1).astype("boolean"),
                    "status": _text(raw["status"]),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True).astype({"treaty": "string"})
    iso3 = map_iso3(frame, [("iso2", "iso2"), ("country", "name")], key_columns=["treaty"])
    frame = frame.assign(iso3=iso3)[["iso3", *frame.columns]]
    return frame.sort_values(["treaty", "iso2"], ignore_index=True)


def _ewp_frame(raw: pd.DataFrame, *, names: Sequence[str], ints: Sequence[str]) -> pd.DataFrame:
    """EWP tables keep the project's own column names so the replica model can use them."""
    raw = raw.drop(columns=[c for c in raw.columns if c == "" or c.startswith("Unnamed")])
    frame = pd.DataFrame({"year": _int(raw["year"]), "ccode": _int(raw["ccode"])})
    for column in raw.columns:
        if column in ("year", "ccode"):
            continue
        if column in names:
            frame[column] = _text(raw[column])
        elif column in ints:
            frame[column] = _int(raw[column])
        else:
            frame[column] = _float(raw[column])
    iso3 = map_iso3(frame, [("ccode", "ewp_ccode")], year_column="year")
    return frame.assign(iso3=iso3)[["iso3", *frame.columns]]


EWP_OUTCOMES = ("mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2")


def load_ewp_panel(files: Mapping[str, Path]) -> pd.DataFrame:
    """Early Warning Project 2025 modelling panel: predictors in year t, onsets after t."""
    raw = read_raw(_only(files))
    return _ewp_frame(raw, names=("ewp_name",), ints=EWP_OUTCOMES)


def load_ewp_forecasts(files: Mapping[str, Path]) -> pd.DataFrame:
    """Early Warning Project 2025 published forecasts with their 2024 inputs."""
    raw = read_raw(_only(files))
    ranks = [c for c in raw.columns if "rank" in c]
    return _ewp_frame(raw, names=("ewp_name",), ints=ranks)


MASS_KILLING_TEXT = ("country", "ewp_name", "mk_ongoing_code", "mk_ethnicflag")


def load_mass_killing(files: Mapping[str, Path]) -> pd.DataFrame:
    """Early Warning Project mass-killing country-years, 1934–2024 (onset/ongoing/offset)."""
    raw = read_raw(_only(files))
    ints = [c for c in raw.columns if c not in MASS_KILLING_TEXT]
    return _ewp_frame(raw, names=MASS_KILLING_TEXT, ints=ints)
