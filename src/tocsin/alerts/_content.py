"""What an alert says: title, policy options from the catalogue, email and webhook bodies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from tocsin.alerts._evaluate import factor_of
from tocsin.alerts._store import StoredAlert
from tocsin.domain import data_end, is_stale
from tocsin.framework import Catalogue
from tocsin.store import StoredSignal

SEVERITY_ORDER = ["minor", "moderate", "severe", "extreme"]

__all__ = [
    "AlertPublic",
    "SignalLink",
    "alert_public",
    "email_digest",
    "email_message",
    "outbound",
    "policy_options",
    "webhook_body",
]


def policy_options(
    catalogue: Catalogue, codes: Sequence[str], *, limit: int = 6
) -> list[dict[str, Any]]:
    """The catalogue's policy options and §71 steps for the risk factors of ``codes``,
    first factor first, each once.

    >>> from tocsin.framework import load_catalogue
    >>> [o["id"] for o in policy_options(load_catalogue(), ["9.3"])][:1]
    ['P1']
    """
    chosen: dict[str, dict[str, Any]] = {}
    for factor in dict.fromkeys(factor_of(c) for c in codes):
        try:
            options = catalogue.policy_options_for(factor)
        except KeyError:
            continue
        for option in options:
            chosen.setdefault(
                option.id,
                {
                    "id": option.id,
                    "title": option.title,
                    "kind": option.kind,
                    "paragraphs": list(option.paragraphs),
                    "factor": factor,
                },
            )
    return list(chosen.values())[:limit]


class SignalLink(BaseModel):
    """A Signal behind an alert, with a link to it, when it was observed and when the data
    it rests on end: ``stale`` when they ended more than 90 days before the alert was shown
    (:data:`tocsin.domain.STALE_DATA_AFTER`)."""

    id: int
    kind: str
    iso3: str
    area: str | None
    strength: float
    summary: str
    producer: str
    url: str
    observed_at: datetime | None = None
    data_end: date | None = None
    stale: bool = False


class AlertEventPublic(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str
    details: dict[str, Any]


class AlertPublic(BaseModel):
    """An alert as the API, the CLI's --json and webhooks show it."""

    id: int
    rule_id: int
    iso3: str
    status: str
    severity: str
    title: str
    reason: str
    value: float
    framework_codes: list[str]
    policy_options: list[dict[str, Any]]
    is_public: bool
    n_matches: int
    escalation_level: int
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    url: str
    signals: list[SignalLink]
    events: list[AlertEventPublic]
    n_signals_withheld: int = 0  # Signals behind the alert that this reader may not see
    # the newest data end among the Signals shown, and whether even that is stale: an
    # alert raised today can rest on data that ended years ago, and must say so
    data_end: date | None = None
    stale_data: bool = False


def alert_public(
    alert: StoredAlert,
    signals: Sequence[StoredSignal],
    *,
    base_url: str,
    sensitivities: Sequence[str] | None = None,
    now: datetime | None = None,
) -> AlertPublic:
    """The public shape of ``alert``; ``signals`` are its Signals (others are ignored).

    With ``sensitivities``, only Signals of those sensitivities are shown, and the others
    are counted in ``n_signals_withheld``. Each Signal links to its country's page and
    carries its data's end, judged stale at ``now`` (default: the present) when more than
    90 days old; ``data_end`` and ``stale_data`` say the same of the newest evidence shown.
    """
    base = base_url.rstrip("/")
    wanted = set(alert.signal_ids)
    mine = [s for s in signals if s.id in wanted]
    shown = [s for s in mine if sensitivities is None or s.sensitivity.value in sensitivities]
    ends = {s.id: data_end(s) for s in shown}
    newest = max(ends.values(), default=None)
    return AlertPublic(
        id=alert.id,
        rule_id=alert.rule_id,
        iso3=alert.iso3,
        status=alert.status,
        severity=alert.severity,
        title=alert.title,
        reason=alert.reason,
        value=alert.value,
        framework_codes=alert.framework_codes,
        policy_options=alert.policy_options,
        is_public=alert.is_public,
        n_matches=alert.n_matches,
        escalation_level=alert.escalation_level,
        created_at=alert.created_at,
        updated_at=alert.updated_at,
        acknowledged_at=alert.acknowledged_at,
        closed_at=alert.closed_at,
        url=f"{base}/alerts/{alert.id}",
        signals=[
            SignalLink(
                id=s.id,
                kind=s.kind.value,
                iso3=s.iso3,
                area=s.area,
                strength=s.strength,
                summary=s.summary,
                producer=s.provenance.producer,
                url=f"{base}/countries/{s.iso3}",
                observed_at=s.observed_at or s.stored_at,
                data_end=ends[s.id],
                stale=is_stale(ends[s.id], now),
            )
            for s in shown
        ],
        events=[AlertEventPublic(**vars(e)) for e in alert.events],
        n_signals_withheld=len(mine) - len(shown),
        data_end=newest,
        stale_data=newest is not None and is_stale(newest, now),
    )


