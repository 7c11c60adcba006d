"""The assessment report and the brief, in HTML and PDF, from the shipped example."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from tocsin.assess import Rating, example_assessment
from tocsin.framework import load_catalogue
from tocsin.reports import (
    Report,
    file_report,
    profile_chart,
    render_brief_html,
    render_brief_pdf,
    render_html,
    render_pdf,
)

NOW = datetime(2025, 2, 1, 9, 30, tzinfo=UTC)
SECTIONS = (
    "Executive summary",
    "Risk profile",
    "Forecast and monitoring",
    "Vulnerable populations",
    "Structures of resilience",
    "Indicators rated",
    "Recommended actions",
    "Sources cited",
    "methodology",
)


@pytest.fixture(scope="module")
def report() -> Report:
    return file_report(example_assessment(), load_catalogue(), now=NOW)


@pytest.fixture(scope="module")
def pdf_text(report: Report) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def test_report_content_from_the_bundled_data(report: Report) -> None:
    assert report.country_name == "Central African Republic"
    forecast = report.monitoring.forecast
    assert forecast is not None and forecast.rank == 35  # EWP 2025 assessment, bundled
    assert forecast.risk == pytest.approx(0.02473)
    assert report.profile.overall is Rating.HIGH
    assert any("Crimes most at risk: crimes against humanity" in f for f in report.key_findings)
    kinds = {s.kind for s in report.sources}
    assert kinds == {"dataset"}
    assert all("Early Warning Project" in s.label for s in report.sources if "ewp" in s.ref)
    rule = next(s for s in report.structures if s.id == "rule_of_law_judiciary")
    assert any("(vdem, 2023)" in d for d in rule.data)
    nhri = next(s for s in report.structures if s.id == "national_human_rights_institution")
    assert nhri.data == [] and nhri.gaps


def test_html_has_every_section_and_the_chart(report: Report) -> None:
    html = render_html(report)
    for section in SECTIONS:
        assert section in html
    assert html.count("<svg") == 1
    assert "Illustrative example: not an official assessment" in html
    assert "§§47–48" in html  # policy options and structures carry their paragraphs
    assert "2.5%" in html  # the bundled EWP forecast beside the assessment
    assert "<script" not in html  # self-contained, nothing fetched


def test_pdf_text_has_the_sections_tables_and_sources(pdf_text: tuple[int, str]) -> None:
    pages, text = pdf_text
    assert pages >= 4
    for section in SECTIONS:
        assert section in text
    assert "ILLUSTRATIVE EXAMPLE" in text
    assert "Crimes against humanity (most at risk)" in text
    assert "P9 Rule of law and accountable institutions" in text
    assert "S71a Appoint a senior focal point" in text
    assert "Gibney" in text  # PTS citation among the sources cited
    assert "Rule of law index: 0.103 (vdem, 2023)" in text


def test_brief_is_one_page(report: Report) -> None:
    reader = PdfReader(io.BytesIO(render_brief_pdf(report)))
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Country brief: Central African Republic" in text
    assert "Overall risk: high" in text
    assert "P9 Rule of law" in text  # adopted options come first in the brief
    html = render_brief_html(report)
    assert "Key findings" in html and html.count("<svg") == 1


def test_chart_formats(report: Report) -> None:
    assert profile_chart(report.profile, fmt="png").startswith(b"\x89PNG")
    assert b"<svg" in profile_chart(report.profile, fmt="svg", compact=True)
