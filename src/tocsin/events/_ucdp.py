"""UCDP Georeferenced Event Dataset (GED): the CSV release and its GeoJSON rendering."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from tocsin.errors import DataFileError, RowProblem
from tocsin.events._parse import ParsedEvents, RowChecks, finish, iso3_of, read_text_table
from tocsin.events._taxonomy import ActorKind, DatePrecision, EventType, GeoPrecision

DATASET = "ucdp_ged"

_DATE_PRECISION = {
    "1": DatePrecision.DAY,
    "2": DatePrecision.DAYS,
    "3": DatePrecision.WEEK,
    "4": DatePrecision.MONTH,
    "5": DatePrecision.YEAR,
}
# where_prec: 1 exact place, 2 within 25 km, 3 second-order admin, 4 first-order admin,
# 5 a part of the country larger than admin-1, 6 the country, 7 waters or air.
_GEO_PRECISION = {
    "1": GeoPrecision.POINT,
    "2": GeoPrecision.NEAR,
    "3": GeoPrecision.ADMIN2,
    "4": GeoPrecision.ADMIN1,
    "5": GeoPrecision.COUNTRY,
    "6": GeoPrecision.COUNTRY,
    "7": GeoPrecision.UNKNOWN,
}
_VIOLENCE = {"1": "state-based", "2": "non-state", "3": "one-sided"}
_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"]


def parse_ucdp_csv(data: bytes, *, file_name: str) -> ParsedEvents:
    """Parse a UCDP GED CSV file (the layout of GED releases 20.1 onwards).

    Examples
    --------
    >>> head = "id,year,type_of_violence,side_a,side_b,where_prec,adm_1,adm_2,country_id,"
    >>> head += "date_prec,date_start,date_end,deaths_civilians,best,high,low,latitude,longitude"
    >>> row = "1,2020,3,FPRC,Civilians,1,Vakaga prefecture,,482,1,2020-01-02,2020-01-02,"
    >>> row += "5,5,7,5,10.2,22.7"
    >>> parsed = parse_ucdp_csv(f"{head}\\n{row}\\n".encode(), file_name="ged.csv")
    >>> row = parsed.frame.loc[0]
    >>> row["uid"], row["iso3"], row["event_type"], int(row["civilian_deaths"])
    ('ucdp_ged:1', 'CAF', 'killing', 5)
    """
    raw = read_text_table(data, file_name=file_name)
    return _normalise(raw, file_name=file_name, fmt="ucdp")


def parse_ucdp_geojson(data: bytes, *, file_name: str) -> ParsedEvents:
    """Parse UCDP GED as GeoJSON (one Point feature per event; line = feature number)."""
    try:
        document = json.loads(data)
        features = document["features"]
    except (ValueError, KeyError, TypeError) as error:
        raise DataFileError(file_name, [RowProblem(None, None, f"not GeoJSON: {error}")]) from error
    properties = [f.get("properties") or {} for f in features]
    raw = pd.DataFrame.from_records(properties)
    coordinates = [((f.get("geometry") or {}).get("coordinates") or [None, None]) for f in features]
    raw["longitude"] = [c[0] for c in coordinates]
    raw["latitude"] = [c[1] for c in coordinates]
    raw = raw.astype("string").astype("object").where(raw.notna(), None)
    raw["__line__"] = np.arange(1, len(raw) + 1)
    return _normalise(raw, file_name=file_name, fmt="ucdp-geojson")


def _actor_kinds(violence: pd.Series, names: pd.Series, side: str) -> pd.Series:
    is_government = names.fillna("").str.startswith("Government of")
    if side == "a":
        other = np.where(violence == "1", ActorKind.STATE.value, ActorKind.MILITIA.value)
    else:
        other = np.select(
            [violence == "1", violence == "3"],
            [ActorKind.REBELS.value, ActorKind.CIVILIANS.value],
            ActorKind.MILITIA.value,
        )
    kinds = np.where(is_government, ActorKind.STATE.value, other)
    return pd.Series(kinds, index=names.index, dtype="object")


def _normalise(raw: pd.DataFrame, *, file_name: str, fmt: str) -> ParsedEvents:
    lines = raw["__line__"].to_numpy()
    checks = RowChecks(raw, lines)
    out = pd.DataFrame(index=raw.index)
    out["dataset"] = DATASET
    out["source_event_id"] = checks.text("id", required=True)
    violence = checks.text("type_of_violence", required=True)
    checks.flag(
        violence.notna() & ~violence.isin(list(_VIOLENCE)),
        "type_of_violence",
        "unknown type of violence (expected 1, 2 or 3)",
        violence,
    )
    start = checks.dates("date_start", _DATE_FORMATS)
    end = checks.dates("date_end", _DATE_FORMATS, required=False)
    out["start_date"] = start
    out["end_date"] = end.fillna(start)
    checks.flag(out["end_date"] < start, "date_end", "ends before it starts", raw.get("date_end"))
    out["date_precision"] = checks.text("date_prec").map(_DATE_PRECISION).fillna("unknown")
    gw = checks.text("country_id", required=True)
    years = pd.to_numeric(checks.text("year"), errors="coerce")
    iso3 = iso3_of(gw, "gw", years=years)
    checks.flag(gw.notna() & iso3.isna(), "country_id", "unknown Gleditsch-Ward number", gw)
    out["iso3"] = iso3
    out["admin1"] = checks.text("adm_1")
    out["admin2"] = checks.text("adm_2")
    out["location"] = checks.text("where_coordinates")
    out["latitude"] = checks.real("latitude", low=-90, high=90)
    out["longitude"] = checks.real("longitude", low=-180, high=180)
    out["geo_precision"] = checks.text("where_prec").map(_GEO_PRECISION).fillna("unknown")
    best = checks.integer("best", required=True)
    low = checks.integer("low")
    high = checks.integer("high")
    # GED itself has a few events whose estimates are not ordered (low > best or
    # best > high): they are kept as published, and counted in the import's details.
    unordered = (low > best).fillna(False) | (best > high).fillna(False)
    out["event_type"] = np.where(
        violence == "3", EventType.KILLING.value, EventType.BATTLE.value
    ).astype(object)
    out["source_type"] = violence.map(_VIOLENCE)
    side_a, side_b = checks.text("side_a"), checks.text("side_b")
    out["perpetrator"] = side_a
    out["perpetrator_kind"] = _actor_kinds(violence, side_a, "a")
    out["target"] = side_b
    out["target_kind"] = _actor_kinds(violence, side_b, "b")
    out["fatalities_low"] = low
    out["fatalities_best"] = best
    out["fatalities_high"] = high
    out["civilian_deaths"] = checks.integer("deaths_civilians")
    out["source_names"] = checks.text("source_article")
    out["notes"] = checks.text("where_description")
    details = {"unordered_estimates": str(int(unordered.sum()))}
    return finish(out, checks, file_name=file_name, fmt=fmt, details=details)
