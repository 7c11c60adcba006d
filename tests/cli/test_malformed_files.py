"""Every command that reads a user's file, given malformed files: one clear error, never a
traceback, and the store as it was.

Each case runs the real entry point (:func:`tocsin.cli.main`) in this process: a
:class:`~tocsin.errors.TocsinError` becomes the one-line message and exit code 1 as a user
sees it, and any other exception escapes the test as the traceback a user would have got.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from tocsin.cli import main
from tocsin.datasets import BUNDLED_DIR
from tocsin.store import Database

DATA = Path(__file__).resolve().parents[1] / "data"
EVENTS = DATA / "events"
SPEECH = DATA / "speech"
ASSESSMENT = Path(__file__).resolve().parents[2] / "src/tocsin/assess/examples/caf.json"


def _head(path: Path, n_lines: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:n_lines])


UCDP = _head(EVENTS / "ucdp_ged231_caf_2014.csv", 6)
ACLED = _head(EVENTS / "acled_2022h1_slice.csv", 6)
GDELT = _head(EVENTS / "gdelt1_events_sample.tsv", 5)
SPEECH_CSV = _head(SPEECH / "items.csv", 4)
SPEECH_JSONL = _head(SPEECH / "items.jsonl", 3)
PTS = (BUNDLED_DIR / "pts" / "PTS-2024.csv").read_bytes()  # its check wants every row
RULE = b"name: Convergence\ncondition: {type: convergence, min_kinds: 2, window_days: 30}\n"
MAPPED = b"ref,when,country,what\nA1,2024-01-02,Mali,killing\nA2,2024-01-03,Niger,riot\n"
MAPPING = (
    b"dataset: monitor_x\ncolumns:\n  source_event_id: ref\n  start_date: when\n"
    b"  country: country\n  event_type: what\n"
)


@dataclass(frozen=True)
class Command:
    """A command that reads a user file: its arguments around the file, a valid file, a
    file of another format, and what kind of text it reads."""

    args: Callable[[str, Path], list[str]]
    valid: bytes
    other_format: bytes
    kind: str  # csv, tsv, json, yaml, xml
    stores: bool = True
    #: reads Windows-1252 by design (a data set's publisher's encoding, a feed's declared one)
    reads_latin1: bool = False


COMMANDS: dict[str, Command] = {
    "events import ucdp": Command(
        lambda f, _: ["events", "import", f, "--format", "ucdp"], UCDP, ACLED, "csv"
    ),
    "events import acled": Command(
        lambda f, _: ["events", "import", f, "--format", "acled"], ACLED, UCDP, "csv"
    ),
    "events import gdelt": Command(
        lambda f, _: ["events", "import", f, "--format", "gdelt"], GDELT, ACLED, "tsv"
    ),
    "events import --mapping": Command(
        lambda f, tmp: [
            "events",
            "import",
            str(_write(tmp / "mapped.csv", MAPPED)),
            "--format",
            "csv",
            "--mapping",
            f,
        ],
        MAPPING,
        ACLED,
        "yaml",
    ),
    "monitor evaluate": Command(
        lambda f, _: ["monitor", "evaluate", "--events", f, "--format", "acled"],
        ACLED,
        GDELT,
        "csv",
        stores=False,
    ),
    "speech import csv": Command(
        lambda f, _: ["speech", "import", f, "--format", "csv", "-m", "text=body"],
        SPEECH_CSV,
        SPEECH_JSONL,
        "csv",
    ),
    "speech import jsonl": Command(
        lambda f, _: ["speech", "import", f, "--format", "jsonl", "-m", "text=message"],
        SPEECH_JSONL,
        SPEECH_CSV,
        "json",
    ),
    "speech import feed": Command(
        lambda f, _: ["speech", "import", f, "--format", "feed"],
        (SPEECH / "feed_rss.xml").read_bytes(),
        ACLED,
        "xml",
        reads_latin1=True,  # XML declares its encoding; feedparser reads what it declares
    ),
    "speech score": Command(
        lambda f, tmp: [
            "speech",
            "score",
            f,
            "--fast",
            "--text-column",
            "body",
            "-o",
            str(tmp / "scores.csv"),
        ],
        SPEECH_CSV,
        b"\n".join(line.replace(b",", b";") for line in SPEECH_CSV.splitlines()),
        "csv",
        stores=False,
    ),
    "assess import": Command(
        lambda f, _: ["assess", "import", f], ASSESSMENT.read_bytes(), ACLED, "json"
    ),
    "report brief --file": Command(
        lambda f, tmp: [
            "report",
            "brief",
            "--file",
            f,
            "-o",
            str(tmp / "brief.html"),
            "--format",
            "html",
        ],
        ASSESSMENT.read_bytes(),
        ACLED,
        "json",
        stores=False,
    ),
    "alerts rules add --from": Command(
        lambda f, _: ["alerts", "rules", "add", "--from", f], RULE, ACLED, "yaml"
    ),
    "data validate": Command(
        lambda f, _: ["data", "validate", f, "--dataset", "pts"],
        PTS,
        ACLED,
        "csv",
        stores=False,
        reads_latin1=True,
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _latin1(data: bytes) -> bytes:
    """An "e" after the first line as Latin-1's "é" (one byte, not UTF-8)."""
    at = data.index(b"e", data.index(b"\n"))
    return data[:at] + b"\xe9" + data[at + 1 :]


