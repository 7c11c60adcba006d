"""An independent check of a CAP 1.2 <alert> against the OASIS standard's rules.

It does not use the generator's code: it restates, from the CAP 1.2 specification
(OASIS Standard, 1 July 2010, §3.2 and the schema's element order), which elements are
required, in which order they may appear and which values they may take.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

NS = "urn:oasis:names:tc:emergency:cap:1.2"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
FORBIDDEN_ID_CHARS = re.compile(r"[\s,<&]")

# (element, minOccurs, maxOccurs or None for unbounded), in the schema's sequence.
ALERT = [
    ("identifier", 1, 1), ("sender", 1, 1), ("sent", 1, 1), ("status", 1, 1),
    ("msgType", 1, 1), ("source", 0, 1), ("scope", 1, 1), ("restriction", 0, 1),
    ("addresses", 0, 1), ("code", 0, None), ("note", 0, 1), ("references", 0, 1),
    ("incidents", 0, 1), ("info", 0, None),
]  # fmt: skip
INFO = [
    ("language", 0, 1), ("category", 1, None), ("event", 1, 1), ("responseType", 0, None),
    ("urgency", 1, 1), ("severity", 1, 1), ("certainty", 1, 1), ("audience", 0, 1),
    ("eventCode", 0, None), ("effective", 0, 1), ("onset", 0, 1), ("expires", 0, 1),
    ("senderName", 0, 1), ("headline", 0, 1), ("description", 0, 1), ("instruction", 0, 1),
    ("web", 0, 1), ("contact", 0, 1), ("parameter", 0, None), ("resource", 0, None),
    ("area", 0, None),
]  # fmt: skip
AREA = [
    ("areaDesc", 1, 1), ("polygon", 0, None), ("circle", 0, None), ("geocode", 0, None),
    ("altitude", 0, 1), ("ceiling", 0, 1),
]  # fmt: skip
PAIR = [("valueName", 1, 1), ("value", 1, 1)]
VALUES = {
    "status": {"Actual", "Exercise", "System", "Test", "Draft"},
    "msgType": {"Alert", "Update", "Cancel", "Ack", "Error"},
    "scope": {"Public", "Restricted", "Private"},
    "category": {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
                 "Transport", "Infra", "CBRNE", "Other"},
    "responseType": {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor",
                     "Assess", "AllClear", "None"},
    "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"},
    "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
    "certainty": {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
}  # fmt: skip


def _sequence(parent: ET.Element, spec: list[tuple[str, int, int | None]], where: str) -> list[str]:
    problems = []
    names = [child.tag for child in parent]
    allowed = [f"{{{NS}}}{name}" for name, _, _ in spec]
    position = 0
    for tag in names:
        if tag not in allowed:
            problems.append(f"{where}: unexpected element {tag}")
            continue
        index = allowed.index(tag)
        if index < position:
            problems.append(f"{where}: {tag} out of order")
        position = index
    for name, low, high in spec:
        n = names.count(f"{{{NS}}}{name}")
        if n < low:
            problems.append(f"{where}: missing required <{name}>")
        if high is not None and n > high:
            problems.append(f"{where}: <{name}> {n} times, at most {high}")
    return problems


def cap_problems(alert: ET.Element) -> list[str]:
    """Everything in ``alert`` that breaks CAP 1.2 (empty when it conforms)."""
    if alert.tag != f"{{{NS}}}alert":
        return [f"root is {alert.tag}, not the CAP 1.2 alert"]
    problems = _sequence(alert, ALERT, "alert")

    def text(parent: ET.Element, name: str) -> list[str]:
        return [(e.text or "") for e in parent.findall(f"{{{NS}}}{name}")]

    for name in ("identifier", "sender"):
        for value in text(alert, name):
            if not value or FORBIDDEN_ID_CHARS.search(value):
                problems.append(f"<{name}> {value!r} is empty or has spaces, commas or < &")
    for value in text(alert, "sent"):
        if not DATETIME.match(value):
            problems.append(f"<sent> {value!r} is not a CAP date-time")
    for name in ("status", "msgType", "scope"):
        problems += [f"<{name}> {v!r}" for v in text(alert, name) if v not in VALUES[name]]
    if text(alert, "scope") == ["Restricted"] and not text(alert, "restriction"):
        problems.append("scope Restricted needs <restriction>")
    if text(alert, "scope") == ["Private"] and not text(alert, "addresses"):
        problems.append("scope Private needs <addresses>")
    if text(alert, "msgType") in (["Update"], ["Cancel"], ["Ack"], ["Error"]):
        if not text(alert, "references"):
            problems.append("an Update/Cancel/Ack/Error should carry <references>")
    for info in alert.findall(f"{{{NS}}}info"):
        problems += _sequence(info, INFO, "info")
        for name in ("category", "responseType", "urgency", "severity", "certainty"):
            problems += [f"<{name}> {v!r}" for v in text(info, name) if v not in VALUES[name]]
        for name in ("effective", "onset", "expires"):
            problems += [f"<{name}> {v!r}" for v in text(info, name) if not DATETIME.match(v)]
        for name in ("eventCode", "parameter"):
            for pair in info.findall(f"{{{NS}}}{name}"):
                problems += _sequence(pair, PAIR, name)
        for area in info.findall(f"{{{NS}}}area"):
            problems += _sequence(area, AREA, "area")
            for geocode in area.findall(f"{{{NS}}}geocode"):
                problems += _sequence(geocode, PAIR, "geocode")
    return problems
