"""Validation names every problem with its file, line and field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tocsin.datasets import DataFile, check_file, get_dataset, validate_bytes, validate_text
from tocsin.errors import DataFileError

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "datasets"

PTS = dataclasses.replace(get_dataset("pts").files[0], min_rows=1)
FH = dataclasses.replace(get_dataset("freedom_house").files[0], min_rows=1)


def _pts_slice() -> str:
    return (DATA_DIR / "pts_slice.csv").read_text(encoding="utf-8")


def test_real_slices_pass() -> None:
    assert validate_text(_pts_slice(), PTS) == ([], 30)
    fh = (DATA_DIR / "fh_slice.csv").read_text(encoding="utf-8")
    assert validate_text(fh, FH) == ([], 16)


def test_wrong_columns_are_named() -> None:
    text = _pts_slice().replace("PTS_A", "PTS_Amnesty", 1).replace(",Year,", ",Yr,", 1)
    problems, _ = validate_text(text, PTS)
    assert {(p.line, p.field) for p in problems} == {(1, "PTS_A"), (1, "Year")}
    assert all("required column missing" in p.reason for p in problems)


def test_every_bad_value_is_listed_with_line_and_field(tmp_path: Path) -> None:
    lines = _pts_slice().splitlines(keepends=True)
    lines[2] = lines[2].replace(",1990,", ",19x0,")
    fields = lines[7].split(",")
    fields[8] = "9"  # PTS_A
    lines[7] = ",".join(fields)
    path = tmp_path / "pts_bad.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        check_file(path, PTS)
    found = {(p.line, p.field, p.reason) for p in caught.value.problems}
    assert (3, "Year", "not a whole number") in found
    assert (8, "PTS_A", "above the maximum 5") in found
    message = str(caught.value)
    assert f"{path}:3: field 'Year': not a whole number (got '19x0')" in message
    assert f"{path}:8: field 'PTS_A': above the maximum 5 (got '9')" in message


def test_truncated_mid_line() -> None:
    text = _pts_slice()
    cut = text[: len(text) - 20]
    problems, _ = validate_text(cut, PTS)
    last_line = cut.count("\n") + 1
    reasons = {(p.line, p.reason) for p in problems}
    assert any(line == last_line and "header has 14" in r for line, r in reasons)
    assert any(line == last_line and "middle of this line" in r for line, r in reasons)


def test_far_fewer_rows_than_before() -> None:
    problems, n = validate_text(_pts_slice(), PTS, previous_rows=10220)
    assert n == 30
    assert any("far fewer than the 10220" in p.reason for p in problems)
    full = get_dataset("pts").files[0]
    problems, _ = validate_text(_pts_slice(), full)
    assert any("at least 5000 expected" in p.reason for p in problems)


def test_duplicates_and_status_values() -> None:
    fh = (DATA_DIR / "fh_slice.csv").read_text(encoding="utf-8")
    lines = fh.splitlines(keepends=True)
    lines.append(lines[1])
    lines[3] = lines[3].replace("Not Free", "Unfree")
    problems, _ = validate_text("".join(lines), FH)
    fields = {(p.line, p.field) for p in problems}
    assert (len(lines), "country,year") in fields
    assert (4, "status") in fields


def test_encodings() -> None:
    text = _pts_slice().replace("Norway", "Norwège")
    assert validate_bytes(text.encode("cp1252"), PTS)[0] == []
    spec = DataFile("x.csv", "", 1, (), encodings=("utf-8",))
    problems, _ = validate_bytes("é".encode("cp1252"), spec)
    assert "not text" in problems[0].reason


def test_treaty_files_keep_namibia() -> None:
    spec = dataclasses.replace(get_dataset("treaties").files[0], min_rows=1)
    text = "iso2,member,state party,year ratification or accession,signatory,no action,status\n"
    text += "NA,Namibia,1,1994,0,0,state party\n"
    assert validate_text(text, spec) == ([], 1)
    problems, _ = validate_text(text.replace("NA,Nam", ",Nam"), spec)
    assert [(p.line, p.field) for p in problems] == [(2, "iso2")]
