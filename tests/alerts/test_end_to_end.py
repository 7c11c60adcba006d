"""Done when: from a fresh install, a rule fires on the bundled data after
`tocsin forecast run`; its alert reaches a local SMTP server, a webhook receiver and the
CAP feed (valid CAP 1.2); a delivery worker killed with SIGKILL in the middle of an SMTP
transaction and restarted loses nothing and sends nothing twice; and the alert is
acknowledged and acted on through the CLI and the HTTP API."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tocsin.alerts import alert_outbox_counts, list_outbox
from tocsin.cli import build_app
from tocsin.settings import Settings
from tocsin.store import Database
from tocsin.web import WebSettings, create_api_token, create_app, create_user

from .cap_check import NS, cap_problems
from .receivers import SmtpRecorder, WebhookRecorder, smtp_server, webhook_server

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "end-to-end-webhook-secret"


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Tocsin:
    """The `tocsin` command run in-process against one data folder."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Any:
        result = self.runner.invoke(build_app(), ["--data-dir", str(self.home), *args])
        assert result.exit_code == 0, (args, result.output, result.exception)
        text = result.stdout.strip()
        return json.loads(text) if text.startswith(("{", "[")) else text

    def worker(self, smtp_port: int) -> subprocess.Popen[bytes]:
        """A real `tocsin alerts deliver --loop` process (2 s lease, fast retries)."""
        env = os.environ | {
            "TOCSIN_ALERTS_SMTP_PORT": str(smtp_port),
            "TOCSIN_ALERTS_SMTP_STARTTLS": "false",  # the test's SMTP server has no TLS
            "TOCSIN_ALERTS_LEASE_SECONDS": "2",
            "TOCSIN_ALERTS_BACKOFF_BASE_SECONDS": "0.5",
        }
        env.pop("TOCSIN_DATABASE_URL", None)
        command = [sys.executable, "-m", "tocsin", "--data-dir", str(self.home), "alerts",
                   "deliver", "--loop", "--poll", "0.2s", "--worker", "e2e"]  # fmt: skip
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes], how: int) -> str:
    """Signal the worker, wait for it (kill it if it hangs) and return its log."""
    process.send_signal(how)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    assert process.stderr is not None
    log = process.stderr.read().decode()
    process.stderr.close()
    assert process.returncode == (-how if how == signal.SIGKILL else 0), log[-2000:]
    return log


