"""The `tocsin` command as a user runs it, for the tests of every folder: a real process in
an environment without the test run's own ``TOCSIN_`` settings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def environment(**settings: str) -> dict[str, str]:
    """This process's environment less every ``TOCSIN_`` variable (a developer's own must not
    reach the command), plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    return env | settings


def run_tocsin(
    *args: str, home: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m tocsin ARGS`` in ``environment()`` plus ``env`` (``TOCSIN_HOME`` set to
    ``home`` where given), its output as text; its exit status is the caller's to check."""
    settings = ({"TOCSIN_HOME": str(home)} if home is not None else {}) | dict(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tocsin", *args],
        capture_output=True,
        text=True,
        env=environment(**settings),
        timeout=timeout,
        check=False,
    )
