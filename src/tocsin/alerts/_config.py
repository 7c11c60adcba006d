"""Settings for alert delivery, read from ``TOCSIN_ALERTS_*`` variables by the CLI."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tocsin.alerts._delivery import DeliveryConfig

__all__ = ["AlertSettings", "parse_duration"]


class AlertSettings(BaseSettings):
    """Where alerts link to, who signs the CAP feed, and how to reach the SMTP server.

    Examples
    --------
    >>> AlertSettings(smtp_port=2525).delivery_config().smtp_port
    2525
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_ALERTS_", extra="ignore")

    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public address of the web app (links)."
    )
    cap_sender: str = Field(
        default="tocsin@localhost", description="CAP <sender>: a stable id of this Tocsin."
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for alert emails.")
    smtp_port: int = Field(default=25, description="Its port.")
    smtp_sender: str = Field(default="tocsin@localhost", description="The From address.")
    smtp_username: str | None = Field(default=None, description="SMTP login, if any.")
    smtp_password: str | None = Field(default=None, description="SMTP password, if any.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS.")
    lease_seconds: float = Field(
        default=60.0, description="How long a worker holds a message before another may retry."
    )
    backoff_base_seconds: float = Field(default=30.0, description="First retry delay.")
    backoff_max_seconds: float = Field(default=3600.0, description="Longest retry delay.")

    def delivery_config(self) -> DeliveryConfig:
        return DeliveryConfig(
            smtp_host=self.smtp_host,
            smtp_port=self.smtp_port,
            smtp_sender=self.smtp_sender,
            smtp_username=self.smtp_username,
            smtp_password=self.smtp_password,
            smtp_starttls=self.smtp_starttls,
            lease_seconds=self.lease_seconds,
            backoff_base_seconds=self.backoff_base_seconds,
            backoff_max_seconds=self.backoff_max_seconds,
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
