"""Public feeds of alerts: CAP 1.2 messages (OASIS Common Alerting Protocol) and Atom.

Only alerts whose evidence is all public go in a feed (the caller filters with
``public_only``); a feed says what the alert is, why, where and the suggested options,
and links back to the alert. The CAP feed is an Atom feed whose entries each carry one
complete CAP ``<alert>`` as their content (``type="application/cap+xml"``), the usual way
to publish a series of CAP messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from tocsin.alerts._content import AlertPublic

__all__ = ["CAP_NAMESPACE", "atom_feed", "cap_alert", "cap_datetime", "cap_feed", "cap_xml"]

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
CAP_SEVERITY = {"minor": "Minor", "moderate": "Moderate", "severe": "Severe", "extreme": "Extreme"}
_NEAR_TERM = {"escalation", "trigger_event"}

ET.register_namespace("", ATOM_NAMESPACE)
ET.register_namespace("cap", CAP_NAMESPACE)


def cap_datetime(moment: datetime) -> str:
    """A time as CAP 1.2 writes it: seconds, a numeric offset, UTC as ``-00:00``.

    >>> cap_datetime(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    '2026-11-28T12:00:00-00:00'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def _safe_id(text: str) -> str:
    # CAP identifiers and senders must not contain spaces, commas or restricted characters.
    return re.sub(r"[\s,<>&'\"]+", "-", text)


def _sub(
    parent: ET.Element, tag: str, text: str | None = None, ns: str = CAP_NAMESPACE
) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        element.text = text
    return element


def cap_alert(alert: AlertPublic, *, sender: str, country_name: str | None = None) -> ET.Element:
    """One CAP 1.2 ``<alert>`` for ``alert``: a ``Cancel`` once it is dismissed."""
    root = ET.Element(f"{{{CAP_NAMESPACE}}}alert")
    sender_id = _safe_id(sender)
    identifier = f"{sender_id}.alert.{alert.id}"
    is_cancel = alert.status == "dismissed"
    _sub(root, "identifier", identifier + (".cancel" if is_cancel else ""))
    _sub(root, "sender", sender_id)
    _sub(
        root,
        "sent",
        cap_datetime(alert.closed_at if is_cancel and alert.closed_at else alert.created_at),
    )
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Cancel" if is_cancel else "Alert")
    _sub(root, "source", "Tocsin early warning")
    _sub(root, "scope", "Public")
    if is_cancel:
        _sub(root, "note", "Dismissed by the analysts after review.")
        _sub(root, "references", f"{sender_id},{identifier},{cap_datetime(alert.created_at)}")
    info = _sub(root, "info")
    _sub(info, "language", "en")
    _sub(info, "category", "Security")
    _sub(info, "event", "Risk of atrocity crimes")
    _sub(info, "responseType", "Monitor")
    kinds = {s.kind for s in alert.signals}
    _sub(info, "urgency", "Expected" if kinds & _NEAR_TERM else "Future")
    _sub(info, "severity", CAP_SEVERITY.get(alert.severity, "Unknown"))
    top = max((s.strength for s in alert.signals), default=0.0)
    _sub(info, "certainty", "Likely" if top > 0.5 else "Possible")
    _sub(info, "effective", cap_datetime(alert.created_at))
    _sub(info, "senderName", "Tocsin")
    _sub(info, "headline", alert.title[:160])
    evidence = "\n".join(f"- {s.summary} ({s.url})" for s in alert.signals)
    _sub(info, "description", f"{alert.reason}\n\nEvidence:\n{evidence}")
    options = "; ".join(f"{o['id']} {o['title']}" for o in alert.policy_options)
    if options:
        _sub(info, "instruction", f"Options to consider (UN SG report 2013): {options}")
    _sub(info, "web", alert.url)
    for code in alert.framework_codes:
        parameter = _sub(info, "parameter")
        _sub(parameter, "valueName", "framework_code")
        _sub(parameter, "value", code)
    area = _sub(info, "area")
    _sub(area, "areaDesc", country_name or alert.iso3)
    geocode = _sub(area, "geocode")
    _sub(geocode, "valueName", "ISO 3166-1 alpha-3")
    _sub(geocode, "value", alert.iso3)
    return root


def cap_xml(alert: AlertPublic, *, sender: str, country_name: str | None = None) -> str:
    """One CAP 1.2 message as an XML document."""
    element = cap_alert(alert, sender=sender, country_name=country_name)
    ET.indent(element)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")


def _atom(
    alerts: Sequence[AlertPublic],
    *,
    base_url: str,
    now: datetime,
    title: str,
    path: str,
    sender: str | None,
    country_names: dict[str, str],
) -> str:
    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM_NAMESPACE}}}feed")
    a = ATOM_NAMESPACE
    _sub(feed, "id", f"{base}{path}", a)
    _sub(feed, "title", title, a)
    updated = max((x.updated_at for x in alerts), default=now)
    _sub(feed, "updated", updated.astimezone(UTC).isoformat(), a)
    _sub(_sub(feed, "author", ns=a), "name", "Tocsin", a)
    _sub(feed, "link", ns=a).attrib.update({"rel": "self", "href": f"{base}{path}"})
    for alert in alerts:
        entry = _sub(feed, "entry", ns=a)
        _sub(entry, "id", alert.url, a)
        _sub(entry, "title", alert.title, a)
        _sub(entry, "updated", alert.updated_at.astimezone(UTC).isoformat(), a)
        _sub(entry, "published", alert.created_at.astimezone(UTC).isoformat(), a)
        _sub(entry, "link", ns=a).attrib.update({"rel": "alternate", "href": alert.url})
        _sub(entry, "category", ns=a).attrib["term"] = alert.severity
        _sub(entry, "summary", f"[{alert.status}] {alert.reason}", a)
        if sender is not None:
            content = _sub(entry, "content", ns=a)
            content.attrib["type"] = "application/cap+xml"
            content.append(
                cap_alert(alert, sender=sender, country_name=country_names.get(alert.iso3))
            )
    ET.indent(feed)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(feed, encoding="unicode")


def atom_feed(
    alerts: Sequence[AlertPublic], *, base_url: str, now: datetime, title: str = "Tocsin alerts"
) -> str:
    """An Atom 1.0 feed of ``alerts`` (newest first as given)."""
    return _atom(
        alerts,
        base_url=base_url,
        now=now,
        title=title,
        path="/alerts/feed.atom",
        sender=None,
        country_names={},
    )


def cap_feed(
    alerts: Sequence[AlertPublic],
    *,
    base_url: str,
    sender: str,
    now: datetime,
    country_names: dict[str, str] | None = None,
    title: str = "Tocsin alerts (CAP 1.2)",
) -> str:
    """An Atom feed whose entries each carry one CAP 1.2 ``<alert>``."""
    return _atom(
        alerts,
        base_url=base_url,
        now=now,
        title=title,
        path="/alerts/feed.cap",
        sender=sender,
        country_names=country_names or {},
    )
