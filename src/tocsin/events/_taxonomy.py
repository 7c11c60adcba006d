"""Tocsin's event-type taxonomy and the vocabularies of the canonical event.

The types follow the acts that are elements of atrocity crimes (§25 of the 2013 report),
plus battles, protests and riots, and the triggers of §27. Each type names the framework
risk factors and indicators (``RF11``, ``13.15``, …) that an event of that type bears on,
so Signals built from events carry the catalogue's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventType(StrEnum):
    """What happened, in Tocsin's taxonomy (one value per act)."""

    # Acts of §25 (elements of atrocity crimes)
    KILLING = "killing"
    ATTACK_ON_CIVILIANS = "attack_on_civilians"
    ENFORCED_DISAPPEARANCE = "enforced_disappearance"
    HOSTAGE_TAKING = "hostage_taking"
    TORTURE = "torture"
    SEXUAL_VIOLENCE = "sexual_violence"
    CHILD_RECRUITMENT = "child_recruitment"
    FORCED_DISPLACEMENT = "forced_displacement"
    PROHIBITED_WEAPONS = "prohibited_weapons"
    ATTACK_ON_INFRASTRUCTURE = "attack_on_infrastructure"
    ATTACK_ON_HUMANITARIANS = "attack_on_humanitarians"
    LOOTING_DESTRUCTION = "looting_destruction"
    # Armed conflict
    BATTLE = "battle"
    REMOTE_VIOLENCE = "remote_violence"
    # Unrest
    PROTEST = "protest"
    RIOT = "riot"
    PROTEST_REPRESSION = "protest_repression"
    ARREST = "arrest"
    # Triggers of §27
    COUP = "coup"
    SPILLOVER = "spillover"
    ASSASSINATION = "assassination"
    SECURITY_VACUUM = "security_vacuum"
    CONTESTED_ELECTION = "contested_election"
    # Precursors and everything else
    THREAT = "threat"
    FORCE_MOBILISATION = "force_mobilisation"
    OTHER = "other"


class ActorKind(StrEnum):
    """Who an actor is, coarsely: enough to tell one-sided violence from battles."""

    STATE = "state"
    MILITIA = "militia"
    REBELS = "rebels"
    COMMUNAL = "communal"
    RIOTERS = "rioters"
    PROTESTERS = "protesters"
    CIVILIANS = "civilians"
    EXTERNAL = "external"
    UNKNOWN = "unknown"


class DatePrecision(StrEnum):
    """How exactly the source knows when it happened."""

    DAY = "day"
    DAYS = "days"  # within a few days (UCDP date_prec 2)
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class GeoPrecision(StrEnum):
    """How exactly the source knows where it happened."""

    POINT = "point"  # the exact place
    NEAR = "near"  # within about 25 km
    ADMIN2 = "admin2"
    ADMIN1 = "admin1"
    COUNTRY = "country"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class EventTypeInfo:
    """What an event type means for early warning.

    ``framework_codes`` are the catalogue factors and indicators it bears on; ``trigger``
    is the §27 trigger id (``T1``…``T8``) when it is one; ``is_one_sided`` marks violence
    by an armed actor against civilians (the target of escalation detection).
    """

    label: str
    paragraph: int | None
    framework_codes: tuple[str, ...]
    is_atrocity_act: bool = False
    is_one_sided: bool = False
    trigger: str | None = None


