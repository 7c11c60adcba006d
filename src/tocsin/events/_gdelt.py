"""GDELT event files (1.0 daily and backfile exports, 2.0 15-minute exports), CAMEO-coded."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import pandas as pd

from tocsin.countries import get_crosswalk
from tocsin.errors import DataFileError, RowProblem
from tocsin.events._parse import ParsedEvents, RowChecks, finish, read_text_table
from tocsin.events._taxonomy import ActorKind, EventType, GeoPrecision

_ACTOR = [
    "code",
    "name",
    "countrycode",
    "knowngroupcode",
    "ethniccode",
    "religion1code",
    "religion2code",
    "type1code",
    "type2code",
    "type3code",
]
_EVENT = [
    "isrootevent",
    "eventcode",
    "eventbasecode",
    "eventrootcode",
    "quadclass",
    "goldsteinscale",
    "nummentions",
    "numsources",
    "numarticles",
    "avgtone",
]


def _geo(prefix: str, with_adm2: bool) -> list[str]:
    names = ["type", "fullname", "countrycode", "adm1code"]
    names += ["adm2code"] if with_adm2 else []
    return [f"{prefix}geo_{n}" for n in [*names, "lat", "long", "featureid"]]


def gdelt_columns(version: int) -> list[str]:
    """Column names of a GDELT event file (lower case), for version 1 or 2.

    >>> len(gdelt_columns(1)), len(gdelt_columns(2))
    (58, 61)
    """
    with_adm2 = version == 2
    names = ["globaleventid", "sqldate", "monthyear", "year", "fractiondate"]
    names += [f"actor1{n}" for n in _ACTOR] + [f"actor2{n}" for n in _ACTOR] + _EVENT
    names += _geo("actor1", with_adm2) + _geo("actor2", with_adm2) + _geo("action", with_adm2)
    return [*names, "dateadded", "sourceurl"]


@cache
def cameo_codes() -> dict[str, str]:
    """The CAMEO event codes and their descriptions (the shared list, packaged)."""
    path = resources.files("tocsin.events") / "data" / "cameo_event_codes.json"
    table = json.loads(path.read_text(encoding="utf-8"))["Description"]
    return {code: " ".join(text.split()) for code, text in table.items()}


def cameo_description(code: str) -> str | None:
    """The description of a CAMEO code; a code missing from the packaged list (it lacks a
    few, e.g. ``1014``) gets its nearest listed parent's, marked; ``None`` if not CAMEO.

    >>> cameo_description("1823")
    'Kill by physical assault'
    >>> cameo_description("1014")
    'Demand information, investigation (1014, not in the packaged list)'
    >>> cameo_description("99") is None
    True
    """
    known = cameo_codes()
    if code in known:
        return known[code]
    if not code.isdigit():
        return None
    for length in range(len(code) - 1, 1, -1):
        if code[:length] in known:
            return f"{known[code[:length]]} ({code}, not in the packaged list)"
    return None


# CAMEO code prefixes in Tocsin's taxonomy; the longest matching prefix wins.
_CAMEO_TYPES: dict[str, EventType] = {
    "13": EventType.THREAT,
    "14": EventType.PROTEST,
    "145": EventType.RIOT,
    "15": EventType.FORCE_MOBILISATION,
    "171": EventType.LOOTING_DESTRUCTION,
    "173": EventType.ARREST,
    "174": EventType.FORCED_DISPLACEMENT,
    "175": EventType.PROTEST_REPRESSION,
    "18": EventType.ATTACK_ON_CIVILIANS,
    "181": EventType.HOSTAGE_TAKING,
    "1821": EventType.SEXUAL_VIOLENCE,
    "1822": EventType.TORTURE,
    "1823": EventType.KILLING,
    "183": EventType.REMOTE_VIOLENCE,
    "185": EventType.ASSASSINATION,
    "186": EventType.ASSASSINATION,
    "19": EventType.BATTLE,
    "194": EventType.REMOTE_VIOLENCE,
    "195": EventType.REMOTE_VIOLENCE,
    "20": EventType.KILLING,
    "201": EventType.FORCED_DISPLACEMENT,
    "203": EventType.FORCED_DISPLACEMENT,
    "204": EventType.PROHIBITED_WEAPONS,
}


def cameo_event_type(code: str) -> EventType:
    """Tocsin's event type for a CAMEO event code.

    >>> cameo_event_type("1823"), cameo_event_type("145"), cameo_event_type("042")
    (<EventType.KILLING: 'killing'>, <EventType.RIOT: 'riot'>, <EventType.OTHER: 'other'>)
    """
    for length in range(len(code), 1, -1):
        found = _CAMEO_TYPES.get(code[:length])
        if found is not None:
            return found
    return EventType.OTHER


_ACTOR_TYPES = {
    "GOV": ActorKind.STATE,
    "MIL": ActorKind.STATE,
    "COP": ActorKind.STATE,
    "SPY": ActorKind.STATE,
    "JUD": ActorKind.STATE,
    "REB": ActorKind.REBELS,
    "INS": ActorKind.REBELS,
    "SEP": ActorKind.REBELS,
    "UAF": ActorKind.MILITIA,
    "CVL": ActorKind.CIVILIANS,
    "REF": ActorKind.CIVILIANS,
}
# ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (ADM1).
_GEO_TYPES = {
    "1": GeoPrecision.COUNTRY,
    "2": GeoPrecision.ADMIN1,
    "3": GeoPrecision.POINT,
    "4": GeoPrecision.POINT,
    "5": GeoPrecision.ADMIN1,
}


def _padded(data: bytes, width: int) -> bytes:
    """Backfile rows (before April 2013) lack SOURCEURL: give them an empty one."""
    lines = data.split(b"\n")
    fixed = [line + b"\t" if line.count(b"\t") == width - 2 else line for line in lines]
    return b"\n".join(fixed)


def parse_gdelt(data: bytes, *, file_name: str) -> ParsedEvents:
    """Parse a GDELT 1.0 or 2.0 event file (tab-separated, no header; line = row number).

    The version is told by the number of fields (57 or 58 for 1.0, 61 for 2.0).
    """
    first = data.split(b"\n", 1)[0]
    n_fields = first.count(b"\t") + 1
    if n_fields in (57, 58):
        version = 1
    elif n_fields == 61:
        version = 2
    else:
        raise DataFileError(
            file_name,
            [RowProblem(1, None, f"{n_fields} fields: not a GDELT 1.0 (57/58) or 2.0 (61) row")],
        )
    names = gdelt_columns(version)
    try:
        raw = read_text_table(data, delimiter="\t", names=names, quoting=False)
    except DataFileError:
        raw = read_text_table(
            _padded(data, len(names)),
            delimiter="\t",
            names=names,
            quoting=False,
            file_name=file_name,
        )
    return _normalise(raw, file_name=file_name, version=version)


def _normalise(raw: pd.DataFrame, *, file_name: str, version: int) -> ParsedEvents:
    checks = RowChecks(raw, raw["__line__"].to_numpy())
    crosswalk = get_crosswalk()
    out = pd.DataFrame(index=raw.index)
    out["dataset"] = f"gdelt{version}"
    out["source_event_id"] = checks.text("globaleventid", required=True)
    out["version"] = checks.text("dateadded")
    start = checks.dates("sqldate", ["%Y%m%d"])
    out["start_date"] = start
    out["end_date"] = start
    out["date_precision"] = "day"
    country = checks.text("actiongeo_countrycode")
    iso3 = crosswalk.to_iso3_series(country.fillna(""), "fips")
    # With no place of action, GDELT still gives the first actor's country (CAMEO codes,
    # which are ISO alpha-3 for states).
    actor_country = checks.text("actor1countrycode").fillna("")
    iso3 = iso3.fillna(crosswalk.to_iso3_series(actor_country, "iso3"))
    checks.flag(
        country.notna() & iso3.isna(), "actiongeo_countrycode", "unknown FIPS code", country
    )
    out["iso3"] = iso3.astype("object").where(iso3.notna(), None)
    out["admin1"] = checks.text("actiongeo_adm1code")
    out["admin2"] = checks.text("actiongeo_adm2code")
    out["location"] = checks.text("actiongeo_fullname")
    out["latitude"] = checks.real("actiongeo_lat", low=-90, high=90)
    out["longitude"] = checks.real("actiongeo_long", low=-180, high=180)
    out["geo_precision"] = checks.text("actiongeo_type").map(_GEO_TYPES).fillna("unknown")
    code = checks.text("eventcode", required=True)
    distinct = code.dropna().unique()
    descriptions = code.map({c: cameo_description(c) for c in distinct})
    checks.flag(code.notna() & descriptions.isna(), "eventcode", "not a CAMEO event code", code)
    out["event_type"] = code.map({c: cameo_event_type(c).value for c in distinct})
    out["source_type"] = ("CAMEO " + code.fillna("") + " " + descriptions.fillna("")).str.strip()
    for side, column in (("1", "perpetrator"), ("2", "target")):
        out[column] = checks.text(f"actor{side}name")
        kind = checks.text(f"actor{side}type1code").map(
            {k: v.value for k, v in _ACTOR_TYPES.items()}
        )
        out[f"{column}_kind"] = kind.fillna(ActorKind.UNKNOWN.value)
    mentions = checks.integer("nummentions")
    sources = checks.integer("numsources")
    out["source_names"] = "GDELT (" + sources.astype("string").fillna("?") + " sources)"
    out["source_url"] = checks.text("sourceurl")
    notes = mentions.astype("string") + " mentions"
    out["notes"] = notes.astype("object").where(mentions.notna(), None)
    return finish(out, checks, file_name=file_name, fmt=f"gdelt{version}")
