"""`tocsin up` as the README runs it: sets up, prints a one-time admin password once, serves."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.running import environment
from tests.web.fixtures import free_port
from tocsin.forecast import latest_forecast_run
from tocsin.store import Database


def _wait_for_password(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The one-time password `up` printed, and all it said on stderr before serving."""
    assert process.stderr is not None
    lines = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if "Tocsin is at" in line or not line:
            break
    found = re.search(r"one-time password (\S+) ", "".join(lines))
    assert found, "".join(lines)
    return found.group(1), "".join(lines)


def _sign_in_as_admin(base: str, password: str) -> None:
    for _ in range(100):
        try:
            login = httpx.get(f"{base}/login", timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    assert login.status_code == 200
    token = login.cookies["tocsin_csrf"]
    signed_in = httpx.post(
        f"{base}/login",
        data={"username": "admin", "password": password, "csrf_token": token},
        headers={"Cookie": f"tocsin_csrf={token}"},
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/account/password"


def test_up_creates_the_first_admin_and_serves(tmp_path: Path) -> None:
    port = free_port()
    env = environment()
    command = [sys.executable, "-m", "tocsin", "--data-dir", str(tmp_path), "up"]
    with subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            password, said = _wait_for_password(process)
            _sign_in_as_admin(f"http://127.0.0.1:{port}", password)
        finally:
            process.terminate()
            process.wait(timeout=30)
    # No forecast was stored: `up` made the first one, so the watchlist is not empty.
    assert "making the first one from the bundled data" in said and "Watchlist ready" in said
    db = Database(f"sqlite:///{tmp_path / 'tocsin.db'}")
    with db.session() as session:
        run = latest_forecast_run(session)
    db.dispose()
    assert run is not None and run.model == "tocsin" and len(run.values) > 150
    again = subprocess.run(
        [*command, "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert again.returncode == 0 and "one-time password" not in again.stderr + again.stdout
    assert "making the first one" not in again.stderr  # one is stored now
