"""`tocsin countries list` and `tocsin countries lookup`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tocsin.cli import app, main
from tocsin.countries import get_crosswalk

runner = CliRunner()


def _run(tmp_path: Path, *args: str) -> str:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "countries", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_json_is_every_record(tmp_path: Path) -> None:
    data = json.loads(_run(tmp_path, "list", "--json"))
    assert len(data) == len(get_crosswalk().records())
    assert {"iso3", "name", "cow", "gw", "fips", "variants", "is_historical"} <= set(data[0])


def test_list_by_region_and_without_former_states(tmp_path: Path) -> None:
    data = json.loads(_run(tmp_path, "list", "--region", "europe", "--no-historical", "--json"))
    iso3s = {r["iso3"] for r in data}
    assert {"DEU", "FRA", "SRB", "XKX"} <= iso3s and not iso3s & {"SUN", "YUG", "DDR"}
    assert "countries" in _run(tmp_path, "list", "--region", "Western Africa")


def test_lookup_by_year_and_scheme(tmp_path: Path) -> None:
    record = json.loads(
        _run(tmp_path, "lookup", "365", "--scheme", "cow", "--year", "1980", "--json")
    )
    assert record["iso3"] == "SUN"
    assert "CIV" in _run(tmp_path, "lookup", "Ivory Coast")


def test_unknown_values_fail_with_close_matches(capsys: object, tmp_path: Path) -> None:
    for args, expected in [
        (["lookup", "Tunesia"], "Tunisia (TUN)"),
        (["lookup", "X", "--scheme", "klingon"], "use one of iso3"),
        (["list", "--region", "Atlantis"], "use one of Africa"),
    ]:
        try:
            main(["--data-dir", str(tmp_path), "countries", *args])
        except SystemExit as stop:
            assert stop.code == 1
        err = capsys.readouterr().err  # type: ignore[attr-defined]
        assert expected in err.replace("\n", " ")


def test_help_has_examples(tmp_path: Path) -> None:
    for command in ([], ["list"], ["lookup"]):
        out = _run(tmp_path, *command, "--help")
        assert "Examples" in out and "tocsin countries" in out
