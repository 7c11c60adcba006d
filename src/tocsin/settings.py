"""Tocsin's settings: declared once, typed, read from ``TOCSIN_*`` variables.

Build them with :func:`get_settings` and pass them on; no module keeps a global.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """The per-user data directory used when neither ``--data-dir`` nor ``TOCSIN_HOME`` is set."""
    return Path(platformdirs.user_data_dir("tocsin", appauthor=False))


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

    def database_url_or_default(self) -> str:
        """The database URL in force: the configured one, else the SQLite file in ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'tocsin.db'}"

    @property
    def datasets_dir(self) -> Path:
        """Where `tocsin data update` keeps downloaded releases that supersede bundled ones."""
        return self.home / "datasets"


def get_settings(home: str | Path | None = None) -> Settings:
    """Build the settings from the environment; ``home`` (from ``--data-dir``) wins over it.

    Not cached: building is cheap, and a cache would hide changes to the environment in tests.
    """
    if home is None:
        return Settings()
    return Settings(home=Path(home))