def _dates(signal: SignalLink) -> str:
    """What an email says of a Signal's data: "(data to 2022-12-30, stale data)"."""
    if signal.data_end is None:
        return ""
    return f" (data to {signal.data_end}{', stale data' if signal.stale else ''})"


#: What email and webhook messages carry of an alert's Signals. Those channels leave
#: Tocsin's access control (a shared mailbox, a partner's system, a relay on the way):
#: whoever the recipient is, they carry public Signals only, as the public feeds do.
OUTBOUND_SENSITIVITIES = ("public",)

#: The reason an outbound message gives for an alert resting on non-public evidence: the
#: alert's own reason quotes its strongest Signal.
WITHHELD_REASON = "its evidence is not public: sign in to Tocsin to read it"


def outbound(alert: AlertPublic) -> AlertPublic:
    """What an email or webhook says of ``alert`` (made with
    ``sensitivities=OUTBOUND_SENSITIVITIES``): for an alert whose evidence is not all
    public, its reason is withheld too; the responses' notes (the team's) never travel.

    The in-app inbox, behind sign-in, shows each reader what their role may see.
    """
    changes: dict[str, Any] = {"events": []}
    if not alert.is_public:
        changes["reason"] = WITHHELD_REASON
    return alert.model_copy(update=changes)


def email_message(alert: AlertPublic, *, to: str) -> dict[str, str]:
    """Subject and plain-text body of the email about ``alert``."""
    lines = [
        f"{alert.title}",
        "",
        f"Severity: {alert.severity}. Country: {alert.iso3}. Status: {alert.status}.",
        f"Why: {alert.reason}",
        *(
            [
                f"Data to {alert.data_end}"
                + (": stale data, more than 90 days old." if alert.stale_data else ".")
            ]
            if alert.data_end
            else []
        ),
        "",
        "Evidence:",
        *(f"  - [{s.kind}] {s.summary}{_dates(s)} <{s.url}>" for s in alert.signals),
        *(
            [f"  ({alert.n_signals_withheld} more, not public: sign in to read them)"]
            if alert.n_signals_withheld
            else []
        ),
        "",
        "Policy options to consider (UN Secretary-General's 2013 report):",
        *(
            f"  - {o['id']} {o['title']} (§{', §'.join(str(p) for p in o['paragraphs'])})"
            for o in alert.policy_options
        ),
        "",
        f"Acknowledge or act on it: {alert.url}  (or `tocsin alerts ack {alert.id}`)",
    ]
    subject = f"[Tocsin {alert.severity}] {alert.title}"
    return {"to": to, "subject": subject[:250], "body": "\n".join(lines)}


def email_digest(alerts: Sequence[AlertPublic], *, to: str) -> dict[str, str]:
    """One email about one or more new alerts (all those of a pass for one recipient).

    >>> email_digest([], to="a@b.org")
    Traceback (most recent call last):
    ...
    ValueError: a digest needs at least one alert
    """
    if not alerts:
        raise ValueError("a digest needs at least one alert")
    if len(alerts) == 1:
        return email_message(alerts[0], to=to)
    worst = max(alerts, key=lambda a: SEVERITY_ORDER.index(a.severity)).severity
    names = ", ".join(dict.fromkeys(a.title.split(": ", 1)[-1] for a in alerts))
    subject = f"[Tocsin {worst}] {len(alerts)} new alerts: {names}"
    parts = [email_message(a, to=to)["body"] for a in alerts]
    body = f"{len(alerts)} new alerts.\n\n" + "\n\n---\n\n".join(parts)
    return {"to": to, "subject": subject[:250], "body": body}


def webhook_body(alert: AlertPublic) -> str:
    """The JSON sent to webhooks: the alert's public shape, under a versioned envelope."""
    return json.dumps(
        {"type": "tocsin.alert", "version": 1, "alert": alert.model_dump(mode="json")},
        ensure_ascii=False,
        sort_keys=True,
    )
