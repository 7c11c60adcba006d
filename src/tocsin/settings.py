"""Tocsin's settings: declared once, typed, read from ``TOCSIN_*`` variables.

One :class:`Settings` with a section per part that has settings of its own (``web``:
``TOCSIN_WEB_*``, ``alerts``: ``TOCSIN_ALERTS_*``). Build it once with :func:`get_settings`
and pass it on; no module keeps a global, and nothing reads the environment again.
Secrets are :class:`~pydantic.SecretStr`: they print as ``**********``.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """The per-user data directory used when neither ``--data-dir`` nor ``TOCSIN_HOME`` is set."""
    return Path(platformdirs.user_data_dir("tocsin", appauthor=False))


#: The key ring's file name beside the database, where older versions kept it.
LEGACY_KEY_FILE_NAME = "identity-keys.json"


#: Where alerts link to when nothing is configured and nothing has been served yet.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

#: The file in ``home`` where `tocsin serve` notes the address it serves on, so that
#: alert workers run apart from it (`tocsin alerts watch`) link to the served port.
SERVED_URL_FILE_NAME = "served-url"


def served_base_url(host: str, port: int) -> str:
    """The address a server listening on ``host``:``port`` is reached at. A wildcard
    host names no address a reader can open, so this machine's name stands for it.

    >>> served_base_url("127.0.0.1", 8080)
    'http://127.0.0.1:8080'
    >>> served_base_url("::1", 8080)
    'http://[::1]:8080'
    """
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - naming the wildcard, not binding it
        host = socket.getfqdn()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def default_key_file(home: Path) -> Path:
    """Where a new identity key ring of the data folder ``home`` is made: in the per-user
    config folder, not in ``home``, so a copy of the data folder does not hold the keys
    that open it. One file per data folder (named by a digest of its path).

    >>> default_key_file(Path("/srv/tocsin")).name
    'identity-keys-37ff3e34f4becad6.json'
    """
    digest = hashlib.sha256(str(home.expanduser().resolve()).encode()).hexdigest()[:16]
    config = Path(platformdirs.user_config_dir("tocsin", appauthor=False))
    return config / "keys" / f"identity-keys-{digest}.json"


class WebSettings(BaseSettings):
    """Settings of the web application and API, read from ``TOCSIN_WEB_*`` variables.

    Examples
    --------
    >>> WebSettings(cookie_secure=False).session_hours
    12
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_WEB_", extra="ignore")

    identity_keys: SecretStr | None = Field(
        default=None,
        description=(
            'The identity key ring as JSON ({"active": id, "keys": {id: base64 key}}). '
            "Wins over identity_key_file. Keep it out of shell history and logs."
        ),
    )
    identity_key_file: Path | None = Field(
        default=None,
        description="File holding the identity key ring (default: keys/identity-keys-<digest "
        "of home>.json in the per-user config folder; an identity-keys.json in home, where "
        "older versions made it, is still used).",
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
    login_client_delay_seconds: float = Field(
        default=3.0,
        ge=0,
        description="Seconds each sign-in from a client address waits once that address has "
        "failed login_max_failures_per_client times in the window (it is slowed, not "
        "refused: behind a proxy every user shares one address).",
    )
    max_body_bytes: int = Field(
        default=4 * 2**20,
        ge=1024,
        description="Largest request body accepted (bytes), except on the upload routes, "
        "which set their own (data imports, attachments); larger ones answer 413 unread.",
    )
    trust_forwarded_proto: bool = Field(
        default=False,
        description="Believe the X-Forwarded-Proto header (set it only behind a reverse "
        "proxy that sets that header itself): https there turns on HSTS.",
    )

    def identity_key_ring(self) -> str | None:
        """The key ring's JSON from the environment, if given there (else None)."""
        return self.identity_keys.get_secret_value() if self.identity_keys else None

    def key_file(self, settings: Settings) -> Path:
        """Where the identity key ring lives when it is not given in the environment: the
        configured file, else the one an older Tocsin made beside the database if it is
        there (``tocsin web key-file`` says how to move it), else :func:`default_key_file`."""
        if self.identity_key_file:
            return self.identity_key_file
        legacy = settings.home / LEGACY_KEY_FILE_NAME
        return legacy if legacy.is_file() else default_key_file(settings.home)


class AlertSettings(BaseSettings):
    """Where alerts link to, who signs the CAP feed, and how to reach the SMTP server.

    Examples
    --------
    >>> AlertSettings(smtp_port=2525, smtp_password="x").smtp_password
    SecretStr('**********')
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_ALERTS_", extra="ignore")

    base_url: str | None = Field(
        default=None,
        description="Public address of the web app, for the links in alerts. Unset: the "
        "address `tocsin serve` / `tocsin up` last served on (else http://127.0.0.1:8000); "
        "in the web app, the address a page was asked at.",
    )
    cap_sender: str = Field(
        default="tocsin@localhost", description="CAP <sender>: a stable id of this Tocsin."
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for alert emails.")
    smtp_port: int = Field(default=25, description="Its port.")
    smtp_sender: str = Field(default="tocsin@localhost", description="The From address.")
    smtp_username: str | None = Field(default=None, description="SMTP login, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password, if any.")
    smtp_starttls: bool = Field(
        default=True,
        description="Use STARTTLS (refuse to send if the server does not offer it); false "
        "only for a relay on the same machine.",
    )
    lease_seconds: float = Field(
        default=60.0, description="How long a worker holds a message before another may retry."
    )
    backoff_base_seconds: float = Field(default=30.0, description="First retry delay.")
    backoff_max_seconds: float = Field(default=3600.0, description="Longest retry delay.")
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Default HMAC key for `tocsin alerts recipients add --channel webhook`.",
    )


class MonitorSettings(BaseSettings):
    """What `tocsin monitor watch` fetches, from where, and how often (issue 17).

    Lists are given in the environment as JSON:
    ``TOCSIN_MONITOR_SOURCES='["gdelt","ucdp_candidate"]'``. Secrets (the UCDP token, the
    ACLED key) are never logged nor shown in errors.

    Examples
    --------
    >>> MonitorSettings(acled_key="k").acled_key
    SecretStr('**********')
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_MONITOR_", extra="ignore")

    every: str = Field(
        default="15m",
        description="How often the watch runs a cycle (fetch, import, detect, alert).",
    )
    sources: list[str] = Field(
        default_factory=list,
        description="Connectors the watch runs each cycle, by name: ucdp_ged, ucdp_candidate, "
        "acled, gdelt, reliefweb. Empty: none (only the files given with --events).",
    )
    countries: list[str] = Field(
        default_factory=list,
        description="ISO 3166 alpha-3 codes to fetch for, where a source can filter by "
        "country. Empty: every country.",
    )
    lock_seconds: float = Field(
        default=900.0,
        description="How long a cycle's lock holds without being renewed before another "
        "watch may take it (a crashed watch frees it after this).",
    )
    retries: int = Field(default=4, description="Retries of a failed request, with back-off.")
    backoff_base_seconds: float = Field(default=1.0, description="First retry delay.")
    backoff_max_seconds: float = Field(default=60.0, description="Longest retry delay.")
    min_request_interval_seconds: float = Field(
        default=1.0, description="At least this long between two requests to one source."
    )
    timeout_seconds: float = Field(default=60.0, description="Timeout of one request.")
    lake: bool = Field(
        default=False,
        description="Also keep the events each sync fetches in the event lake (Parquet by "
        "country and month, for `tocsin events aggregate` and batch work on Dask).",
    )
    lake_dir: Path | None = Field(
        default=None,
        description="The event lake's folder (unset: events-lake in the data folder; on a "
        "cluster, storage every worker sees at the same path).",
    )
    first_sync_days: int = Field(
        default=365,
        ge=1,
        description="How far back (days) a source's first sync reaches; later syncs fetch "
        "only what is new.",
    )
    ucdp_ged_url: str = Field(
        default="https://ucdpapi.pcr.uu.se/api/gedevents/{version}",
        description="The UCDP GED API ({version}: ucdp_version).",
    )
    ucdp_version: str = Field(
        default="25.1",
        description="The GED release the ucdp_ged connector reads (a new one is fetched "
        "from the start, revising the events of the old).",
    )
    ucdp_token: SecretStr | None = Field(
        default=None,
        description="Access token of the UCDP API (sent as the x-ucdp-access-token header).",
    )
    ucdp_page_size: int = Field(
        default=1000, ge=1, le=1000, description="Events per page of the UCDP API."
    )
    ucdp_candidate_url: str = Field(
        default="https://ucdp.uu.se/downloads/candidateged/GEDEvent_v{yy}_0_{month}.csv",
        description="A monthly UCDP Candidate events file ({yy}: two-digit year, {month}: "
        "month number without a leading zero).",
    )
    acled_url: str = Field(
        default="https://api.acleddata.com/acled/read", description="The ACLED API's read endpoint."
    )
    acled_email: str | None = Field(default=None, description="E-mail of the ACLED account.")
    acled_key: SecretStr | None = Field(default=None, description="Access key of the ACLED API.")
    acled_page_size: int = Field(default=5000, ge=1, description="Events per page of ACLED.")
    gdelt_lastupdate_url: str = Field(
        default="http://data.gdeltproject.org/gdeltv2/lastupdate.txt",
        description="GDELT 2.0's list of its newest 15-minute files (the export files "
        "are fetched from the same folder).",
    )
    gdelt_max_files: int = Field(
        default=8,
        ge=1,
        description="Most GDELT 15-minute export files fetched in one sync (a backlog is "
        "caught up over later syncs).",
    )
    reliefweb_url: str = Field(
        default="https://api.reliefweb.int/v2/reports", description="The ReliefWeb reports API."
    )
    reliefweb_appname: str | None = Field(
        default=None,
        description="The appname ReliefWeb approved for this installation (required by the API).",
    )
    reliefweb_page_size: int = Field(
        default=200, ge=1, le=1000, description="Reports per page of ReliefWeb."
    )


class IntakeSettings(BaseSettings):
    """The SMS and messaging gateways that post field reports to the web app (issue 17).

    Unset secrets refuse that gateway: every message must be signed.

    Examples
    --------
    >>> IntakeSettings(gateway_secret="s").gateway_secret
    SecretStr('**********')
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_INTAKE_", extra="ignore")

    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="Twilio's auth token: X-Twilio-Signature is checked with it (unset: "
        "Twilio-style messages are refused).",
    )
    gateway_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret of RapidPro-style gateways: X-Tocsin-Signature is the "
        "HMAC-SHA256 of the body under it (unset: such messages are refused).",
    )
    public_url: str | None = Field(
        default=None,
        description="The web app's address as the gateway calls it (behind a proxy: "
        "Twilio signs the URL it called).",
    )


class Settings(BaseSettings):
    """Every setting Tocsin reads, with its default and meaning.

    Examples
    --------
    >>> s = Settings(home="/tmp/tocsin-example")
    >>> s.database_url_or_default()
    'sqlite:////tmp/tocsin-example/tocsin.db'
    """

    model_config = SettingsConfigDict(env_prefix="TOCSIN_", extra="ignore")

    home: Path = Field(
        default_factory=default_home,
        description="Folder for the SQLite database, updated data sets and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Unset: a SQLite file `tocsin.db` in `home`. "
            "For PostgreSQL: postgresql+psycopg://user@host:5432/dbname."
        ),
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging only).")
    web: WebSettings = Field(
        default_factory=WebSettings, description="The web application (TOCSIN_WEB_*)."
    )
    alerts: AlertSettings = Field(
        default_factory=AlertSettings, description="Alert delivery (TOCSIN_ALERTS_*)."
    )
    monitor: MonitorSettings = Field(
        default_factory=MonitorSettings,
        description="Live monitoring: connectors and the watch (TOCSIN_MONITOR_*).",
    )
    intake: IntakeSettings = Field(
        default_factory=IntakeSettings,
        description="Field reports by SMS and messaging gateways (TOCSIN_INTAKE_*).",
    )

    def database_url_or_default(self) -> str:
        """The database URL in force: the configured one, else the SQLite file in ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'tocsin.db'}"

    def alert_base_url(self) -> str:
        """Where alert links point outside a web request: the configured
        ``alerts.base_url``, else the address `tocsin serve` last noted in ``home``
        (:func:`note_served_url`), else :data:`DEFAULT_BASE_URL`."""
        if self.alerts.base_url:
            return self.alerts.base_url
        try:
            noted = (self.home / SERVED_URL_FILE_NAME).read_text(encoding="utf-8").strip()
        except OSError:
            noted = ""
        return noted or DEFAULT_BASE_URL

    def note_served_url(self, host: str, port: int) -> str:
        """Note in ``home`` the address the web app is served on (for alert workers run
        apart from it) and return it. Best effort: a read-only data folder only loses
        the note, not the server."""
        url = served_base_url(host, port)
        try:
            (self.home / SERVED_URL_FILE_NAME).write_text(url + "\n", encoding="utf-8")
        except OSError:
            pass
        return url

    @property
    def datasets_dir(self) -> Path:
        """Where `tocsin data update` keeps downloaded releases that supersede bundled ones."""
        return self.home / "datasets"


def settings_sections(settings: Settings) -> list[tuple[BaseSettings, str]]:
    """The sections of ``settings`` with the prefix of their environment variables.

    >>> [prefix for _, prefix in settings_sections(Settings(home="/tmp/x"))]
    ['TOCSIN_WEB_', 'TOCSIN_ALERTS_', 'TOCSIN_MONITOR_', 'TOCSIN_INTAKE_']
    """
    found: list[tuple[BaseSettings, str]] = []
    for name in type(settings).model_fields:
        section = getattr(settings, name)
        if isinstance(section, BaseSettings):
            found.append((section, str(section.model_config.get("env_prefix", ""))))
    return found


def get_settings(home: str | Path | None = None) -> Settings:
    """Build the settings from the environment; ``home`` (from ``--data-dir``) wins over it.

    Not cached: building is cheap, and a cache would hide changes to the environment in tests.
    """
    if home is None:
        return Settings()
    return Settings(home=Path(home))
