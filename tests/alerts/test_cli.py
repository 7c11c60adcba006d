"""`tocsin alerts …`: thin commands over the same functions, --json everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from tocsin.cli import build_app
from tocsin.domain import SignalKind
from tocsin.errors import TocsinError
from tocsin.store import Database, record_signals

from .conftest import NOW, signal


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home

    def run(self, *args: str) -> Any:
        result = CliRunner().invoke(build_app(), ["--data-dir", str(self.home), *args])
        return result

    def __call__(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.exit_code == 0, (args, result.output, result.exception)
        text = result.stdout.strip()
        return json.loads(text) if text.startswith(("{", "[")) else text


@pytest.fixture
def cli(home: Path) -> Cli:
    db = Database(f"sqlite:///{home / 'tocsin.db'}")
    with db.session() as session:
        record_signals(session, [signal("MMR", SignalKind.SPEECH_SURGE, 0.9)], now=NOW)
    db.dispose()
    return Cli(home)


def test_rules_add_list_remove(cli: Cli, tmp_path: Path) -> None:
    add = ["alerts", "rules", "add", "--name", "Speech in Asia", "--when", "speech_surge"]
    added = cli(
        *add, "-p", "min_strength=0.6", "--region", "Asia", "--severity", "severe", "--json"
    )
    assert added["condition"] == {"type": "speech_surge", "min_strength": 0.6}
    assert added["scope"]["regions"] == ["Asia"]
    rule_file = tmp_path / "rule.yaml"
    rule_file.write_text(
        "name: Convergence\ncondition: {type: convergence, min_kinds: 2, window_days: 30}\n"
    )
    from_file = cli("alerts", "rules", "add", "--from", str(rule_file), "--json")
    assert [r["id"] for r in cli("alerts", "rules", "list", "--json")] == [
        added["id"],
        from_file["id"],
    ]
    assert "removed" in cli("alerts", "rules", "remove", str(added["id"]))
    assert [r["name"] for r in cli("alerts", "rules", "list", "--json")] == ["Convergence"]


def test_invalid_input_is_refused_with_the_reason(cli: Cli) -> None:
    bad = cli.run("alerts", "rules", "add", "--name", "x", "--when", "escalation_risk",
                  "-p", "min_risk=7")  # fmt: skip
    assert bad.exit_code == 1 and isinstance(bad.exception, TocsinError)
    assert "condition.escalation_risk.min_risk" in str(bad.exception)
    unknown = cli.run("alerts", "rules", "add", "--name", "x", "--when", "speech_surge",
                      "--country", "XXX")  # fmt: skip
    assert "unknown countries ['XXX']" in str(unknown.exception)
    no_email = cli.run("alerts", "recipients", "add", "--name", "x", "--channel", "email")
    assert "needs --email" in str(no_email.exception)
    no_inbox = cli.run("alerts", "recipients", "add", "--name", "x", "--user", "ana",
                       "--channel", "email", "--email", "a@b.org")  # fmt: skip
    assert "add --channel inbox" in str(no_inbox.exception.fix)  # type: ignore[union-attr]
    assert cli.run("alerts", "dismiss", "1").exit_code == 2  # --reason is required


def test_alert_lifecycle_and_feeds_from_the_command_line(cli: Cli) -> None:
    cli("alerts", "rules", "add", "--name", "Speech", "--when", "speech_surge")
    recipient = cli("alerts", "recipients", "add", "--name", "Hook", "--webhook-url",
                    "http://127.0.0.1:9/x", "--webhook-secret", "s", "--channel", "inbox",
                    "--channel", "webhook", "--json")  # fmt: skip
    assert recipient["webhook_secret"] == "[set]"
    assert cli("alerts", "recipients", "list", "--json")[0]["webhook_secret"] == "[set]"
    ana = cli("alerts", "recipients", "add", "--name", "Ana", "--user", "ana", "--json")
    assert cli("alerts", "recipients", "list", "--json")[1]["username"] == ana["username"] == "ana"
    evaluated = cli("alerts", "evaluate", "--json")
    (alert_id,) = evaluated["created"]
    inbox = cli("alerts", "list", "--inbox", str(recipient["id"]), "--json")
    assert [a["id"] for a in inbox] == [alert_id]
    shown = cli("alerts", "show", str(alert_id), "--json")
    assert shown["iso3"] == "MMR" and shown["signals"][0]["kind"] == "speech_surge"
    dismissed = cli("alerts", "dismiss", str(alert_id), "--reason", "known", "--json")
    assert dismissed["status"] == "dismissed" and dismissed["events"][-1]["note"] == "known"
    assert cli("alerts", "list", "--status", "new", "--json") == []
    atom = ET.fromstring(cli("alerts", "feed", "--format", "atom"))
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    bad = cli.run("alerts", "feed", "--format", "rss")
    assert "unknown feed format" in str(bad.exception)


def test_alert_links_follow_the_port_the_web_app_is_served_on(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from tocsin.settings import Settings
    from tocsin.web import serve

    monkeypatch.delenv("TOCSIN_ALERTS_BASE_URL", raising=False)
    cli("alerts", "rules", "add", "--name", "Speech", "--when", "speech_surge")
    (alert_id,) = cli("alerts", "evaluate", "--json")["created"]
    # nothing served yet: the documented default
    assert cli("alerts", "show", str(alert_id), "--json")["url"] == (
        f"http://127.0.0.1:8000/alerts/{alert_id}"
    )
    # `tocsin serve --port 8123` (uvicorn itself not started; serve's env changes undone)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.setenv("TOCSIN_HOME", str(cli.home))
    serve(Settings(home=cli.home), host="127.0.0.1", port=8123, workers=2)
    shown = cli("alerts", "show", str(alert_id), "--json")
    assert shown["url"] == f"http://127.0.0.1:8123/alerts/{alert_id}"
    assert shown["signals"][0]["url"] == "http://127.0.0.1:8123/countries/MMR"
    # an address given explicitly wins over the served one
    monkeypatch.setenv("TOCSIN_ALERTS_BASE_URL", "https://tocsin.example.org/")
    proxied = cli("alerts", "show", str(alert_id), "--json")
    assert proxied["url"] == f"https://tocsin.example.org/alerts/{alert_id}"


def test_a_wildcard_host_links_to_this_machine() -> None:
    import socket

    from tocsin.settings import served_base_url

    assert served_base_url("0.0.0.0", 8080) == f"http://{socket.getfqdn()}:8080"
    assert served_base_url("::1", 8080) == "http://[::1]:8080"
