"""`tocsin report assessment|brief`: from the store, from a file, from the shipped example."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from tocsin.assess import example_path
from tocsin.bootstrap import framework_codes
from tocsin.cli import build_app
from tocsin.domain import Country
from tocsin.framework import load_catalogue
from tocsin.store import Database, sync_framework_codes, upsert_countries


def _invoke(home: Path, command: str, *args: str) -> None:
    result = CliRunner().invoke(build_app(command), ["--data-dir", str(home), command, *args])
    assert result.exit_code == 0, result.output


def test_report_of_a_stored_assessment(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'tocsin.db'}")
    db.upgrade()
    with db.session() as session:
        upsert_countries(session, [(Country(iso3="CAF", name="Central African Republic"), [])])
        sync_framework_codes(session, framework_codes(load_catalogue()), version="test")
    db.dispose()
    _invoke(tmp_path, "assess", "import", str(example_path()))
    html = tmp_path / "a.html"
    _invoke(tmp_path, "report", "assessment", "1", "--format", "html", "-o", str(html))
    text = html.read_text(encoding="utf-8")
    assert "assessment #1" in text and "version 1" in text
    pdf = tmp_path / "brief.pdf"
    _invoke(tmp_path, "report", "brief", "1", "-o", str(pdf))
    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) == 1


def test_report_from_a_file_needs_no_database(tmp_path: Path) -> None:
    out = tmp_path / "caf.pdf"
    _invoke(tmp_path, "report", "assessment", "--example", "caf", "-f", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "tocsin.db").exists()