def test_forecast_rule_to_smtp_webhook_cap_feed_through_a_crash_and_back(tmp_path: Path) -> None:
    tocsin = Tocsin(tmp_path)
    tocsin("up", "--no-serve", "--json")
    forecast = tocsin("forecast", "run", "--json", "--top", "5")
    top5 = [row["iso3"] for row in forecast["forecasts"]]

    add = ["alerts", "rules", "add", "--name", "Forecast top 5", "--when", "forecast_risk"]
    rule = tocsin(*add, "-p", "max_rank=5", "--severity", "severe", "--json")
    assert rule["condition"] == {"type": "forecast_risk", "min_risk": None, "max_rank": 5}

    smtp = SmtpRecorder(delay=0.25)  # slow, so that the kill lands inside an SMTP transaction
    hook = WebhookRecorder(SECRET, delay=0.05)
    with smtp_server(smtp) as port, webhook_server(hook) as url:
        for name in ("Early warning desk", "Regional partner"):
            tocsin("alerts", "recipients", "add", "--name", name, "--email",
                   f"{name.split()[0].lower()}@example.org", "--webhook-url", url,
                   "--webhook-secret", SECRET, "--channel", "inbox", "--channel", "email",
                   "--channel", "webhook")  # fmt: skip
        evaluated = tocsin("alerts", "evaluate", "--json")
        # 5 alerts: 10 webhook calls, and one email per recipient listing its 5 alerts
        assert len(evaluated["created"]) == 5 and evaluated["n_queued"] == 12
        alerts = tocsin("alerts", "list", "--json")
        assert sorted(a["iso3"] for a in alerts) == sorted(top5)
        assert all(a["signals"] and a["policy_options"] for a in alerts)

        first = tocsin.worker(port)

        def in_the_middle() -> bool:
            with smtp.lock:
                return smtp.n_started > len(smtp.messages)  # inside an SMTP transaction

        try:
            wait_for(in_the_middle, 90, "the worker to be in the middle of an SMTP transaction")
        finally:
            stop(first, signal.SIGKILL)
        db = Database(f"sqlite:///{tmp_path / 'tocsin.db'}")
        with db.session() as session:
            counts = alert_outbox_counts(session)
        assert counts["sent"] < 12 and counts["sending"] >= 1  # killed mid-delivery

        second = tocsin.worker(port)
        try:

            def all_sent() -> bool:
                with db.session() as session:
                    return alert_outbox_counts(session)["sent"] == 12

            wait_for(all_sent, 120, "the restarted worker to send everything")
        finally:
            log = stop(second, signal.SIGTERM)
        assert '"event": "worker_stopped"' in log  # structured logs; clean stop on SIGTERM
        time.sleep(0.3)  # let the SMTP server finish recording
        with db.session() as session:
            expected = {m.idempotency_key for m in list_outbox(session)}

    received = Counter(smtp.keys()) + Counter(hook.keys())
    assert set(received) == expected  # nothing lost
    # Nothing twice: only the message cut by the kill may arrive again, with the same key
    # (email Message-ID, webhook Idempotency-Key), so the receiver keeps one.
    repeated = [key for key, n in received.items() if n > 1]
    assert len(repeated) <= 1 and max(received.values()) <= 2
    assert hook.n_bad_signatures == 0
    assert {m["to"][0] for m in smtp.messages} == {"early@example.org", "regional@example.org"}
    assert all(m["subject"].startswith("[Tocsin severe] 5 new alerts:") for m in smtp.messages)

    feed = ET.fromstring(tocsin("alerts", "feed", "--format", "cap"))
    cap_alerts = [
        list(entry.find(f"{ATOM}content") or [])[0] for entry in feed.iter(f"{ATOM}entry")
    ]
    assert len(cap_alerts) == 5
    assert all(cap_problems(a) == [] for a in cap_alerts)
    areas = {
        a.findtext(f"{{{NS}}}info/{{{NS}}}area/{{{NS}}}geocode/{{{NS}}}value") for a in cap_alerts
    }
    assert areas == set(top5)

    by_country = {a["iso3"]: a["id"] for a in alerts}
    cli_id, api_id = by_country[top5[0]], by_country[top5[1]]
    assert (
        tocsin("alerts", "ack", str(cli_id), "--by", "desk", "--json")["status"] == "acknowledged"
    )
    acted = tocsin("alerts", "act", str(cli_id), "--note", "briefed the Special Adviser",
                   "--action-ref", "assess:action:1", "--by", "desk", "--json")  # fmt: skip
    assert acted["status"] == "acted"
    assert [e["action"] for e in acted["events"]] == ["created", "acknowledged", "acted"]

    settings = Settings(home=tmp_path)
    token = "e2e-api-token"
    now = datetime.now(UTC)
    with db.session() as session:
        user = create_user(session, username="ana", display_name="Ana", role="analyst",
                           password_hash="unused", now=now)  # fmt: skip
        create_api_token(session, user_id=user.id, name="e2e", now=now,
                         scopes=["read", "alerts:write"],
                         token_sha=hashlib.sha256(token.encode()).hexdigest())  # fmt: skip
    app = create_app(settings, WebSettings(identity_keys=None, identity_key_file=tmp_path / "k"))
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {token}"}
        ack = client.post(f"/api/v1/alerts/{api_id}/acknowledge", headers=auth)
        assert ack.status_code == 200, ack.text
        act = client.post(
            f"/api/v1/alerts/{api_id}/act",
            json={"note": "démarche to the government", "action_ref": "assess:action:2"},
            headers=auth,
        )
        assert act.status_code == 200 and act.json()["status"] == "acted"
        assert act.json()["events"][-1]["actor"] == "user:ana (api)"
        again = client.post(f"/api/v1/alerts/{api_id}/acknowledge", headers=auth)
        assert again.status_code == 409
        public_feed = client.get("/alerts/feed.cap")
        assert public_feed.status_code == 200
        assert len(ET.fromstring(public_feed.text).findall(f"{ATOM}entry")) == 5
    app.state.tocsin.db.dispose()
    db.dispose()
