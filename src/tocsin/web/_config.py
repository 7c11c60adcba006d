"""The web application's own settings (``TOCSIN_WEB_*``), next to the core :class:`Settings`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tocsin.settings import Settings


class WebSettings(BaseSettings):
    """Settings of the web application and API, read from ``TOCSIN_WEB_*`` variables.

    Examples
    --------
    >>> WebSettings(cookie_secure=False).session_hours
    12
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_WEB_", extra="ignore")

    identity_keys: str | None = Field(
        default=None,
        description=(
            'The identity key ring as JSON ({"active": id, "keys": {id: base64 key}}). '
            "Wins over identity_key_file. Keep it out of shell history and logs."
        ),
    )
    identity_key_file: Path | None = Field(
        default=None,
        description="File holding the identity key ring (default: identity-keys.json in home).",
    )
    cookie_secure: bool = Field(
        default=True,
        description="Send cookies only over HTTPS (browsers also accept them on 127.0.0.1).",
    )
    session_hours: int = Field(default=12, ge=1, description="Hours a sign-in lasts.")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins per user name allowed in the window."
    )
    login_max_failures_per_client: int = Field(
        default=20, ge=1, description="Failed sign-ins per client address allowed in the window."
    )
    page_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Seconds the watchlist and country pages reuse their data (0: never).",
    )
    session_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="Seconds a server process reuses a checked session or API token (0: "
        "check every request). Sign-outs, role changes and revocations made through the "
        "web application apply at once in every process on the machine; changes made "
        "to the database by other means apply within this time.",
    )
    threads: int = Field(
        default=8,
        ge=1,
        description="Worker threads per server process for blocking work (database "
        "queries, page computations); more requests than that wait their turn.",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="Window for counting failed sign-ins."
    )

    def key_file(self, settings: Settings) -> Path:
        """Where the identity key ring lives when it is not given in the environment."""
        return self.identity_key_file or settings.home / "identity-keys.json"
