"""Documentation that must stay true of the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tocsin.settings import (
    AlertSettings,
    IntakeSettings,
    MonitorSettings,
    Settings,
    WebSettings,
)

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_and_shown() -> None:
    from tocsin.cli._config import describe_settings

    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    rows = describe_settings(Settings(home="/tmp/tocsin-docs-test"))
    # every field of every section is a row of `config show`, and documented
    sections = (AlertSettings, IntakeSettings, MonitorSettings, WebSettings)
    n_fields = len(Settings.model_fields) - len(sections)
    assert len(rows) == n_fields + sum(len(section.model_fields) for section in sections)
    for row in rows:
        assert f"`{row['env']}`" in text, f"{row['env']} is not in docs/configuration.md"


def test_cli_reference_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "cli_reference.py"), "--check"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_command_help_has_an_example() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    sections = text.split("\n## `")[1:]
    leaf_commands = [s for s in sections if "Commands:" not in s]
    assert leaf_commands
    missing = [s.split("`")[0] for s in leaf_commands if "Example" not in s]
    assert missing == []


def test_readme_quickstart_has_exactly_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("```console", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quickstart.strip().splitlines()]
    assert commands == ["uv run tocsin up", "uv run pytest"]
    assert "uv run pytest" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
