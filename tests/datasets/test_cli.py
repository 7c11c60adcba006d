"""`tocsin data …` as a user runs it: a real process and a real local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.cli.running import run_tocsin
from tests.datasets.conftest import FileServer
from tocsin.cli import app
from tocsin.datasets import BUNDLED_DIR, REGISTRY

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "datasets"


def test_list_json_parses(tmp_path: Path) -> None:
    result = run_tocsin("data", "list", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == list(REGISTRY)
    pts = rows[0]
    assert pts["origin"] == "bundled"
    assert pts["rows"] == 10220
    assert pts["vintage"]["data_years"] == [1976, 2023]
    assert pts["data_age_years"] >= 2


def test_show_json_has_provenance(tmp_path: Path) -> None:
    result = run_tocsin("data", "show", "vdem", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["licence"] == "CC BY-SA 4.0"
    assert "Coppedge" in info["citation"]
    assert info["columns"]["iso3"] == "string"
    assert len(info["files"]) == 2


def test_unknown_data_set_is_one_line(tmp_path: Path) -> None:
    result = run_tocsin("data", "show", "pst", home=tmp_path)
    assert result.returncode == 1
    assert "no data set called 'pst'" in result.stderr


def test_validate_prints_every_problem(tmp_path: Path) -> None:
    good = DATA_DIR / "fh_slice.csv"
    bad = tmp_path / "fh_bad.csv"
    text = good.read_text(encoding="utf-8").replace("Not Free", "Unfree", 1)
    bad.write_text(text.replace(",7,7,", ",8,7,", 1), encoding="utf-8")
    result = run_tocsin("data", "validate", str(bad), "--dataset", "freedom_house", home=tmp_path)
    assert result.returncode == 1
    assert "field 'political_rights': above the maximum 7 (got '8')" in result.stderr
    assert "field 'status'" in result.stderr
    assert "at least 4000 expected" in result.stderr
    ok = BUNDLED_DIR / "pts" / "PTS-2024.csv"
    result = run_tocsin("data", "validate", str(ok), "--dataset", "pts", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "10220 rows, no problems" in result.stdout


def test_update_then_list(file_server: FileServer, tmp_path: Path) -> None:
    data = (
        BUNDLED_DIR / "ewp_forecasts" / "sra2025_final_forecasts_data_3Sep2025.csv"
    ).read_bytes()
    url = file_server.put("forecasts.csv", data.replace(b'"Chad",0.08121', b'"Chad",0.08122'))
    result = run_tocsin("data", "update", "ewp_forecasts", "--url", url, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "installed release" in result.stdout
    again = run_tocsin("data", "update", "ewp_forecasts", "--url", url, home=tmp_path)
    assert "already up to date" in again.stdout
    missing = run_tocsin("data", "update", "ewp_forecasts", "--url", url + "x", home=tmp_path)
    assert missing.returncode == 1
    assert "HTTP 404" in missing.stderr
    rows = json.loads(run_tocsin("data", "list", "--json", home=tmp_path).stdout)
    forecasts = next(row for row in rows if row["name"] == "ewp_forecasts")
    assert forecasts["origin"] == "updated"
    assert forecasts["fetched_days_ago"] == 0


def test_help_has_examples() -> None:
    runner = CliRunner()
    for command in ("list", "show", "update", "validate"):
        result = runner.invoke(app, ["data", command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command
