"""ACLED exports (the standard 31-column CSV of the data export tool and API)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tocsin.events._parse import ParsedEvents, RowChecks, finish, iso3_of, read_text_table
from tocsin.events._taxonomy import ActorKind, DatePrecision, EventType, GeoPrecision

DATASET = "acled"

#: ACLED sub-event types in Tocsin's taxonomy.
SUB_EVENT_TYPES: dict[str, EventType] = {
    "Armed clash": EventType.BATTLE,
    "Government regains territory": EventType.BATTLE,
    "Non-state actor overtakes territory": EventType.BATTLE,
    "Chemical weapon": EventType.PROHIBITED_WEAPONS,
    "Air/drone strike": EventType.REMOTE_VIOLENCE,
    "Suicide bomb": EventType.REMOTE_VIOLENCE,
    "Shelling/artillery/missile attack": EventType.REMOTE_VIOLENCE,
    "Remote explosive/landmine/IED": EventType.REMOTE_VIOLENCE,
    "Grenade": EventType.REMOTE_VIOLENCE,
    "Peaceful protest": EventType.PROTEST,
    "Protest with intervention": EventType.PROTEST,
    "Excessive force against protesters": EventType.PROTEST_REPRESSION,
    "Violent demonstration": EventType.RIOT,
    "Mob violence": EventType.RIOT,
    "Agreement": EventType.OTHER,
    "Arrests": EventType.ARREST,
    "Change to group/activity": EventType.OTHER,
    "Disrupted weapons use": EventType.OTHER,
    "Headquarters or base established": EventType.OTHER,
    "Looting/property destruction": EventType.LOOTING_DESTRUCTION,
    "Non-violent transfer of territory": EventType.SECURITY_VACUUM,
    "Other": EventType.OTHER,
    "Sexual violence": EventType.SEXUAL_VIOLENCE,
    "Attack": EventType.ATTACK_ON_CIVILIANS,
    "Abduction/forced disappearance": EventType.ENFORCED_DISAPPEARANCE,
}

# Interaction codes (inter1/inter2), as numbers in older exports and words in newer ones.
_INTER = {
    "1": ActorKind.STATE,
    "2": ActorKind.REBELS,
    "3": ActorKind.MILITIA,
    "4": ActorKind.COMMUNAL,
    "5": ActorKind.RIOTERS,
    "6": ActorKind.PROTESTERS,
    "7": ActorKind.CIVILIANS,
    "8": ActorKind.EXTERNAL,
    "0": ActorKind.UNKNOWN,
    "State forces": ActorKind.STATE,
    "Rebel group": ActorKind.REBELS,
    "Political militia": ActorKind.MILITIA,
    "Identity militia": ActorKind.COMMUNAL,
    "Rioters": ActorKind.RIOTERS,
    "Protesters": ActorKind.PROTESTERS,
    "Civilians": ActorKind.CIVILIANS,
    "External/Other forces": ActorKind.EXTERNAL,
}
_TIME_PRECISION = {"1": DatePrecision.DAY, "2": DatePrecision.WEEK, "3": DatePrecision.MONTH}
_GEO_PRECISION = {"1": GeoPrecision.POINT, "2": GeoPrecision.NEAR, "3": GeoPrecision.ADMIN1}
_DATE_FORMATS = ["%Y-%m-%d", "%d %B %Y", "%d-%B-%Y"]
_IDENTITY_WORDS = r"Ethnic Group|Religious Group|Muslim Group|Christian Group|Refugees|IDPs"


def parse_acled(data: bytes, *, file_name: str) -> ParsedEvents:
    """Parse an ACLED export (CSV with a header line).

    Examples
    --------
    >>> head = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,"
    >>> head += "inter1,actor2,inter2,iso,country,admin1,latitude,longitude,geo_precision,"
    >>> head += "fatalities,timestamp"
    >>> row = "CEN1,2022-03-01,1,Violence against civilians,Attack,3R,2,Civilians (CAR),7,"
    >>> row += "140,Central African Republic,Ouham-Pende,7.1,15.9,1,3,1646077433"
    >>> parsed = parse_acled(f"{head}\\n{row}\\n".encode(), file_name="acled.csv")
    >>> row = parsed.frame.loc[0]
    >>> row["iso3"], row["event_type"], row["perpetrator_kind"], int(row["civilian_deaths"])
    ('CAF', 'killing', 'rebels', 3)
    """
    raw = read_text_table(data, file_name=file_name)
    checks = RowChecks(raw, raw["__line__"].to_numpy())
    out = pd.DataFrame(index=raw.index)
    out["dataset"] = DATASET
    out["source_event_id"] = checks.text("event_id_cnty", required=True)
    out["version"] = checks.text("timestamp")
    start = checks.dates("event_date", _DATE_FORMATS)
    out["start_date"] = start
    out["end_date"] = start
    out["date_precision"] = checks.text("time_precision").map(_TIME_PRECISION).fillna("unknown")
    iso3 = _countries(checks)
    out["iso3"] = iso3
    out["admin1"] = checks.text("admin1")
    out["admin2"] = checks.text("admin2")
    out["location"] = checks.text("location")
    out["latitude"] = checks.real("latitude", low=-90, high=90)
    out["longitude"] = checks.real("longitude", low=-180, high=180)
    out["geo_precision"] = checks.text("geo_precision").map(_GEO_PRECISION).fillna("unknown")
    sub_type = checks.text("sub_event_type", required=True)
    types = {k: v.value for k, v in SUB_EVENT_TYPES.items()}
    event_type = checks.mapped("sub_event_type", sub_type, types, what="sub-event type")
    fatalities = checks.integer("fatalities", required=True)
    attack = event_type == EventType.ATTACK_ON_CIVILIANS
    killed = attack & (fatalities > 0).fillna(False)
    out["event_type"] = event_type.where(~killed, EventType.KILLING.value)
    main_type = checks.text("event_type")
    out["source_type"] = (main_type.fillna("") + ": " + sub_type.fillna("")).str.strip(": ")
    perpetrator_kind = checks.mapped(
        "inter1", checks.text("inter1"), {k: v.value for k, v in _INTER.items()}, what="inter code"
    )
    target_kind = checks.mapped(
        "inter2", checks.text("inter2"), {k: v.value for k, v in _INTER.items()}, what="inter code"
    )
    out["perpetrator"] = checks.text("actor1")
    out["perpetrator_kind"] = perpetrator_kind.fillna(ActorKind.UNKNOWN.value)
    out["target"] = checks.text("actor2")
    out["target_kind"] = target_kind.fillna(ActorKind.UNKNOWN.value)
    associated = checks.text("assoc_actor_2")
    identity = associated.fillna("").str.contains(_IDENTITY_WORDS, regex=True)
    out["target_group"] = associated.where(identity, None)
    out["fatalities_low"] = fatalities
    out["fatalities_best"] = fatalities
    out["fatalities_high"] = fatalities
    # ACLED counts the dead of "Violence against civilians" as civilians; elsewhere it does
    # not say, except when it flags the event as civilian targeting.
    targeting = checks.text("civilian_targeting").fillna("").str.len() > 0
    civilian = (main_type == "Violence against civilians").fillna(False) | targeting
    out["civilian_deaths"] = fatalities.where(civilian.to_numpy(), pd.NA)
    out["target_kind"] = np.where(targeting, ActorKind.CIVILIANS.value, out["target_kind"])
    out["source_names"] = checks.text("source")
    out["notes"] = checks.text("notes")
    return finish(out, checks, file_name=file_name, fmt="acled")


def _countries(checks: RowChecks) -> pd.Series:
    numeric = checks.text("iso")
    names = checks.text("country", required=True)
    iso3 = iso3_of(numeric.fillna(""), "isonum")
    by_name = iso3_of(names.fillna(""), "name")
    iso3 = iso3.where(iso3.notna(), by_name)
    checks.flag(
        iso3.isna() & names.notna(), "country", "unknown country (neither iso nor name)", names
    )
    return iso3.astype("object").where(iso3.notna(), None)