_T = EventType
EVENT_TYPES: dict[EventType, EventTypeInfo] = {
    _T.KILLING: EventTypeInfo("Killing of civilians", 25, ("RF11", "11.1", "10.2"), True, True),
    _T.ATTACK_ON_CIVILIANS: EventTypeInfo(
        "Attack on civilians", 25, ("RF11", "11.1", "7.8"), True, True
    ),
    _T.ENFORCED_DISAPPEARANCE: EventTypeInfo(
        "Enforced disappearance or abduction", 25, ("RF13", "13.15", "11.6"), True, True
    ),
    _T.HOSTAGE_TAKING: EventTypeInfo("Hostage-taking", 25, ("RF13", "13.15"), True, True),
    _T.TORTURE: EventTypeInfo("Torture", 25, ("RF11", "11.6", "13.15"), True, True),
    _T.SEXUAL_VIOLENCE: EventTypeInfo(
        "Rape and sexual violence", 25, ("RF13", "13.17", "7.9"), True, True
    ),
    _T.CHILD_RECRUITMENT: EventTypeInfo(
        "Child or forced recruitment", 25, ("RF13", "13.16"), True, True
    ),
    _T.FORCED_DISPLACEMENT: EventTypeInfo(
        "Forced displacement", 25, ("RF13", "13.19", "7.10"), True, True
    ),
    _T.PROHIBITED_WEAPONS: EventTypeInfo(
        "Use of prohibited weapons", 25, ("RF13", "13.10", "11.4"), True
    ),
    _T.ATTACK_ON_INFRASTRUCTURE: EventTypeInfo(
        "Attack on civilian infrastructure or protected objects", 25, ("RF13", "13.14"), True
    ),
    _T.ATTACK_ON_HUMANITARIANS: EventTypeInfo(
        "Attack on humanitarian or peacekeeping personnel", 25, ("RF14", "14.4"), True
    ),
    _T.LOOTING_DESTRUCTION: EventTypeInfo(
        "Looting or destruction of property", 25, ("RF13", "13.18", "10.7"), True
    ),
    _T.BATTLE: EventTypeInfo("Battle", None, ("RF1", "1.1", "8.1")),
    _T.REMOTE_VIOLENCE: EventTypeInfo("Explosion or remote violence", None, ("RF1", "1.1", "11.4")),
    _T.PROTEST: EventTypeInfo("Protest", 27, ("RF1", "1.10"), trigger="T3"),
    _T.RIOT: EventTypeInfo("Riot or mob violence", 27, ("RF1", "1.10", "1.5"), trigger="T3"),
    _T.PROTEST_REPRESSION: EventTypeInfo(
        "Excessive force against protesters", 25, ("RF1", "1.6", "2.1"), True, True
    ),
    _T.ARREST: EventTypeInfo("Arrests", None, ("RF2", "2.1")),
    _T.COUP: EventTypeInfo(
        "Unconstitutional change of government", 27, ("RF8", "8.4", "1.4"), trigger="T1"
    ),
    _T.SPILLOVER: EventTypeInfo(
        "Spill-over from a neighbouring country", 27, ("RF8", "8.2", "1.2"), trigger="T2"
    ),
    _T.ASSASSINATION: EventTypeInfo(
        "Assassination of a symbolic figure", 27, ("RF8", "8.5"), trigger="T4"
    ),
    _T.SECURITY_VACUUM: EventTypeInfo("Security vacuum", 27, ("RF8", "1.2"), trigger="T5"),
    _T.CONTESTED_ELECTION: EventTypeInfo(
        "Contested or delayed election", 27, ("RF8", "8.8", "1.5"), trigger="T6"
    ),
    _T.THREAT: EventTypeInfo("Threat of violence", None, ("RF13", "13.7")),
    _T.FORCE_MOBILISATION: EventTypeInfo("Mobilisation or show of force", None, ("RF8", "8.1")),
    _T.OTHER: EventTypeInfo("Other", None, ()),
}

ONE_SIDED_TYPES: frozenset[str] = frozenset(
    t.value for t, i in EVENT_TYPES.items() if i.is_one_sided
)
ATROCITY_ACT_TYPES: frozenset[str] = frozenset(
    t.value for t, i in EVENT_TYPES.items() if i.is_atrocity_act
)
TRIGGER_TYPES: frozenset[str] = frozenset(t.value for t, i in EVENT_TYPES.items() if i.trigger)
