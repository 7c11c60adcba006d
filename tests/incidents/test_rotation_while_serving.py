"""`tocsin web rotate-key` while `tocsin serve` runs: nothing sealed by the server is lost.

A real server process, the real CLI, a real SQLite file and key file: reports (with an
attachment) submitted before and after the rotation are readable by the running server
and after it restarts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.cli.running import environment, run_tocsin
from tests.incidents.test_attachments import PHOTO
from tests.web.fixtures import free_port, populated_home, sign_in_over_http
from tocsin.settings import Settings
from tocsin.store import Database, IdentityKeyError, load_key_ring

#: plain http on 127.0.0.1; XDG_CONFIG_HOME stays the test run's own (tests/conftest.py)
PLAIN_HTTP = {"TOCSIN_WEB_COOKIE_SECURE": "false"}


def _tocsin(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_tocsin("--data-dir", str(home), *args, env=PLAIN_HTTP, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


@contextmanager
def _server(home: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "tocsin", "--data-dir", str(home), "serve"]
    with subprocess.Popen(
        [*command, "--port", str(port)],
        env=environment(**PLAIN_HTTP),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _submit(client: httpx.Client, csrf: str, witness: str) -> str:
    response = client.post(
        "/reports",
        data={
            "iso3": "CAF",
            "start_date": "2025-01-10",
            "event_type": "killing",
            "perpetrator_kind": "militia",
            "victim_kind": "civilians",
            "witnesses": witness,
            "sensitivity": "restricted",
            "idempotency_key": uuid.uuid4().hex,
            "csrf_token": csrf,
        },
        files=[("attachments", ("photo.png", PHOTO, "image/png"))],
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def _read_back(client: httpx.Client, report_id: str, witness: str) -> None:
    shown = client.get(f"/api/v1/reports/{report_id}?identities=true")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["identities"]["witnesses"] == [witness]
    (attachment,) = body["attachments"]
    download = client.get(attachment["url"])
    assert download.status_code == 200 and download.content == PHOTO


def _key_ids(home: Path) -> dict[str, str]:
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    with db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT r.public_id, r.identities_key_id, a.key_id FROM incident_reports r "
                "JOIN incident_attachments a ON a.report_id = r.id"
            )
        )
        found = {str(public_id): f"{key_id}/{file_key}" for public_id, key_id, file_key in rows}
    db.dispose()
    return found


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return populated_home(tmp_path)  # users of every role with the test password, countries


def test_a_ring_read_once_at_start_loses_what_it_seals_after_a_rotation(home: Path) -> None:
    """The attack, as the server did it before: it kept the ring it started with."""
    settings = Settings(home=home)
    path = settings.web.key_file(settings)
    held = load_key_ring(env_value=None, path=path, create=True)  # read once, at start
    _tocsin(home, "web", "rotate-key")
    sealed = held.encrypt({"witnesses": ["Lost Witness"]}, context="report:x")
    assert sealed.key_id == "k1"  # the retired key
    on_disk = load_key_ring(env_value=None, path=path, create=False)
    with pytest.raises(IdentityKeyError, match="no identity key 'k1'"):
        on_disk.decrypt(sealed.key_id, sealed.ciphertext, context="report:x")  # after restart


def test_rotating_while_the_server_runs_keeps_every_report_readable(home: Path) -> None:
    with _server(home) as base:
        client, csrf = sign_in_over_http(base, "analyst")
        before = _submit(client, csrf, "Before Rotation")
        rotated = json.loads(_tocsin(home, "web", "rotate-key", "--json").stdout)
        assert rotated["new_key_id"] == "k2" and rotated["retired"] == ["k1"]
        after = _submit(client, csrf, "After Rotation")  # the same, still running, server
        _read_back(client, before, "Before Rotation")
        _read_back(client, after, "After Rotation")
        client.close()
    # sealed under the new key, identities and the attachment's data key alike
    assert _key_ids(home) == {before: "k2/k2", after: "k2/k2"}
    with _server(home) as base:  # restarted: it has only the new ring
        client, _ = sign_in_over_http(base, "analyst")
        _read_back(client, before, "Before Rotation")
        _read_back(client, after, "After Rotation")
        client.close()