def _truncated(data: bytes, kind: str) -> bytes:
    body = data.rstrip(b"\n")
    if kind in {"json", "yaml"}:
        return body[: len(body) * 2 // 3]  # cut inside the document
    last = body.rfind(b"\n")  # cut inside the last row
    return body[: last + 1 + (len(body) - last) // 2]


def _unclosed_quote(data: bytes, kind: str) -> bytes:
    lines = data.splitlines(keepends=True)
    if kind == "json":
        return data.replace(b'": "', b'": "x', 1).replace(b'",', b",", 1)
    if kind == "yaml":
        return data.replace(b": ", b': "', 1)
    # a quote opening a value of the second row, never closed
    lines[2] = lines[2].replace(b",", b',"', 1)
    return b"".join(lines)


def _duplicate_header(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    names = header.split(b",")
    names[1] = names[0]
    return b",".join(names) + b"\n" + rest


HUGE = 17 << 20  # longer than one of pyarrow's blocks (16 MiB)

#: Malformations, as a function of (valid file, file of another format, kind); None where
#: the malformation means nothing for that kind of file.
MALFORMED: dict[str, Callable[[bytes, bytes, str], bytes | None]] = {
    "truncated mid-row": lambda v, _o, k: _truncated(v, k),
    "latin-1 bytes": lambda v, _o, _k: _latin1(v),
    "empty": lambda _v, _o, _k: b"",
    "header only": lambda v, _o, k: v.splitlines(keepends=True)[0] if k == "csv" else None,
    "png bytes": lambda _v, _o, _k: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "zip bytes": lambda _v, _o, _k: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)),
    "unclosed quote": lambda v, _o, k: _unclosed_quote(v, k) if k not in {"tsv", "xml"} else None,
    "other format": lambda _v, o, _k: o,
    "huge line": lambda v, _o, _k: v + b"x" * HUGE + b"\n",
    "duplicate header": lambda v, _o, k: _duplicate_header(v) if k == "csv" else None,
}


@pytest.fixture(scope="module")
def set_up(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database after `tocsin up` (countries and the catalogue loaded), once a module."""
    folder = tmp_path_factory.mktemp("set-up")
    with pytest.raises(SystemExit) as done:
        main(["--data-dir", str(folder), "up", "--no-serve", "--json"])
    assert done.value.code in (0, None)
    return folder / "tocsin.db"


@pytest.fixture
def home(tmp_path: Path, set_up: Path) -> Path:
    """A data folder with a set-up SQLite database (a copy of the module's)."""
    folder = tmp_path / "home"
    folder.mkdir()
    shutil.copyfile(set_up, folder / "tocsin.db")
    return folder


def row_counts(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "tocsin.db") as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def run_cli(
    home: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run ``tocsin`` as a user would; any exception but SystemExit fails the test."""
    capsys.readouterr()
    try:
        main(["--data-dir", str(home), *args])
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_clear_error(code: int, err: str, shown: str) -> None:
    assert code != 0, err
    assert "Traceback" not in err
    assert err.startswith("Error: "), err
    assert shown in err, err  # the file is named
    assert "Fix: " in err, err  # and what to do


def _applies(command: str, malformation: str) -> bool:
    """Whether a file of this command's kind can be malformed so (a JSON file has no
    header line, an XML feed declares its own encoding...)."""
    spec = COMMANDS[command]
    if malformation == "latin-1 bytes" and spec.reads_latin1:
        return False
    return MALFORMED[malformation](spec.valid, spec.other_format, spec.kind) is not None


CASES = [
    pytest.param(command, malformation, id=f"{command}: {malformation}")
    for command in COMMANDS
    for malformation in MALFORMED
    if _applies(command, malformation)
]


@pytest.mark.parametrize(("command", "malformation"), CASES)
def test_a_malformed_file_is_refused_in_one_clear_error(
    command: str,
    malformation: str,
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = COMMANDS[command]
    data = MALFORMED[malformation](spec.valid, spec.other_format, spec.kind)
    assert data is not None
    suffix = {"csv": ".csv", "tsv": ".tsv", "json": ".json", "yaml": ".yaml", "xml": ".xml"}[
        spec.kind
    ]
    if command == "speech import jsonl":
        suffix = ".jsonl"
    path = _write(tmp_path / f"input{suffix}", data)
    before = row_counts(home)
    code, _, err = run_cli(home, spec.args(str(path), tmp_path), capsys)
    assert_clear_error(code, err, path.name)
    assert row_counts(home) == before  # nothing stored


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("where", ["missing", "a folder"])
def test_a_missing_file_or_a_folder_is_named(
    command: str, where: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nothing.csv" if where == "missing" else tmp_path / "folder.csv"
    if where == "a folder":
        path.mkdir()
    before = row_counts(home)
    code, _, err = run_cli(home, COMMANDS[command].args(str(path), tmp_path), capsys)
    assert code != 0
    assert "Traceback" not in err
    assert path.name in err, err
    assert row_counts(home) == before


@pytest.mark.parametrize("command", [c for c, spec in COMMANDS.items() if spec.kind != "tsv"])
def test_a_utf16_file_with_a_byte_order_mark_is_read(
    command: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = COMMANDS[command]
    path = _write(tmp_path / "input.utf16", spec.valid.decode("utf-8").encode("utf-16"))
    code, _, err = run_cli(home, spec.args(str(path), tmp_path), capsys)
    assert "Traceback" not in err
    assert code == 0, err


@pytest.mark.parametrize(
    ("command", "counted", "n_rows"),
    [
        ("events import ucdp", "events", 2),  # rows of the UCDP slice span lines
        ("speech import csv", "speech_items", 3),
    ],
)
def test_two_imports_of_one_file_at_once_store_it_once(
    command: str, counted: str, n_rows: int, db: Database, tmp_path: Path
) -> None:
    """The second waits for the first, then finds the file imported: no duplicate, on
    either backend."""
    spec = COMMANDS[command]
    path = _write(tmp_path / "input.csv", spec.valid)
    args = [sys.executable, "-m", "tocsin", *spec.args(str(path), tmp_path)]
    env = os.environ | {"TOCSIN_HOME": str(tmp_path / "home"), "TOCSIN_DATABASE_URL": db.url}
    runs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in "ab"
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    results = [
        (run.returncode, out.decode(), err.decode())
        for run, (out, err) in zip(runs, outputs, strict=True)
    ]
    assert [code for code, _, _ in results] == [0, 0], results
    assert sum("already imported" in out for _, out, _ in results) == 1, results
    with db.session() as session:
        n_imports = session.execute(text("SELECT count(*) FROM imports")).scalar_one()
        n_stored = session.execute(text(f"SELECT count(*) FROM {counted}")).scalar_one()
    assert (n_imports, n_stored) == (1, n_rows)  # stored once
