"""Alert delivery's settings: the ``alerts`` section of :class:`tocsin.settings.Settings`."""

from __future__ import annotations

import re
from datetime import timedelta

from tocsin.alerts._delivery import DeliveryConfig
from tocsin.settings import AlertSettings

__all__ = ["AlertSettings", "delivery_config", "parse_duration"]


def delivery_config(settings: AlertSettings) -> DeliveryConfig:
    """How the delivery worker reaches the SMTP server and retries, from the settings.

    >>> delivery_config(AlertSettings(smtp_port=2525)).smtp_port
    2525
    """
    return DeliveryConfig(
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        smtp_sender=settings.smtp_sender,
        smtp_username=settings.smtp_username,
        smtp_password=settings.smtp_password,
        smtp_starttls=settings.smtp_starttls,
        lease_seconds=settings.lease_seconds,
        backoff_base_seconds=settings.backoff_base_seconds,
        backoff_max_seconds=settings.backoff_max_seconds,
    )


_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """Read ``15m``, ``30s``, ``1h``, ``250ms`` or ``2d``.

    >>> parse_duration("15m").total_seconds(), parse_duration("0.5s").total_seconds()
    (900.0, 0.5)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r}; write e.g. 30s, 15m, 1h or 2d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
