"""Who hears of an alert: recipients by role, country, region and subscription, by level."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from tocsin.alerts._channels import CHANNELS
from tocsin.alerts._rules import Rule, Severity
from tocsin.alerts._store import StoredRecipient

__all__ = ["CHANNELS", "covers", "digest_key", "idempotency_key", "route"]


def covers(
    recipient: StoredRecipient, iso3: str, regions: Mapping[str, Sequence[str | None]]
) -> bool:
    """Whether ``iso3`` is in the recipient's area (no countries and no regions: the world)."""
    if not recipient.countries and not recipient.regions:
        return True
    if iso3 in recipient.countries:
        return True
    return bool(set(recipient.regions) & set(regions.get(iso3, ())))


def _wants(recipient: StoredRecipient, rule: Rule) -> bool:
    if rule.id in recipient.rule_ids:  # an explicit subscription always counts
        return True
    if rule.notify_roles:
        return bool(set(rule.notify_roles) & set(recipient.roles))
    return not recipient.rule_ids  # subscribed to other rules only: not this one


def route(
    rule: Rule,
    iso3: str,
    severity: Severity,
    recipients: Sequence[StoredRecipient],
    *,
    regions: Mapping[str, Sequence[str | None]],
    level: int = 0,
) -> list[tuple[StoredRecipient, str]]:
    """The (recipient, channel) pairs to notify of an alert at escalation ``level``.

    A recipient is notified when the country is in their area, the alert is at least
    their minimum severity, their escalation level is ``level``, and either they
    subscribed to the rule, or hold one of the rule's roles, or (for a rule without
    roles) they have no subscriptions that would narrow what they receive. Channels
    lacking an address (an email without an address, a webhook without URL) are skipped.
    """
    pairs = []
    for recipient in recipients:
        if recipient.escalation_level != level:
            continue
        if severity.level < Severity(recipient.min_severity).level:
            continue
        if not covers(recipient, iso3, regions) or not _wants(recipient, rule):
            continue
        for channel in recipient.channels:
            if channel == "email" and not recipient.email:
                continue
            if channel == "webhook" and not (recipient.webhook_url and recipient.webhook_secret):
                continue
            pairs.append((recipient, channel))
    return pairs


def idempotency_key(alert_id: int, recipient_id: int, channel: str) -> str:
    """The key of one alert's message to one recipient on one channel: sent at most once.

    >>> idempotency_key(1, 2, "email") == idempotency_key(1, 2, "email")
    True
    """
    return hashlib.sha256(f"tocsin-alert:{alert_id}:{recipient_id}:{channel}".encode()).hexdigest()


def digest_key(alert_ids: list[int], recipient_id: int, channel: str) -> str:
    """The key of one message about several alerts (an email digest) to one recipient.

    >>> digest_key([3, 1], 2, "email") == digest_key([1, 3], 2, "email")
    True
    """
    ids = ",".join(str(i) for i in sorted(alert_ids))
    return hashlib.sha256(f"tocsin-digest:{ids}:{recipient_id}:{channel}".encode()).hexdigest()
