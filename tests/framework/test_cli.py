"""`tocsin framework`: the tree and the JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tocsin.cli import app
from tocsin.framework import load_catalogue

runner = CliRunner()


def _run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "framework", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_parses_and_has_the_counts(tmp_path: Path) -> None:
    data = json.loads(_run(tmp_path, "--json"))
    assert data["version"] == load_catalogue().version
    assert len(data["factors"]) == 14
    assert sum(len(f["indicators"]) for f in data["factors"]) == 143
    assert data["counts"] == {
        "n_factors": 14,
        "n_indicators": 143,
        "n_report_factors": 6,
        "n_triggers": len(data["triggers"]),
        "n_policy_options": len(data["policy_options"]),
        "n_steps": 7,
        "n_instruments": 12,
    }


def test_json_narrowed_to_a_factor(tmp_path: Path) -> None:
    data = json.loads(
        _run(tmp_path, "--json", "--factor", "RF9", "-s", "factors", "-s", "policies")
    )
    assert [f["id"] for f in data["factors"]] == ["RF9"]
    assert "steps" not in data
    rf9 = {"RF9", *(i["id"] for i in data["factors"][0]["indicators"])}
    assert data["policy_options"]
    assert all(rf9 & set(p["framework_refs"]) for p in data["policy_options"])


def test_tree_mentions_every_factor(tmp_path: Path) -> None:
    output = _run(tmp_path)
    for factor in load_catalogue().factors:
        assert f"{factor.id} " in output
    for heading in ("Triggers (§27)", "Steps of §71", "Legal instruments"):
        assert heading in output
    assert "S71g" in output and "Rome Statute" in output


@pytest.mark.parametrize("args", [["--factor", "RF99"], ["--section", "nonsense"]])
def test_bad_options_are_refused(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "framework", *args])
    assert result.exit_code != 0


def test_help_has_an_example(tmp_path: Path) -> None:
    assert "tocsin framework --factor RF9" in _run(tmp_path, "--help")


def test_tree_says_which_factors_indicators_are_unchecked(tmp_path: Path) -> None:
    output = _run(tmp_path)  # as a terminal of 80 columns shows it: long lines are cropped
    lines = {
        found.group(1): line
        for line in output.splitlines()
        if (found := re.search(r"── (RF\d+) ", line))
    }
    factors = load_catalogue().factors
    for factor in factors:
        line = lines[factor.id]
        if factor.verification == "checked":
            assert "checked)" not in line, line
        elif factor.verification == "partly_checked":
            assert f"{factor.id} (partly checked) " in line, line
        else:
            assert f"{factor.id} (unchecked) " in line, line
    n = sum(f.verification != "checked" for f in factors)
    assert f"{n} of {len(factors)} factors' indicators not all checked" in output
