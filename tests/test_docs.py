"""Documentation that must stay true of the code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tocsin.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`TOCSIN_{name.upper()}`" in text, f"TOCSIN_{name.upper()} is not documented"


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
