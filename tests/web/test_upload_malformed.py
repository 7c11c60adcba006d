"""The malformed files of tests/cli/test_malformed_files.py uploaded on the data page: each
is refused with a readable message (never "unexpected error") and nothing is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.cli.test_malformed_files import (
    ACLED,
    GDELT,
    MALFORMED,
    MAPPED,
    MAPPING,
    SPEECH_CSV,
    SPEECH_JSONL,
    UCDP,
)
from tests.web.test_imports import Browser, analyst, base_url  # noqa: F401  (fixtures)
from tocsin.settings import Settings
from tocsin.store import Database

#: Upload kind -> (valid file, file of another format, kind of text, form fields).
KINDS: dict[str, tuple[bytes, bytes, str, dict[str, Any]]] = {
    "events:ucdp": (UCDP, ACLED, "csv", {}),
    "events:acled": (ACLED, UCDP, "csv", {}),
    "events:gdelt": (GDELT, ACLED, "tsv", {}),
    "speech:csv": (SPEECH_CSV, SPEECH_JSONL, "csv", {"speech_columns": "text=body"}),
    "speech:jsonl": (SPEECH_JSONL, SPEECH_CSV, "json", {"speech_columns": "text=message"}),
    "events:csv mapping": (MAPPING, ACLED, "yaml", {}),
}


def _counts(settings: Settings) -> dict[str, int]:
    db = Database.from_settings(settings)
    try:
        with db.session() as session:
            return {
                t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("imports", "events", "speech_items")
            }
    finally:
        db.dispose()


def _upload(browser: Browser, kind: str, data: bytes, fields: dict[str, Any]) -> Any:
    if kind == "events:csv mapping":
        return browser.http.post(
            "/data/imports",
            data={"format": "events:csv", "csrf_token": browser.csrf},
            files={
                "file": ("mapped.csv", MAPPED, "text/csv"),
                "mapping": ("mapping.yaml", data, "application/yaml"),
            },
        )
    return browser.upload("input.csv", data, kind, **fields)


CASES = [
    pytest.param(kind, malformation, id=f"{kind}: {malformation}")
    for kind in KINDS
    for malformation in [*MALFORMED, "utf-16 with a byte-order mark"]
    # only what a file of its kind can be (a JSON file has no header line to repeat)
    if malformation not in MALFORMED
    or MALFORMED[malformation](KINDS[kind][0], KINDS[kind][1], KINDS[kind][2]) is not None
]


@pytest.mark.parametrize(("kind", "malformation"), CASES)
def test_a_malformed_upload_is_refused_with_a_readable_message(
    kind: str,
    malformation: str,
    analyst: Browser,  # noqa: F811
    settings: Settings,
) -> None:
    valid, other, text_kind, fields = KINDS[kind]
    if malformation == "utf-16 with a byte-order mark":
        data: bytes | None = valid.decode("utf-8").encode("utf-16")
    else:
        data = MALFORMED[malformation](valid, other, text_kind)
    assert data is not None
    if malformation == "huge line":
        data = data[: 1 << 20] + b"x" * (2 << 20) + b"\n"  # within the upload limit
    before = _counts(settings)
    response = _upload(analyst, kind, data, fields)
    if response.status_code == 422:  # refused before a job starts: the empty file
        assert "empty" in response.text
        return
    assert response.status_code == 303, response.text
    job, _ = analyst.wait(response.headers["location"])
    if malformation == "utf-16 with a byte-order mark":
        assert job["status"] == "done", job  # read, not refused
        return
    assert job["status"] == "refused", job
    message = job["message"] or ""
    assert "unexpected error" not in message
    shown = "column mapping" if kind == "events:csv mapping" else "input.csv"
    assert shown in message, job
    assert "Fix: " in message, job
    assert _counts(settings) == before  # nothing stored


def test_the_test_files_are_here() -> None:
    assert Path(__file__).with_name("test_imports.py").is_file()
